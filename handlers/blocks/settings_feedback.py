"""The /mentor settings modal's session-feedback blocks: the switch and the kudos channel.
Kept apart from the rest of the modal; pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers import ids
from handlers.blocks.profile import _input, _option
from handlers.blocks.text import input_state, plain
from storage.models import WorkspaceSettings

_ON, _OFF = _option("On", "on"), _option("Off", "off")


def feedback_blocks(current: WorkspaceSettings) -> list[dict[str, Any]]:
    """Session feedback on or off, and where shared thanks are posted."""
    kudos: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": ids.SETTINGS_KUDOS_ACTION,
        "placeholder": plain("Pick a channel", 150),
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if current.kudos_channel_id:
        kudos["initial_conversation"] = current.kudos_channel_id
    return [
        _input(
            ids.SETTINGS_FEEDBACK_BLOCK,
            "Session feedback (“How was it?” and Say thanks)",
            {
                "type": "radio_buttons",
                "action_id": ids.SETTINGS_FEEDBACK_ACTION,
                "options": [_ON, _OFF],
                "initial_option": _ON if current.feedback_enabled else _OFF,
            },
            hint="Ratings are private to the program: mentors never see them.",
        ),
        _input(
            ids.SETTINGS_KUDOS_BLOCK,
            "Kudos channel",
            kudos,
            optional=True,
            hint="Mentees may choose to share their thanks here. Invite me to it first.",
        ),
    ]


def parse_feedback(view: Mapping[str, Any]) -> dict[str, Any]:
    """The feedback fields of a submitted settings modal."""
    switch = input_state(view, ids.SETTINGS_FEEDBACK_BLOCK, ids.SETTINGS_FEEDBACK_ACTION)
    kudos = input_state(view, ids.SETTINGS_KUDOS_BLOCK, ids.SETTINGS_KUDOS_ACTION)
    channel = kudos.get("selected_conversation")
    return {
        "feedback_enabled": (switch.get("selected_option") or {}).get("value") != "off",
        "kudos_channel_id": channel if isinstance(channel, str) and channel else None,
    }
