"""How the outbox reaches Slack: what to send, the small send function, and pacing.

The client handed to the outbox has no slack_sdk retry handlers: the dispatcher does its own
retries (backoff in the database, Retry-After per method), which survive a restart.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from storage.models import OutboxMessage

POST_MESSAGE = "chat.postMessage"
UPDATE_MESSAGE = "chat.update"
OPEN_DM = "conversations.open"
USERS_INFO = "users.info"
READ_HISTORY = "conversations.history"
READ_THREAD = "conversations.replies"

# Every outbox post carries its row id as message metadata (invisible to people), so a row whose
# earlier post may have reached Slack can be found there instead of posted twice. Slack asks for
# event types named <resource>_<past-tense action>.
OUTBOX_EVENT = "outbox_message_posted"
# How far before the earlier claim a lookup reads, for clock skew between us and Slack.
LOOKUP_SKEW = timedelta(minutes=1)
LOOKUP_PAGE = 200
LOOKUP_PAGES = 5


# Called with (channel id, message ts) once a delivery is posted, e.g. to remember the
# message so its buttons can be updated later. A failure here is logged, never retried.
OnSent = Callable[[str, str], Awaitable[None]]


@dataclass(frozen=True)
class Delivery:
    """What a renderer wants sent: a user id (sent as a DM) or a channel id, and the message.
    With `update_ts` it rewrites that earlier message in the channel instead (chat.update,
    which is idempotent, so a retry can't make two)."""

    channel_or_user: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    on_sent: OnSent | None = None
    thread_ts: str | None = None
    update_ts: str | None = None


# handlers/ registers one per outbox kind; None means "no longer warranted, skip it".
Renderer = Callable[[OutboxMessage], Awaitable[Delivery | None]]
Renderers = Mapping[str, Renderer]
# The change a row stands for, made once (see bot.kinds.KindApply); False skips the row.
Apply = Callable[[OutboxMessage], Awaitable[bool]]


# Waits for the outbox's pacing (the workspace's bucket) and stamps the conversation's next
# turn: awaited at the last moment, so a DM opened first doesn't delay a post already counted.
Paced = Callable[[], Awaitable[None]]


class Send(Protocol):
    """How the outbox talks to Slack: post a row's message, or find one posted before."""

    async def post(self, delivery: Delivery, row_id: int, paced: Paced) -> tuple[str, str]:
        """Post the message tagged with its row; return its channel id and ts. `paced` is
        awaited right before the post itself leaves, after any call it needs first."""
        ...

    async def find(
        self, delivery: Delivery, row_id: int, since: datetime
    ) -> tuple[str, str] | None:
        """The channel id and ts of this row's message if Slack has one posted since `since`,
        else None; raises (SlackApiError, a network error, LookupUnsure) if it can't tell."""
        ...


class LookupUnsure(Exception):
    """A lookup read as much history as it may and neither found the row nor reached `since`."""


# Called once a row has failed for good, with Slack's error name when Slack's refusal was why
# (None for a crash or a network error), so the feature can tell someone instead of nobody.
OnFailed = Callable[[OutboxMessage, str | None], Awaitable[None]]


def is_user(target: str) -> bool:
    """A user id (U…/W…) is sent as a DM; anything else is a conversation id."""
    return target[:1] in ("U", "W")


def methods_for(delivery: Delivery) -> tuple[str, ...]:
    """The Web API methods sending this delivery may call."""
    if delivery.update_ts is not None:
        return (UPDATE_MESSAGE,)
    return (OPEN_DM, POST_MESSAGE) if is_user(delivery.channel_or_user) else (POST_MESSAGE,)


def outbox_client(
    token: str, base_url: str, session: aiohttp.ClientSession | None
) -> AsyncWebClient:
    """A Web API client without retry handlers (retry_handlers=[] drops slack_sdk's default)."""
    return AsyncWebClient(token=token, base_url=base_url, session=session, retry_handlers=[])


def outbox_tag(row_id: int) -> dict[str, Any]:
    """The message metadata that names an outbox row."""
    return {"event_type": OUTBOX_EVENT, "event_payload": {"row": row_id}}


def is_tagged(message: Mapping[str, Any], row_id: int, authors: Collection[str]) -> bool:
    """Whether a message from history is ours (by one of `authors`) and tagged with the row."""
    if not ({message.get("user"), message.get("bot_id")} & set(authors)):
        return False
    metadata = message.get("metadata")
    if not isinstance(metadata, Mapping) or metadata.get("event_type") != OUTBOX_EVENT:
        return False
    payload = metadata.get("event_payload")
    return isinstance(payload, Mapping) and payload.get("row") == row_id


class SlackSend:
    """The default send: conversations.open for a DM (remembered), then chat.postMessage."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._dm_channels: dict[str, str] = {}
        self._authors: frozenset[str] = frozenset()

    async def post(self, delivery: Delivery, row_id: int, paced: Paced) -> tuple[str, str]:
        """Post the message tagged with its row (or rewrite the message it updates); return
        its channel id and ts."""
        channel = await self._channel(delivery)
        await paced()
        if delivery.update_ts is not None:
            await self._client.chat_update(
                channel=channel, ts=delivery.update_ts, text=delivery.text, blocks=delivery.blocks
            )
            return channel, delivery.update_ts
        posted = await self._client.chat_postMessage(
            channel=channel,
            text=delivery.text,
            blocks=delivery.blocks,
            thread_ts=delivery.thread_ts,
            metadata=outbox_tag(row_id),
        )
        return str(posted.get("channel") or channel), str(posted.get("ts") or "")

    async def find(
        self, delivery: Delivery, row_id: int, since: datetime
    ) -> tuple[str, str] | None:
        """Read the conversation (or thread) back to `since` for the row's tagged message."""
        if delivery.update_ts is not None:
            return None  # a rewrite posts nothing to find, and doing it again is harmless
        channel = await self._channel(delivery)
        authors = await self._our_authors()
        oldest = f"{(since - LOOKUP_SKEW).timestamp():.6f}"
        cursor: str | None = None
        for _ in range(LOOKUP_PAGES):
            if delivery.thread_ts:
                page = await self._client.conversations_replies(
                    channel=channel,
                    ts=delivery.thread_ts,
                    oldest=oldest,
                    include_all_metadata=True,
                    limit=LOOKUP_PAGE,
                    cursor=cursor,
                )
            else:
                page = await self._client.conversations_history(
                    channel=channel,
                    oldest=oldest,
                    include_all_metadata=True,
                    limit=LOOKUP_PAGE,
                    cursor=cursor,
                )
            for message in page.get("messages") or []:
                if isinstance(message, dict) and is_tagged(message, row_id, authors):
                    return channel, str(message.get("ts") or "")
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
            if not page.get("has_more") or not cursor:
                return None
        raise LookupUnsure(f"more than {LOOKUP_PAGES * LOOKUP_PAGE} messages since the claim")

    async def _channel(self, delivery: Delivery) -> str:
        target = delivery.channel_or_user
        return await self._dm_channel(target) if is_user(target) else target

    async def _our_authors(self) -> frozenset[str]:
        """The bot's user id and bot id (auth.test, once): only our messages can match."""
        if not self._authors:
            identity = await self._client.auth_test()
            found = {identity.get("user_id"), identity.get("bot_id")}
            self._authors = frozenset(str(one) for one in found if one)
        return self._authors

    async def _dm_channel(self, user_id: str) -> str:
        if user_id not in self._dm_channels:
            opened = await self._client.conversations_open(users=user_id)
            self._dm_channels[user_id] = str(opened["channel"]["id"])
        return self._dm_channels[user_id]


@dataclass(frozen=True)
class SlackFailure:
    """One failed Web API call, reduced to what the retry policy needs (no message text)."""

    method: str
    status: int
    error: str
    retry_after: float | None

    @property
    def summary(self) -> str:
        """Short text for last_error and logs: method, HTTP status and Slack's error name."""
        return f"{self.method} {self.status} {self.error}"


def slack_failure(error: SlackApiError) -> SlackFailure:
    """Read the method, status, error name and Retry-After off a SlackApiError."""
    response = error.response
    method = str(getattr(response, "api_url", "") or "").rstrip("/").rsplit("/", 1)[-1]
    status = int(getattr(response, "status_code", 0) or 0)
    data = getattr(response, "data", None)
    name = str(data.get("error", "unknown")) if isinstance(data, dict) else "unknown"
    retry_after: float | None = None
    headers = getattr(response, "headers", None) or {}
    for key, value in headers.items():
        if str(key).lower() == "retry-after":
            try:
                retry_after = max(0.0, float(value[0] if isinstance(value, list) else value))
            except ValueError:
                retry_after = None
    return SlackFailure(method or "unknown", status, name, retry_after)


# The workspace is gone (uninstalled, or its tokens revoked): its rows are cancelled.
WORKSPACE_GONE = frozenset({"token_revoked", "account_inactive"})

# ok:false answers that no retry can fix: give up at once rather than after N attempts.
PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "cannot_dm_bot",
        "cant_update_message",
        "channel_not_found",
        "edit_window_closed",
        "invalid_auth",
        "invalid_blocks",
        "invalid_blocks_format",
        "is_archived",
        "message_not_found",
        "msg_too_long",
        "no_text",
        "not_authed",
        "not_in_channel",
        "token_revoked",
        "user_disabled",
        "user_not_found",
    }
)


class TokenBucket:
    """A workspace-wide rate bound: `rate` calls per second with a small burst."""

    def __init__(
        self,
        rate: float,
        burst: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self._rate, self._burst, self._monotonic = rate, burst, monotonic
        self._tokens, self._last = burst, monotonic()
        self._lock = asyncio.Lock()

    def empty(self) -> None:
        """Start from no tokens: calls go at `rate` from now, with no burst first."""
        self._tokens, self._last = 0.0, self._monotonic()

    async def take(self) -> None:
        """Wait (briefly, in real time) until a call is allowed, then spend one token."""
        async with self._lock:
            while True:
                now = self._monotonic()
                self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
                self._last = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self._rate)
