"""Timed messages about introductions: one nudge to the expert, expiry, and the follow-up.

Rows are planned when the expert gets the ask (nudge, expiry) and when they accept (follow-up);
each renderer reads the intro as it is now and skips what is no longer warranted.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot.delivery import Delivery
from bot.intros import EXPIRE_AFTER, FOLLOWUP_AFTER, NUDGE_AFTER, REMIND_AGAIN
from bot.kinds import Kind, OutboxDeps
from handlers.blocks.intros import (
    build_ask_withdrawn,
    build_expert_answered,
    build_expert_nudge,
    build_expired_for_introducer,
    build_followup,
    topic_line,
)
from handlers.intros.common import origin_of
from storage.forget import GONE, INTRO_UPDATE
from storage.models import (
    Intro,
    IntroFollowup,
    IntroStatus,
    OutboxMessage,
    RequestStatus,
    SubjectType,
)
from storage.outbox import Effects, Planned
from storage.store import Store
from storage.timefmt import format_time, parse_time

log = logging.getLogger(__name__)

NUDGE = "intro.nudge"  # to the expert: still unanswered after 3 days
EXPIRE = "intro.expire"  # to the introducer: closed after 7 days without an answer
FOLLOWUP = "intro.followup"  # to the mentee: "did you connect?" when nothing is booked
UPDATE = INTRO_UPDATE  # rewrites the expert's ask once it closed (chat.update)

# Booked, or already met: no need to ask whether they connected.
_BOOKED = {RequestStatus.SCHEDULED, RequestStatus.COMPLETED}


def planned(
    intro: Intro,
    kind: str,
    recipient: str,
    due: datetime,
    key: str,
    payload: dict[str, Any] | None = None,
) -> Planned:
    """A timed message about the intro, keyed on it so planning it twice sends it once."""
    dedupe_key = f"intro:{intro.id}:{key}"
    return Planned(
        intro.team_id, kind, recipient, due, dedupe_key, SubjectType.INTRO, intro.id, payload
    )


async def _enqueue(
    store: Store, intro: Intro, kind: str, recipient: str, due: datetime, key: str, now: datetime
) -> bool:
    return await store.enqueue_planned(planned(intro, kind, recipient, due, key), now)


def rewrite_rows(intro: Intro, now: datetime, cause: str) -> list[Planned]:
    """The expert's ask rewritten without its buttons, saying what became of it (none when
    the ask's message isn't known)."""
    if not (intro.expert_dm_channel_id and intro.expert_dm_ts):
        return []
    payload = {"ts": intro.expert_dm_ts, "at": format_time(now)}
    key = f"update:{cause}"
    return [planned(intro, UPDATE, intro.expert_dm_channel_id, now, key, payload)]


def followup_row(intro: Intro, now: datetime) -> Planned:
    """Accepted: ask the mentee in 3 days whether they connected."""
    return planned(intro, FOLLOWUP, intro.mentee_id, now + FOLLOWUP_AFTER, "followup")


async def schedule_new_intro(store: Store, intro: Intro, now: datetime) -> None:
    """The expert has the ask: one nudge after 3 days, expiry after 7."""
    await _enqueue(
        store, intro, NUDGE, intro.expert_id, intro.created_at + NUDGE_AFTER, "nudge", now
    )
    due = intro.created_at + EXPIRE_AFTER
    await _enqueue(store, intro, EXPIRE, intro.introducer_id, due, "expire", now)


async def schedule_followup(store: Store, intro: Intro, now: datetime) -> None:
    """Accepted: ask the mentee in 3 days whether they connected."""
    await store.enqueue_planned(followup_row(intro, now), now)


async def schedule_reminder(store: Store, intro: Intro, now: datetime) -> bool:
    """ "Not yet": one more follow-up in a week; False if that one was already planned."""
    due = now + REMIND_AGAIN
    return await _enqueue(store, intro, FOLLOWUP, intro.mentee_id, due, "followup:again", now)


async def intro_of(row: OutboxMessage, deps: OutboxDeps) -> Intro | None:
    """The intro an outbox row is about, as it is now (None if gone)."""
    if row.subject_type is not SubjectType.INTRO or row.subject_id is None:
        return None
    return await deps.store.get_intro(row.team_id, row.subject_id)


async def render_nudge(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The expert, if they still haven't answered."""
    intro = await intro_of(row, deps)
    if intro is None or intro.status is not IntroStatus.PENDING or row.recipient != intro.expert_id:
        return None
    topic = topic_line(await origin_of(deps.store, intro))
    message = build_expert_nudge(intro, topic, row.id)
    return Delivery(row.recipient, message["text"], message["blocks"])


async def apply_expire(row: OutboxMessage, deps: OutboxDeps) -> bool:
    """Nobody answered in a week: close it, in one update that cancels its other unsent rows
    and plans the rewrite of the expert's DM."""
    intro = await intro_of(row, deps)
    if intro is None or intro.status is not IntroStatus.PENDING:
        return False
    now = deps.clock.now()
    rewrite = rewrite_rows(intro, now, f"row{row.id}")
    effects = Effects(row.id, rewrite, cancel=(SubjectType.INTRO, intro.id))
    closed = await deps.store.expire_intro(intro.team_id, intro.id, now, effects)
    if closed is not None:
        log.info("intro expired intro=%d", intro.id)
    return closed is not None


async def render_expire(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The introducer: nobody answered in a week."""
    intro = await intro_of(row, deps)
    if intro is None or intro.status is not IntroStatus.EXPIRED:
        return None
    message = build_expired_for_introducer(intro)
    return Delivery(row.recipient, message["text"], message["blocks"])


async def render_update(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The expert's ask, without its buttons, saying what became of it."""
    intro = await intro_of(row, deps)
    ts, at = row.payload.get("ts"), row.payload.get("at")
    if intro is None or not isinstance(ts, str) or not isinstance(at, str):
        return None
    gone = row.payload.get(GONE)
    if isinstance(gone, str):
        message = build_ask_withdrawn(gone)  # withdrawn by forget: it names nobody
    else:
        topic = topic_line(await origin_of(deps.store, intro))
        message = build_expert_answered(intro, topic, parse_time(at))
    return Delivery(row.recipient, message["text"], message["blocks"], update_ts=ts)


async def _booked(store: Store, intro: Intro) -> bool:
    """Whether the two booked time since the intro: on its own request, or on any other
    request between them (either role)."""
    if intro.request_id is not None:
        request = await store.get_request(intro.team_id, intro.request_id)
        if request is not None and request.status in _BOOKED:
            return True
    return await store.booked_since(
        intro.team_id, intro.mentee_id, intro.expert_id, intro.created_at
    )


async def render_followup(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The mentee, if the intro was accepted, the two booked nothing since and they haven't
    said yes/no."""
    intro = await intro_of(row, deps)
    if intro is None or intro.status is not IntroStatus.ACCEPTED:
        return None
    if row.recipient != intro.mentee_id:
        return None
    if intro.followup_answer not in (None, IntroFollowup.NOT_YET):
        return None
    if await _booked(deps.store, intro):
        return None
    message = build_followup(intro)
    return Delivery(row.recipient, message["text"], message["blocks"])


KINDS: dict[str, Kind] = {
    NUDGE: Kind(render_nudge, nudge=True),
    EXPIRE: Kind(render_expire, apply=apply_expire),
    FOLLOWUP: Kind(render_followup),
    UPDATE: Kind(render_update, quiet=False),
}
