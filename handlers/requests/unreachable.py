"""When a pool request can never reach the pool: say so, instead of dropping it silently.

The outbox calls `pool_failed` once a pool delivery, escalation or re-post has failed for good
(Slack said the channel is archived, or the bot isn't in it; or every retry was spent). The
mentee hears it once per request, with what they can do instead; when the channel itself is
the problem, the coordinators and MENTORBOT_ADMINS hear it once a day per channel, with the fix.
"""

from __future__ import annotations

import logging

from bot.delivery import Delivery
from bot.kinds import Kind, OutboxDeps
from bot.workspace import workspace_settings
from handlers.blocks.nudges import (
    build_pool_unreachable_for_admin,
    build_pool_unreachable_for_mentee,
)
from handlers.requests.delivery import pool_channel
from handlers.requests.followups import (
    ESCALATE,
    POOL,
    schedule_pool_repost,
    unclaimed_in_pool,
)
from storage.models import OutboxMessage, SubjectType

log = logging.getLogger(__name__)

TELL_MENTEE = "request.pool_unreachable"  # to the mentee: it never reached the pool
TELL_ADMIN = "request.pool_channel_broken"  # to coordinators and admins: fix the channel

# Slack's answers that mean the channel itself is unusable, not this one message.
CHANNEL_ERRORS = frozenset({"is_archived", "not_in_channel", "channel_not_found"})


async def pool_failed(row: OutboxMessage, slack_error: str | None, deps: OutboxDeps) -> None:
    """A row that acts on the pool failed for good: tell the mentee, and the admins if the
    channel is the problem. A re-post stays planned, so a fixed channel still gets it."""
    if row.recipient != POOL or row.subject_type is not SubjectType.REQUEST:
        return  # a named mentor's DM: not the pool's problem
    if row.subject_id is None:
        return
    request = await deps.store.get_request(row.team_id, row.subject_id)
    if request is None or not unclaimed_in_pool(request):
        return
    now = deps.clock.now()
    channel = await pool_channel(deps.store, deps.settings, request.team_id)
    admins_told = False
    if channel is not None and slack_error in CHANNEL_ERRORS:
        admins_told = await _tell_admins(deps, row.team_id, channel, slack_error)
    log.warning(
        "pool request unreachable request=%d kind=%s error=%s", request.id, row.kind, slack_error
    )
    await deps.store.enqueue(
        request.team_id,
        TELL_MENTEE,
        request.mentee_id,
        now,
        dedupe_key=f"request:{request.id}:pool-unreachable",
        subject_type=SubjectType.REQUEST,
        subject_id=request.id,
        payload={"channel": channel or "", "admins_told": "yes" if admins_told else ""},
        now=now,
    )
    if row.kind == ESCALATE:
        workspace = await workspace_settings(deps.store, deps.settings, request.team_id)
        await schedule_pool_repost(deps.store, workspace, request, now, now)


async def _tell_admins(deps: OutboxDeps, team_id: str, channel: str, slack_error: str) -> bool:
    """Plan one DM per coordinator and admin (once a day per channel); False if nobody's set."""
    now = deps.clock.now()
    workspace = await workspace_settings(deps.store, deps.settings, team_id)
    people = list(dict.fromkeys([*workspace.coordinators, *sorted(deps.settings.admins)]))
    for person in people:
        await deps.store.enqueue(
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
    if request is None or not unclaimed_in_pool(request):
        return None
    channel = str(row.payload.get("channel") or "") or None
    message = build_pool_unreachable_for_mentee(
        request, channel, bool(row.payload.get("admins_told"))
    )
    return Delivery(row.recipient, message["text"], message["blocks"])


async def render_tell_admin(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """A coordinator or admin, unless the pool channel was changed meanwhile."""
    channel = str(row.payload.get("channel") or "")
    if not channel or channel != await pool_channel(deps.store, deps.settings, row.team_id):
        return None
    message = build_pool_unreachable_for_admin(channel, str(row.payload.get("error") or ""))
    return Delivery(row.recipient, message["text"], message["blocks"])


KINDS: dict[str, Kind] = {
    TELL_MENTEE: Kind(render_tell_mentee, quiet=False),  # corrects "I'll keep trying" now
    TELL_ADMIN: Kind(render_tell_admin),
}
