"""`/mentor sessions`: your upcoming sessions, with Reschedule and Cancel."""

from __future__ import annotations

from handlers.blocks.booking import build_sessions_list
from handlers.kit import SubcommandCall, session_topic


async def sessions_command(call: SubcommandCall) -> None:
    """List the caller's confirmed sessions that haven't ended, earliest first."""
    now = call.clock.now()
    sessions = await call.store.upcoming_sessions(call.team_id, call.user_id, now)
    topics = {session.id: await session_topic(call.store, session) for session in sessions[:10]}
    await call.ack(**build_sessions_list(sessions, user_id=call.user_id, topics=topics))
