"""The one way the bot builds its Slack Web API client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.settings import Settings

# Interactive paths can't wait long (a trigger_id lives 3 s), so retry briefly here; timed
# messages get their own patient retries in the outbox.
RETRIES = 2
# Most users.info lookups run before an ack: give up well inside Slack's 3 seconds, even if a
# 429's Retry-After or a slow answer would have the retrying client wait longer.
LOOKUP_SECONDS = 1.5
# Any one Web API call: slack_sdk's own default, which it applies only to sessions it makes
# itself; the bot's shared session needs it set, or a Slack that never answers holds a call
# (and an outbox lease) for aiohttp's 5 minutes.
CALL_SECONDS = 30.0

log = logging.getLogger(__name__)


def make_client(
    settings: Settings, session: aiohttp.ClientSession | None = None, *, token: str | None = None
) -> AsyncWebClient:
    """A client for SLACK_API_URL that retries 429 (after Retry-After), 5xx and lost connections;
    with SLACK_BOT_TOKEN unless `token` is given (with OAuth installs, Bolt sets each request's)."""
    if token is None and settings.bot_token is not None:
        token = settings.bot_token.get_secret_value()
    return with_retries(AsyncWebClient(token=token, base_url=settings.api_url, session=session))


# A form opens only while its trigger_id lives (3 s), and the person waits for it: these
# methods are retried once, and not after a Retry-After longer than this. Past that the
# listener tells the person to try again, instead of a spinner and a late, failing retry.
_TRIGGERED = frozenset({"views.open", "views.push"})
TRIGGER_WAIT_SECONDS = 1


def _triggered(request: HttpRequest) -> bool:
    return request.url.rstrip("/").rsplit("/", 1)[-1] in _TRIGGERED


class _RateLimitRetries(AsyncRateLimitErrorRetryHandler):
    """429s retried after Retry-After, except where the trigger would expire first."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        if not _triggered(request):
            return True
        after = "".join(
            value[0] for name, value in response.headers.items() if name.lower() == "retry-after"
        )
        wait = int(after) if after.isdigit() else 1
        return state.current_attempt == 0 and wait <= TRIGGER_WAIT_SECONDS


class _ServerErrorRetries(AsyncServerErrorRetryHandler):
    """5xx retried with backoff, once only where the trigger would expire first."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _triggered(request) and state.current_attempt > 0:
            return False
        return await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )


def with_retries(client: AsyncWebClient, retries: int = RETRIES) -> AsyncWebClient:
    """Add the interactive paths' brief retries to a client; returns it."""
    client.retry_handlers.extend(
        [
            _RateLimitRetries(max_retry_count=retries),
            _ServerErrorRetries(max_retry_count=retries),
            AsyncConnectionErrorRetryHandler(max_retry_count=retries),
        ]
    )
    return client


class SlowDown(Exception):
    """Slack answered 429 with a Retry-After longer than the caller can wait before it must
    answer Slack itself (`seconds`, jitter included)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"Slack asks to wait {seconds:.1f} s")
        self.seconds = seconds


async def post_once_fast(client: AsyncWebClient, method: str, **arguments: Any) -> None:
    """`client.api_call(method, json=arguments)` on the ask path, in one plain aiohttp POST
    over the client's own session.

    slack_sdk spends about 100 µs of CPU around each call (its request and response objects,
    its retry loop, its logging checks), a tenth of what answering an ask costs. What matters of
    it is kept: Slack's `ok: false` raises SlackApiError from slack_sdk's own response object,
    and a 429, a 500 or 503 or a lost connection counts as the first try: after Retry-After (or a
    short backoff) a client with one retry fewer does the rest, so there are as many tries as
    through the client. None values are left out, as slack_sdk does. A Retry-After longer
    than TRIGGER_WAIT_SECONDS raises SlowDown at once: the event that asked is answered first.
    """
    payload = {name: value for name, value in arguments.items() if value is not None}
    session = client.session
    if session is None or session.closed or not client.token:
        await client.api_call(method, json=payload)
        return
    url = client.base_url + method
    headers = {
        "Authorization": f"Bearer {client.token}",
        "Content-Type": "application/json;charset=utf-8",
    }
    wait, data = _BACKOFF_SECONDS, None
    try:
        # The session's own timeout applies, as through the client: slack_sdk uses its
        # `timeout` only for a session it makes itself.
        answer = await session.post(url, data=json.dumps(payload), headers=headers)
        async with answer:
            status = answer.status
            if status == 429:
                after = answer.headers.get("Retry-After", "")
                seconds = int(after) if after.isdigit() else 1
                wait = seconds + random.random()  # noqa: S311
                if seconds > TRIGGER_WAIT_SECONDS:
                    raise SlowDown(wait)
            elif status not in _RETRIED:
                with contextlib.suppress(ValueError):
                    data = json.loads(await answer.read())
    except (aiohttp.ServerConnectionError, aiohttp.ClientOSError):
        status = 0  # what slack_sdk's connection handler retries; other errors propagate
    if status not in _RETRIED:
        response = AsyncSlackResponse(
            client=client,
            http_verb="POST",
            api_url=url,
            req_args={"json": payload},
            data=data if isinstance(data, dict) else {},
            headers={},
            status_code=status,
        )
        # SlackApiError unless it is a 200 with `ok: true`, as the client raises it.
        response.validate()  # type: ignore[no-untyped-call]
        return
    await asyncio.sleep(wait)
    rest = AsyncWebClient(
        token=client.token,
        base_url=client.base_url,
        session=session,
        timeout=client.timeout,
        headers=client.headers,
    )
    await with_retries(rest, RETRIES - 1).api_call(method, json=payload)


# What the client's handlers retry (0: a lost connection), and slack_sdk's first backoff
# after a 5xx or a lost connection (0.5 s, with jitter there).
_RETRIED = frozenset({0, 429, 500, 503})
_BACKOFF_SECONDS = 0.5


async def user_info(client: AsyncWebClient, user_id: str) -> dict[str, Any] | None:
    """users.info's `user` object, or None if Slack didn't answer within LOOKUP_SECONDS.

    Slack's own errors (user_not_found, …) still raise SlackApiError for the caller to judge.
    """
    try:
        async with asyncio.timeout(LOOKUP_SECONDS):
            info = await client.users_info(user=user_id)
    except TimeoutError:
        log.warning("users.info timed out user=%s", user_id)
        return None
    user = info.get("user")
    return user if isinstance(user, dict) else {}


async def display_name(client: AsyncWebClient, user_id: str) -> str:
    """The name Slack shows for a person (display name, else real name, else handle); "" when
    Slack can't say within LOOKUP_SECONDS."""
    try:
        user = await user_info(client, user_id)
    except SlackApiError as error:
        log.info("no name from users.info user=%s error=%s", user_id, error.response.get("error"))
        return ""
    if user is None:
        return ""
    profile = user.get("profile") or {}
    return str(profile.get("display_name") or user.get("real_name") or user.get("name") or "")


async def workspace_names(client: AsyncWebClient) -> dict[str, str]:
    """The names of the workspaces an org-wide token serves (auth.teams.list), by team id;
    {} when Slack refuses or is slow: callers then show the team id."""
    try:
        async with asyncio.timeout(LOOKUP_SECONDS):
            answer = await client.auth_teams_list(limit=1000)  # one page: its most
    except TimeoutError:
        log.warning("auth.teams.list timed out")
        return {}
    except SlackApiError as error:
        log.info("auth.teams.list failed error=%s", error.response.get("error"))
        return {}
    teams = answer.get("teams")
    if not isinstance(teams, list):
        return {}
    found = (team for team in teams if isinstance(team, dict) and team.get("id"))
    return {str(team["id"]): str(team.get("name") or team["id"]) for team in found}
