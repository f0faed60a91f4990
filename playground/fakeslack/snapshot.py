"""The fake workspace as JSON-ready data and back, so the playground can keep it between runs.

Reading is split from applying: `parse_workspace` checks everything first and raises
ValueError on anything malformed, so a bad file never leaves a half-restored workspace.
This module is the workspace's own serializer, so it reads and sets its private tables.
"""

from __future__ import annotations

import base64
import binascii
import itertools
from dataclasses import dataclass
from typing import Any

from playground.fakeslack.workspace import Upload, Workspace

Json = dict[str, Any]


@dataclass
class Tables:
    """Everything a workspace holds that a restart should keep."""

    users: dict[str, Json]
    channels: dict[str, Json]
    members: dict[str, list[str] | None]
    messages: dict[str, dict[str, Json]]
    dms: dict[frozenset[str], str]
    views: dict[str, Json]
    homes: dict[str, str]
    uploads: dict[str, Upload]
    reactions: set[tuple[str, str, str]]
    used_triggers: set[str]
    serial: int
    last_ts: int


def dump_workspace(ws: Workspace) -> Json:
    """The workspace's state as plain JSON data (uploaded bytes in base64); it shares the
    workspace's own dicts, so encode it before anything else can change them."""
    serial = next(ws._serial)
    ws._serial = itertools.count(serial)  # peeking consumed one; put it back
    return {
        "users": ws.users,
        "channels": ws.channels,
        "members": ws._members,
        "messages": ws._messages,
        "dms": [{"people": sorted(people), "channel": c} for people, c in ws._dms.items()],
        "views": ws.views,
        "homes": ws.homes,
        "uploads": [_upload_json(upload) for upload in ws.uploads.values()],
        "reactions": sorted(list(r) for r in ws.reactions),
        "used_triggers": sorted(ws.used_triggers),
        "serial": serial,
        "last_ts": ws._last_ts,
    }


def parse_workspace(data: Any) -> Tables:
    """Tables from `dump_workspace`'s output; ValueError if any part isn't what it wrote."""
    data = _dict(data, "workspace")
    members = _dict(data.get("members"), "members")
    messages = _dict(data.get("messages"), "messages")
    return Tables(
        users=_dicts(data.get("users"), "users"),
        channels=_dicts(data.get("channels"), "channels"),
        members={str(k): None if v is None else _strs(v, "members") for k, v in members.items()},
        messages={str(k): _dicts(v, "messages") for k, v in messages.items()},
        dms=_dms(data.get("dms")),
        views=_dicts(data.get("views"), "views"),
        homes={str(k): str(v) for k, v in _dict(data.get("homes"), "homes").items()},
        uploads={u.file_id: u for u in map(_upload, _list(data.get("uploads"), "uploads"))},
        reactions={_reaction(r) for r in _list(data.get("reactions"), "reactions")},
        used_triggers=set(_strs(data.get("used_triggers"), "used_triggers")),
        serial=_int(data.get("serial"), "serial"),
        last_ts=_int(data.get("last_ts"), "last_ts"),
    )


def restore_workspace(ws: Workspace, tables: Tables) -> None:
    """Replace the workspace's state with `tables`."""
    ws.users, ws.channels, ws._members = tables.users, tables.channels, tables.members
    ws._messages, ws._dms, ws.views = tables.messages, tables.dms, tables.views
    ws.homes, ws.uploads, ws.reactions = tables.homes, tables.uploads, tables.reactions
    ws.used_triggers = tables.used_triggers
    ws._serial = itertools.count(tables.serial)
    ws._last_ts = tables.last_ts


def _dms(value: Any) -> dict[frozenset[str], str]:
    dms = {}
    for item in _list(value, "dms"):
        dm = _dict(item, "dms")
        dms[frozenset(_strs(dm.get("people"), "dms"))] = str(dm.get("channel"))
    return dms


def _upload_json(upload: Upload) -> Json:
    data = None if upload.data is None else base64.b64encode(upload.data).decode("ascii")
    return {
        "file_id": upload.file_id,
        "filename": upload.filename,
        "length": upload.length,
        "data": data,
        "title": upload.title,
        "channels": upload.channels,
    }


def _upload(value: Any) -> Upload:
    item = _dict(value, "uploads")
    raw = item.get("data")
    try:
        data = None if raw is None else base64.b64decode(str(raw), validate=True)
    except binascii.Error as error:
        raise ValueError(f"uploads: {error}") from error
    return Upload(
        file_id=str(item.get("file_id")),
        filename=str(item.get("filename")),
        length=_int(item.get("length"), "uploads"),
        data=data,
        title=str(item.get("title") or ""),
        channels=_strs(item.get("channels"), "uploads"),
    )


def _reaction(value: Any) -> tuple[str, str, str]:
    parts = _strs(value, "reactions")
    if len(parts) != 3:
        raise ValueError("reactions: expected three strings")
    return parts[0], parts[1], parts[2]


def _dict(value: Any, what: str) -> Json:
    if not isinstance(value, dict):
        raise ValueError(f"{what}: expected an object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{what}: expected a list")
    return value


def _dicts(value: Any, what: str) -> dict[str, Json]:
    return {str(k): _dict(v, what) for k, v in _dict(value, what).items()}


def _strs(value: Any, what: str) -> list[str]:
    items = _list(value, what)
    if not all(isinstance(item, str) for item in items):
        raise ValueError(f"{what}: expected strings")
    return items


def _int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{what}: expected a whole number")
    return value
