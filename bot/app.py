"""The composition root: build_app wires settings, storage and the Slack client together.

The only module of bot/ that imports handlers/: the routing table and the outbox kinds come
in here, and the lifecycle reads the kinds off the app it builds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot.background import Background
from bot.clock import Clock, SystemClock
from bot.installs import Reinstalled, Workspaces
from bot.internals import context_of
from bot.kinds import Kind, OutboxDeps
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


# The message listener, as registered with Bolt: the short way calls it directly.
MessageListener = Callable[[dict[str, Any], dict[str, Any], AsyncBoltContext], Awaitable[None]]
ErrorHandler = Callable[[Exception, dict[str, Any], Any], Awaitable[BoltResponse]]


class MessageWay(NamedTuple):
    """The message listener as registered with Bolt, and the error handler Bolt would call."""

    listener: MessageListener
    on_error: ErrorHandler


# Events after which a workspace's bot may have changed.
_INSTALL_EVENTS = frozenset({"app_uninstalled", "tokens_revoked"})


class MentorApp(AsyncApp):
    """Bolt's AsyncApp, plus our dependencies in every context, one log line per request and
    no crash on a malformed one. `kinds` are the outbox kinds the lifecycle hands the dispatcher;
    `reinstalled` plans again what an uninstall cut, for a workspace installed again.

    The short way: a channel message from a workspace whose bot is known (bot/known_bots.py)
    goes straight to its listener (`messages`), with what Bolt's authorize would have put in
    the context; a failure is answered by the error handler, as Bolt would. Messages are most
    of the traffic, and Bolt's request, middleware, matching and argument injection cost more
    than an ordinary message's own handling (bench/findings.md).
    """

    def __init__(
        self,
        *,
        dependencies: Mapping[str, Any],
        kinds: Mapping[str, Kind],
        messages: MessageWay | None = None,
        reinstalled: Reinstalled | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._dependencies = dict(dependencies)
        self.kinds = dict(kinds)
        self.reinstalled = reinstalled
        self.quiet = QuietCount()
        self.reply_limits = ReplyLimits()
        self._workspaces: Workspaces = self._dependencies["workspaces"]
        self.known_bots = self._workspaces.bots
        self._messages = messages

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        started = time.perf_counter()
        body: dict[str, Any] = req.body if isinstance(req.body, dict) else {}
        answered = await self.short_way(body, req.mode, req.context)
        if answered is not None:
            return answered
        # Set here rather than by a middleware: Bolt runs each middleware through its
        # reflective argument injection, a cost every channel message would pay.
        req.context.update(self._dependencies)
        response = await self._dispatch_by_bolt(req, body)
        self._log(body, response, req.context, started, req.mode)
        return response

    async def short_way(
        self, body: dict[str, Any], mode: str, context: AsyncBoltContext | None = None
    ) -> BoltResponse | None:
        """Answer a channel message without Bolt if its workspace's bot is known; None for
        any other request. bot/web.py calls this before it builds Bolt's request at all."""
        started = time.perf_counter()
        way = self._messages
        if way is None or body.get("type") != "event_callback":
            return None
        event = body.get("event")
        if not isinstance(event, dict) or event.get("type") != "message":
            return None
        if context is None:
            try:
                context = context_of(body)
            except (TypeError, AttributeError, KeyError, ValueError, IndexError):
                return None  # nor can Bolt read it: bot/web.py refuses it
        bot = self.known_bots.find(context)
        if bot is None:
            return None  # Bolt authorizes it, and the bot is learned for the next one
        context.update(self._dependencies)
        context["bot_user_id"] = bot.user_id
        context["client"] = self._client_for(bot.token)
        try:
            await way.listener(event, body, context)
        except Exception as error:
            response = await way.on_error(error, body, None)
        else:
            response = BoltResponse(status=200, body="")
        self._log(body, response, context, started, mode)
        return response

    def _log(
        self,
        body: dict[str, Any],
        response: BoltResponse,
        context: AsyncBoltContext,
        started: float,
        mode: str,
    ) -> None:
        quiet = self.quiet if context.get(QUIET) and response.status == 200 else None
        millis = (time.perf_counter() - started) * 1000
        log_request(body, response.status, millis, mode, quiet, context.get(FACTS))

    async def _dispatch_by_bolt(self, req: AsyncBoltRequest, body: dict[str, Any]) -> BoltResponse:
        background = self._dependencies["background"]
        respond = LaterRespond(req.context.response_url, background, self.reply_limits)
        req.context["respond"] = respond
        try:
            response = await super().async_dispatch(req)
        except Exception:
            # bot/payloads.py checks what Bolt's matchers read; this is for what it missed.
            log.exception("could not dispatch a request; answered 200 and dropped it")
            response = BoltResponse(status=200, body="")
        respond.acknowledged()  # the task starts once this answer is on its way
        event = body.get("event")
        if isinstance(event, dict) and event.get("type") in _INSTALL_EVENTS:
            self.known_bots.forget()
        else:
            self.known_bots.learn(req.context)
        if response.status == 404 and body.get("type") == "event_callback":
            # An event no listener matches (one with no type at all): Slack would retry a 404
            # three times, and the answer would never change.
            log.info("acknowledged an event no listener handles")
            response = BoltResponse(status=200, body="")
        return response

    def _client_for(self, token: str) -> AsyncWebClient:
        """The client for the bot's token: the app's own with SLACK_BOT_TOKEN, as Bolt would
        copy it per request; a workspace's, with brief retries, kept by Workspaces."""
        if token == self.client.token:
            return self.client
        return self._workspaces.client_for_token(token, retries=True)


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
    reinstalled = plan_chains_again(
        OutboxDeps(store, settings, clock, client, workspaces), background
    )
    app = MentorApp(
        # Named here: unnamed, Bolt names the app after its caller's file with inspect.stack(),
        # which reads the source of every frame on the stack and keeps it (0.7 MB for good).
        # Bolt sets the level of the logger of this name: not "mentorbot", whose children
        # (mentorbot.request) would lose their INFO lines.
        name="mentorbot-bolt",
        client=client,
        signing_secret=secret,
        **(
            oauth_options(settings, store, workspaces, clock, reinstalled) if settings.oauth else {}
        ),
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
        messages=MessageWay(handlers.MESSAGE_LISTENER, handlers.ON_ERROR),
        reinstalled=reinstalled,
    )
    handlers.register(app)
    return app


def plan_chains_again(deps: OutboxDeps, background: Background) -> Reinstalled:
    """What a reinstall runs for each workspace it serves: every feature's chains of timed
    messages (handlers.CHAINS), in the background, as a time zone may be asked of Slack. A
    chain still going is left alone, so an install that never left plans nothing."""

    async def plan(team_id: str) -> None:
        planned = 0
        for plan_again in handlers.CHAINS:
            try:
                planned += await plan_again(team_id, deps)
            except Exception:  # one feature's failure mustn't leave the others' chains cut
                log.exception("could not plan again after a reinstall team=%s", team_id)
        log.info("planned again after a reinstall team=%s rows=%d", team_id, planned)

    def reinstalled(team_id: str) -> None:
        background.spawn(plan(team_id), name=f"plan-again:{team_id}")

    return reinstalled
