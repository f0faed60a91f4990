"""Timed booking messages, rendered from the current state when the outbox sends them.

- session.reminder (quiet=False: a reminder is useless after the session): both people,
  MENTORBOT_REMINDER_MINUTES before the start.
- session.did_you_meet (quiet=True: a follow-up can wait for working hours, like check-ins):
  the mentor, 30 minutes after the end, unless notes were logged or the session was closed.
- session.confirmation and booking.slots (quiet=False: someone is waiting for them): DMs Slack
  refused when they were first sent, retried here.
A row whose session moved (its start no longer matches) or was cancelled renders to None.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from bot.booking import ends_at
from bot.delivery import Delivery
from bot.kinds import Kind, OutboxDeps
from handlers.blocks.booking import Role, build_did_you_meet, build_reminder
from handlers.booking.confirm import (
    CONFIRMATION,
    DID_YOU_MEET,
    REMINDER,
    SLOTS,
    confirmation_for,
    record_confirmation,
    starts_key,
    upload_ics,
)
from handlers.booking.offer import slots_message
from handlers.kit import session_topic
from storage.models import OutboxMessage, Session, SessionStatus

_ROLES: dict[Any, Role] = {"mentor": "mentor", "mentee": "mentee"}


async def _live_session(row: OutboxMessage, deps: OutboxDeps) -> Session | None:
    """The row's session if it is still confirmed at the time the row was made for."""
    if row.subject_id is None:
        return None
    session = await deps.store.get_session(row.team_id, row.subject_id)
    if session is None or session.status is not SessionStatus.CONFIRMED:
        return None
    if row.payload.get("starts") != starts_key(session):
        return None
    return session


async def render_reminder(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """A few minutes before: both people, from the session as it is now."""
    session = await _live_session(row, deps)
    role = _ROLES.get(row.payload.get("role"))
    now = deps.clock.now()
    if session is None or role is None or now >= ends_at(session):
        return None
    minutes = max(0, math.ceil((session.starts_at - now).total_seconds() / 60))
    topic = await session_topic(deps.store, session)
    message = build_reminder(session, role=role, topic=topic, minutes=minutes)
    return Delivery(row.recipient, message["text"], message["blocks"])


async def render_did_you_meet(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """After the end: the mentor, unless notes are in or the session was already closed."""
    session = await _live_session(row, deps)
    if session is None or await deps.store.session_has_notes(session.team_id, session.id):
        return None
    topic = await session_topic(deps.store, session)
    message = build_did_you_meet(session, topic=topic)
    return Delivery(session.mentor_id, message["text"], message["blocks"])


async def render_confirmation(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """A confirmation Slack refused at booking time, sent again if still true."""
    session = await _live_session(row, deps)
    role = _ROLES.get(row.payload.get("role"))
    if session is None or role is None:
        return None
    topic = await session_topic(deps.store, session)
    moved = row.payload.get("moved")
    moved_from = datetime.fromtimestamp(moved, UTC) if isinstance(moved, int) else None
    message = confirmation_for(session, role, topic, moved_from)
    confirmed = session

    async def on_sent(channel: str, ts: str) -> None:
        await record_confirmation(deps.store, confirmed, role, channel, ts)
        if not confirmed.talk_now:
            client = await deps.slack(confirmed.team_id)
            await upload_ics(client, channel, confirmed, topic, deps.clock.now())

    return Delivery(row.recipient, message["text"], message["blocks"], on_sent=on_sent)


async def render_slots(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """Offered times Slack refused at first, sent again while they are still on offer."""
    request_id = row.payload.get("request_id")
    proposed_by = row.payload.get("proposed_by")
    if not isinstance(request_id, int) or proposed_by not in ("mentor", "mentee"):
        return None
    request = await deps.store.get_request(row.team_id, request_id)
    if request is None:
        return None
    message = await slots_message(deps.store, request, proposed_by)
    if message is None:
        return None
    return Delivery(row.recipient, message["text"], message["blocks"])


KINDS: dict[str, Kind] = {
    REMINDER: Kind(render_reminder, quiet=False),
    DID_YOU_MEET: Kind(render_did_you_meet, quiet=True),
    CONFIRMATION: Kind(render_confirmation, quiet=False),
    SLOTS: Kind(render_slots, quiet=False),
}
