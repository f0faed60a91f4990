"""feedback.ask (quiet, nudge): the mentee of a held session, inside their working hours.

Asking is the change: the feedback row is stored once by `apply`, when the prompt goes out
(so prompted_at is when it was sent); the renderer only reads it. The switch and the opt-out
are checked again then, so turning the feature off stops prompts already queued.
"""

from __future__ import annotations

from bot.delivery import Delivery
from bot.kinds import Kind, OutboxDeps
from handlers.blocks.feedback import build_feedback_ask
from handlers.feedback import thanks
from handlers.feedback.schedule import FEEDBACK_ASK, feedback_wanted
from storage.feedback import Feedback
from storage.models import OutboxMessage, SubjectType
from storage.outbox import Effects


def _session_id(row: OutboxMessage) -> int | None:
    return row.subject_id if row.subject_type is SubjectType.SESSION else None


async def apply_feedback(row: OutboxMessage, deps: OutboxDeps) -> bool:
    """Store the unrated feedback row with this outbox row, once; False skips the prompt."""
    session_id = _session_id(row)
    if session_id is None:
        return False
    if not await feedback_wanted(deps.store, deps.settings, row.team_id, row.recipient):
        return False
    now = deps.clock.now()
    started = await deps.store.start_feedback(row.team_id, session_id, now, Effects(row.id))
    return started is not None


async def _asked(row: OutboxMessage, deps: OutboxDeps) -> Feedback | None:
    session_id = _session_id(row)
    feedback = await deps.store.get_feedback(row.team_id, session_id) if session_id else None
    if feedback is None or feedback.mentee_id != row.recipient or feedback.rating is not None:
        return None
    return feedback


async def render_feedback(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The mentee, while the feature is on and they haven't answered."""
    feedback = await _asked(row, deps)
    if feedback is None:
        return None
    if not await feedback_wanted(deps.store, deps.settings, row.team_id, row.recipient):
        return None
    thanked = await deps.store.get_thanks(row.team_id, feedback.session_id, row.recipient)
    message = build_feedback_ask(feedback, row.id, thanked=thanked is not None)
    return Delivery(row.recipient, message["text"], message["blocks"])


KINDS: dict[str, Kind] = {
    FEEDBACK_ASK: Kind(render_feedback, apply=apply_feedback, quiet=True, nudge=True),
    **thanks.KINDS,
}
