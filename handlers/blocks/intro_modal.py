"""The intro modal ("Introduce people") and pure parsing of what comes back."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.intros import NOTE_MAX, WHY_MAX, WHY_MIN, why_problem
from bot.requests import TOPIC_LABELS
from handlers import ids
from handlers.blocks.request_modal import input_block, selected_user, short_id, text_value
from handlers.blocks.text import (
    MODAL_TITLE_MAX,
    blockquote,
    context,
    escape_clip,
    plain,
    section,
    truncate,
    user_mention,
)
from storage.models import Request

# The passed-on request is context, not the point: a glimpse of its details is enough.
_REQUEST_SHOWN = 1200
_TAGS_SHOWN = 600


@dataclass(frozen=True, slots=True)
class IntroPrefill:
    """What the intro modal opens with (or is rebuilt with after a choice or a warning)."""

    mentee_id: str | None = None
    expert_id: str | None = None
    why: str = ""
    note: str = ""
    from_request: Request | None = None
    # The chosen expert's directory tags; None when there is no expert or no profile.
    expert_tags: Sequence[str] | None = None
    # A duplicate the introducer was warned about: (mentee, expert) and the line to show.
    warned_pair: tuple[str, str] | None = None
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class IntroForm:
    """A valid intro-modal submission."""

    mentee_id: str
    expert_id: str
    why: str
    note: str | None
    from_request_id: int | None
    warned_pair: tuple[str, str] | None


def _metadata(prefill: IntroPrefill) -> str:
    data: dict[str, Any] = {}
    if prefill.from_request is not None:
        data["r"] = prefill.from_request.id
    if prefill.warned_pair is not None:
        data["w"] = list(prefill.warned_pair)
    # Two short ids and a number: far below Slack's 3000 characters.
    return json.dumps(data, separators=(",", ":"))


def read_intro_metadata(raw: Any) -> tuple[int | None, tuple[str, str] | None]:
    """(the request passed on, the pair already warned about) from private_metadata."""
    try:
        data = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    raw_id = data.get("r")
    # Slack hands the metadata back untouched, but an id still has to fit SQLite's integer.
    request_id = raw_id if type(raw_id) is int and 0 < raw_id < 2**63 else None
    pair = data.get("w")
    warned = None
    if isinstance(pair, list) and len(pair) == 2:
        mentee, expert = short_id(pair[0]), short_id(pair[1])
        warned = (mentee, expert) if mentee and expert else None
    return request_id, warned


def _users_select(action_id: str, initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "users_select",
        "action_id": action_id,
        "placeholder": plain("Pick a person", 150),
    }
    if short_id(initial):
        element["initial_user"] = initial
    return element


def _text_input(action_id: str, initial: str, *, low: int, high: int) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": True,
        "max_length": high,
    }
    if low:
        element["min_length"] = low
    if initial.strip():
        element["initial_value"] = truncate(initial.strip(), high)
    return element


def _request_context(request: Request) -> dict[str, Any]:
    topic = TOPIC_LABELS.get(request.topic, request.topic.value)
    lead = f"Passing on {user_mention(request.mentee_id)}'s request about *{topic}*:"
    return section(f"{lead}\n{blockquote(request.details, _REQUEST_SHOWN)}")


def _expert_line(expert_id: str, tags: Sequence[str] | None) -> dict[str, Any]:
    if not tags:
        return context(f"{user_mention(expert_id)} isn't in the mentor directory.")
    shown = escape_clip(", ".join(tags), _TAGS_SHOWN)
    return context(f"{user_mention(expert_id)} knows about: {shown}")


def build_intro_modal(prefill: IntroPrefill) -> dict[str, Any]:
    """Who needs help, who they should meet, why, and an optional note."""
    blocks: list[dict[str, Any]] = []
    if prefill.from_request is not None:
        blocks.append(_request_context(prefill.from_request))
    blocks.append(
        input_block(
            ids.INTRO_MENTEE_BLOCK,
            "Who needs help?",
            _users_select(ids.INTRO_MENTEE_ACTION, prefill.mentee_id),
        )
    )
    expert = input_block(
        ids.INTRO_EXPERT_BLOCK,
        "Who should they meet?",
        _users_select(ids.INTRO_EXPERT_ACTION, prefill.expert_id),
    )
    # Choosing the expert sends a block action, so the modal can show their tags.
    blocks.append({**expert, "dispatch_action": True})
    if prefill.expert_id:
        blocks.append(_expert_line(prefill.expert_id, prefill.expert_tags))
    if prefill.warning:
        blocks.append(section(f":warning: {prefill.warning}"))
    blocks.append(
        input_block(
            ids.INTRO_WHY_BLOCK,
            "Why this connection?",
            _text_input(ids.INTRO_WHY_ACTION, prefill.why, low=WHY_MIN, high=WHY_MAX),
        )
    )
    blocks.append(
        input_block(
            ids.INTRO_NOTE_BLOCK,
            "A note for them both",
            _text_input(ids.INTRO_NOTE_ACTION, prefill.note, low=0, high=NOTE_MAX),
            optional=True,
        )
    )
    blocks.append(
        context(
            "I ask the person they should meet first. The one who needs help hears nothing "
            "unless they say yes."
        )
    )
    return {
        "type": "modal",
        "callback_id": ids.INTRO_MODAL,
        "title": plain("Introduce people", MODAL_TITLE_MAX),
        "submit": plain("Ask them", MODAL_TITLE_MAX),
        "close": plain("Cancel", MODAL_TITLE_MAX),
        "private_metadata": _metadata(prefill),
        "blocks": blocks,
    }


def intro_choices(view: Mapping[str, Any]) -> tuple[str | None, str | None, str, str]:
    """(mentee, expert, why, note) as the person has filled them in so far."""
    mentee = selected_user(view, ids.INTRO_MENTEE_BLOCK, ids.INTRO_MENTEE_ACTION)
    expert = selected_user(view, ids.INTRO_EXPERT_BLOCK, ids.INTRO_EXPERT_ACTION)
    why = (text_value(view, ids.INTRO_WHY_BLOCK, ids.INTRO_WHY_ACTION) or "").strip()
    note = (text_value(view, ids.INTRO_NOTE_BLOCK, ids.INTRO_NOTE_ACTION) or "").strip()
    return mentee, expert, why, note


def parse_intro_submission(view: Mapping[str, Any]) -> tuple[IntroForm | None, dict[str, str]]:
    """An IntroForm, or errors keyed by block_id; checks only what the view itself tells."""
    mentee, expert, why, note = intro_choices(view)
    errors: dict[str, str] = {}
    if mentee is None:
        errors[ids.INTRO_MENTEE_BLOCK] = "Please pick who needs help."
    if expert is None:
        errors[ids.INTRO_EXPERT_BLOCK] = "Please pick who they should meet."
    problem = why_problem(why)
    if problem:
        errors[ids.INTRO_WHY_BLOCK] = problem
    if len(note) > NOTE_MAX:
        errors[ids.INTRO_NOTE_BLOCK] = f"Please keep the note to {NOTE_MAX:,} characters or fewer."
    if errors or mentee is None or expert is None:
        return None, errors
    request_id, warned = read_intro_metadata(view.get("private_metadata"))
    return IntroForm(mentee, expert, why, note or None, request_id, warned), {}
