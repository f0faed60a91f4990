"""The composition root: build_app wires settings, storage and the Slack client together.

The only module of bot/ that imports handlers/: the routing table and the outbox kinds come
in here, and the lifecycle reads the kinds off the app it builds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot.background import Background
from bot.clock import Clock, SystemClock
from bot.installs import Workspaces
from bot.kinds import Kind
from bot.oauth import oauth_options
from bot.request_log import FACTS, QUIET, QuietCount, log_request
from bot.respond_later import LaterRespond, ReplyLimits
from bot.settings import Settings
from bot.slack_client import make_client
from storage.store import Store

log = logging.getLogger(__name__)


class _DropTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our shared client makes it unused."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("As you gave `client` as well")


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("mentorbot.bolt")
    if not any(isinstance(f, _DropTokenWarning) for f in logger.filters):
        logger.addFilter(_DropTokenWarning())
    return logger


class MentorApp(AsyncApp):
    """Bolt's AsyncApp, plus our dependencies in every context, one log line per request and
    no crash on a malformed one. `kinds` are the outbox kinds the lifecycle hands the dispatcher."""

    def __init__(
        self, *, dependencies: Mapping[str, Any], kinds: Mapping[str, Kind], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._dependencies = dict(dependencies)
        self.kinds = dict(kinds)
        self.quiet = QuietCount()
        self.reply_limits = ReplyLimits()

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        started = time.perf_counter()
        # Set here rather than by a middleware: Bolt runs each middleware through its
        # reflective argument injection, a cost every channel message would pay.
        req.context.update(self._dependencies)
        background = self._dependencies["background"]
        respond = LaterRespond(req.context.response_url, background, self.reply_limits)
        req.context["respond"] = respond
        body: dict[str, Any] = req.body if isinstance(req.body, dict) else {}
        try:
            response = await super().async_dispatch(req)
        except Exception:
            # bot/payloads.py checks what Bolt's matchers read; this is for what it missed.
            log.exception("could not dispatch a request; answered 200 and dropped it")
            response = BoltResponse(status=200, body="")
        respond.acknowledged()  # the task starts once this answer is on its way
        if response.status == 404 and body.get("type") == "event_callback":
            # An event no listener matches (one with no type at all): Slack would retry a 404
            # three times, and the answer would never change.
            log.info("acknowledged an event no listener handles")
            response = BoltResponse(status=200, body="")
        quiet = self.quiet if req.context.get(QUIET) and response.status == 200 else None
        millis = (time.perf_counter() - started) * 1000
        log_request(body, response.status, millis, req.mode, quiet, req.context.get(FACTS))
        return response


def build_app(
    settings: Settings,
    store: Store,
    client: AsyncWebClient | None = None,
    *,
    clock: Clock | None = None,
    background: Background | None = None,
    workspaces: Workspaces | None = None,
) -> MentorApp:
    """Create the Bolt app with every listener registered and dependencies injected."""
    clock = clock or SystemClock()
    background = background or Background()
    client = client or make_client(settings)
    secret = settings.signing_secret.get_secret_value() if settings.signing_secret else ""
    if workspaces is None:
        token = settings.bot_token.get_secret_value() if settings.bot_token else None
        workspaces = Workspaces(store, settings.api_url, client.session, token=token)
    app = MentorApp(
        client=client,
        signing_secret=secret,
        **(oauth_options(settings, store, workspaces, clock) if settings.oauth else {}),
        # bot/web.py checks every HTTP request's signature before Bolt sees it (Socket Mode
        # requests carry none): Bolt checking the same HMAC again is work every message paid.
        request_verification_enabled=False,
        # Answer Slack only once the listener is done: acks come back fast (no 10 ms polling)
        # and an HTTP shutdown that waits for in-flight requests waits for their work too.
        process_before_response=True,
        logger=_bolt_logger(),
        dependencies={
            "store": store,
            "settings": settings,
            "clock": clock,
            "background": background,
            "workspaces": workspaces,
        },
        kinds=handlers.outbox_kinds(),
    )
    handlers.register(app)
    return app
