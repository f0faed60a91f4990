"""The one entry into logging notes, for every "Log notes" button.

CONTRACT (booking calls this; keep the signature).
"""

from __future__ import annotations

import logging
import re

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.settings import Settings
from handlers.blocks.notes import NotesTarget, build_notes_modal
from handlers.kit import NOT_YOURS
from storage.models import Note
from storage.store import Store

log = logging.getLogger(__name__)

NOT_YOURSELF = "Notes are about someone else: name the person you met, e.g. `/mentor notes @dana`."
STRANGER = (
    "Notes are for someone you've mentored or been mentored by: I can't find a request, "
    "session or 1:1 between you two. Ask them first with `/mentor ask @them`."
)
NO_NOTE = "I can't find those notes any more, so there's nothing to edit."
_USER_ID = re.compile(r"[UW][A-Z0-9]{1,31}")


async def open_notes_modal(
    client: AsyncWebClient, trigger_id: str, view: dict[str, object]
) -> str | None:
    """Open a notes modal; None, or what to tell the person when Slack refused."""
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        reason = error.response.get("error")
        log.warning("could not open the notes modal error=%s", reason)
        return f"I couldn't open the notes form just now ({reason}). Please try again."
    return None


async def _edit_view(store: Store, note: Note, target: NotesTarget) -> dict[str, object]:
    items = await store.note_items(note.team_id, note.id)
    return build_notes_modal(target, author_id=note.author_id, note=note, items=items)


async def open_log_notes(
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    settings: Settings,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    session_id: int | None = None,
    other_user_id: str | None = None,
) -> str | None:
    """Open the Log notes modal for `user_id` about a session (or, with no session, about
    `other_user_id`). Returns a refusal to show privately (not a participant, unknown
    session), or None when the modal was opened.
    """
    if session_id is not None:
        session = await store.get_session(team_id, session_id)
        if session is None or user_id not in (session.mentor_id, session.mentee_id):
            return NOT_YOURS
        other = session.mentee_id if user_id == session.mentor_id else session.mentor_id
        target = NotesTarget(other, session_id=session.id)
        # Notes already logged for this session open for editing rather than twice over.
        earlier = await store.own_note_for_session(team_id, user_id, session.id)
        if earlier is not None:
            edit = NotesTarget(other, session_id=session.id, note_id=earlier.id)
            return await open_notes_modal(
                client, trigger_id, await _edit_view(store, earlier, edit)
            )
    else:
        found = await person_target(store, team_id, user_id, other_user_id)
        if isinstance(found, str):
            return found
        target = found
    return await open_notes_modal(client, trigger_id, build_notes_modal(target, author_id=user_id))


async def person_target(
    store: Store, team_id: str, user_id: str, other_user_id: str | None
) -> NotesTarget | str:
    """Notes by `user_id` about `other_user_id` (no session), or why not."""
    if other_user_id is None or not _USER_ID.fullmatch(other_user_id) or other_user_id == user_id:
        return NOT_YOURSELF
    # A plan DM, check-ins and 1:1 ticks go to the other person: never to a stranger.
    if not await store.have_met(team_id, user_id, other_user_id):
        return STRANGER
    return NotesTarget(other_user_id)


async def open_edit_notes(
    client: AsyncWebClient,
    store: Store,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    note_id: int,
) -> str | None:
    """Reopen the author's own notes, prefilled; anyone else is refused."""
    note = await store.get_own_note(team_id, note_id, user_id)
    if note is None:
        return NO_NOTE
    target = NotesTarget(note.subject_id, session_id=note.session_id, note_id=note.id)
    return await open_notes_modal(client, trigger_id, await _edit_view(store, note, target))


async def pair_of(
    store: Store, team_id: str, author_id: str, target: NotesTarget
) -> tuple[str, str] | None:
    """(mentor, mentee) of the notes; None if the author isn't in the session named."""
    if target.session_id is not None:
        session = await store.get_session(team_id, target.session_id)
        if session is None or {author_id, target.other_id} != {
            session.mentor_id,
            session.mentee_id,
        }:
            return None
        return session.mentor_id, session.mentee_id
    active = [
        r
        for r in await store.relationships_between(team_id, author_id, target.other_id, 1)
        if r.ended_at is None
    ]
    if active:
        return active[0].mentor_id, active[0].mentee_id
    # A mentee's own notes must not turn them into the mentor of their check-ins and 1:1s.
    return await store.latest_roles(team_id, author_id, target.other_id) or (
        author_id,
        target.other_id,
    )
