"""When a session is recorded as held: the one "How was it?" row to enqueue with that change.

Booking calls `feedback_rows` and hands the rows to `close_session`, so the prompt is stored in
the same transaction that records the session as held, once per session (its dedupe key).
"""

from __future__ import annotations

from datetime import datetime

from bot.settings import Settings
from bot.workspace import workspace_settings
from storage.models import Session, SubjectType
from storage.outbox import Planned
from storage.store import Store

FEEDBACK_ASK = "feedback.ask"


def feedback_key(session_id: int) -> str:
    """One prompt per session, whichever path recorded it as held."""
    return f"feedback:{session_id}"


async def feedback_wanted(store: Store, settings: Settings, team_id: str, mentee_id: str) -> bool:
    """The workspace has the feature on and the mentee didn't opt out of prompts."""
    if not (await workspace_settings(store, settings, team_id)).feedback_enabled:
        return False
    person = await store.get_person(team_id, mentee_id)
    return person is None or not (person.opted_out or person.forgotten_at is not None)


async def feedback_rows(
    store: Store, settings: Settings, session: Session, now: datetime
) -> list[Planned]:
    """The mentee's prompt, due now (the outbox holds it for their working hours), or none."""
    if not await feedback_wanted(store, settings, session.team_id, session.mentee_id):
        return []
    row = Planned(
        team_id=session.team_id,
        kind=FEEDBACK_ASK,
        recipient=session.mentee_id,
        due_at=now,
        dedupe_key=feedback_key(session.id),
        subject_type=SubjectType.SESSION,
        subject_id=session.id,
    )
    return [row]
