"""What a person types, as Slack's client sends it to the bot."""

from __future__ import annotations

import re

from playground.fakeslack import BOT_USER_ID
from playground.seed import PEOPLE

_MENTION = re.compile(r"<@([\w.-]+)>|(?<![\w])@([a-z][a-z0-9_-]*)", re.IGNORECASE)


def as_typed(text: str) -> str:
    """Text as Slack's client sends what a person typed: &, < and > escaped, and @bob (or
    <@bob>, <@U2>) as the mention <@U2>; @mentorbot mentions the bot."""
    handles = {p.name: p.user_id for p in PEOPLE} | {"mentorbot": BOT_USER_ID}
    ids = set(handles.values())
    parts, last = [], 0
    for match in _MENTION.finditer(text):
        name = match.group(1) or match.group(2)
        user_id = name if name in ids else handles.get(name.lower())
        parts.append(_escape(text[last : match.start()]))
        parts.append(f"<@{user_id}>" if user_id else _escape(match.group(0)))
        last = match.end()
    return "".join(parts) + _escape(text[last:])


def _escape(text: str) -> str:
    """Slack's escaping of message text: only &, < and >."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
