"""The Log notes modal, the End-relationship modal, and pure parsing of what comes back.

private_metadata carries ids only (the other person, the session, the note being edited);
the handler reloads everything else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from bot.notes import END_NOTE_MAX, WHAT_NEXT_LABELS, due_problem, text_problem
from handlers import ids
from handlers.blocks.text import MODAL_TITLE_MAX, context, input_state, plain, user_mention
from storage.models import ActionItem, Note, WhatNext
from storage.notes import ITEM_TEXT_MAX, ITEMS_MAX, NOTES_MAX

Owner = Literal["me", "them"]
_ID_MAX = 64
_DIGITS_MAX = 18


@dataclass(frozen=True, slots=True)
class NotesTarget:
    """What the modal is about: the other person, and the session or the note being edited."""

    other_id: str
    session_id: int | None = None
    note_id: int | None = None


@dataclass(frozen=True, slots=True)
class ItemForm:
    """One filled-in action item row."""

    position: int
    text: str
    owner: Owner
    due_date: date | None


@dataclass(frozen=True, slots=True)
class NotesForm:
    """A valid Log notes submission."""

    body: str
    items: tuple[ItemForm, ...]
    what_next: WhatNext


def notes_metadata(target: NotesTarget) -> str:
    """Compact JSON of ids, far below Slack's 3000 characters."""
    data: dict[str, Any] = {"o": target.other_id}
    if target.session_id is not None:
        data["s"] = target.session_id
    if target.note_id is not None:
        data["n"] = target.note_id
    return json.dumps(data, separators=(",", ":"))


def _small_id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10**_DIGITS_MAX:
        return value
    return None


def read_notes_metadata(raw: Any) -> NotesTarget | None:
    """The target a submission is about, or None when the metadata is garbage."""
    try:
        data = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    other = data.get("o")
    if not isinstance(other, str) or not 0 < len(other) <= _ID_MAX:
        return None
    return NotesTarget(other, _small_id(data.get("s")), _small_id(data.get("n")))


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": plain(label, 75), "value": value}


def _input(block_id: str, label: str, element: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": element,
        "optional": True,
    }


def _item_rows(position: int, item: ActionItem | None, author_id: str) -> list[dict[str, Any]]:
    text: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ids.ITEM_TEXT_ACTION,
        "max_length": ITEM_TEXT_MAX,
        "placeholder": plain("A next step", 150),
    }
    owners = [_option("Me", "me"), _option("Them", "them")]
    owner: dict[str, Any] = {
        "type": "static_select",
        "action_id": ids.ITEM_OWNER_ACTION,
        "placeholder": plain("Who does it?", 150),
        "options": owners,
    }
    due: dict[str, Any] = {"type": "datepicker", "action_id": ids.ITEM_DUE_ACTION}
    if item is not None:
        text["initial_value"] = item.text
        owner["initial_option"] = owners[0] if item.owner_id == author_id else owners[1]
        if item.due_date is not None:
            due["initial_date"] = item.due_date.isoformat()
    return [
        _input(ids.ITEM_TEXT_BLOCK.format(position), f"Step {position}", text),
        _input(ids.ITEM_OWNER_BLOCK.format(position), f"Step {position}: who", owner),
        _input(ids.ITEM_DUE_BLOCK.format(position), f"Step {position}: due", due),
    ]


def build_notes_modal(
    target: NotesTarget,
    *,
    author_id: str,
    note: Note | None = None,
    items: Sequence[ActionItem] = (),
) -> dict[str, Any]:
    """Log notes (or, with `note`, edit them): private notes, up to 5 steps, what next."""
    body: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ids.NOTES_BODY_ACTION,
        "multiline": True,
        "max_length": NOTES_MAX,
        "placeholder": plain("What you heard, what you suggested, what to remember", 150),
    }
    if note is not None and note.body:
        body["initial_value"] = note.body
    choices = [_option(label, value.value) for value, label in WHAT_NEXT_LABELS.items()]
    chosen = note.what_next if note is not None else WhatNext.DONE
    what_next: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": ids.WHAT_NEXT_ACTION,
        "options": choices,
        "initial_option": next(c for c in choices if c["value"] == chosen.value),
    }
    by_position = {item.position: item for item in items}
    blocks: list[dict[str, Any]] = [
        context(f"About your chat with {user_mention(target.other_id)}."),
        {
            **_input(ids.NOTES_BODY_BLOCK, "Private notes", body),
            "hint": plain("Only you will ever see these.", 2000),
        },
        context(
            "*Action plan*: up to 5 steps, each with who does it and an optional due date. "
            "The other person gets these steps, never your notes."
        ),
    ]
    for position in range(1, ITEMS_MAX + 1):
        blocks += _item_rows(position, by_position.get(position), author_id)
    blocks.append(
        {
            "type": "input",
            "block_id": ids.WHAT_NEXT_BLOCK,
            "label": plain("What next?", 2000),
            "element": what_next,
        }
    )
    return {
        "type": "modal",
        "callback_id": ids.NOTES_MODAL,
        "title": plain("Edit notes" if note else "Log notes", MODAL_TITLE_MAX),
        "submit": plain("Save", MODAL_TITLE_MAX),
        "close": plain("Cancel", MODAL_TITLE_MAX),
        "private_metadata": notes_metadata(target),
        "blocks": blocks,
    }


def _text(view: Mapping[str, Any], block_id: str, action_id: str) -> str:
    value = input_state(view, block_id, action_id).get("value")
    return value.strip() if isinstance(value, str) else ""


def _selected(view: Mapping[str, Any], block_id: str, action_id: str) -> str | None:
    option = input_state(view, block_id, action_id).get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) else None


def _date(view: Mapping[str, Any], block_id: str) -> tuple[date | None, bool]:
    """(the picked date, whether what came back was readable)."""
    raw = input_state(view, block_id, ids.ITEM_DUE_ACTION).get("selected_date")
    if raw is None:
        return None, True
    try:
        return (date.fromisoformat(raw), True) if isinstance(raw, str) else (None, False)
    except ValueError:
        return None, False


def _saved_date(view: Mapping[str, Any], block_id: str) -> str | None:
    """The due date an edit form started with (the view's own datepicker), if any."""
    for block in view.get("blocks") or ():
        if isinstance(block, Mapping) and block.get("block_id") == block_id:
            element = block.get("element")
            initial = element.get("initial_date") if isinstance(element, Mapping) else None
            return initial if isinstance(initial, str) else None
    return None


def _item(
    view: Mapping[str, Any], position: int, today: date
) -> tuple[ItemForm | None, dict[str, str]]:
    text_block = ids.ITEM_TEXT_BLOCK.format(position)
    owner_block = ids.ITEM_OWNER_BLOCK.format(position)
    due_block = ids.ITEM_DUE_BLOCK.format(position)
    text = _text(view, text_block, ids.ITEM_TEXT_ACTION)
    owner = _selected(view, owner_block, ids.ITEM_OWNER_ACTION)
    due, readable = _date(view, due_block)
    errors: dict[str, str] = {}
    if not readable:
        errors[due_block] = "That isn't a date I can read."
    if not text:
        if owner is not None:
            errors[owner_block] = "Write the step first, or clear who does it."
        if due is not None:
            errors[due_block] = "Write the step first, or clear the date."
        return None, errors
    problem = text_problem(text, ITEM_TEXT_MAX, "A step")
    if problem:
        errors[text_block] = problem
    if owner not in ("me", "them"):
        errors[owner_block] = "Pick who will do this step."
    # A step that went overdue keeps its date when the author edits something else.
    kept = due is not None and due.isoformat() == _saved_date(view, due_block)
    past = None if kept else due_problem(due, today)
    if past:
        errors[due_block] = past
    if errors or owner not in ("me", "them"):
        return None, errors
    return ItemForm(position, text, "me" if owner == "me" else "them", due), {}


def parse_notes_submission(
    view: Mapping[str, Any], today: date
) -> tuple[NotesForm | None, dict[str, str]]:
    """A submission as a NotesForm, or errors keyed by block_id; `today` is the author's."""
    errors: dict[str, str] = {}
    body = _text(view, ids.NOTES_BODY_BLOCK, ids.NOTES_BODY_ACTION)
    problem = text_problem(body, NOTES_MAX, "Notes")
    if problem:
        errors[ids.NOTES_BODY_BLOCK] = problem
    items: list[ItemForm] = []
    for position in range(1, ITEMS_MAX + 1):
        item, item_errors = _item(view, position, today)
        errors.update(item_errors)
        if item is not None:
            items.append(item)
    raw = _selected(view, ids.WHAT_NEXT_BLOCK, ids.WHAT_NEXT_ACTION)
    what_next = next((choice for choice in WhatNext if choice.value == raw), None)
    if what_next is None:
        errors[ids.WHAT_NEXT_BLOCK] = "Pick what happens next."
    if errors or what_next is None:
        return None, errors
    return NotesForm(body, tuple(items), what_next), {}


def build_end_modal(relationship_id: int, other_id: str) -> dict[str, Any]:
    """End an ongoing 1:1: an optional closing note, kept private to whoever writes it."""
    return {
        "type": "modal",
        "callback_id": ids.RELATIONSHIP_END_MODAL,
        "title": plain("End 1:1s", MODAL_TITLE_MAX),
        "submit": plain("End them", MODAL_TITLE_MAX),
        "close": plain("Keep them", MODAL_TITLE_MAX),
        "private_metadata": str(relationship_id),
        "blocks": [
            context(
                f"Your regular 1:1s with {user_mention(other_id)} stop. Your notes, sessions "
                "and action items stay in `/mentor notes`, read-only."
            ),
            {
                **_input(
                    ids.END_NOTE_BLOCK,
                    "A closing note",
                    {
                        "type": "plain_text_input",
                        "action_id": ids.END_NOTE_ACTION,
                        "multiline": True,
                        "max_length": END_NOTE_MAX,
                    },
                ),
                "hint": plain("Kept with your private notes; only you will see it.", 2000),
            },
        ],
    }


def read_end_note(view: Mapping[str, Any]) -> tuple[str, str | None]:
    """(the closing note, a problem with it)."""
    note = _text(view, ids.END_NOTE_BLOCK, ids.END_NOTE_ACTION)
    return note, text_problem(note, END_NOTE_MAX, "The note")
