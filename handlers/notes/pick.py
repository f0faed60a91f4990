"""Log notes from App Home: choose the person, then the usual Log notes form."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import Background
from bot.clock import Clock
from handlers import ids
from handlers.blocks.notes import build_notes_modal
from handlers.blocks.notes_pick import build_pick_modal, picked_user
from handlers.home.publish import publish_home_later
from handlers.kit import submitter
from handlers.notes.entry import open_notes_modal, person_target
from storage.store import Store


async def home_log_notes(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    background: Background,
) -> None:
    """Log notes on App Home: first, whom they are about."""
    await ack()
    user_id, team_id = submitter(body)
    trigger_id = str(body.get("trigger_id") or "")
    notice = await open_notes_modal(client, trigger_id, build_pick_modal())
    if notice is not None:
        # A Home click has no response_url: the answer goes on top of the tab.
        publish_home_later(
            background, client, store, clock, team_id=team_id, user_id=user_id, notice=notice
        )


async def pick_submitted(ack: AsyncAck, body: dict[str, Any], store: Store) -> None:
    """Next: the Log notes form about the chosen person, in place; or why not, inline."""
    user_id, team_id = submitter(body)
    other = picked_user(body.get("view") or {})
    found = await person_target(store, team_id, user_id, other)
    if isinstance(found, str):
        await ack(response_action="errors", errors={ids.NOTES_PICK_BLOCK: found})
        return
    await ack(response_action="update", view=build_notes_modal(found, author_id=user_id))
