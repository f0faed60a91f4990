"""Action item buttons: Done (in a DM, a history or App Home) and Snooze a week. Owner only."""

from __future__ import annotations

import copy
import logging
from datetime import datetime, timedelta
from typing import Any

from handlers import ids
from handlers.blocks.plans import build_item_snoozed
from handlers.blocks.text import context, escape_clip
from handlers.kit import BROKEN, NOT_YOURS, Click, HomeClick, Pressed, on_click, on_home_click
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


@on_click()
async def item_done_clicked(click: Click) -> None:
    """Done on a plan DM, a due-step nudge or a history page."""
    done, notice = await _complete(click.store, click.pressed, click.clock.now())
    if done is None:
        await click.tell(notice)
        return
    updated = _ticked(click.body.get("message") or {}, done.id)
    if updated is None:
        await click.tell(notice)
        return
    await click.respond(replace_original=True, **updated)


@on_click()
async def item_snooze_clicked(click: Click) -> None:
    """Snooze a week: this step's reminder comes back in seven days."""
    pressed, store = click.pressed, click.store
    item = await store.get_action_item(pressed.team_id, pressed.target_id)
    if item is None or item.owner_id != pressed.user_id:
        await click.tell(GONE if item is None else NOT_YOURS)
        return
    now = click.clock.now()
    snoozed = await store.snooze_item(item.team_id, item.id, item.owner_id, now + SNOOZE, now)
    if snoozed is None:
        await click.tell(ALREADY)
        return
    await schedule_item_due(click.client, store, snoozed, now)
    text = build_item_snoozed(snoozed)
    await click.respond(replace_original=True, text=text, blocks=[context(text)])


@on_home_click
async def home_item_done(click: HomeClick) -> str:
    """Done in App Home: the same owner rule; the tab is re-published with the outcome."""
    pressed = await click.pressed("booking")
    if pressed is None:
        return BROKEN
    _, notice = await _complete(click.store, pressed, click.clock.now())
    return notice
