"""Answering people: a private reply to a click, DMs, and rewriting a request's own messages
after it moves (every feature that moves a request does)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.requests import TOPIC_LABELS
from handlers.blocks.request_messages import Audience, build_not_yours, build_request_update
from storage.models import Request, Session
from storage.store import Store

log = logging.getLogger(__name__)

NOT_YOURS = build_not_yours()
BROKEN = "That button is broken, so I didn't change anything. Try `/mentor help`."
# A call that never heard Slack's answer (the connection broke or timed out, after the client's
# own retries): unlike a SlackApiError, it may or may not have taken effect.
NO_ANSWER = (aiohttp.ClientError, TimeoutError)


async def tell(respond: Any, text: str) -> None:
    """An ephemeral answer to whoever clicked, through the click's response_url."""
    await respond(text=text, response_type="ephemeral", replace_original=False)


async def send_dm(client: AsyncWebClient, user_id: str, message: dict[str, Any]) -> tuple[str, str]:
    """Open (or reuse) the bot's DM with `user_id` and post `message`; returns (channel, ts)."""
    opened = await client.conversations_open(users=user_id)
    channel = str(opened["channel"]["id"])
    posted = await client.chat_postMessage(channel=channel, **message)
    return channel, str(posted["ts"])


async def try_dm(
    client: AsyncWebClient, user_id: str, message: dict[str, Any]
) -> tuple[str, str] | None:
    """Best-effort DM (the client already retried 429 and 5xx): where it went, (channel, ts);
    None and a log line if lost."""
    try:
        return await send_dm(client, user_id, message)
    except SlackApiError as error:
        log.warning("could not DM user=%s error=%s", user_id, error.response.get("error"))
    except NO_ANSWER as error:
        log.warning("no answer to a DM user=%s error=%r", user_id, error)
    return None


async def try_update(
    client: AsyncWebClient,
    channel: str,
    ts: str,
    message: dict[str, Any],
    logger: logging.Logger,
    failed: str,
    *about: object,
) -> bool:
    """Best-effort chat.update of a message the bot posted, whose state is already stored (a
    stale message's buttons re-check when clicked). If Slack refuses: False, and `failed` logged
    to `logger` with `about` and Slack's error appended as `error=`."""
    try:
        await client.chat_update(channel=channel, ts=ts, **message)
    except SlackApiError as error:
        logger.warning(f"{failed} error=%s", *about, error.response.get("error"))
        return False
    return True


# A request's own messages, rewritten by every feature that moves the request.

AUDIENCES: tuple[Audience, ...] = ("mentor", "pool", "mentee")


def message_of(request: Request, audience: Audience) -> tuple[str | None, str | None]:
    """Where the request's message for `audience` is: (channel, ts), or Nones if not sent."""
    if audience == "mentor":
        return request.mentor_dm_channel_id, request.mentor_dm_ts
    if audience == "pool":
        return request.pool_channel_id, request.pool_ts
    return request.mentee_dm_channel_id, request.mentee_dm_ts


async def refresh_request_messages(
    client: AsyncWebClient,
    request: Request,
    *,
    actor_id: str | None,
    at: datetime,
    passed_to: str | None = None,
) -> None:
    """After a transition, rewrite every message the request already has (chat.update)."""
    for audience in AUDIENCES:
        channel, ts = message_of(request, audience)
        if not channel or not ts:
            continue
        message = build_request_update(
            request,
            audience=audience,
            actor_id=actor_id,
            at=at,
            passed_to=passed_to,
        )
        failed = "could not update request message request=%d audience=%s"
        await try_update(client, channel, ts, message, log, failed, request.id, audience)


def topic_of(request: Request | None) -> str:
    """The request's topic as people read it."""
    if request is None:
        return "mentoring"
    return TOPIC_LABELS.get(request.topic, request.topic.value)


async def session_topic(store: Store, session: Session) -> str:
    """The topic of the request a session books."""
    if session.request_id is None:
        return "mentoring"
    return topic_of(await store.get_request(session.team_id, session.request_id))
