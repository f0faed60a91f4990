"""The request modal, the decline modal, and pure parsing of what comes back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from bot.requests import (
    DEFAULT_DURATION,
    DEFAULT_URGENCY,
    DURATIONS,
    MAX_DETAILS,
    MIN_DETAILS,
    TOPIC_LABELS,
    URGENCY_LABELS,
    MentorFacts,
    details_problem,
    mentor_problem,
)
from handlers import ids
from handlers.blocks.text import (
    MODAL_TITLE_MAX,
    context,
    input_state,
    plain,
    safe_link,
    section,
    truncate,
    user_mention,
)
from storage.models import RequestSource, Topic, Urgency
from storage.requests import NewRequest

DECLINE_REASON_MAX = 1000
# Slack ids and message timestamps are ~10-20 characters; anything longer isn't one.
_ID_MAX = 64

_E = TypeVar("_E", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class RequestPrefill:
    """What the request modal opens with: from `/mentor ask`, the shortcut or the prompt."""

    mentor_id: str | None = None
    details: str = ""
    topic: Topic | None = None
    duration_minutes: int = DEFAULT_DURATION
    urgency: Urgency = DEFAULT_URGENCY
    origin_channel_id: str | None = None
    origin_ts: str | None = None
    origin_permalink: str | None = None
    source: RequestSource = RequestSource.COMMAND
    checkin_id: int | None = None  # "Could use another chat": the check-in it follows up
    anonymous_allowed: bool = False  # the workspace lets pool asks leave out the name


@dataclass(frozen=True, slots=True)
class RequestForm:
    """A valid request-modal submission; field names match storage.models.Request."""

    mentor_id: str | None
    topic: Topic
    details: str
    duration_minutes: int
    urgency: Urgency
    source: RequestSource = RequestSource.COMMAND
    origin_channel_id: str | None = None
    origin_ts: str | None = None
    origin_permalink: str | None = None
    checkin_id: int | None = None
    anonymous: bool = False
    via_workflow: bool = False  # set by the Workflow Builder step, never by the modal

    def draft(self, team_id: str, mentee_id: str) -> NewRequest:
        """The request to store, as this form asks for it."""
        return NewRequest(
            team_id=team_id,
            mentee_id=mentee_id,
            mentor_id=self.mentor_id,
            topic=self.topic,
            details=self.details,
            duration_minutes=self.duration_minutes,
            urgency=self.urgency,
            source=self.source,
            origin_channel_id=self.origin_channel_id,
            origin_ts=self.origin_ts,
            origin_permalink=self.origin_permalink,
            anonymous=self.anonymous,
            via_workflow=self.via_workflow,
        )


ANONYMOUS_LABEL = "Post to the mentor pool without my name"
ANONYMOUS_NAMED = (
    "A person you pick always sees who is asking. Leave the first field empty to ask the "
    "mentor pool without your name, or untick this."
)


def _anonymous_block() -> dict[str, Any]:
    option = {"text": plain(ANONYMOUS_LABEL, 75), "value": ids.REQUEST_ANONYMOUS_VALUE}
    return {
        **input_block(
            ids.REQUEST_ANONYMOUS_BLOCK,
            "Your name",
            {"type": "checkboxes", "action_id": ids.REQUEST_ANONYMOUS_ACTION, "options": [option]},
            optional=True,
        ),
        "hint": plain(
            "Only for the mentor pool. Mentors see the topic and your words, never your name "
            "or where you asked, until you choose to reveal yourself to one who offers.",
            2000,
        ),
    }


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": plain(label, 75), "value": value}


def _select(action_id: str, options: list[dict[str, Any]], initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": plain("Choose one", 150),
        "options": options,
    }
    chosen = [option for option in options if option["value"] == initial]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def input_block(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    """An input block holding one element."""
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": element,
        "optional": optional,
    }


def _member(kind: type[_E], value: Any) -> _E | None:
    """The enum member spelled `value`, or None for anything else."""
    try:
        return kind(value) if isinstance(value, str) else None
    except ValueError:
        return None


def short_id(value: Any) -> str | None:
    """A Slack id or ts as a non-empty short string, or None for anything else."""
    return value if isinstance(value, str) and 0 < len(value) <= _ID_MAX else None


def request_metadata(prefill: RequestPrefill) -> str:
    """The modal's private_metadata: origin and source as compact JSON, within Slack's limit."""
    data: dict[str, str] = {"s": prefill.source.value}
    channel_id, ts = short_id(prefill.origin_channel_id), short_id(prefill.origin_ts)
    if channel_id and ts:
        data |= {"c": channel_id, "m": ts}
        # A cut URL is a broken link, so the permalink goes whole or not at all: safe_link
        # refuses URLs over 1000 characters, which keeps the JSON far below the limit.
        if prefill.origin_permalink and safe_link(prefill.origin_permalink, "x"):
            data["p"] = prefill.origin_permalink
    if prefill.checkin_id is not None:
        data["k"] = str(prefill.checkin_id)
    # Ids are capped at _ID_MAX too, so this stays within PRIVATE_METADATA_MAX.
    return json.dumps(data, separators=(",", ":"))


def _read_metadata(raw: Any) -> dict[str, Any]:
    """Origin fields and source from private_metadata; garbage reads as no origin, a command."""
    result: dict[str, Any] = {"source": RequestSource.COMMAND}
    try:
        data = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return result
    result["source"] = _member(RequestSource, data.get("s")) or RequestSource.COMMAND
    channel_id, ts = short_id(data.get("c")), short_id(data.get("m"))
    if channel_id and ts:
        permalink = data.get("p") if isinstance(data.get("p"), str) else None
        result |= {
            "origin_channel_id": channel_id,
            "origin_ts": ts,
            "origin_permalink": permalink if safe_link(permalink, "x") else None,
        }
    checkin = data.get("k")
    if isinstance(checkin, str) and checkin.isascii() and checkin.isdigit() and len(checkin) < 19:
        result["checkin_id"] = int(checkin)
    return result


def build_request_modal(prefill: RequestPrefill) -> dict[str, Any]:
    """The "Ask for mentoring" modal, prefilled; origin and source ride in private_metadata."""
    mentor: dict[str, Any] = {
        "type": "users_select",
        "action_id": ids.REQUEST_MENTOR_ACTION,
        "placeholder": plain("Pick a person", 150),
    }
    if short_id(prefill.mentor_id):
        mentor["initial_user"] = prefill.mentor_id
    details: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ids.REQUEST_DETAILS_ACTION,
        "multiline": True,
        "min_length": MIN_DETAILS,
        "max_length": MAX_DETAILS,
        "placeholder": plain("What would you like to talk about? A few sentences help.", 150),
    }
    if prefill.details.strip():
        details["initial_value"] = truncate(prefill.details.strip(), MAX_DETAILS)
    blocks: list[dict[str, Any]] = [
        {
            **input_block(
                ids.REQUEST_MENTOR_BLOCK, "Who would you like to talk to?", mentor, optional=True
            ),
            "hint": plain("Leave empty to ask the mentor pool", 2000),
        },
        input_block(
            ids.REQUEST_TOPIC_BLOCK,
            "What is it about?",
            _select(
                ids.REQUEST_TOPIC_ACTION,
                [_option(TOPIC_LABELS[topic], topic.value) for topic in Topic],
                prefill.topic.value if prefill.topic else None,
            ),
        ),
        input_block(ids.REQUEST_DETAILS_BLOCK, "What's on your mind?", details),
        input_block(
            ids.REQUEST_DURATION_BLOCK,
            "How much time?",
            _select(
                ids.REQUEST_DURATION_ACTION,
                [_option(f"{minutes} minutes", str(minutes)) for minutes in DURATIONS],
                # A duration we no longer offer falls back to the default, never to no choice.
                str(
                    prefill.duration_minutes
                    if prefill.duration_minutes in DURATIONS
                    else DEFAULT_DURATION
                ),
            ),
        ),
        input_block(
            ids.REQUEST_URGENCY_BLOCK,
            "When?",
            _select(
                ids.REQUEST_URGENCY_ACTION,
                [_option(URGENCY_LABELS[urgency], urgency.value) for urgency in Urgency],
                prefill.urgency.value,
            ),
        ),
    ]
    if prefill.anonymous_allowed:
        blocks.append(_anonymous_block())
    link = safe_link(prefill.origin_permalink, "the original message")
    if link and prefill.origin_channel_id and prefill.origin_ts:
        blocks.append(context(f"I'll include a link to {link}."))
    blocks.append(context("Only the person you pick (or the mentor pool) will see this."))
    return {
        "type": "modal",
        "callback_id": ids.REQUEST_MODAL,
        "title": plain("Ask for mentoring", MODAL_TITLE_MAX),
        "submit": plain("Send request", MODAL_TITLE_MAX),
        "close": plain("Cancel", MODAL_TITLE_MAX),
        "private_metadata": request_metadata(prefill),
        "blocks": blocks,
    }


def _selected_value(view: Mapping[str, Any], block_id: str, action_id: str) -> str | None:
    option = input_state(view, block_id, action_id).get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) else None


def text_value(view: Mapping[str, Any], block_id: str, action_id: str) -> str | None:
    """A text input's value from view.state, or None."""
    value = input_state(view, block_id, action_id).get("value")
    return value if isinstance(value, str) else None


def selected_user(view: Mapping[str, Any], block_id: str, action_id: str) -> str | None:
    """A users_select's chosen user from view.state, or None."""
    return short_id(input_state(view, block_id, action_id).get("selected_user"))


def _ticked(view: Mapping[str, Any], block_id: str, action_id: str, value: str) -> bool:
    """Whether the checkbox with `value` came back ticked."""
    chosen = input_state(view, block_id, action_id).get("selected_options")
    return isinstance(chosen, list) and any(
        isinstance(option, Mapping) and option.get("value") == value for option in chosen
    )


def parse_request_submission(
    view: Mapping[str, Any], *, submitter_id: str | None = None
) -> tuple[RequestForm | None, dict[str, str]]:
    """A view_submission as a RequestForm, or errors keyed by block_id; never raises."""
    errors: dict[str, str] = {}
    mentor_id = selected_user(view, ids.REQUEST_MENTOR_BLOCK, ids.REQUEST_MENTOR_ACTION)
    # Only "not yourself" can be told from the view; the handler checks bots, pauses, capacity.
    if mentor_id is not None and submitter_id is not None:
        problem = mentor_problem(submitter_id, MentorFacts(user_id=mentor_id))
        if problem:
            errors[ids.REQUEST_MENTOR_BLOCK] = problem

    topic = _member(Topic, _selected_value(view, ids.REQUEST_TOPIC_BLOCK, ids.REQUEST_TOPIC_ACTION))
    if topic is None:
        errors[ids.REQUEST_TOPIC_BLOCK] = "Please pick what it's about."

    details = (
        text_value(view, ids.REQUEST_DETAILS_BLOCK, ids.REQUEST_DETAILS_ACTION) or ""
    ).strip()
    details_error = details_problem(details)
    if details_error:
        errors[ids.REQUEST_DETAILS_BLOCK] = details_error

    raw_duration = _selected_value(view, ids.REQUEST_DURATION_BLOCK, ids.REQUEST_DURATION_ACTION)
    duration = next((d for d in DURATIONS if str(d) == raw_duration), None)
    if duration is None:
        errors[ids.REQUEST_DURATION_BLOCK] = "Please pick how much time you need."

    urgency = _member(
        Urgency, _selected_value(view, ids.REQUEST_URGENCY_BLOCK, ids.REQUEST_URGENCY_ACTION)
    )
    if urgency is None:
        errors[ids.REQUEST_URGENCY_BLOCK] = "Please pick when you'd like to talk."

    anonymous = _ticked(
        view, ids.REQUEST_ANONYMOUS_BLOCK, ids.REQUEST_ANONYMOUS_ACTION, ids.REQUEST_ANONYMOUS_VALUE
    )
    if anonymous and mentor_id is not None:
        errors[ids.REQUEST_ANONYMOUS_BLOCK] = ANONYMOUS_NAMED

    if errors or topic is None or duration is None or urgency is None:
        return None, errors
    origin = _read_metadata(view.get("private_metadata"))
    form = RequestForm(
        mentor_id=mentor_id,
        topic=topic,
        details=details,
        duration_minutes=duration,
        urgency=urgency,
        anonymous=anonymous,
        **origin,
    )
    return form, {}


def _request_id_metadata(view: Mapping[str, Any]) -> int:
    raw = view.get("private_metadata")
    if not isinstance(raw, str) or not (raw.isascii() and raw.isdigit()):
        raise ValueError("this view's private_metadata is not a request id")
    return int(raw)


def build_decline_modal(request_id: int, *, mentee_id: str | None = None) -> dict[str, Any]:
    """Decline with an optional reason that stays private unless the mentor ticks the box."""
    who = user_mention(mentee_id) if mentee_id else "the person who asked"
    share_option = {
        "text": {"type": "mrkdwn", "text": f"Share the reason with {who}"},
        "value": ids.DECLINE_SHARE_VALUE,
    }
    return {
        "type": "modal",
        "callback_id": ids.DECLINE_MODAL,
        "title": plain("Decline request", MODAL_TITLE_MAX),
        "submit": plain("Decline", MODAL_TITLE_MAX),
        "close": plain("Back", MODAL_TITLE_MAX),
        "private_metadata": str(request_id),
        "blocks": [
            section(
                "No problem: saying no kindly is better than leaving someone waiting. I'll let "
                f"{who} know and offer them the mentor pool."
            ),
            input_block(
                ids.DECLINE_REASON_BLOCK,
                "Reason",
                {
                    "type": "plain_text_input",
                    "action_id": ids.DECLINE_REASON_ACTION,
                    "multiline": True,
                    "max_length": DECLINE_REASON_MAX,
                },
                optional=True,
            ),
            input_block(
                ids.DECLINE_SHARE_BLOCK,
                "Privacy",
                {
                    "type": "checkboxes",
                    "action_id": ids.DECLINE_SHARE_ACTION,
                    "options": [share_option],
                },
                optional=True,
            ),
            context("Unless you tick the box, your reason stays private to you."),
        ],
    }


def parse_decline_submission(view: Mapping[str, Any]) -> tuple[int, str | None, bool]:
    """(request id, reason or None, share with the mentee?); ValueError if not our view."""
    request_id = _request_id_metadata(view)
    reason = (text_value(view, ids.DECLINE_REASON_BLOCK, ids.DECLINE_REASON_ACTION) or "").strip()
    chosen = input_state(view, ids.DECLINE_SHARE_BLOCK, ids.DECLINE_SHARE_ACTION).get(
        "selected_options"
    )
    share = isinstance(chosen, list) and any(
        isinstance(option, Mapping) and option.get("value") == ids.DECLINE_SHARE_VALUE
        for option in chosen
    )
    # Nothing to share without a reason, so "share" only means something alongside one.
    text = truncate(reason, DECLINE_REASON_MAX) if reason else None
    return request_id, text, share and text is not None
