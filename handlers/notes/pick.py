"""Log notes from App Home: choose the person, then the usual Log notes form."""

from __future__ import annotations

from handlers import ids
from handlers.blocks.notes import build_notes_modal
from handlers.blocks.notes_pick import build_pick_modal, picked_user
from handlers.kit import HomeClick, Submission, on_home_click, on_submit
from handlers.notes.entry import open_notes_modal, person_target


@on_home_click
async def home_log_notes(click: HomeClick) -> str | None:
    """Log notes on App Home: first, whom they are about."""
    return await open_notes_modal(click.client, click.trigger_id, build_pick_modal())


@on_submit
async def pick_submitted(sub: Submission) -> None:
    """Next: the Log notes form about the chosen person, in place; or why not, inline."""
    user_id, team_id = sub.user_id, sub.team_id
    other = picked_user(sub.view)
    found = await person_target(sub.store, team_id, user_id, other)
    if isinstance(found, str):
        await sub.ack(response_action="errors", errors={ids.NOTES_PICK_BLOCK: found})
        return
    await sub.ack(response_action="update", view=build_notes_modal(found, author_id=user_id))
