"""The /mentor settings modal's switch for asking the mentor pool without your name. Kept
apart from the rest of the modal; pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers import ids
from handlers.blocks.profile import _input, _option
from handlers.blocks.text import input_state
from storage.models import WorkspaceSettings

_ON, _OFF = _option("On", "on"), _option("Off", "off")


def anonymous_blocks(current: WorkspaceSettings) -> list[dict[str, Any]]:
    """Anonymous pool asks on or off."""
    return [
        _input(
            ids.SETTINGS_ANONYMOUS_BLOCK,
            "Asking the mentor pool without your name",
            {
                "type": "radio_buttons",
                "action_id": ids.SETTINGS_ANONYMOUS_ACTION,
                "options": [_ON, _OFF],
                "initial_option": _ON if current.anonymous_asks_enabled else _OFF,
            },
            hint=(
                "The request form then offers “Post to the mentor pool without my name”. "
                "Mentors, coordinators and the pool channel see no name until the person "
                "reveals themself to the mentor who offers. Requests already asked that way "
                "stay anonymous when this is turned off."
            ),
        ),
    ]


def parse_anonymous(view: Mapping[str, Any]) -> dict[str, Any]:
    """The anonymous-asks field of a submitted settings modal (on unless "off" came back)."""
    switch = input_state(view, ids.SETTINGS_ANONYMOUS_BLOCK, ids.SETTINGS_ANONYMOUS_ACTION)
    return {"anonymous_asks_enabled": (switch.get("selected_option") or {}).get("value") != "off"}
