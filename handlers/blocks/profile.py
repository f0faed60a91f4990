"""The mentor-profile modal and reading its submission back (pure)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from handlers import ids
from handlers.blocks.text import context, input_state, plain, section, truncate
from storage.models import MentorProfile

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
BIO_MAX = 500


@dataclass(frozen=True, slots=True)
class ProfileForm:
    """What the person entered; tags still raw, times as minutes after local midnight."""

    open_to_mentoring: bool
    tags_text: str
    bio: str
    capacity: int
    office_days: tuple[int, ...]
    office_start_minute: int | None
    office_end_minute: int | None
    paused_until: date | None


def _hhmm(minutes: int | None) -> str | None:
    if minutes is None:
        return None
    minutes = min(minutes, 23 * 60 + 59)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, 75), "value": value}


def build_profile_modal(
    profile: MentorProfile | None,
    *,
    known_tags: Sequence[str],
    tz_label: str,
    from_slack_profile: Sequence[str] = (),
) -> dict[str, Any]:
    """The /mentor profile modal, prefilled with the current profile (or sensible defaults);
    someone with no topics yet starts from their Slack profile's skills field, if any."""
    yes, no = _option("Yes, people can ask me", "yes"), _option("Not right now", "no")
    open_now = profile is None or profile.open_to_mentoring
    days = profile.office_days if profile else (1, 2, 3, 4, 5)
    day_options = [_option(name, str(i + 1)) for i, name in enumerate(DAY_NAMES)]
    # Tags others use can be picked; anything new is typed. Slack caps a select at 100 options.
    pickable = list(dict.fromkeys([*(profile.tags if profile else ()), *known_tags]))[:100]
    own = set(profile.tags) if profile else set()
    tags = ", ".join(t for t in (profile.tags if profile else ()) if t not in pickable)
    suggested = not (profile and profile.tags) and bool(from_slack_profile)
    if suggested:
        tags = ", ".join(from_slack_profile)
    tags_element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ids.PROFILE_TAGS_ACTION,
        "max_length": 1000,
        "placeholder": plain("negotiation, public speaking, python", 150),
    }
    if tags:
        tags_element["initial_value"] = tags
    bio_element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ids.PROFILE_BIO_ACTION,
        "multiline": True,
        "max_length": BIO_MAX,
    }
    if profile and profile.bio:
        bio_element["initial_value"] = truncate(profile.bio, BIO_MAX)
    start = _hhmm(profile.office_start_minute if profile else None) or "09:00"
    end = _hhmm(profile.office_end_minute if profile else None) or "18:00"
    pause_element: dict[str, Any] = {"type": "datepicker", "action_id": ids.PROFILE_PAUSE_ACTION}
    if profile and profile.paused_until:
        pause_element["initial_date"] = profile.paused_until.date().isoformat()
    pick_element: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": ids.PROFILE_PICK_ACTION,
        "placeholder": plain("Pick topics", 150),
        "options": [_option(t, t) for t in pickable],
    }
    chosen = [_option(t, t) for t in pickable if t in own]
    if chosen:
        pick_element["initial_options"] = chosen
    pick = (
        [_input(ids.PROFILE_PICK_BLOCK, "Topics people already use", pick_element, optional=True)]
        if pickable
        else []
    )
    blocks: list[dict[str, Any]] = [
        section("Mentors in the directory can be found with `/mentor find` and asked directly."),
        _input(
            ids.PROFILE_OPEN_BLOCK,
            "Open to mentoring?",
            {
                "type": "radio_buttons",
                "action_id": ids.PROFILE_OPEN_ACTION,
                "options": [yes, no],
                "initial_option": yes if open_now else no,
            },
        ),
        *pick,
        _input(
            ids.PROFILE_TAGS_BLOCK,
            "Other topics you can help with" if pickable else "What can you help with?",
            tags_element,
            optional=True,
            hint=(
                "Filled in from your Slack profile: change anything before saving. "
                if suggested
                else ""
            )
            + "Comma-separated; 20 topics at most in all.",
        ),
        _input(ids.PROFILE_BIO_BLOCK, "A short bio", bio_element, optional=True),
        _input(
            ids.PROFILE_CAPACITY_BLOCK,
            "How many people can you mentor at once?",
            {
                "type": "number_input",
                "action_id": ids.PROFILE_CAPACITY_ACTION,
                "is_decimal_allowed": False,
                "min_value": "1",
                "max_value": "20",
                "initial_value": str(profile.capacity if profile else 3),
            },
        ),
        _input(
            ids.PROFILE_DAYS_BLOCK,
            "Office hours: days",
            {
                "type": "checkboxes",
                "action_id": ids.PROFILE_DAYS_ACTION,
                "options": day_options,
                "initial_options": [day_options[d - 1] for d in days],
            },
            optional=True,
        ),
        _input(
            ids.PROFILE_START_BLOCK,
            "Office hours: from",
            {"type": "timepicker", "action_id": ids.PROFILE_START_ACTION, "initial_time": start},
        ),
        _input(
            ids.PROFILE_END_BLOCK,
            "Office hours: until",
            {"type": "timepicker", "action_id": ids.PROFILE_END_ACTION, "initial_time": end},
        ),
        _input(ids.PROFILE_PAUSE_BLOCK, "Pause until", pause_element, optional=True),
        context(f"Times are in your Slack time zone ({tz_label})."),
    ]
    return {
        "type": "modal",
        "callback_id": ids.PROFILE_MODAL,
        "title": plain("Mentor profile", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps({"v": 1}),
        "blocks": blocks,
    }


def _minutes(text: Any) -> int | None:
    try:
        hours, minutes = str(text).split(":")
        return int(hours) * 60 + int(minutes)
    except ValueError:
        return None


def parse_profile_submission(view: Mapping[str, Any]) -> tuple[ProfileForm | None, dict[str, str]]:
    """The submitted profile, or inline errors keyed by block_id; never raises."""
    errors: dict[str, str] = {}
    choice = (
        input_state(view, ids.PROFILE_OPEN_BLOCK, ids.PROFILE_OPEN_ACTION).get("selected_option")
        or {}
    ).get("value")
    capacity_text = input_state(view, ids.PROFILE_CAPACITY_BLOCK, ids.PROFILE_CAPACITY_ACTION).get(
        "value"
    )
    try:
        capacity = int(str(capacity_text))
    except ValueError:
        capacity = 0
    if not 1 <= capacity <= 20:
        errors[ids.PROFILE_CAPACITY_BLOCK] = "Pick a number from 1 to 20."
    picked = (
        input_state(view, ids.PROFILE_DAYS_BLOCK, ids.PROFILE_DAYS_ACTION).get("selected_options")
        or []
    )
    days = tuple(sorted({int(o["value"]) for o in picked if str(o.get("value")).isdigit()}))
    start = _minutes(
        input_state(view, ids.PROFILE_START_BLOCK, ids.PROFILE_START_ACTION).get("selected_time")
    )
    end = _minutes(
        input_state(view, ids.PROFILE_END_BLOCK, ids.PROFILE_END_ACTION).get("selected_time")
    )
    if start is None or end is None:
        errors[ids.PROFILE_START_BLOCK] = "Pick a start and an end time."
    elif end <= start:
        errors[ids.PROFILE_END_BLOCK] = "Office hours must end after they start."
    pause_text = input_state(view, ids.PROFILE_PAUSE_BLOCK, ids.PROFILE_PAUSE_ACTION).get(
        "selected_date"
    )
    try:
        paused = date.fromisoformat(pause_text) if isinstance(pause_text, str) else None
    except ValueError:
        paused = None
        errors[ids.PROFILE_PAUSE_BLOCK] = "That date doesn't look right."
    bio = str(input_state(view, ids.PROFILE_BIO_BLOCK, ids.PROFILE_BIO_ACTION).get("value") or "")
    if len(bio.strip()) > BIO_MAX:
        errors[ids.PROFILE_BIO_BLOCK] = f"Please keep it to {BIO_MAX} characters."
    if errors:
        return None, errors
    typed = str(
        input_state(view, ids.PROFILE_TAGS_BLOCK, ids.PROFILE_TAGS_ACTION).get("value") or ""
    )
    chosen = input_state(view, ids.PROFILE_PICK_BLOCK, ids.PROFILE_PICK_ACTION).get(
        "selected_options"
    )
    tags_text = ", ".join([*(str(o.get("value")) for o in chosen or []), typed])
    return ProfileForm(
        open_to_mentoring=choice != "no",
        tags_text=tags_text,
        bio=bio.strip(),
        capacity=capacity,
        office_days=days,
        office_start_minute=start,
        office_end_minute=end,
        paused_until=paused,
    ), {}
