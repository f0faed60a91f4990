"""Safe text for Block Kit: escaping user input and respecting Slack's length limits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# Slack's Block Kit limits that every builder must respect.
SECTION_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
MODAL_TITLE_MAX = 24
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
PRIVATE_METADATA_MAX = 3000


def escape(text: str) -> str:
    """Escape user text for mrkdwn, so nobody can inject <!channel> pings or disguised links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def clip(escaped: str, limit: int) -> str:
    """Cut already-escaped mrkdwn to `limit` characters without splitting an &entity;."""
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - 1]
    # Every & in escaped text starts an entity (&amp; is the longest), so look back 4 characters.
    amp = cut.rfind("&", max(0, len(cut) - 4))
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def escape_clip(text: str, limit: int) -> str:
    """Escape user text and cut it to `limit` characters, entities intact."""
    return clip(escape(text), limit)


def blockquote(text: str, limit: int = SECTION_TEXT_MAX) -> str:
    """User text as an escaped mrkdwn quote ("> " on every line), at most `limit` characters."""
    # Escaping first means a typed ">" can't end the quote or start markup of its own.
    lines = escape(text).split("\n")
    return clip("\n".join(f"> {line}" for line in lines), limit)


_SLACK_ID = re.compile(r"[A-Z0-9]{2,32}")


def user_mention(user_id: str) -> str:
    """`<@U…>` for a Slack user id; anything that isn't an id is shown escaped instead."""
    if _SLACK_ID.fullmatch(user_id):
        return f"<@{user_id}>"
    return escape_clip(user_id, 40)


def channel_mention(channel_id: str) -> str:
    """`<#C…>` for a Slack channel id; anything that isn't an id is shown escaped instead."""
    if _SLACK_ID.fullmatch(channel_id):
        return f"<#{channel_id}>"
    return escape_clip(channel_id, 40)


def slack_date(at: datetime) -> str:
    """A time every reader sees in their own time zone, with a UTC fallback."""
    if at.tzinfo is None:
        raise ValueError("slack_date needs a timezone-aware datetime")
    fallback = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def safe_link(url: str | None, label: str) -> str | None:
    """A mrkdwn link to an https URL we got from Slack, or None if the URL looks unsafe."""
    # Even Slack-made permalinks are checked: a | or > would let the URL rewrite the label.
    if not url or not url.startswith("https://") or len(url) > 1000:
        return None
    if any(ch in url for ch in "|<> \t\n\r"):
        return None
    return f"<{url}|{escape_clip(label, 100)}>"


def mrkdwn(text: str, limit: int = SECTION_TEXT_MAX) -> dict[str, Any]:
    """A mrkdwn text object; `text` must already be escaped where it holds user input."""
    return {"type": "mrkdwn", "text": truncate(text, limit)}


def plain(text: str, limit: int = SECTION_TEXT_MAX) -> dict[str, Any]:
    """A plain_text object (Slack never interprets markup inside it)."""
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}


def section(text: str) -> dict[str, Any]:
    """A section block of mrkdwn text."""
    return {"type": "section", "text": mrkdwn(text)}


def context(text: str) -> dict[str, Any]:
    """A context block with one line of small mrkdwn text."""
    return {"type": "context", "elements": [mrkdwn(text)]}


def header(text: str) -> dict[str, Any]:
    """A header block."""
    return {"type": "header", "text": plain(text, HEADER_TEXT_MAX)}


def button(
    text: str, action_id: str, value: str | int, style: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A button whose value is an id (handlers reload state, so nothing private rides along)."""
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, BUTTON_TEXT_MAX),
        "action_id": action_id,
        "value": str(value),
        **extra,
    }
    if style:
        element["style"] = style
    return element


def confirm_dialog(title: str, text: str, yes: str, no: str) -> dict[str, Any]:
    """The "are you sure?" dialog Slack shows before a button's click is sent."""
    return {
        "title": plain(title, 100),
        "text": plain(text, 300),
        "confirm": plain(yes, 30),
        "deny": plain(no, 30),
    }


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    """An actions block holding these elements."""
    return {"type": "actions", "elements": list(elements)}


def input_state(view: Mapping[str, Any], block_id: str, action_id: str) -> Mapping[str, Any]:
    """One input's state in a submitted view, or {} when anything on the way is missing or the
    wrong shape (a Socket Mode payload is not checked at the door)."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    block = values.get(block_id) if isinstance(values, Mapping) else None
    field = block.get(action_id) if isinstance(block, Mapping) else None
    return field if isinstance(field, Mapping) else {}


_MARKUP = re.compile(r"<([^<>]*)>")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def _readable(inside: str) -> str:
    target, _, label = inside.partition("|")
    if target.startswith("@"):
        return f"@{label}" if label else f"<{inside}>"  # no name to show: Slack's form stays
    if target.startswith("#"):
        return f"#{label}" if label else f"<{inside}>"
    if target.startswith("!"):
        special = target[1:].split("^", 1)[0]
        return label or (f"@{special}" if special in ("here", "channel", "everyone") else "")
    return f"{label} ({target})" if label and label != target else target


def plain_text_of(text: str) -> str:
    """A Slack message's text as a person reads it, for a plain-text input: `<@U1|dana>` is
    @dana, `<#C1|general>` #general, `<https://x|label>` "label (https://x)", `<!here>` @here,
    and &amp; &lt; &gt; their characters. A mention Slack sent without a name stays as sent."""
    readable = _MARKUP.sub(lambda match: _readable(match.group(1)), text)
    for entity, character in _ENTITIES:
        readable = readable.replace(entity, character)
    return readable
