"""Safe text for Block Kit: escaping user input and respecting Slack's length limits."""

from __future__ import annotations

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
