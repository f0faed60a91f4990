"""The /mentor settings modal, and reading its submission back into WorkspaceSettings (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from handlers import ids
from handlers.blocks.profile import DAY_NAMES, _hhmm, _input, _minutes, _option
from handlers.blocks.settings_anonymous import anonymous_blocks, parse_anonymous
from handlers.blocks.settings_feedback import feedback_blocks, parse_feedback
from handlers.blocks.text import context, input_state, plain, section
from storage.models import WorkspaceSettings
from storage.rows import RowError

# Bounds shown in the form and checked on submit (the model allows the same or wider).
HOURS_MAX = 720
EXPIRE_HOURS_MAX = 2160
REMINDER_MAX = 1440
CHANNELS_MAX = 100
COORDINATORS_MAX = 20

_ON, _OFF = _option("On", "on"), _option("Off", "off")
_CHANNEL_FILTER = {"include": ["public", "private"], "exclude_bot_users": True}

# (block_id, action_id, label, field, minimum, maximum)
_NUMBERS = (
    (
        ids.SETTINGS_NUDGE_BLOCK,
        ids.SETTINGS_NUDGE_ACTION,
        "Nudge the mentor after (hours)",
        "nudge_after_hours",
        1,
        HOURS_MAX,
    ),
    (
        ids.SETTINGS_ESCALATE_BLOCK,
        ids.SETTINGS_ESCALATE_ACTION,
        "Escalate after (hours)",
        "escalate_after_hours",
        1,
        HOURS_MAX,
    ),
    (
        ids.SETTINGS_REPOST_BLOCK,
        ids.SETTINGS_REPOST_ACTION,
        "Re-post an unclaimed pool request after (hours)",
        "pool_repost_after_hours",
        1,
        HOURS_MAX,
    ),
    (
        ids.SETTINGS_EXPIRE_BLOCK,
        ids.SETTINGS_EXPIRE_ACTION,
        "Expire unanswered requests after (hours)",
        "expire_after_hours",
        1,
        EXPIRE_HOURS_MAX,
    ),
    (
        ids.SETTINGS_REMINDER_BLOCK,
        ids.SETTINGS_REMINDER_ACTION,
        "Session reminder (minutes before; 0 = none)",
        "reminder_minutes",
        0,
        REMINDER_MAX,
    ),
)


def _number(action_id: str, value: int, low: int, high: int) -> dict[str, Any]:
    return {
        "type": "number_input",
        "action_id": action_id,
        "is_decimal_allowed": False,
        "min_value": str(low),
        "max_value": str(high),
        "initial_value": str(value),
    }


def _pool_element(current: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": ids.SETTINGS_POOL_ACTION,
        "placeholder": plain("Pick a channel", 150),
        "filter": _CHANNEL_FILTER,
    }
    if current:
        element["initial_conversation"] = current
    return element


def build_org_pool_input(current: str | None) -> dict[str, Any]:
    """The "Organization pool channel" input, for an org admin on an org-wide install."""
    element = {**_pool_element(current), "action_id": ids.SETTINGS_ORG_POOL_ACTION}
    return _input(
        ids.SETTINGS_ORG_POOL_BLOCK,
        "Organization pool channel",
        element,
        optional=True,
        hint="For every workspace of the organization without a pool channel of its own.",
    )


def _multi(kind: str, action_id: str, current: tuple[str, ...], limit: int) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": f"multi_{kind}s_select",
        "action_id": action_id,
        "placeholder": plain("Pick…", 150),
        "max_selected_items": limit,
    }
    if kind == "conversation":
        element["filter"] = _CHANNEL_FILTER
    if current:
        element[f"initial_{kind}s"] = list(current)[:limit]
    return element


def build_settings_modal(current: WorkspaceSettings) -> dict[str, Any]:
    """The workspace-settings modal, prefilled with the settings in effect now."""
    days = [_option(name, str(i + 1)) for i, name in enumerate(DAY_NAMES)]
    numbers = [
        _input(block, label, _number(action, getattr(current, field), low, high))
        for block, action, label, field, low, high in _NUMBERS
    ]
    blocks: list[dict[str, Any]] = [
        section("These apply to everyone in this workspace, from the next request on."),
        _input(
            ids.SETTINGS_POOL_BLOCK,
            "Mentor-pool channel",
            _pool_element(current.pool_channel_id),
            optional=True,
            hint="Requests to “anyone” are posted here. Invite me to it first.",
        ),
        _input(
            ids.SETTINGS_DETECTION_BLOCK,
            "Offer to turn “got a minute?” messages into requests",
            {
                "type": "radio_buttons",
                "action_id": ids.SETTINGS_DETECTION_ACTION,
                "options": [_ON, _OFF],
                "initial_option": _ON if current.detection_enabled else _OFF,
            },
        ),
        _input(
            ids.SETTINGS_OFF_CHANNELS_BLOCK,
            "…but never in these channels",
            _multi(
                "conversation",
                ids.SETTINGS_OFF_CHANNELS_ACTION,
                current.detection_off_channels,
                CHANNELS_MAX,
            ),
            optional=True,
        ),
        *numbers,
        _input(
            ids.SETTINGS_DAYS_BLOCK,
            "Default working days",
            {
                "type": "checkboxes",
                "action_id": ids.SETTINGS_DAYS_ACTION,
                "options": days,
                "initial_options": [days[d - 1] for d in current.work_days],
            },
        ),
        _input(
            ids.SETTINGS_START_BLOCK,
            "Default working hours: from",
            {
                "type": "timepicker",
                "action_id": ids.SETTINGS_START_ACTION,
                "initial_time": _hhmm(current.work_start_minute),
            },
        ),
        _input(
            ids.SETTINGS_END_BLOCK,
            "Default working hours: until",
            {
                "type": "timepicker",
                "action_id": ids.SETTINGS_END_ACTION,
                "initial_time": _hhmm(current.work_end_minute),
            },
        ),
        _input(
            ids.SETTINGS_COORDINATORS_BLOCK,
            "Coordinators (told when nobody takes a request)",
            _multi(
                "user",
                ids.SETTINGS_COORDINATORS_ACTION,
                current.coordinators,
                COORDINATORS_MAX,
            ),
            optional=True,
        ),
        # Session feedback (issue 23): its own blocks, in handlers/blocks/settings_feedback.py.
        *feedback_blocks(current),
        # Anonymous pool asks (issue 24): handlers/blocks/settings_anonymous.py.
        *anonymous_blocks(current),
        context(
            "Working hours are read in each person's own Slack time zone, and apply to people "
            "without office hours in their mentor profile. Every change is recorded with who "
            "made it."
        ),
    ]
    return {
        "type": "modal",
        "callback_id": ids.SETTINGS_MODAL,
        "title": plain("Workspace settings", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def _whole(text: Any) -> int | None:
    value = str(text).strip() if text is not None else ""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 6 else None


def _ids(values: Any, limit: int) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    return tuple(dict.fromkeys(str(v) for v in values if isinstance(v, str) and v))[:limit]


def parse_settings_submission(
    view: Mapping[str, Any], current: WorkspaceSettings
) -> tuple[WorkspaceSettings | None, dict[str, str]]:
    """The submitted settings on top of `current`, or inline errors by block_id; never raises."""
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    for block, action, _label, field, low, high in _NUMBERS:
        number = _whole(input_state(view, block, action).get("value"))
        if number is None or not low <= number <= high:
            errors[block] = f"Enter a whole number from {low} to {high}."
        else:
            changes[field] = number
    nudge, escalate = changes.get("nudge_after_hours"), changes.get("escalate_after_hours")
    if nudge is not None and escalate is not None and nudge >= escalate:
        errors[ids.SETTINGS_ESCALATE_BLOCK] = "Escalation must come later than the nudge."
    picked = input_state(view, ids.SETTINGS_DAYS_BLOCK, ids.SETTINGS_DAYS_ACTION).get(
        "selected_options"
    )
    days = sorted({int(o["value"]) for o in picked or [] if str(o.get("value")) in "1234567"})
    if not days:
        errors[ids.SETTINGS_DAYS_BLOCK] = "Pick at least one working day."
    start_state = input_state(view, ids.SETTINGS_START_BLOCK, ids.SETTINGS_START_ACTION)
    end_state = input_state(view, ids.SETTINGS_END_BLOCK, ids.SETTINGS_END_ACTION)
    start = _minutes(start_state.get("selected_time"))
    end = _minutes(end_state.get("selected_time"))
    if start is None or not 0 <= start < 1440:
        errors[ids.SETTINGS_START_BLOCK] = "Pick a start time."
    elif end is None or not 0 < end <= 1440:
        errors[ids.SETTINGS_END_BLOCK] = "Pick an end time."
    elif end <= start:
        errors[ids.SETTINGS_END_BLOCK] = "Working hours must end after they start."
    if errors:
        return None, errors
    detection = input_state(view, ids.SETTINGS_DETECTION_BLOCK, ids.SETTINGS_DETECTION_ACTION)
    pool = input_state(view, ids.SETTINGS_POOL_BLOCK, ids.SETTINGS_POOL_ACTION)
    off = input_state(view, ids.SETTINGS_OFF_CHANNELS_BLOCK, ids.SETTINGS_OFF_CHANNELS_ACTION)
    people = input_state(view, ids.SETTINGS_COORDINATORS_BLOCK, ids.SETTINGS_COORDINATORS_ACTION)
    pool_id = pool.get("selected_conversation")
    changes.update(
        pool_channel_id=pool_id if isinstance(pool_id, str) and pool_id else None,
        detection_enabled=(detection.get("selected_option") or {}).get("value") != "off",
        detection_off_channels=_ids(off.get("selected_conversations"), CHANNELS_MAX),
        work_days=tuple(days),
        work_start_minute=start,
        work_end_minute=end,
        coordinators=_ids(people.get("selected_users"), COORDINATORS_MAX),
    )
    changes.update(parse_feedback(view))
    changes.update(parse_anonymous(view))
    try:
        return replace(current, **changes), {}  # replace() checks every field again
    except RowError as error:
        return None, {ids.SETTINGS_NUDGE_BLOCK: str(error)[:150]}
