"""The HTTP server: POST /slack/events for Slack, GET /healthz for operators, and with installs
by OAuth GET /slack/install and /slack/oauth_redirect."""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest

import bot
from bot.app import MentorApp
from bot.door import read_body, signed
from bot.logs import log_name
from bot.payloads import kind_of, shape_problem
from handlers.blocks.errors import OOPS, build_unavailable_modal
from storage import StorageError
from storage.store import Store

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
SLACK_CONTENT_TYPES = frozenset({"application/json", "application/x-www-form-urlencoded"})

STORE_KEY = web.AppKey("store", Store)
BOLT_KEY = web.AppKey("bolt", MentorApp)
MODE_KEY = web.AppKey("mode", str)
SECRET_KEY = web.AppKey("signing_secret", str)
# Bolt's headers for an empty answer (BoltResponse with body "").
_EMPTY_TEXT = {"Content-Type": "text/plain;charset=utf-8"}


def _bad_request(reason: str) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=400)


def _acknowledged() -> web.Response:
    """An empty 200: Slack shows nothing and, for an event, doesn't retry."""
    return web.Response(status=200)


def _malformed(kind: str) -> web.Response:
    """The answer to a payload of a shape Slack never sends. A person who sent a form or a
    command still hears that nothing happened: the form stays open under a "Not available"
    modal, and a command gets a line. Anything else is acknowledged, so Slack doesn't retry."""
    if kind == "view_submission":
        return web.json_response({"response_action": "push", "view": build_unavailable_modal()})
    if kind == "command":
        return web.json_response({"response_type": "ephemeral", "text": OOPS})
    return _acknowledged()


async def slack_events(request: web.Request) -> web.StreamResponse:
    """Hand a request to the app, after refusing what Slack would never send: a channel
    message by the short way (bot/app.py) when it can, anything else to Bolt."""
    if request.content_type not in SLACK_CONTENT_TYPES:
        log.info("rejected body content_type=%s status=400", log_name(request.content_type))
        return _bad_request("unsupported_content_type")
    raw = await request.read()  # aiohttp answers 413 past client_max_size
    headers = request.headers
    stamp = headers.get("X-Slack-Request-Timestamp", "")
    if not signed(
        raw, stamp, headers.get("X-Slack-Signature", ""), request.app[SECRET_KEY], time.time()
    ):
        log.info("refused a request without a valid signature status=401")
        # Bolt's own answer to a request it can't verify; nothing else is read first.
        return web.json_response({"error": "invalid request"}, status=401)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _bad_request("invalid_encoding")
    body = read_body(text, request.content_type)
    if body is None:
        log.info("rejected malformed body status=400")
        return _bad_request("malformed_body")
    kind = kind_of(body)
    if kind == "unknown" and "ssl_check" not in body:
        # Neither a command nor a typed payload: nothing Slack sends, so nothing to hand on.
        log.info("rejected a body that is no kind of Slack request status=400")
        return _bad_request("malformed_body")
    problem = shape_problem(body)
    if problem is not None:
        field, why = problem
        log.warning(
            "ignored a malformed payload kind=%s field=%s problem=%s status=200",
            log_name(kind),
            field,
            why,
        )
        return _malformed(kind)
    if kind == "app_rate_limited":
        log.warning(
            "Slack is dropping this app's events for a minute team=%s minute_rate_limited=%d",
            body.get("team_id"),
            body["minute_rate_limited"],
        )
        return _acknowledged()
    bolt = request.app[BOLT_KEY]
    answered = await bolt.short_way(body, "http")
    if answered is not None:
        if answered.status == 200 and not answered.body:
            return web.Response(status=200, headers=_EMPTY_TEXT)  # to_aiohttp_response's
        return await to_aiohttp_response(answered)
    try:
        # Bolt reads ids out of the body here; the shape check above covers what it reads,
        # this is the last guard.
        bolt_request = AsyncBoltRequest(
            body=text, query=request.query_string, headers=dict(request.headers.items())
        )
    except (TypeError, AttributeError, KeyError, ValueError, IndexError):
        log.warning("rejected a payload Bolt could not read kind=%s status=400", log_name(kind))
        return _bad_request("malformed_body")
    response = await bolt.async_dispatch(bolt_request)
    return await to_aiohttp_response(response)


async def oauth_page(request: web.Request) -> web.StreamResponse:
    """GET /slack/install and /slack/oauth_redirect: Bolt's OAuth flow (bot/oauth.py)."""
    flow = request.app[BOLT_KEY].oauth_flow
    if flow is None:  # pragma: no cover - the routes exist only with a flow
        raise web.HTTPNotFound()
    bolt_request = AsyncBoltRequest(
        body="", query=request.query_string, headers=dict(request.headers.items())
    )
    if request.path == flow.install_path:
        response = await flow.handle_installation(bolt_request)
    else:
        response = await flow.handle_callback(bolt_request)
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


def build_web_app(
    store: Store, bolt_app: MentorApp | None, mode: str, signing_secret: str = ""
) -> web.Application:
    """The aiohttp application; /slack/events exists only in HTTP mode."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[STORE_KEY] = store
    app[MODE_KEY] = mode
    app.router.add_get("/healthz", healthz)
    if bolt_app is not None:
        if not signing_secret:
            raise ValueError("HTTP mode needs the signing secret")
        app[BOLT_KEY] = bolt_app
        app[SECRET_KEY] = signing_secret
        app.router.add_post("/slack/events", slack_events)
        flow = bolt_app.oauth_flow
        if flow is not None:
            app.router.add_get(flow.install_path, oauth_page)
            app.router.add_get(flow.redirect_uri_path, oauth_page)
    return app
