"""The ephemeral "turn this into a mentoring request?" prompt and what replaces it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from handlers.blocks.text import button, context, section, user_mention
from handlers.ids import PROMPT_CREATE, PROMPT_DISMISS, PROMPT_OPT_OUT

# Slack caps a button's value at 2000 characters; ids and timestamps are far shorter.
BUTTON_VALUE_MAX = 2000
_FIELD_MAX = 64


@dataclass(frozen=True, slots=True)
class PromptContext:
    """What Create request needs to prefill the modal.

    The asker's own words ride along (cut to fit a button value): the prompt is visible only to
    them, and this spares a history read, and its scope, when they click.
    """

    channel_id: str
    message_ts: str
    thread_ts: str | None = None
    target_id: str | None = None
    text: str = ""


def _short(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= _FIELD_MAX else None


def prompt_value(prompt: PromptContext) -> str:
    """The compact JSON the prompt's buttons carry."""
    data = {"c": prompt.channel_id, "m": prompt.message_ts}
    if prompt.thread_ts:
        data["t"] = prompt.thread_ts
    if prompt.target_id:
        data["u"] = prompt.target_id
    value = json.dumps(data, separators=(",", ":"))
    if len(value) > BUTTON_VALUE_MAX:
        raise ValueError("prompt ids are too long for a button value")
    text = prompt.text[: BUTTON_VALUE_MAX - len(value)]
    while text:
        with_text = json.dumps({**data, "x": text}, separators=(",", ":"), ensure_ascii=False)
        if len(with_text) <= BUTTON_VALUE_MAX:
            return with_text
        # Escapes (quotes, newlines) grew it: cut by the overshoot and try again.
        text = text[: len(text) - (len(with_text) - BUTTON_VALUE_MAX) // 2 - 1]
    return value


def parse_prompt_value(value: str | None) -> PromptContext | None:
    """Read a prompt button's value back; None if it is missing or malformed."""
    try:
        data = json.loads(value or "")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    channel_id, message_ts = _short(data.get("c")), _short(data.get("m"))
    if channel_id is None or message_ts is None:
        return None
    text = data.get("x")
    if not isinstance(text, str):
        text = ""
    return PromptContext(channel_id, message_ts, _short(data.get("t")), _short(data.get("u")), text)


def build_ask_prompt(
    *,
    target_id: str | None,
    channel_id: str,
    message_ts: str,
    thread_ts: str | None,
    asked_text: str = "",
) -> dict[str, Any]:
    """The ephemeral offer to the asker, posted in the same channel and thread."""
    who = user_mention(target_id) if target_id else "the right person"
    text = (
        f"Want to turn this into a mentoring request? I can help you book time with {who} "
        "and follow up."
    )
    value = prompt_value(PromptContext(channel_id, message_ts, thread_ts, target_id, asked_text))
    return {
        "text": text,
        "blocks": [
            section(f":wave: {text}"),
            {
                "type": "actions",
                "elements": [
                    button("Create request", PROMPT_CREATE, value, "primary"),
                    # Their listeners read nothing from the value: the asked text rides once.
                    button("Not now", PROMPT_DISMISS, message_ts),
                    button("Don't ask again", PROMPT_OPT_OUT, message_ts),
                ],
            },
            context("Only you can see this."),
        ],
    }


def _replacement(text: str) -> dict[str, Any]:
    # Sent to the ephemeral message's response_url; it swaps the prompt for one quiet line.
    return {"replace_original": True, "text": text, "blocks": [context(text)]}


def build_prompt_dismissed() -> dict[str, Any]:
    """What the prompt becomes after "Not now"."""
    return _replacement("OK, not now. I'm here if you need me: `/mentor ask`.")


def build_prompt_opened() -> dict[str, Any]:
    """What the prompt becomes once "Create request" opened the modal."""
    return _replacement("I opened the request form for you.")


def build_opted_out_notice() -> dict[str, Any]:
    """What the prompt becomes after "Don't ask again"."""
    return _replacement("OK, I won't ask again. `/mentor optin` turns these back on.")
