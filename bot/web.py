"""The HTTP server: POST /slack/events for Slack, GET /healthz for operators."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

import bot
from storage import StorageError
from storage.store import Store

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
SLACK_CONTENT_TYPES = frozenset({"application/json", "application/x-www-form-urlencoded"})

STORE_KEY = web.AppKey("store", Store)
BOLT_KEY = web.AppKey("bolt", AsyncApp)
MODE_KEY = web.AppKey("mode", str)


def _bad_request(reason: str) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=400)


def well_formed(text: str, content_type: str) -> bool:
    """Whether a body parses the way Slack sends it: a JSON object, or a form whose payload is."""
    try:
        if content_type == "application/json":
            return isinstance(json.loads(text), dict)
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
        payload = form.get("payload")
        return payload is None or isinstance(json.loads(payload[0]), dict)
    except ValueError:
        return False


async def slack_events(request: web.Request) -> web.StreamResponse:
    """Hand a request to Bolt, after refusing what Slack would never send."""
    if request.content_type not in SLACK_CONTENT_TYPES:
        log.info("rejected body content_type=%s status=400", request.content_type)
        return _bad_request("unsupported_content_type")
    raw = await request.read()  # aiohttp answers 413 past client_max_size
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _bad_request("invalid_encoding")
    if not well_formed(text, request.content_type):
        log.info("rejected malformed body status=400")
        return _bad_request("malformed_body")
    try:
        # Bolt reads ids out of the body here, before any signature check, and trips over
        # some shapes Slack never sends (a number where an object belongs).
        bolt_request = AsyncBoltRequest(
            body=text, query=request.query_string, headers=dict(request.headers.items())
        )
    except (TypeError, AttributeError, KeyError, ValueError, IndexError):
        log.info("rejected malformed body status=400")
        return _bad_request("malformed_body")
    response = await request.app[BOLT_KEY].async_dispatch(bolt_request)
    return await to_aiohttp_response(response)


async def healthz(request: web.Request) -> web.Response:
    """200 with the database's state when the bot can work; 503 when the database can't."""
    body: dict[str, Any] = {"version": bot.__version__, "mode": request.app[MODE_KEY]}
    try:
        body["database"] = await request.app[STORE_KEY].ping()
    except StorageError as error:
        body.update(status="unavailable", database={"ok": False, "error": str(error)})
        return web.json_response(body, status=503)
    body["status"] = "ok"
    return web.json_response(body)


def build_web_app(store: Store, bolt_app: AsyncApp | None, mode: str) -> web.Application:
    """The aiohttp application; /slack/events exists only in HTTP mode."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[STORE_KEY] = store
    app[MODE_KEY] = mode
    app.router.add_get("/healthz", healthz)
    if bolt_app is not None:
        app[BOLT_KEY] = bolt_app
        app.router.add_post("/slack/events", slack_events)
    return app
