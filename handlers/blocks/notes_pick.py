"""App Home's Log notes: a small modal that asks whom the notes are about."""

from __future__ import annotations

from typing import Any

from handlers import ids
from handlers.blocks.text import MODAL_TITLE_MAX, context, plain


def build_pick_modal() -> dict[str, Any]:
    """Whom did you meet? Next replaces it with the Log notes form for that person."""
    return {
        "type": "modal",
        "callback_id": ids.NOTES_PICK_MODAL,
        "title": plain("Log notes", MODAL_TITLE_MAX),
        "submit": plain("Next"),
        "close": plain("Cancel"),
        "blocks": [
            {
                "type": "input",
                "block_id": ids.NOTES_PICK_BLOCK,
                "label": plain("Who did you meet with?"),
                "element": {
                    "type": "users_select",
                    "action_id": ids.NOTES_PICK_ACTION,
                    "placeholder": plain("Choose a person"),
                },
            },
            context("Your private notes stay yours; the action plan goes to both of you."),
        ],
    }


def picked_user(view: dict[str, Any]) -> str | None:
    """The person chosen in the pick modal, or None."""
    values = (view.get("state") or {}).get("values") or {}
    chosen = (values.get(ids.NOTES_PICK_BLOCK) or {}).get(ids.NOTES_PICK_ACTION) or {}
    user = chosen.get("selected_user") if isinstance(chosen, dict) else None
    return user if isinstance(user, str) else None
