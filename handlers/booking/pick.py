"""Picking a time: the mentee picks one the mentor offered, or the mentor one the mentee
proposed. The first pick wins (one transaction); any other click changes nothing and says why.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.booking import ends_at
from handlers.blocks.text import section, slack_date, user_mention
from handlers.booking.common import BOOKABLE, helper_of, not_bookable
from handlers.booking.confirm import announce
from handlers.kit import NOT_YOURS, Click, on_click
from storage.models import OfferedSlot, Request
from storage.store import Store


def _slot_end(slot: OfferedSlot) -> datetime:
    return slot.starts_at + timedelta(minutes=slot.duration_minutes)


PASSED = "That time has passed. Pick another one, or ask for new times."


def _taken_elsewhere(mentor_id: str) -> str:
    return (
        f"That time isn't free any more: {user_mention(mentor_id)} has booked another session "
        "then. Pick another one."
    )


async def _why_not(store: Store, slot: OfferedSlot, request: Request) -> str:
    """Why a slot that is no longer on offer can't be picked."""
    if request.status not in BOOKABLE:
        return not_bookable(request)
    session = await store.confirmed_session_for_request(request.team_id, request.id)
    if slot.status == "picked" and session is not None and session.starts_at == slot.starts_at:
        when = slack_date(slot.starts_at)
        return f"This time is already booked ({when}), so I didn't change anything."
    if session is not None:
        return (
            f"A time is already booked for this ({slack_date(session.starts_at)}), so I didn't "
            "change anything. Use Reschedule on the confirmation to move it."
        )
    return "These times were replaced by newer ones, so I didn't change anything."


@on_click()
async def pick_clicked(click: Click) -> None:
    """Pick this time: only the side the times were offered to."""
    pressed = click.pressed
    store = click.store
    slot = await store.get_slot(pressed.team_id, pressed.target_id)
    request = await store.get_request(pressed.team_id, slot.request_id) if slot else None
    if slot is None or request is None:
        await click.tell(NOT_YOURS)
        return
    mentor_id = helper_of(request)
    allowed = request.mentee_id if slot.proposed_by == "mentor" else mentor_id
    if mentor_id is None or pressed.user_id != allowed:
        await click.tell(NOT_YOURS)
        return
    if slot.status != "offered" or request.status not in BOOKABLE:
        await click.tell(await _why_not(store, slot, request))
        return
    now = click.clock.now()
    if slot.starts_at <= now:
        await click.tell(PASSED)
        return
    current = await store.confirmed_session_for_request(request.team_id, request.id)
    busy = await store.busy_sessions(request.team_id, mentor_id, now)
    if any(
        s.starts_at < _slot_end(slot) and slot.starts_at < ends_at(s)
        for s in busy
        if current is None or s.id != current.id
    ):
        await click.tell(_taken_elsewhere(mentor_id))
        return
    booked = await store.pick_slot(pressed.team_id, slot.id, (mentor_id, request.mentee_id), now)
    if booked is None:
        fresh = await store.get_slot(pressed.team_id, slot.id) or slot
        latest = await store.get_request(request.team_id, request.id) or request
        await click.tell(await _why_not(store, fresh, latest))
        return
    line = f"✅ You picked {slack_date(slot.starts_at)}. I sent you both the details."
    await click.respond(replace_original=True, text=line, blocks=[section(line)])
    click.background.spawn(
        announce(click.client, store, click.settings, booked, actor_id=pressed.user_id, now=now),
        name=f"booked-{booked.session.id}",
    )
