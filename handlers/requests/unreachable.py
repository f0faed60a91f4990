"""When a pool request can never reach the pool: say so, instead of dropping it silently.

The outbox calls `pool_failed` once a pool delivery, escalation or re-post has failed for good
(Slack said the channel is archived, or the bot isn't in it; or every retry was spent), and
`delivery_failed` when a first delivery did (to the pool, or to a named mentor who was
deactivated). Submit calls `pool_unreachable` / `mentor_unreachable` itself when Slack's first
answer is already final. The mentee hears it once per request, with what they can do instead;
when the channel itself is the problem, the coordinators and MENTORBOT_ADMINS hear it once a
day per channel, with the fix.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from bot.delivery import Delivery
from bot.kinds import Kind, OutboxDeps
from bot.settings import Settings
from bot.workspace import workspace_settings
from handlers.blocks.nudges import (
    build_mentor_unreachable_for_mentee,
    build_pool_unreachable_for_admin,
    build_pool_unreachable_for_mentee,
)
from handlers.requests.delivery import pool_channel
from handlers.requests.followups import (
    ESCALATE,
    POOL,
    schedule_pool_repost,
    step_key,
    unclaimed_in_pool,
)
from storage.models import OutboxMessage, Request, RequestStatus, SubjectType
from storage.store import Store

log = logging.getLogger(__name__)

TELL_MENTEE = "request.pool_unreachable"  # to the mentee: it never reached the pool
TELL_ADMIN = "request.pool_channel_broken"  # to coordinators and admins: fix the channel
TELL_MENTOR_GONE = "request.mentor_unreachable"  # to the mentee: the named mentor can't get it
# How long a word the caller is saying itself waits in the outbox before it is sent anyway.
TOLD_GRACE = timedelta(minutes=1)

# Slack's answers that mean the channel itself is unusable, not this one message.
CHANNEL_ERRORS = frozenset({"is_archived", "not_in_channel", "channel_not_found"})


async def pool_failed(row: OutboxMessage, slack_error: str | None, deps: OutboxDeps) -> None:
    """A row that acts on the pool failed for good: tell the mentee, and the admins if the
    channel is the problem. A re-post stays planned, so a fixed channel still gets it."""
    if row.recipient != POOL or row.subject_type is not SubjectType.REQUEST:
        return
    if row.subject_id is None:
        return
    request = await deps.store.get_request(row.team_id, row.subject_id)
    if request is None or not unclaimed_in_pool(request):
        return
    now = deps.clock.now()
    log.warning(
        "pool request unreachable request=%d kind=%s error=%s", request.id, row.kind, slack_error
    )
    await pool_unreachable(deps.store, deps.settings, request, slack_error, now)
    if row.kind == ESCALATE:
        workspace = await workspace_settings(deps.store, deps.settings, request.team_id)
        await schedule_pool_repost(deps.store, workspace, request, now, now)


async def delivery_failed(row: OutboxMessage, slack_error: str | None, deps: OutboxDeps) -> None:
    """A first delivery that failed for good: to the pool, or to the named mentor."""
    if row.recipient == POOL:
        await pool_failed(row, slack_error, deps)
        return
    if row.subject_type is not SubjectType.REQUEST or row.subject_id is None:
        return
    request = await deps.store.get_request(row.team_id, row.subject_id)
    if request is None or not _mentor_never_reached(request, row.recipient):
        return
    log.warning("named mentor unreachable request=%d error=%s", request.id, slack_error)
    await mentor_unreachable(deps.store, deps.settings, request, deps.clock.now())


async def pool_unreachable(
    store: Store,
    settings: Settings,
    request: Request,
    slack_error: str | None,
    now: datetime,
    *,
    told: bool = False,
) -> dict[str, Any]:
    """Plan the word to the mentee (once per request) and, when the channel is the problem, to
    the admins (once a day per channel); return the mentee's message. `told`: the caller DMs
    it itself now and cancels the row once Slack took it; the row, due a moment later, says
    it if that DM is lost (and keeps a later failure from saying it again)."""
    channel = await pool_channel(store, settings, request.team_id)
    admins_told = False
    if channel is not None and slack_error in CHANNEL_ERRORS:
        admins_told = await _tell_admins(
            store, settings, request.team_id, channel, slack_error, now
        )
    payload = {"channel": channel or "", "admins_told": "yes" if admins_told else ""}
    await _tell_mentee(store, request, TELL_MENTEE, "pool-unreachable", payload, now, told)
    return build_pool_unreachable_for_mentee(request, channel, admins_told)


async def mentor_unreachable(
    store: Store, settings: Settings, request: Request, now: datetime, *, told: bool = False
) -> dict[str, Any]:
    """Plan the word to the mentee that their named mentor can't be reached (once per
    request); return the message. `told` as for pool_unreachable."""
    mentor = str(request.mentor_id)
    payload = {"mentor": mentor}
    await _tell_mentee(store, request, TELL_MENTOR_GONE, "mentor-unreachable", payload, now, told)
    pool = await pool_channel(store, settings, request.team_id) is not None
    return build_mentor_unreachable_for_mentee(request, mentor, pool)


async def _tell_mentee(
    store: Store,
    request: Request,
    kind: str,
    step: str,
    payload: dict[str, str],
    now: datetime,
    told: bool,
) -> None:
    await store.enqueue(
        request.team_id,
        kind,
        request.mentee_id,
        now + TOLD_GRACE if told else now,
        dedupe_key=step_key(request.id, step),
        subject_type=SubjectType.REQUEST,
        subject_id=request.id,
        payload=payload,
        now=now,
    )


def _mentor_never_reached(request: Request, mentor_id: str) -> bool:
    """Open, still named to this mentor, who never got the DM and never answered."""
    return (
        request.status is RequestStatus.OPEN
        and request.mentor_id == mentor_id
        and request.mentor_dm_ts is None
        and request.first_response_at is None
    )


async def _tell_admins(
    store: Store, settings: Settings, team_id: str, channel: str, slack_error: str, now: datetime
) -> bool:
    """Plan one DM per coordinator and admin (once a day per channel); False if nobody's set."""
    workspace = await workspace_settings(store, settings, team_id)
    people = list(dict.fromkeys([*workspace.coordinators, *sorted(settings.admins)]))
    for person in people:
        await store.enqueue(
            team_id,
            TELL_ADMIN,
            person,
            now,
            dedupe_key=f"pool-channel-broken:{channel}:{now.date().isoformat()}:{person}",
            payload={"channel": channel, "error": slack_error},
            now=now,
        )
    if not people:
        log.error("pool channel unusable and no coordinator or admin to tell error=%s", slack_error)
    return bool(people)


async def render_tell_mentee(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The mentee, unless someone took the request or it closed meanwhile."""
    if row.subject_type is not SubjectType.REQUEST or row.subject_id is None:
        return None
    request = await deps.store.get_request(row.team_id, row.subject_id)
    # "told": a row of an earlier version, planned only to keep the word from being repeated.
    if request is None or not unclaimed_in_pool(request) or row.payload.get("told"):
        return None
    channel = str(row.payload.get("channel") or "") or None
    message = build_pool_unreachable_for_mentee(
        request, channel, bool(row.payload.get("admins_told"))
    )
    return to_mentee(row, request, message, deps)


async def render_tell_admin(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """A coordinator or admin, unless the pool channel was changed meanwhile."""
    channel = str(row.payload.get("channel") or "")
    if not channel or channel != await pool_channel(deps.store, deps.settings, row.team_id):
        return None
    message = build_pool_unreachable_for_admin(channel, str(row.payload.get("error") or ""))
    return Delivery(row.recipient, message["text"], message["blocks"])


async def render_tell_mentor_gone(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The mentee, unless the mentor got it after all, or it moved on meanwhile."""
    if row.subject_type is not SubjectType.REQUEST or row.subject_id is None:
        return None
    request = await deps.store.get_request(row.team_id, row.subject_id)
    mentor = str(row.payload.get("mentor") or "")
    if request is None or not _mentor_never_reached(request, mentor) or row.payload.get("told"):
        return None
    pool = await pool_channel(deps.store, deps.settings, request.team_id) is not None
    message = build_mentor_unreachable_for_mentee(request, mentor, pool)
    return to_mentee(row, request, message, deps)


def to_mentee(
    row: OutboxMessage, request: Request, message: dict[str, Any], deps: OutboxDeps
) -> Delivery:
    """The mentee's word; the first DM about the request is the one a later change rewrites."""
    store, team_id, request_id = deps.store, request.team_id, request.id

    async def remember(channel: str, ts: str) -> None:
        if request.mentee_dm_ts is None:
            await store.set_request_messages(team_id, request_id, mentee_dm=(channel, ts))

    return Delivery(row.recipient, message["text"], message["blocks"], on_sent=remember)


KINDS: dict[str, Kind] = {
    TELL_MENTEE: Kind(render_tell_mentee, quiet=False),  # corrects "I'll keep trying" now
    TELL_ADMIN: Kind(render_tell_admin),
    TELL_MENTOR_GONE: Kind(render_tell_mentor_gone, quiet=False),  # corrects "keep trying"
}
