"""Sending and updating the messages that belong to a request."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import outbox_tag
from bot.matching import available_mentors
from bot.settings import Settings
from handlers.blocks.request_messages import (
    build_mentor_dm,
    build_pool_post,
)
from handlers.blocks.text import user_mention
from handlers.kit import send_dm
from storage.models import Request
from storage.store import Store

log = logging.getLogger(__name__)


async def pool_channel(store: Store, settings: Settings, team_id: str) -> str | None:
    """The workspace's mentor-pool channel: the admin setting, else (on Grid) the org's pool
    channel, else MENTORBOT_POOL_CHANNEL."""
    workspace = await store.get_workspace_settings(team_id)
    if workspace.pool_channel_id:
        return workspace.pool_channel_id
    org = await store.org_pool(team_id)
    return (org.channel_id if org else None) or settings.pool_channel


async def send_to_mentor(
    client: AsyncWebClient, store: Store, request: Request, tag: int | None = None
) -> None:
    """DM the named mentor the request with Accept / Suggest / Decline (tagged as outbox row
    `tag`, which it stands in for). Slack refusing raises SlackApiError, so the caller can tell
    a mentor gone for good from a passing failure."""
    if request.mentor_id is None:
        raise ValueError("a pool request has no mentor to DM")
    channel, ts = await send_dm(client, request.mentor_id, tagged(build_mentor_dm(request), tag))
    await store.set_request_messages(request.team_id, request.id, mentor_dm=(channel, ts))


def tagged(message: dict[str, Any], tag: int | None) -> dict[str, Any]:
    """The message, carrying outbox row `tag`'s metadata when it stands in for that row: if its
    answer is lost, the row finds it in Slack instead of posting it again."""
    return message if tag is None else {**message, "metadata": outbox_tag(tag)}


async def deliver_to_pool(
    client: AsyncWebClient, store: Store, settings: Settings, request: Request, now: datetime
) -> bool:
    """The pool post plus a thread naming up to 5 matched mentors; with no pool channel, DM the
    top 3. True if the request reached at least one place, False if Slack refused."""
    try:
        return await reach_pool(client, store, settings, request, now)
    except SlackApiError as error:
        log.warning(
            "could not post to the pool request=%d error=%s",
            request.id,
            error.response.get("error"),
        )
        return False


async def reach_pool(
    client: AsyncWebClient, store: Store, settings: Settings, request: Request, now: datetime
) -> bool:
    """deliver_to_pool for the outbox: Slack refusing the pool post raises SlackApiError, so the
    outbox can tell a channel gone for good (archived, bot removed) from a passing failure."""
    channel = await pool_channel(store, settings, request.team_id)
    if channel is None:
        return await _invite_mentors(client, store, request, now)
    posted = await client.chat_postMessage(channel=channel, **build_pool_post(request))
    ts = str(posted["ts"])
    await store.set_request_messages(request.team_id, request.id, pool_post=(channel, ts))
    matched = await available_mentors(
        store, request.team_id, request.details, asker_id=request.mentee_id, now=now, limit=5
    )
    if matched:
        names = " ".join(user_mention(m.candidate.user_id) for m in matched)
        try:
            await client.chat_postMessage(
                channel=channel,
                thread_ts=ts,
                text=f"{names}: this looks like something you know about. Can you help?",
            )
        except SlackApiError as error:
            log.warning("could not post pool suggestions error=%s", error.response.get("error"))
        for mentor in matched:
            await store.add_request_invite(
                request.team_id, request.id, mentor.candidate.user_id, now
            )
    return True


async def invitees(
    store: Store, request: Request, now: datetime, exclude: Collection[str] = ()
) -> list[str]:
    """With no pool channel: the three best-matched available mentors to DM the request to
    (anyone available when nobody's tags match: reaching someone beats reaching nobody)."""
    mentors = await available_mentors(
        store,
        request.team_id,
        request.details,
        asker_id=request.mentee_id,
        now=now,
        limit=3,
        exclude=exclude,
        anyone_if_no_match=True,
    )
    return [mentor.candidate.user_id for mentor in mentors]


async def reached_anyone(store: Store, request: Request) -> bool:
    """Whether the request got to its mentor, the pool channel or an invited mentor."""
    if request.mentor_dm_ts or request.pool_ts:
        return True
    return bool(await store.list_request_invites(request.team_id, request.id))


async def _invite_mentors(
    client: AsyncWebClient, store: Store, request: Request, now: datetime
) -> bool:
    """No pool channel: DM the request to the top 3 matched mentors; True if any got it."""
    reached = False
    for user_id in await invitees(store, request, now):
        try:
            dm = await send_dm(client, user_id, build_pool_post(request))
        except SlackApiError as error:
            log.warning("could not invite a mentor error=%s", error.response.get("error"))
            continue
        await store.add_request_invite(request.team_id, request.id, user_id, now, dm=dm)
        reached = True
    return reached
