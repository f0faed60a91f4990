"""One async lifecycle: open the database, migrate, start the scheduler and the server; then
stop them in reverse order."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import migrate_child
from bot.app import MentorApp, build_app
from bot.background import Background
from bot.clock import Clock, SystemClock
from bot.delivery import outbox_client
from bot.installs import Workspaces
from bot.internals import cache_auth_test
from bot.kinds import (
    OutboxDeps,
    appliers,
    failure_hooks,
    nudge_kinds,
    quiet_kinds,
    renderers,
)
from bot.known_bots import KnownBot
from bot.outbox import Dispatcher
from bot.scheduler import build_scheduler
from bot.settings import Settings
from bot.slack_client import CALL_SECONDS, make_client
from bot.web import build_web_app
from storage.store import Store

log = logging.getLogger(__name__)

# How long a stop waits for in-flight work before giving up on it: the web server's requests
# and the background work share it (one deadline), so a slow Slack can't make it add up.
DRAIN_SECONDS = 20.0


class StopBudget:
    """DRAIN_SECONDS from the moment the stop begins, shared by everything it waits for."""

    def __init__(self) -> None:
        self._deadline: float | None = None

    def begin(self) -> None:
        """The stop begins now (the first call counts)."""
        if self._deadline is None:
            self._deadline = time.monotonic() + DRAIN_SECONDS

    def left(self) -> float:
        """Seconds still to wait; all of them before the stop began."""
        if self._deadline is None:
            return DRAIN_SECONDS
        return max(0.0, self._deadline - time.monotonic())

    async def drain(self, background: Background) -> None:
        """Wait for the background work for what is left of the budget."""
        await background.drain(self.left())


@dataclass(frozen=True)
class Runtime:
    """What a running bot is made of; tests and the CLI read the bound port from here."""

    settings: Settings
    store: Store
    app: AsyncApp
    client: AsyncWebClient
    background: Background
    port: int
    mode: str
    dispatcher: Dispatcher | None = None


@asynccontextmanager
async def running(
    settings: Settings, *, clock: Clock | None = None, migrate_in_child: bool = False
) -> AsyncIterator[Runtime]:
    """Run mentorbot until the block exits; resources close in reverse order of opening.
    With `migrate_in_child` (`mentorbot run`), a due migration runs in a child process."""
    clock = clock or SystemClock()
    mode = "socket" if settings.socket_mode else "http"
    async with AsyncExitStack() as stack:
        database = settings.database
        store = await Store.open(database, pool_size=settings.db_pool_size)
        stack.push_async_callback(store.close)
        if migrate_in_child and await store.migration_due():
            await migrate_child.migrate_in_child(settings)
        version = await store.migrate()  # nothing left to do after the child: one query
        log.info(
            "database ready engine=%s db=%s schema_version=%d", store.engine, database, version
        )

        # One shared HTTP session: a new one per Web API call costs more than the request.
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CALL_SECONDS))
        stack.push_async_callback(session.close)
        client = make_client(settings, session)
        token = settings.bot_token.get_secret_value() if settings.bot_token else None
        workspaces = Workspaces(store, settings.api_url, session, token=token)
        background = Background()
        app = build_app(
            settings, store, client, clock=clock, background=background, workspaces=workspaces
        )
        if token is None:
            installed = [i for i in await store.installations() if i.bot_token is not None]
            log.info("installs by OAuth: %d workspaces installed", len(installed))
        else:
            await _authorize(app, client, store)
        stack.callback(app.quiet.flush)  # after the web server stops: the last count too

        await _take_back_leases(store, settings.worker_id, clock)
        deps = OutboxDeps(store, settings, clock, client, workspaces)
        dispatcher = Dispatcher(
            store,
            outbox_client(token or "", settings.api_url, session),
            renderers(app.kinds, deps),
            clock,
            max_attempts=settings.outbox_max_attempts,
            quiet_kinds=quiet_kinds(app.kinds),
            nudge_kinds=nudge_kinds(app.kinds),
            on_failed=failure_hooks(app.kinds, deps),
            appliers=appliers(app.kinds, deps),
            worker_id=settings.worker_id,
            tick=timedelta(seconds=settings.tick_seconds),
            workspaces=None if token else workspaces,
        )
        scheduler = build_scheduler(
            store,
            clock,
            background=background,
            dispatcher=dispatcher,
            tick_seconds=settings.tick_seconds,
            retention_days=settings.retention_days,
            uninstall_retention_days=settings.uninstall_retention_days,
        )
        scheduler.start()
        # On the way out, after the web server: no new run, then wait for the requests, the
        # work they spawned and a run under way (an outbox tick mid-batch), then stop.
        budget = StopBudget()
        stack.callback(scheduler.shutdown, wait=False)
        stack.push_async_callback(budget.drain, background)
        stack.callback(scheduler.pause)

        runner = web.AppRunner(
            build_web_app(store, None if settings.socket_mode else app, mode, _secret(settings)),
            access_log=None,
            # aiohttp waits this long for a request in flight, then as long again for its
            # handler once cancelled (rounding up past 5 s): a quarter keeps both in the budget.
            shutdown_timeout=DRAIN_SECONDS / 4,
        )
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        site = web.TCPSite(runner, settings.host, settings.port)
        try:
            await site.start()
        except OSError as error:
            raise StartupError(listen_failed(settings.host, settings.port, error)) from None
        port = _bound_port(runner, settings.port)

        if settings.app_token is not None:
            app_token = settings.app_token.get_secret_value()
            await _check_app_token(client, app_token)
            from bot.socket_mode import TrackedSocketModeHandler  # only in Socket Mode

            handler = TrackedSocketModeHandler(app, app_token, background)
            await handler.connect_async()  # type: ignore[no-untyped-call]
            stack.push_async_callback(handler.close_async)
        stack.callback(budget.begin)  # the first thing a stop does
        log.info(
            "mentorbot running mode=%s host=%s port=%d worker=%s",
            mode,
            settings.host,
            port,
            settings.worker_id,
        )
        yield Runtime(settings, store, app, client, background, port, mode, dispatcher)
        log.info("mentorbot stopping")


async def _take_back_leases(store: Store, worker_id: str, clock: Clock) -> None:
    """Outbox rows this worker's previous run held die with it: end those leases now, so the
    first tick sends them (after looking each up in Slack) instead of waiting them out."""
    taken = await store.take_back_leases(worker_id, clock.now())
    if taken:
        log.info("outbox took back leases worker=%s count=%d", worker_id, taken)


_REFUSED = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked"})


async def _authorize(app: MentorApp, client: AsyncWebClient, store: Store) -> None:
    """Check the bot token once at start, and hand the answer to Bolt.

    Bolt would otherwise call auth.test on the first request, making one unlucky channel
    message cost a Web API call. A token Slack refuses stops the start; an unreachable Slack
    doesn't (Bolt then retries on the first request).
    """
    try:
        identity = await client.auth_test()
    except SlackApiError as error:
        reason = error.response.get("error")
        if reason in _REFUSED:
            raise StartupError(f"Slack refused SLACK_BOT_TOKEN ({reason})") from error
        log.warning("auth.test failed at start error=%s; will retry on first request", reason)
        return
    except aiohttp.ClientError as error:
        log.warning("Slack unreachable at start (%s); will retry on first request", error)
        return
    log.info("authorized bot_user=%s team=%s", identity.get("user_id"), identity.get("team_id"))
    cache_auth_test(app, identity)
    user_id = identity.get("user_id")
    if isinstance(user_id, str) and client.token:
        app.known_bots.serve_all(KnownBot(user_id, client.token))
    team_id = identity.get("team_id")
    if isinstance(team_id, str) and await store.undo_removal(team_id):
        # Uninstalled earlier, and started again with a token that works: a reinstall.
        log.info("workspace reinstalled team=%s; its data was kept", team_id)
        if app.reinstalled is not None:
            app.reinstalled(team_id)


async def _check_app_token(client: AsyncWebClient, app_token: str) -> None:
    """Fail fast on a refused app token; the socket client would retry it forever."""
    try:
        await client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        reason = error.response.get("error")
        raise StartupError(f"Slack refused SLACK_APP_TOKEN ({reason})") from error


class StartupError(Exception):
    """The bot cannot start, for a reason one line can tell."""


def listen_failed(host: str, port: int, error: OSError) -> str:
    """The one line for a page or server that can't listen where it was told to."""
    reason = error.strerror or str(error)
    return f"cannot listen on MENTORBOT_HOST:MENTORBOT_PORT ({host}:{port}): {reason}"


def _secret(settings: Settings) -> str:
    return settings.signing_secret.get_secret_value() if settings.signing_secret else ""


def _bound_port(runner: web.AppRunner, fallback: int) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return fallback
