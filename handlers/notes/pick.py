"""Log notes from App Home: choose the person, then the usual Log notes form."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from handlers import ids
from handlers.blocks.notes import build_notes_modal
from handlers.blocks.notes_pick import build_pick_modal, picked_user
from handlers.kit import HomeClick, on_home_click, submitter
from handlers.notes.entry import open_notes_modal, person_target
from storage.store import Store


@on_home_click
async def home_log_notes(click: HomeClick) -> str | None:
    """Log notes on App Home: first, whom they are about."""
    return await open_notes_modal(click.app.client, click.trigger_id, build_pick_modal())


async def pick_submitted(ack: AsyncAck, body: dict[str, Any], store: Store) -> None:
    """Next: the Log notes form about the chosen person, in place; or why not, inline."""
    user_id, team_id = submitter(body)
    other = picked_user(body.get("view") or {})
    found = await person_target(store, team_id, user_id, other)
    if isinstance(found, str):
        await ack(response_action="errors", errors={ids.NOTES_PICK_BLOCK: found})
        return
    await ack(response_action="update", view=build_notes_modal(found, author_id=user_id))
