"""Action item buttons: Done (in a DM, a history or App Home) and Snooze a week. Owner only."""

from __future__ import annotations

import copy
import logging
from datetime import datetime, timedelta
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import Background
from bot.clock import Clock
from handlers import ids
from handlers.blocks.plans import build_item_snoozed
from handlers.blocks.text import context, escape_clip
from handlers.home.publish import publish_home_later
from handlers.kit import BROKEN, NOT_YOURS, Pressed, pressed_or_tell, read_pressed, submitter, tell
from handlers.notes.schedule import schedule_item_due
from storage.models import ActionItem
from storage.store import Store

log = logging.getLogger(__name__)

GONE = "That step was removed from the plan, so there's nothing to tick."
ALREADY = "That step is already done."
SNOOZE = timedelta(weeks=1)


async def _complete(store: Store, pressed: Pressed, now: datetime) -> tuple[ActionItem | None, str]:
    """Tick the step if the clicker owns it: (the item done, or None, and what to say)."""
    item = await store.get_action_item(pressed.team_id, pressed.target_id)
    if item is None:
        return None, GONE
    if item.owner_id != pressed.user_id:
        return None, NOT_YOURS
    done = await store.complete_item(pressed.team_id, item.id, pressed.user_id, now)
    if done is None:
        return None, ALREADY
    log.info("action item done item=%d", done.id)
    return done, f":white_check_mark: Done: {escape_clip(done.text, 200)}"


def _ticked(message: dict[str, Any], item_id: int) -> dict[str, Any] | None:
    """The message with this item's Done button replaced by a done mark; None if not found."""
    blocks = copy.deepcopy(message.get("blocks") or [])
    found = False
    for index, block in enumerate(blocks):
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == ids.ITEM_DONE and accessory.get("value") == str(item_id):
            del block["accessory"]
            text = block.get("text") or {}
            text["text"] = f"{text.get('text', '')} · :white_check_mark: done"
            found = True
        elements = block.get("elements") if block.get("type") == "actions" else None
        if elements and any(
            e.get("action_id") == ids.ITEM_DONE and e.get("value") == str(item_id) for e in elements
        ):
            blocks[index] = context(":white_check_mark: Done. Nice work!")
            found = True
    if not found:
        return None
    return {"text": str(message.get("text") or "Action plan"), "blocks": blocks}


async def item_done_clicked(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, store: Store, clock: Clock
) -> None:
    """Done on a plan DM, a due-step nudge or a history page."""
    await ack()
    pressed = await pressed_or_tell(body, respond)
    if pressed is None:
        return
    done, notice = await _complete(store, pressed, clock.now())
    if done is None:
        await tell(respond, notice)
        return
    updated = _ticked(body.get("message") or {}, done.id)
    if updated is None:
        await tell(respond, notice)
        return
    await respond(replace_original=True, **updated)


async def item_snooze_clicked(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
) -> None:
    """Snooze a week: this step's reminder comes back in seven days."""
    await ack()
    pressed = await pressed_or_tell(body, respond)
    if pressed is None:
        return
    item = await store.get_action_item(pressed.team_id, pressed.target_id)
    if item is None or item.owner_id != pressed.user_id:
        await tell(respond, GONE if item is None else NOT_YOURS)
        return
    now = clock.now()
    snoozed = await store.snooze_item(item.team_id, item.id, item.owner_id, now + SNOOZE, now)
    if snoozed is None:
        await tell(respond, ALREADY)
        return
    await schedule_item_due(client, store, snoozed, now)
    text = build_item_snoozed(snoozed)
    await respond(replace_original=True, text=text, blocks=[context(text)])


async def home_item_done(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    background: Background,
) -> None:
    """Done in App Home: the same owner rule; the tab is re-published with the outcome."""
    await ack()
    user_id, team_id = submitter(body)
    pressed = read_pressed(body)
    notice = BROKEN
    if pressed is not None:
        _, notice = await _complete(store, pressed, clock.now())
    publish_home_later(
        background, client, store, clock, team_id=team_id, user_id=user_id, notice=notice
    )
