"""Offering times: the Offer times and None of these work buttons, and the two slot modals.

Validation comes back inline (response_action: errors). A time outside the mentor's office
hours is refused once with a warning on that slot; ticking "Offer those times anyway" and
submitting again accepts it. The slow part (DMs) runs after the ack, in the background.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.booking import TALK_NOW, check_offer, check_proposal, outside_hours_warnings
from bot.settings import Settings
from bot.time_zones import user_tz
from bot.working_hours import working_hours
from bot.workspace import workspace_settings
from handlers import ids
from handlers.blocks.booking import build_slots_dm, read_slot_times, ticked
from handlers.blocks.text import user_mention
from handlers.booking.common import BOOKABLE, helper_of, not_bookable
from handlers.booking.confirm import SLOTS, announce
from handlers.booking.start import book_or_tell
from handlers.kit import (
    NOT_YOURS,
    Click,
    Submission,
    metadata_id,
    on_click,
    on_submit,
    send_dm,
    topic_of,
    try_dm,
)
from storage.models import Request, Session, SubjectType
from storage.store import Store

log = logging.getLogger(__name__)

Proposer = Literal["mentor", "mentee"]
FIRST_SLOT = ids.SLOT_BLOCKS[0]


async def slots_message(
    store: Store, request: Request, proposed_by: Proposer
) -> dict[str, Any] | None:
    """The DM listing one side's times still on offer; None when none are left."""
    slots = await store.offered_slots(request.team_id, request.id, proposed_by)
    mentor_id = helper_of(request)
    if not slots or mentor_id is None:
        return None
    session = await store.confirmed_session_for_request(request.team_id, request.id)
    return build_slots_dm(
        slots,
        request_id=request.id,
        from_id=mentor_id if proposed_by == "mentor" else request.mentee_id,
        to_role="mentee" if proposed_by == "mentor" else "mentor",
        topic=topic_of(request),
        duration_minutes=request.duration_minutes,
        moving_from=session.starts_at if session is not None else None,
    )


async def send_slots(
    client: AsyncWebClient, store: Store, request: Request, proposed_by: Proposer, now: datetime
) -> None:
    """DM the other side the times; a refused DM goes to the outbox to be retried."""
    message = await slots_message(store, request, proposed_by)
    to = request.mentee_id if proposed_by == "mentor" else helper_of(request)
    if message is None or to is None:
        return
    try:
        await send_dm(client, to, message)
    except SlackApiError as error:
        log.warning(
            "slots DM refused; queued in the outbox request=%d error=%s",
            request.id,
            error.response.get("error"),
        )
        await store.enqueue(
            request.team_id,
            SLOTS,
            to,
            now,
            dedupe_key=f"{SLOTS}:{request.id}:{proposed_by}:{int(now.timestamp())}",
            subject_type=SubjectType.REQUEST,
            subject_id=request.id,
            payload={"request_id": request.id, "proposed_by": proposed_by},
            now=now,
        )


@on_click()
async def offer_times_clicked(click: Click) -> None:
    """Offer times (or Offer other / new times): the mentor's side only."""
    await _book_from(click, "mentor")


@on_click()
async def none_work_clicked(click: Click) -> None:
    """None of these work: the mentee proposes times instead."""
    await _book_from(click, "mentee")


async def _book_from(click: Click, side: Proposer) -> None:
    """Booking on the pressed request, for the person on `side` only."""
    pressed = click.pressed
    request = await click.store.get_request(pressed.team_id, pressed.target_id)
    if request is None or _person_on(request, side) != pressed.user_id:
        await click.tell(NOT_YOURS)
        return
    await book_or_tell(click, request.id)


def _person_on(request: Request, side: Proposer) -> str | None:
    """Who books for `side`: the mentor (or whoever claimed it) or the mentee."""
    return helper_of(request) if side == "mentor" else request.mentee_id


async def _form_request(sub: Submission, side: Proposer) -> Request | None:
    """The request a slot modal is about, if the submitter is on `side` and it's bookable;
    otherwise None, with the reason shown on the form."""
    request_id = metadata_id(sub.body)
    request = None
    if request_id is not None:
        request = await sub.store.get_request(sub.team_id, request_id)
    if request is not None and _person_on(request, side) == sub.user_id:
        if request.status in BOOKABLE:
            return request
        refusal = not_bookable(request)
    else:
        refusal = NOT_YOURS
    await sub.ack(response_action="errors", errors={FIRST_SLOT: refusal})
    return None


def _block(index: int) -> str:
    """The modal block a problem belongs to: the Talk now box or a slot."""
    return ids.TALK_NOW_BLOCK if index == TALK_NOW else ids.SLOT_BLOCKS[index]


async def _busy(store: Store, request: Request, user_id: str, now: datetime) -> list[Session]:
    """The person's confirmed sessions, except the one this booking would move."""
    current = await store.confirmed_session_for_request(request.team_id, request.id)
    sessions = await store.busy_sessions(request.team_id, user_id, now)
    return [s for s in sessions if current is None or s.id != current.id]


@on_submit
async def offer_submitted(sub: Submission) -> None:
    """The mentor's times (or Talk now): check them inline, then DM the mentee."""
    request = await _form_request(sub, "mentor")
    if request is None:
        return
    mentor_id, team_id = sub.user_id, sub.team_id
    view = sub.view
    slots = read_slot_times(view)
    talk_now = ticked(view, ids.TALK_NOW_BLOCK, ids.TALK_NOW_ACTION, ids.TALK_NOW_VALUE)
    anyway = ticked(
        view, ids.OUTSIDE_HOURS_BLOCK, ids.OUTSIDE_HOURS_ACTION, ids.OUTSIDE_HOURS_VALUE
    )
    now = sub.clock.now()
    busy = await _busy(sub.store, request, mentor_id, now)
    duration = request.duration_minutes
    offers_slots = bool(slots) and not talk_now
    tz = await user_tz(sub.client, sub.store, team_id, mentor_id, now) if offers_slots else None
    problems = check_offer(
        slots, talk_now=talk_now, now=now, duration_minutes=duration, busy=busy, tz=tz
    )
    if offers_slots and not problems and not anyway:
        profile = await sub.store.get_profile(team_id, mentor_id)
        hours = working_hours(profile, await workspace_settings(sub.store, sub.settings, team_id))
        problems = outside_hours_warnings(slots, duration_minutes=duration, hours=hours, tz=tz)
    errors = {_block(index): text for index, text in problems.items()}
    if errors:
        await sub.ack(response_action="errors", errors=errors)
        return
    await sub.ack()
    if talk_now:
        work = _talk_now(sub.client, sub.store, sub.settings, request, mentor_id, now)
        sub.background.spawn(work, name=f"talk-now-{request.id}")
        return
    offered = await sub.store.offer_slots(
        team_id, request.id, "mentor", list(slots.values()), duration, now
    )
    if offered:
        sub.background.spawn(
            _after_offer(sub.client, sub.store, request, now), name=f"offer-{request.id}"
        )


async def _after_offer(
    client: AsyncWebClient, store: Store, request: Request, now: datetime
) -> None:
    await send_slots(client, store, request, "mentor", now)
    text = (
        f"I sent {user_mention(request.mentee_id)} your times. I'll tell you both as soon as "
        "they pick one."
    )
    mentor_id = helper_of(request)
    if mentor_id:
        await try_dm(client, mentor_id, {"text": text})


async def _talk_now(
    client: AsyncWebClient,
    store: Store,
    settings: Settings,
    request: Request,
    mentor_id: str,
    now: datetime,
) -> None:
    booked = await store.book_now(
        request.team_id, request.id, (mentor_id, request.mentee_id), request.duration_minutes, now
    )
    if booked is None:
        await try_dm(client, mentor_id, {"text": "That request can't be booked any more."})
        return
    await announce(client, store, settings, booked, actor_id=mentor_id, now=now)


@on_submit
async def propose_submitted(sub: Submission) -> None:
    """The mentee's own times after "None of these work": check them, then DM the mentor."""
    request = await _form_request(sub, "mentee")
    if request is None:
        return
    mentee_id, team_id = sub.user_id, sub.team_id
    slots = read_slot_times(sub.view)
    mentor_id = helper_of(request) or ""
    now = sub.clock.now()
    tz = await user_tz(sub.client, sub.store, team_id, mentee_id, now) if slots else None
    problems = check_proposal(
        slots,
        now=now,
        duration_minutes=request.duration_minutes,
        busy=await _busy(sub.store, request, mentor_id, now) if slots else [],
        tz=tz,
    )
    if problems:
        errors = {_block(index): text for index, text in problems.items()}
        await sub.ack(response_action="errors", errors=errors)
        return
    await sub.ack()
    starts = list(slots.values())
    offered = await sub.store.offer_slots(
        team_id, request.id, "mentee", starts, request.duration_minutes, now
    )
    if offered:
        sub.background.spawn(
            _after_proposal(sub.client, sub.store, request, now),
            name=f"propose-{request.id}",
        )


async def _after_proposal(
    client: AsyncWebClient, store: Store, request: Request, now: datetime
) -> None:
    await send_slots(client, store, request, "mentee", now)
    mentor_id = helper_of(request)
    text = (
        f"I sent your times to {user_mention(mentor_id or '')}. I'll tell you both as soon as "
        "they pick one."
    )
    await try_dm(client, request.mentee_id, {"text": text})
