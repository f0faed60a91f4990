"""A booked session's buttons: Reschedule, Cancel (with its reason modal), Log notes, and the
mentor's "did you meet?" answers: Yes — log notes, We rescheduled, It didn't happen.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from handlers import ids
from handlers.blocks.booking import (
    build_cancel_modal,
    build_cancelled_notice,
    offer_times_button,
    read_cancel_reason,
)
from handlers.blocks.text import section, slack_date, user_mention
from handlers.booking.common import session_gone
from handlers.booking.confirm import update_confirmations
from handlers.booking.start import book_or_tell
from handlers.feedback.schedule import feedback_rows
from handlers.kit import (
    NOT_YOURS,
    Click,
    Services,
    Submission,
    metadata_id,
    on_click,
    on_submit,
    refresh_request_messages,
    session_topic,
    try_dm,
)
from handlers.notes.entry import open_log_notes
from storage.models import Session, SessionStatus
from storage.store import Store

log = logging.getLogger(__name__)

NO_REQUEST = "I can't move this session any more; cancel it and book a new time instead."
HELD = "✅ I recorded the session as held. Thanks for making time!"
MISSED = "Noted: it didn't happen. You can offer new times whenever you like."
MOVED = "Noted: you rescheduled. Offer the new time, and I'll book it for you both."


async def _session_click(click: Click, *, mentor_only: bool) -> Session | None:
    """The pressed session if the clicker may use this button; tells them otherwise."""
    pressed = click.pressed
    session = await click.store.get_session(pressed.team_id, pressed.target_id)
    allowed: tuple[str, ...] = ()
    if session is not None:
        allowed = (session.mentor_id,) if mentor_only else (session.mentor_id, session.mentee_id)
    if session is None or pressed.user_id not in allowed:
        await click.tell(NOT_YOURS)
        return None
    return session


@on_click()
async def reschedule_clicked(click: Click) -> None:
    """Reschedule (either participant) and "We rescheduled" after the session (the mentor):
    the mentor offers new times, the mentee proposes some. Before the session the old time
    holds until one is picked; after it, that time is gone, so the session closes as not held
    first (as with "It didn't happen") and the request waits for the new time, not on a
    booking in the past."""
    moved_after = click.action_id == ids.SESSION_MOVED
    session = await _session_click(click, mentor_only=moved_after)
    if session is None:
        return
    if session.status is not SessionStatus.CONFIRMED:
        await click.tell(session_gone(session))
        return
    if session.request_id is None:
        await click.tell(NO_REQUEST)
        return
    if moved_after and not await _close_not_held(click, session, MOVED, "Rescheduled."):
        return
    await book_or_tell(click, session.request_id)


@on_click()
async def cancel_clicked(click: Click) -> None:
    """Cancel: either participant; asks for an optional reason first."""
    session = await _session_click(click, mentor_only=False)
    if session is None:
        return
    if session.status is not SessionStatus.CONFIRMED:
        await click.tell(session_gone(session))
        return
    user_id = click.pressed.user_id
    other = session.mentee_id if user_id == session.mentor_id else session.mentor_id
    await click.open_form(build_cancel_modal(session.id, other_id=other))


@on_submit
async def cancel_submitted(sub: Submission) -> None:
    """Cancel for real: reminders are cancelled with it and the other person is told."""
    user_id, team_id = sub.user_id, sub.team_id
    session_id = metadata_id(sub.body)
    reason = read_cancel_reason(sub.view)
    now = sub.clock.now()
    done = None
    if session_id is not None:
        done = await sub.store.cancel_session(team_id, session_id, user_id, reason, now)
    if done is None:
        current = await sub.store.get_session(team_id, session_id) if session_id else None
        participant = current is not None and user_id in (current.mentor_id, current.mentee_id)
        why = session_gone(current) if current is not None and participant else NOT_YOURS
        await sub.ack(response_action="errors", errors={ids.CANCEL_REASON_BLOCK: why})
        return
    await sub.ack()
    sub.background.spawn(
        _after_cancel(sub.client, sub.store, done, user_id, now), name=f"cancel-{done.id}"
    )


async def _after_cancel(
    client: AsyncWebClient, store: Store, session: Session, by_id: str, now: datetime
) -> None:
    topic = await session_topic(store, session)
    line = f"🚫 Cancelled by {user_mention(by_id)} {slack_date(now)}."
    await update_confirmations(client, session, topic, line)
    to_mentor = by_id == session.mentee_id
    other = session.mentor_id if to_mentor else session.mentee_id
    notice = build_cancelled_notice(
        session,
        by_id=by_id,
        to_role="mentor" if to_mentor else "mentee",
        topic=topic,
        reason=session.cancel_reason,
    )
    await try_dm(client, other, notice)
    await _refresh_request(client, store, session, by_id, now)


async def _refresh_request(
    client: AsyncWebClient, store: Store, session: Session, actor_id: str, now: datetime
) -> None:
    if session.request_id is None:
        return
    request = await store.get_request(session.team_id, session.request_id)
    if request is not None:
        await refresh_request_messages(client, request, actor_id=actor_id, at=now)


async def _open_notes(click: Click, session: Session) -> None:
    """Open the notes modal, or tell the clicker why not."""
    pressed = click.pressed
    refusal = await open_log_notes(
        click.client,
        click.store,
        click.clock,
        click.settings,
        team_id=pressed.team_id,
        user_id=pressed.user_id,
        trigger_id=pressed.trigger_id,
        session_id=session.id,
    )
    if refusal:
        await click.tell(refusal)


def _held_later(app: Services, closed: Session | None, now: datetime) -> None:
    """Once recorded as held: its confirmations and the request's messages, after the ack."""
    if closed is not None:
        work = _after_held(app.client, app.store, closed, now)
        app.background.spawn(work, name=f"held-{closed.id}")


async def _record_held(click: Click, session: Session, now: datetime) -> Session | None:
    """Confirmed → completed, with the mentee's "How was it?" enqueued in the same commit."""
    prompt = await feedback_rows(click.store, click.settings, session, now)
    return await click.store.close_session(
        session.team_id, session.id, session.mentor_id, True, now, if_held=prompt
    )


@on_click()
async def log_notes_clicked(click: Click) -> None:
    """Log notes on the mentor's confirmation: once the session started, it counts as held."""
    session = await _session_click(click, mentor_only=True)
    if session is None:
        return
    now = click.clock.now()
    closed = None
    if session.status is SessionStatus.CONFIRMED and session.starts_at <= now:
        closed = await _record_held(click, session, now)
    await _open_notes(click, session)
    _held_later(click, closed, now)


async def _after_held(
    client: AsyncWebClient, store: Store, session: Session, now: datetime
) -> None:
    topic = await session_topic(store, session)
    await update_confirmations(client, session, topic, f"✔️ Held {slack_date(session.starts_at)}.")
    await _refresh_request(client, store, session, session.mentor_id, now)


@on_click()
async def held_clicked(click: Click) -> None:
    """Yes — log notes: the session is recorded as held, then the notes modal opens."""
    session = await _session_click(click, mentor_only=True)
    if session is None:
        return
    store, now = click.store, click.clock.now()
    closed = await _record_held(click, session, now)
    if closed is None and session.status is not SessionStatus.COMPLETED:
        current = await store.get_session(session.team_id, session.id) or session
        if current.status is not SessionStatus.COMPLETED:
            await click.tell(session_gone(current))
            return
    await _open_notes(click, session)
    await click.respond(replace_original=True, text=HELD, blocks=[section(HELD)])
    _held_later(click, closed, now)


@on_click()
async def missed_clicked(click: Click) -> None:
    """It didn't happen: recorded, and the request can be booked again."""
    session = await _session_click(click, mentor_only=True)
    if session is not None:
        await _close_not_held(click, session, MISSED, "It didn't happen.")


async def _close_not_held(click: Click, session: Session, said: str, noted: str) -> bool:
    """Record the session as not held (the request bookable again), say `said` in place of
    the question with Offer times, and note `noted` on both confirmations; False, with the
    reason told, if the session had already moved on."""
    now = click.clock.now()
    closed = await click.store.close_session(
        session.team_id, session.id, session.mentor_id, False, now
    )
    if closed is None:
        current = await click.store.get_session(session.team_id, session.id) or session
        await click.tell(session_gone(current))
        return False
    blocks: list[dict[str, Any]] = [section(said)]
    if closed.request_id is not None:
        blocks.append({"type": "actions", "elements": [offer_times_button(closed.request_id)]})
    await click.respond(replace_original=True, text=said, blocks=blocks)
    work = _after_missed(click.client, click.store, closed, now, noted)
    click.background.spawn(work, name=f"missed-{closed.id}")
    return True


async def _after_missed(
    client: AsyncWebClient, store: Store, session: Session, now: datetime, noted: str
) -> None:
    topic = await session_topic(store, session)
    await update_confirmations(client, session, topic, noted)
    await _refresh_request(client, store, session, session.mentor_id, now)
    log.info("session did not happen session=%d", session.id)
