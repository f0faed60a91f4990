"""The /mentor settings modal's skills-from-profiles block: which custom Slack profile fields
hold skills. Kept apart from the rest of the modal; pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.profile_skills import FIELD_ID, FIELDS_MAX, ProfileField
from handlers import ids
from handlers.blocks.profile import _input, _option
from handlers.blocks.text import context, escape, input_state, plain

HINT = (
    "/mentor profile starts from what people wrote there, and /mentor find adds people whose "
    "field names the topic, marked as not in the directory."
)
NO_FIELDS = (
    "Skills from Slack profiles: this workspace has no custom profile text fields yet. A Slack "
    "admin can add one (\u201cSkills\u201d, say) in the workspace's profile settings."
)


def skill_field_blocks(
    fields: Sequence[ProfileField], current: Sequence[str], problem: str | None
) -> list[dict[str, Any]]:
    """A multi-select of the workspace's profile fields, or a note saying why there is none."""
    if problem:
        return [context(f":warning: Skills from Slack profiles: {escape(problem)}")]
    if not fields:
        return [context(NO_FIELDS)]
    options = {field.field_id: _option(field.label, field.field_id) for field in fields[:100]}
    element: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": ids.SETTINGS_SKILL_FIELDS_ACTION,
        "placeholder": plain("Pick profile fields", 150),
        "options": list(options.values()),
        "max_selected_items": FIELDS_MAX,
    }
    chosen = [options[field_id] for field_id in current if field_id in options]
    if chosen:
        element["initial_options"] = chosen
    return [
        _input(
            ids.SETTINGS_SKILL_FIELDS_BLOCK,
            "Profile fields that list skills",
            element,
            optional=True,
            hint=HINT,
        )
    ]


def parse_skill_fields(view: Mapping[str, Any], current: tuple[str, ...]) -> tuple[str, ...]:
    """The chosen field ids; `current` if the modal had no picker (the fields couldn't be
    listed when it opened)."""
    state = input_state(view, ids.SETTINGS_SKILL_FIELDS_BLOCK, ids.SETTINGS_SKILL_FIELDS_ACTION)
    if "selected_options" not in state:
        return current
    picked = [str(option.get("value")) for option in state.get("selected_options") or []]
    valid = (value for value in picked if FIELD_ID.match(value))
    return tuple(dict.fromkeys(valid))[:FIELDS_MAX]
