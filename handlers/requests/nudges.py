"""Timed messages about requests: unanswered nudges, escalation, pool re-posts, expiry.

Each renderer reads the request as it is now and returns None when the message is no longer
warranted (someone answered, the mentee cancelled). Escalation, re-posting and expiry also move
the request; they are written so that a retry after a crash picks up where the last try
stopped, never repeating a post.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError

from bot.delivery import Delivery
from bot.kinds import Kind, OutboxDeps
from bot.matching import available_mentors
from bot.workspace import workspace_settings
from handlers.blocks.nudges import (
    build_coordinator_note,
    build_escalated_for_mentee,
    build_escalated_for_mentor,
    build_expired_for_mentee,
    build_repost,
    build_unanswered_nudge,
)
from handlers.blocks.request_messages import build_mentor_dm
from handlers.blocks.text import safe_link
from handlers.requests.actions import settle
from handlers.requests.delivery import pool_channel, reach_pool, send_dm
from handlers.requests.followups import (
    COORDINATOR,
    DELIVER,
    ESCALATE,
    ESCALATED,
    EXPIRE,
    NUDGE,
    REPOST,
    schedule_after_escalation,
    schedule_coordinators,
    unclaimed_in_pool,
)
from handlers.requests.unreachable import KINDS as UNREACHABLE_KINDS
from handlers.requests.unreachable import delivery_failed, pool_failed
from storage.models import OutboxMessage, Request, RequestStatus, SubjectType

log = logging.getLogger(__name__)


class PoolUnreachable(Exception):
    """No pool channel and every mentor invite was refused; the outbox retries the row later.
    (Slack refusing the pool channel itself raises its own SlackApiError, which the outbox
    judges: temporary is retried, an archived channel fails at once and pool_failed tells.)"""


async def _request(row: OutboxMessage, deps: OutboxDeps) -> Request | None:
    if row.subject_type is not SubjectType.REQUEST or row.subject_id is None:
        return None
    return await deps.store.get_request(row.team_id, row.subject_id)


async def render_nudge(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The named mentor, if they still haven't answered."""
    request = await _request(row, deps)
    if request is None or request.status is not RequestStatus.OPEN:
        return None
    if request.mentor_id != row.recipient or request.first_response_at is not None:
        return None
    message = build_unanswered_nudge(request, row.id, deps.clock.now())
    return Delivery(row.recipient, message["text"], message["blocks"])


async def render_deliver(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The request's first delivery, which Slack refused when it was made; once only."""
    request = await _request(row, deps)
    if request is None or request.status is not RequestStatus.OPEN:
        return None
    if request.mentor_id is None:
        invites = await deps.store.list_request_invites(request.team_id, request.id)
        if request.pool_ts is None and not invites:
            now = deps.clock.now()
            if not await reach_pool(deps.client, deps.store, deps.settings, request, now):
                raise PoolUnreachable(f"request {request.id}")
            log.info("request delivered to the pool on a retry request=%d", request.id)
        return None
    if request.mentor_id != row.recipient or request.mentor_dm_ts is not None:
        return None
    message = build_mentor_dm(request)
    store, team_id, request_id = deps.store, request.team_id, request.id

    async def remember(channel: str, ts: str) -> None:
        await store.set_request_messages(team_id, request_id, mentor_dm=(channel, ts))

    return Delivery(row.recipient, message["text"], message["blocks"], on_sent=remember)


async def render_escalate(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """Still unanswered: open it to the pool, then plan the words to mentee and coordinators."""
    request = await _request(row, deps)
    mentor_id = str(row.payload.get("mentor") or "")
    if request is None or request.status is not RequestStatus.OPEN or not mentor_id:
        return None
    if request.first_response_at is not None:
        return None  # the mentor answered (or declined and the mentee took it to the pool)
    now = deps.clock.now()
    workspace = await workspace_settings(deps.store, deps.settings, request.team_id)
    if request.mentor_id is not None:
        if request.mentor_id != mentor_id:
            return None
        if not await _somewhere_to_go(deps, request, now):
            # No pool and nobody else: keep it with the mentor, and say what the mentee can do.
            await schedule_after_escalation(deps.store, workspace, request, mentor_id, None, now)
            return None
        escalated = await deps.store.escalate_request(request.team_id, request.id, mentor_id, now)
        if escalated is None:
            return None
        request = escalated
        log.info("request escalated request=%d", request.id)
        await _rewrite_mentor_dm(deps, request, now)
    invites = await deps.store.list_request_invites(request.team_id, request.id)
    if request.pool_ts is None and not invites:
        # A retry after a crash finds the post (or the invites) already made and skips this.
        if not await reach_pool(deps.client, deps.store, deps.settings, request, now):
            raise PoolUnreachable(f"request {request.id}")
        invites = await deps.store.list_request_invites(request.team_id, request.id)
    current = await deps.store.get_request(request.team_id, request.id) or request
    invited = [] if current.pool_ts else [invite.user_id for invite in invites]
    await schedule_after_escalation(deps.store, workspace, current, mentor_id, invited, now)
    return None


async def _somewhere_to_go(deps: OutboxDeps, request: Request, now: datetime) -> bool:
    """A pool channel, or at least one other available mentor to invite."""
    if await pool_channel(deps.store, deps.settings, request.team_id) is not None:
        return True
    others = await available_mentors(
        deps.store,
        request.team_id,
        request.details,
        asker_id=request.mentee_id,
        now=now,
        limit=1,
        exclude={request.mentor_id} if request.mentor_id else set(),
        anyone_if_no_match=True,
    )
    return bool(others)


async def _rewrite_mentor_dm(deps: OutboxDeps, request: Request, now: datetime) -> None:
    if not (request.mentor_dm_channel_id and request.mentor_dm_ts):
        return
    message = build_escalated_for_mentor(request, now - request.created_at)
    try:
        await deps.client.chat_update(
            channel=request.mentor_dm_channel_id, ts=request.mentor_dm_ts, **message
        )
    except SlackApiError as error:
        # Cosmetic: the old Accept button re-checks and explains when clicked.
        log.warning(
            "could not update the mentor's DM request=%d error=%s",
            request.id,
            error.response.get("error"),
        )


async def render_escalated(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The mentee: their request went wider, while nobody has taken it yet."""
    request = await _request(row, deps)
    if request is None or request.status is not RequestStatus.OPEN:
        return None
    if request.claimed_by is not None or request.first_response_at is not None:
        return None
    mentor_id = str(row.payload.get("mentor") or "")
    raw = row.payload.get("invited")
    # None: it had nowhere else to go, so it stayed with the mentor.
    invited = None if raw is None else [user for user in str(raw).split(",") if user]
    waited = deps.clock.now() - request.created_at
    message = build_escalated_for_mentee(request, mentor_id, invited, waited)
    return Delivery(row.recipient, message["text"], message["blocks"])


async def render_coordinator(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """A coordinator: a request nobody has taken, with a link to where it is."""
    request = await _request(row, deps)
    if request is None or not unclaimed_in_pool(request):
        return None
    link = await _pool_link(deps, request)
    waited = deps.clock.now() - request.created_at
    reason = str(row.payload.get("reason") or "unclaimed")
    message = build_coordinator_note(request, reason, waited, row.id, link)
    return Delivery(row.recipient, message["text"], message["blocks"])


async def _pool_link(deps: OutboxDeps, request: Request) -> str | None:
    if not (request.pool_channel_id and request.pool_ts):
        return None
    try:
        answer = await deps.client.chat_getPermalink(
            channel=request.pool_channel_id, message_ts=request.pool_ts
        )
    except SlackApiError:
        return None
    permalink = answer.get("permalink")
    return safe_link(permalink if isinstance(permalink, str) else None, "See the pool post")


async def render_repost(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """Unclaimed in the pool: post it again (or invite more mentors) and tell coordinators."""
    request = await _request(row, deps)
    if request is None or not unclaimed_in_pool(request):
        return None
    now = deps.clock.now()
    workspace = await workspace_settings(deps.store, deps.settings, request.team_id)
    await schedule_coordinators(deps.store, workspace, request, "unclaimed", now)
    channel = await pool_channel(deps.store, deps.settings, request.team_id)
    if channel is None:
        await _invite_more(deps, request, now)
        return None
    message = build_repost(request)
    old = (request.pool_channel_id, request.pool_ts)

    async def remember(posted_channel: str, ts: str) -> None:
        await deps.store.set_request_messages(
            request.team_id, request.id, pool_post=(posted_channel, ts)
        )
        current = await deps.store.get_request(request.team_id, request.id)
        if current is not None and not unclaimed_in_pool(current):
            # Taken or closed while this was being posted: the new post must say so too.
            await settle(deps.client, deps.store, current, current.claimed_by, deps.clock.now())
        if old[0] and old[1]:
            # The old post would show a stale "I can help"; the new one replaces it.
            try:
                await deps.client.chat_delete(channel=old[0], ts=old[1])
            except SlackApiError as error:
                log.info("could not remove the old pool post error=%s", error.response.get("error"))

    return Delivery(channel, message["text"], message["blocks"], on_sent=remember)


async def _invite_more(deps: OutboxDeps, request: Request, now: datetime) -> None:
    """No pool channel: DM up to three more matched mentors who weren't invited yet."""
    invited = {
        i.user_id for i in await deps.store.list_request_invites(request.team_id, request.id)
    }
    more = await available_mentors(
        deps.store,
        request.team_id,
        request.details,
        asker_id=request.mentee_id,
        now=now,
        limit=3,
        exclude=invited,
        anyone_if_no_match=True,
    )
    message = build_repost(request)
    for mentor in more:
        user_id = mentor.candidate.user_id
        try:
            dm = await send_dm(deps.client, user_id, message)
        except SlackApiError as error:
            log.warning("could not invite a mentor error=%s", error.response.get("error"))
            continue
        await deps.store.add_request_invite(request.team_id, request.id, user_id, now, dm=dm)


async def render_expire(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """Nobody took it in time: close it, update its messages, and tell the mentee kindly."""
    request = await _request(row, deps)
    if request is None:
        return None
    now = deps.clock.now()
    expired = await deps.store.expire_request(request.team_id, request.id, now)
    if expired is None:
        return None
    log.info("request expired request=%d", request.id)
    await deps.store.cancel_for_subject(request.team_id, SubjectType.REQUEST, request.id)
    await settle(deps.client, deps.store, expired, None, now)
    message = build_expired_for_mentee(expired)
    return Delivery(row.recipient, message["text"], message["blocks"])


KINDS: dict[str, Kind] = {
    NUDGE: Kind(render_nudge, nudge=True),
    ESCALATE: Kind(render_escalate, on_failed=pool_failed),
    ESCALATED: Kind(render_escalated),
    COORDINATOR: Kind(render_coordinator, nudge=True),
    REPOST: Kind(render_repost, on_failed=pool_failed),
    EXPIRE: Kind(render_expire),
    DELIVER: Kind(render_deliver, quiet=False, on_failed=delivery_failed),  # late: no more waiting
    **UNREACHABLE_KINDS,
}
