"""The page's HTTP side: the static page and a small JSON API over Playground's actions."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from playground.app import Playground, PlaygroundError
from playground.files import shared_file
from playground.page import page_state

STATIC = Path(__file__).parent / "static"
Handler = Callable[[Playground, dict[str, Any]], Awaitable[None]]
_PLAYGROUND = web.AppKey("playground", Playground)


def build_web_app(pg: Playground) -> web.Application:
    """GET / (the page), /static/…, GET /api/state, POST /api/<action> and
    GET /files/<file_id>/<name> (a shared file)."""
    app = web.Application(client_max_size=1024 * 1024)
    app[_PLAYGROUND] = pg
    app.router.add_get("/", _index)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/api/state", _state)
    app.router.add_get("/files/{file_id}/{name}", _file)
    for name, handler in ACTIONS.items():
        app.router.add_post(f"/api/{name}", _action(handler))
    return app


async def _index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def _state(request: web.Request) -> web.Response:
    pg = request.app[_PLAYGROUND]
    query = request.query
    try:
        state = page_state(pg, query.get("user", ""), query.get("channel"), query.get("tab", ""))
    except PlaygroundError as error:
        return web.json_response({"ok": False, "error": str(error)}, status=400)
    return web.json_response({"ok": True, **state})


async def _file(request: web.Request) -> web.Response:
    pg = request.app[_PLAYGROUND]
    info = request.match_info
    return shared_file(pg, info["file_id"], info["name"], request.query.get("user", ""))


def _action(handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def run(request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            return web.json_response({"ok": False, "error": "invalid JSON"}, status=400)
        if not isinstance(body, dict):
            return web.json_response({"ok": False, "error": "expected an object"}, status=400)
        try:
            await handler(request.app[_PLAYGROUND], body)
        except (PlaygroundError, KeyError, TypeError, ValueError) as error:
            return web.json_response({"ok": False, "error": str(error)}, status=400)
        return web.json_response({"ok": True})

    return run


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise PlaygroundError(f"{key} must be a string")
    return value


def _form(body: dict[str, Any]) -> dict[str, list[str]]:
    form = body.get("form") or {}
    if not isinstance(form, dict):
        raise PlaygroundError("form must be an object")
    return {
        str(k): [str(v) for v in (vs if isinstance(vs, list) else [vs])] for k, vs in form.items()
    }


async def _send(pg: Playground, body: dict[str, Any]) -> None:
    thread = body.get("thread_ts")
    await pg.send(
        _text(body, "user"),
        _text(body, "channel"),
        _text(body, "text"),
        str(thread) if thread else None,
    )


async def _act(pg: Playground, body: dict[str, Any]) -> None:
    surface = body.get("surface")
    if not isinstance(surface, dict):
        raise PlaygroundError("surface must be an object")
    pressed = {
        "block_id": _text(body, "block_id"),
        "action_id": _text(body, "action_id"),
        "option": body.get("option"),
        "form": _form(body),
    }
    await pg.act(_text(body, "user"), surface, pressed)


async def _submit(pg: Playground, body: dict[str, Any]) -> None:
    await pg.submit(_text(body, "user"), _text(body, "view_id"), _form(body))


async def _close(pg: Playground, body: dict[str, Any]) -> None:
    await pg.close(_text(body, "user"), _text(body, "view_id"))


async def _home(pg: Playground, body: dict[str, Any]) -> None:
    await pg.open_home(_text(body, "user"))


async def _shortcut(pg: Playground, body: dict[str, Any]) -> None:
    await pg.shortcut(_text(body, "user"), _text(body, "channel"), _text(body, "ts"))


async def _clock(pg: Playground, body: dict[str, Any]) -> None:
    await pg.advance(_text(body, "user"), _text(body, "step"))


ACTIONS: dict[str, Handler] = {
    "send": _send,
    "action": _act,
    "submit": _submit,
    "close": _close,
    "home": _home,
    "shortcut": _shortcut,
    "clock": _clock,
}
