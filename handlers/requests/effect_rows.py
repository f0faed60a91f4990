"""The rows that carry a request's effects beyond one message, each sent and retried by the
outbox on its own: the pool post and its thread, invites by DM, and rewrites of the request's
earlier messages.

A change (escalate, expire, re-post) plans these rows in its own transaction; their renderers
read the request as it is when they go, so a rewrite planned before a later change is dropped.
"""

from __future__ import annotations

from datetime import datetime

from bot.delivery import Delivery
from bot.kinds import Kind, OutboxDeps
from bot.matching import available_mentors
from handlers.blocks.anonymous import build_offer_ended
from handlers.blocks.nudges import build_escalated_for_mentor, build_repost
from handlers.blocks.request_messages import Audience, build_pool_post, build_request_update
from handlers.blocks.text import user_mention
from handlers.kit import AUDIENCES, message_of
from handlers.requests.delivery import invitees, pool_channel
from handlers.requests.followups import (
    INVITE,
    MENTIONS,
    POOL,
    POOL_POST,
    UPDATE,
    planned,
    unclaimed_in_pool,
)
from storage.models import OutboxMessage, Request, SubjectType
from storage.outbox import Planned
from storage.store import Store
from storage.timefmt import format_time, parse_time

_INVITE_TARGET = "invite:"
ESCALATED_AUDIENCE = "escalated"  # the named mentor's DM once the request went to the pool
OFFER_TARGET = "offer"  # an anonymous ask's DM to the mentee about a waiting offer
_AUDIENCES: dict[object, Audience] = {audience: audience for audience in AUDIENCES}


async def update_rows(
    store: Store, request: Request, actor_id: str | None, at: datetime, cause: str
) -> list[Planned]:
    """One rewrite per message the request may have (its DMs, the pool post, invites), saying
    what `actor_id` did `at`. Each finds its message when it goes, so a post made meanwhile (a
    re-post racing an expiry) is the one rewritten. `cause` names the change, for the keys."""
    payload = {"actor": actor_id or "", "at": format_time(at)}
    targets: list[tuple[str, str]] = [(audience, audience) for audience in AUDIENCES]
    if request.mentor_id is None:
        for invite in await store.list_request_invites(request.team_id, request.id):
            targets.append((f"{_INVITE_TARGET}{invite.user_id}", "pool"))
    if request.anonymous:
        targets.append((OFFER_TARGET, OFFER_TARGET))
    return [
        planned(
            request,
            UPDATE,
            POOL,
            at,
            f"update:{cause}:{target}",
            {**payload, "target": target, "audience": audience},
        )
        for target, audience in targets
    ]


def escalated_update_row(request: Request, at: datetime, cause: str) -> list[Planned]:
    """The named mentor's DM says the request went wider, and keeps Accept."""
    payload = {
        "target": "mentor",
        "audience": ESCALATED_AUDIENCE,
        "actor": "",
        "at": format_time(at),
    }
    return [planned(request, UPDATE, POOL, at, f"update:{cause}:mentor", payload)]


async def _message_of(store: Store, request: Request, target: str) -> tuple[str | None, str | None]:
    """Where one of the request's messages is now: (channel, ts), or Nones."""
    audience = _AUDIENCES.get(target)
    if audience is not None:
        return message_of(request, audience)
    if target == OFFER_TARGET:
        return request.offer_dm_channel_id, request.offer_dm_ts
    if target.startswith(_INVITE_TARGET):
        user_id = target.removeprefix(_INVITE_TARGET)
        for invite in await store.list_request_invites(request.team_id, request.id):
            if invite.user_id == user_id:
                return invite.dm_channel_id, invite.dm_ts
    return None, None


async def pool_rows(
    deps: OutboxDeps,
    request: Request,
    now: datetime,
    cause: str,
    *,
    repost: bool = False,
    exclude: frozenset[str] = frozenset(),
) -> tuple[list[Planned], list[str] | None]:
    """How the request reaches the pool: a post in the pool channel ([] invited), or with no
    channel, DMs to up to three matched mentors (their ids). None: there is nobody to reach."""
    if await pool_channel(deps.store, deps.settings, request.team_id) is not None:
        return [planned(request, POOL_POST, POOL, now, f"pool_post:{cause}")], []
    invited = await invitees(deps.store, request, now, exclude)
    if not invited:
        return [], None
    payload = {"repost": "yes" if repost else ""}
    rows = [
        planned(request, INVITE, user_id, now, f"invite:{cause}:{user_id}", payload)
        for user_id in invited
    ]
    return rows, invited


async def _request(row: OutboxMessage, deps: OutboxDeps) -> Request | None:
    if row.subject_type is not SubjectType.REQUEST or row.subject_id is None:
        return None
    return await deps.store.get_request(row.team_id, row.subject_id)


async def render_update(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The earlier message as the change left it; dropped if the request moved on since (the
    later change plans its own rewrite) or the message doesn't exist."""
    request = await _request(row, deps)
    at_text = row.payload.get("at")
    if request is None or not isinstance(at_text, str):
        return None
    at = parse_time(at_text)
    if request.updated_at > at:
        return None
    channel, ts = await _message_of(deps.store, request, str(row.payload.get("target") or ""))
    if not (channel and ts):
        return None
    audience = row.payload.get("audience")
    known = _AUDIENCES.get(audience)
    if audience == ESCALATED_AUDIENCE:
        if not unclaimed_in_pool(request):
            return None
        message = build_escalated_for_mentor(request, at - request.created_at)
    elif audience == OFFER_TARGET:
        ended = build_offer_ended(request)
        if ended is None:
            return None
        message = ended
    elif known is not None:
        actor = str(row.payload.get("actor") or "") or None
        message = build_request_update(request, audience=known, actor_id=actor, at=at)
    else:
        return None
    return Delivery(channel, message["text"], message["blocks"], update_ts=ts)


async def recorded_pool_post(
    deps: OutboxDeps, request_id: int, team_id: str, channel: str, ts: str
) -> Request | None:
    """Remember where the pool post is; if someone took the request while it was being
    posted, plan the rewrite that says so (their own rewrite didn't know this post)."""
    await deps.store.set_request_messages(team_id, request_id, pool_post=(channel, ts))
    current = await deps.store.get_request(team_id, request_id)
    if current is not None and not unclaimed_in_pool(current):
        now = deps.clock.now()
        for planned_row in await update_rows(
            deps.store, current, current.claimed_by, current.updated_at, f"posted:{ts}"
        ):
            await deps.store.enqueue_planned(planned_row, now)
    return current


async def render_pool_post(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The request in the pool channel, while nobody has taken it and it isn't posted yet."""
    request = await _request(row, deps)
    if request is None or not unclaimed_in_pool(request) or request.pool_ts is not None:
        return None
    channel = await pool_channel(deps.store, deps.settings, request.team_id)
    if channel is None:
        return None
    matched = await available_mentors(
        deps.store,
        request.team_id,
        request.details,
        asker_id=request.mentee_id,
        now=deps.clock.now(),
        limit=5,
    )
    mentors = [mentor.candidate.user_id for mentor in matched]
    store, team_id, request_id = deps.store, request.team_id, request.id

    async def posted(posted_channel: str, ts: str) -> None:
        current = await recorded_pool_post(deps, request_id, team_id, posted_channel, ts)
        if current is None or not mentors:
            return
        now = deps.clock.now()
        for user_id in mentors:
            await store.add_request_invite(team_id, request_id, user_id, now)
        payload = {"mentors": ",".join(mentors), "ts": ts}
        await store.enqueue_planned(
            planned(current, MENTIONS, POOL, now, f"mentions:{ts}", payload), now
        )

    message = build_pool_post(request)
    return Delivery(channel, message["text"], message["blocks"], on_sent=posted)


async def render_mentions(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """In the pool post's thread: the matched mentors, while nobody has taken it."""
    request = await _request(row, deps)
    ts = row.payload.get("ts")
    mentors = [user for user in str(row.payload.get("mentors") or "").split(",") if user]
    if request is None or not unclaimed_in_pool(request) or not mentors:
        return None
    if not request.pool_channel_id or request.pool_ts != ts:
        return None
    names = " ".join(user_mention(user) for user in mentors)
    text = f"{names}: this looks like something you know about. Can you help?"
    return Delivery(request.pool_channel_id, text, thread_ts=request.pool_ts)


async def render_invite(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """One matched mentor gets the request by DM (no pool channel), while nobody took it."""
    request = await _request(row, deps)
    if request is None or not unclaimed_in_pool(request) or row.recipient == request.mentee_id:
        return None
    message = build_repost(request) if row.payload.get("repost") else build_pool_post(request)
    store, team_id, request_id, user_id = deps.store, request.team_id, request.id, row.recipient

    async def invited(channel: str, ts: str) -> None:
        await store.add_request_invite(
            team_id, request_id, user_id, deps.clock.now(), dm=(channel, ts)
        )

    return Delivery(row.recipient, message["text"], message["blocks"], on_sent=invited)


# pool_failed (who to tell when the pool post can never go) is attached in nudges.py.
KINDS: dict[str, Kind] = {
    MENTIONS: Kind(render_mentions, quiet=False),
    INVITE: Kind(render_invite, quiet=False),  # like the first delivery: someone is waiting
    UPDATE: Kind(render_update, quiet=False),
}
