"""GET /files/<file_id>/<name>?user=<id>: a file the bot shared, for someone who can see it.

A file shared only in a DM answers 404 to everyone else, as if it weren't there: an export
holds private notes. The bytes are always a download, never a page the browser renders.
"""

from __future__ import annotations

import re

from aiohttp import web

from playground.app import Playground

# Only types the bot shares; anything else is opaque bytes, so nothing can come back as HTML.
_TYPES = {".ics": "text/calendar; charset=utf-8", ".json": "application/json"}


def shared_file(pg: Playground, file_id: str, name: str, user_id: str) -> web.Response:
    """The file's bytes as an attachment, or 404 when it isn't there for this person."""
    upload = pg.fake.uploads.get(file_id)
    if upload is None or upload.data is None or upload.filename != name:
        raise web.HTTPNotFound()
    if user_id not in pg.people:
        raise web.HTTPNotFound()
    if not any(user_id in pg.fake.members(channel) for channel in upload.channels):
        raise web.HTTPNotFound()
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    headers = {
        "Content-Type": _TYPES.get(suffix, "application/octet-stream"),
        "Content-Disposition": f'attachment; filename="{safe_filename(name)}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "no-store",
    }
    return web.Response(body=upload.data, headers=headers)


def safe_filename(name: str) -> str:
    """The name with anything but letters, digits, dot, dash and underscore made "_"."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".")
    return cleaned[:100] or "file"
