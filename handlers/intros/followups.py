"""Timed messages about introductions: one nudge to the expert, expiry, and the follow-up.

Rows are planned when the expert gets the ask (nudge, expiry) and when they accept (follow-up);
each renderer reads the intro as it is now and skips what is no longer warranted.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.delivery import Delivery
from bot.intros import EXPIRE_AFTER, FOLLOWUP_AFTER, NUDGE_AFTER, REMIND_AGAIN
from bot.kinds import Kind, OutboxDeps
from handlers.blocks.intros import (
    build_expert_nudge,
    build_expired_for_introducer,
    build_followup,
    topic_line,
)
from handlers.intros.common import origin_of, rewrite_expert_dm
from storage.models import (
    Intro,
    IntroFollowup,
    IntroStatus,
    OutboxMessage,
    RequestStatus,
    SubjectType,
)
from storage.store import Store

log = logging.getLogger(__name__)

NUDGE = "intro.nudge"  # to the expert: still unanswered after 3 days
EXPIRE = "intro.expire"  # to the introducer: closed after 7 days without an answer
FOLLOWUP = "intro.followup"  # to the mentee: "did you connect?" when nothing is booked

# Booked, or already met: no need to ask whether they connected.
_BOOKED = {RequestStatus.SCHEDULED, RequestStatus.COMPLETED}


async def _enqueue(
    store: Store, intro: Intro, kind: str, recipient: str, due: datetime, key: str, now: datetime
) -> bool:
    return await store.enqueue(
        intro.team_id,
        kind,
        recipient,
        due,
        dedupe_key=f"intro:{intro.id}:{key}",
        subject_type=SubjectType.INTRO,
        subject_id=intro.id,
        now=now,
    )


async def schedule_new_intro(store: Store, intro: Intro, now: datetime) -> None:
    """The expert has the ask: one nudge after 3 days, expiry after 7."""
    await _enqueue(
        store, intro, NUDGE, intro.expert_id, intro.created_at + NUDGE_AFTER, "nudge", now
    )
    due = intro.created_at + EXPIRE_AFTER
    await _enqueue(store, intro, EXPIRE, intro.introducer_id, due, "expire", now)


async def schedule_followup(store: Store, intro: Intro, now: datetime) -> None:
    """Accepted: ask the mentee in 3 days whether they connected."""
    await _enqueue(store, intro, FOLLOWUP, intro.mentee_id, now + FOLLOWUP_AFTER, "followup", now)


async def schedule_reminder(store: Store, intro: Intro, now: datetime) -> bool:
    """ "Not yet": one more follow-up in a week; False if that one was already planned."""
    due = now + REMIND_AGAIN
    return await _enqueue(store, intro, FOLLOWUP, intro.mentee_id, due, "followup:again", now)


async def _intro(row: OutboxMessage, deps: OutboxDeps) -> Intro | None:
    if row.subject_type is not SubjectType.INTRO or row.subject_id is None:
        return None
    return await deps.store.get_intro(row.team_id, row.subject_id)


async def render_nudge(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The expert, if they still haven't answered."""
    intro = await _intro(row, deps)
    if intro is None or intro.status is not IntroStatus.PENDING or row.recipient != intro.expert_id:
        return None
    topic = topic_line(await origin_of(deps.store, intro))
    message = build_expert_nudge(intro, topic, row.id)
    return Delivery(row.recipient, message["text"], message["blocks"])


async def render_expire(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """Nobody answered in a week: close it, update the expert's DM, tell the introducer."""
    intro = await _intro(row, deps)
    if intro is None:
        return None
    if intro.status is IntroStatus.EXPIRED:
        # An earlier try of this row closed it, then Slack refused or pacing deferred the
        # notice: the introducer must still hear of it.
        expired = intro
    else:
        closed = await deps.store.expire_intro(intro.team_id, intro.id)
        if closed is None:
            return None
        expired = closed
        log.info("intro expired intro=%d", intro.id)
        await deps.store.cancel_for_subject(intro.team_id, SubjectType.INTRO, intro.id)
        await rewrite_expert_dm(deps.client, deps.store, expired, deps.clock.now())
    message = build_expired_for_introducer(expired)
    return Delivery(row.recipient, message["text"], message["blocks"])


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
    intro = await _intro(row, deps)
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
    EXPIRE: Kind(render_expire),
    FOLLOWUP: Kind(render_followup),
}
