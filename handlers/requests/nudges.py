"""Timed messages about requests: unanswered nudges, escalation, pool re-posts, expiry.

Renderers only read: each returns the message the request as it is now warrants, or None.
Escalating, re-posting and expiring are changes, made once by the kind's `apply` in one
conditional update that records the outbox row with it and plans the change's other effects
(the pool post, invites, rewrites of earlier messages) as rows of their own. A retried,
deferred or re-claimed row then still sends its message and never repeats the change.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

from bot.delivery import Delivery
from bot.kinds import Kind, OutboxDeps
from bot.quiet_hours import next_allowed
from bot.time_zones import user_tz
from bot.working_hours import person_hours
from bot.workspace import workspace_settings
from handlers.blocks.nudges import (
    build_book_nudge,
    build_coordinator_note,
    build_escalated_for_mentee,
    build_expired_for_mentee,
    build_repost,
    build_unanswered_nudge,
)
from handlers.blocks.request_messages import build_mentee_confirmation, build_mentor_dm
from handlers.blocks.text import safe_link
from handlers.requests.anonymous import KINDS as ANONYMOUS_KINDS
from handlers.requests.delivery import pool_channel, reached_anyone
from handlers.requests.effect_rows import KINDS as EFFECT_KINDS
from handlers.requests.effect_rows import (
    escalated_update_row,
    pool_rows,
    recorded_pool_post,
    render_pool_post,
    update_rows,
)
from handlers.requests.followups import (
    BOOK_NUDGE,
    CONFIRM,
    COORDINATOR,
    DELIVER,
    ESCALATE,
    ESCALATED,
    EXPIRE,
    NUDGE,
    POOL_POST,
    REPOST,
    closed_offer_row,
    coordinator_rows,
    escalation_after_nudge,
    escalation_rows,
    nudge_key,
    step_key,
    unclaimed_in_pool,
)
from handlers.requests.unreachable import KINDS as UNREACHABLE_KINDS
from handlers.requests.unreachable import delivery_failed, pool_failed, to_mentee
from storage.models import (
    OutboxMessage,
    OutboxStatus,
    Request,
    RequestStatus,
    SubjectType,
    WorkspaceSettings,
)
from storage.outbox import Effects

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


async def apply_deliver(row: OutboxMessage, deps: OutboxDeps) -> bool:
    """A pool request Slack refused at first: plan its way to the pool (once). A named
    mentor's delivery is just a message, with no change to make."""
    request = await _request(row, deps)
    if request is None or request.status is not RequestStatus.OPEN:
        return False
    if request.mentor_id is not None:
        return True
    invites = await deps.store.list_request_invites(request.team_id, request.id)
    if request.pool_ts is not None or invites:
        return False  # it reached the pool some other way meanwhile
    rows, invited = await pool_rows(deps, request, deps.clock.now(), f"row{row.id}")
    if invited is None:
        raise PoolUnreachable(f"request {request.id}")
    return await deps.store.apply_row(request.team_id, Effects(row.id, rows), deps.clock.now())


async def render_deliver(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The request's first DM to its named mentor, which Slack refused when it was made; once
    only. (A pool request's delivery is the rows apply_deliver planned.)"""
    request = await _request(row, deps)
    if request is None or request.status is not RequestStatus.OPEN:
        return None
    if request.mentor_id != row.recipient or request.mentor_dm_ts is not None:
        return None
    message = build_mentor_dm(request)
    store, team_id, request_id = deps.store, request.team_id, request.id

    async def remember(channel: str, ts: str) -> None:
        await store.set_request_messages(team_id, request_id, mentor_dm=(channel, ts))

    return Delivery(row.recipient, message["text"], message["blocks"], on_sent=remember)


async def render_confirm(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The mentee's confirmation, while the request waits and they have none yet."""
    request = await _request(row, deps)
    if request is None or request.status is not RequestStatus.OPEN:
        return None  # taken, cancelled or closed: that change's own message tells them
    if request.mentee_id != row.recipient or request.mentee_dm_ts is not None:
        return None
    pending = bool(row.payload.get("pending")) and not await reached_anyone(deps.store, request)
    message = build_mentee_confirmation(request, pending=pending)
    return to_mentee(row, request, message, deps)


async def render_book_nudge(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """Whoever took the request, while it is still theirs and no time was ever offered by
    either side (times on offer wait for the other, who has the buttons; a session booked and
    then cancelled or missed was already talked about)."""
    request = await _request(row, deps)
    if request is None:
        return None
    if request.status is RequestStatus.ACCEPTED:
        helper = request.mentor_id
    elif request.status is RequestStatus.CLAIMED:
        helper = request.claimed_by
    else:
        return None  # booked, done, released, cancelled
    if helper != row.recipient:
        return None
    if await deps.store.times_ever_offered(request.team_id, request.id):
        return None
    message = build_book_nudge(request, row.id, deps.clock.now())
    return Delivery(row.recipient, message["text"], message["blocks"])


async def apply_escalate(row: OutboxMessage, deps: OutboxDeps) -> bool:
    """Still unanswered: the request opens to the pool, in one update that also plans the
    pool post (or invites), the mentor's rewritten DM and the words to mentee and
    coordinators. With nowhere else to go it stays with the mentor, and the mentee hears
    what they can do."""
    request = await _request(row, deps)
    mentor_id = str(row.payload.get("mentor") or "")
    if request is None or request.status is not RequestStatus.OPEN or not mentor_id:
        return False
    if request.first_response_at is not None or request.mentor_id != mentor_id:
        return False  # answered, declined, or passed on meanwhile
    now = deps.clock.now()
    cause = f"row{row.id}"
    workspace = await workspace_settings(deps.store, deps.settings, request.team_id)
    nudged = await _nudged_at(deps, workspace, request, mentor_id, now)
    later = escalation_after_nudge(workspace, request, mentor_id, nudged) if nudged else None
    if later is not None and later.due_at > now:
        return await deps.store.apply_row(request.team_id, Effects(row.id, [later]), now)
    rows, invited = await pool_rows(deps, request, now, cause, exclude=frozenset({mentor_id}))
    if invited is None:
        stay = escalation_rows(workspace, request, mentor_id, None, now)
        return await deps.store.apply_row(request.team_id, Effects(row.id, stay), now)
    channel = await pool_channel(deps.store, deps.settings, request.team_id)
    rows += escalated_update_row(request, now, cause)
    rows += escalation_rows(workspace, request, mentor_id, invited, now, channel)
    effects = Effects(row.id, rows)
    escalated = await deps.store.escalate_request(
        request.team_id, request.id, mentor_id, now, effects
    )
    if escalated is not None:
        log.info("request escalated request=%d", request.id)
    return escalated is not None


# A nudge sent this much after its time was held for the mentor's working hours (pacing and
# retries move one by seconds).
LATE_NUDGE = timedelta(hours=1)


async def _nudged_at(
    deps: OutboxDeps, workspace: WorkspaceSettings, request: Request, mentor_id: str, now: datetime
) -> datetime | None:
    """When the mentor's nudge went or will go, if their working hours held it back; None when
    the escalation needn't wait for it. A request made late on a Friday must not go wider on
    Sunday before the mentor was ever nudged. A nudge held by the mentor's own snooze, or
    stopped, doesn't hold the mentee's request back."""
    key = step_key(request.id, nudge_key(mentor_id))
    nudge = await deps.store.get_outbox_by_key(request.team_id, key)
    if nudge is None:
        return None
    if nudge.status is OutboxStatus.SENT:
        due = request.created_at + timedelta(hours=workspace.nudge_after_hours)
        late = nudge.sent_at is not None and nudge.sent_at - due > LATE_NUDGE
        return nudge.sent_at if late else None
    # A claimed nudge may still be deferred in this very tick: it counts as waiting too.
    if nudge.status not in (OutboxStatus.PENDING, OutboxStatus.SENDING):
        return None
    person = await deps.store.get_person(request.team_id, mentor_id)
    if person is not None and person.snoozed_until is not None and person.snoozed_until > now:
        return None
    if NUDGE in await deps.store.muted_kinds(request.team_id, mentor_id):
        return None
    # The zone as the outbox will judge the nudge by: looked up in Slack when not known yet.
    tz = await user_tz(
        await deps.slack(request.team_id), deps.store, request.team_id, mentor_id, now
    )
    window = await person_hours(deps.store, request.team_id, mentor_id)
    if next_allowed(now, tz, window) <= now:
        return None  # within their hours: the nudge goes now, paced at most
    return next_allowed(max(nudge.due_at, now), tz, window)


async def render_escalate(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The escalation says nothing itself: its messages are the rows apply_escalate planned."""
    return None


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
    channel = str(row.payload.get("channel") or "") or None
    message = build_escalated_for_mentee(request, mentor_id, invited, waited, channel)
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
        client = await deps.slack(request.team_id)
        answer = await client.chat_getPermalink(
            channel=request.pool_channel_id, message_ts=request.pool_ts
        )
    except SlackApiError:
        return None
    permalink = answer.get("permalink")
    return safe_link(permalink if isinstance(permalink, str) else None, "See the pool post")


async def apply_repost(row: OutboxMessage, deps: OutboxDeps) -> bool:
    """Unclaimed in the pool: plan the words to the coordinators and, with no pool channel,
    invites to up to three more mentors; the re-post itself is this row's message."""
    request = await _request(row, deps)
    if request is None or not unclaimed_in_pool(request):
        return False
    now = deps.clock.now()
    workspace = await workspace_settings(deps.store, deps.settings, request.team_id)
    rows = coordinator_rows(workspace, request, "unclaimed", now)
    if await pool_channel(deps.store, deps.settings, request.team_id) is None:
        invites = await deps.store.list_request_invites(request.team_id, request.id)
        invited = frozenset(invite.user_id for invite in invites)
        more, _ = await pool_rows(deps, request, now, f"row{row.id}", repost=True, exclude=invited)
        rows += more
    return await deps.store.apply_row(request.team_id, Effects(row.id, rows), now)


async def render_repost(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The request again at the bottom of the pool channel, while nobody has taken it; the
    new post replaces the old one."""
    request = await _request(row, deps)
    if request is None or not unclaimed_in_pool(request):
        return None
    channel = await pool_channel(deps.store, deps.settings, request.team_id)
    if channel is None:
        return None  # the invites apply_repost planned are the re-post
    message = build_repost(request)
    old = (request.pool_channel_id, request.pool_ts)
    team_id, request_id = request.team_id, request.id

    async def remember(posted_channel: str, ts: str) -> None:
        await recorded_pool_post(deps, request_id, team_id, posted_channel, ts)
        if old[0] and old[1]:
            # The old post would show a stale "I can help"; the new one replaces it. Deleting
            # twice is harmless, so a lost delete only leaves a post whose button re-checks.
            try:
                client = await deps.slack(team_id)
                await client.chat_delete(channel=old[0], ts=old[1])
            except SlackApiError as error:
                log.info("could not remove the old pool post error=%s", error.response.get("error"))

    return Delivery(channel, message["text"], message["blocks"], on_sent=remember)


async def apply_expire(row: OutboxMessage, deps: OutboxDeps) -> bool:
    """Nobody took it in time: close it, in one update that cancels its other unsent rows and
    plans the rewrites of its earlier messages."""
    request = await _request(row, deps)
    if request is None or request.status is not RequestStatus.OPEN:
        return False
    now = deps.clock.now()
    rewrites = await update_rows(deps.store, request, None, now, f"row{row.id}")
    if request.offered_by:
        # An anonymous ask's offer was waiting: its mentor hears it closed (no name).
        rewrites.append(closed_offer_row(request, request.offered_by, now))
    effects = Effects(row.id, rewrites, cancel=(SubjectType.REQUEST, request.id))
    expired = await deps.store.expire_request(request.team_id, request.id, now, effects)
    if expired is not None:
        log.info("request expired request=%d", request.id)
    return expired is not None


async def render_expire(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The mentee, kindly: nobody took it in time."""
    request = await _request(row, deps)
    if request is None or request.status is not RequestStatus.EXPIRED:
        return None
    message = build_expired_for_mentee(request)
    return Delivery(row.recipient, message["text"], message["blocks"])


KINDS: dict[str, Kind] = {
    NUDGE: Kind(render_nudge, nudge=True),
    BOOK_NUDGE: Kind(render_book_nudge, nudge=True),
    ESCALATE: Kind(render_escalate, apply=apply_escalate, on_failed=pool_failed),
    ESCALATED: Kind(render_escalated),
    COORDINATOR: Kind(render_coordinator, nudge=True),
    REPOST: Kind(render_repost, apply=apply_repost, on_failed=pool_failed),
    EXPIRE: Kind(render_expire, apply=apply_expire),
    # late: no more waiting
    DELIVER: Kind(render_deliver, apply=apply_deliver, quiet=False, on_failed=delivery_failed),
    CONFIRM: Kind(render_confirm, quiet=False),
    POOL_POST: Kind(render_pool_post, quiet=False, on_failed=pool_failed),
    **EFFECT_KINDS,
    **UNREACHABLE_KINDS,
    **ANONYMOUS_KINDS,
}
