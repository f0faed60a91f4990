"""`/mentor find` results: ranked mentors with their tags, bio, local time and an Ask button."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.directory import Ranked
from handlers import ids
from handlers.blocks.text import (
    context,
    escape,
    escape_clip,
    mrkdwn,
    plain,
    section,
    truncate,
    user_mention,
)

BIO_SHOWN = 300
# Escaping can make text four times longer ("<" is "&lt;"), so the escaped text is what gets
# cut: tags and bio together stay inside a section's 3000 characters.
TAGS_SHOWN = 1200


def _local_time(tz: str | None, now: datetime) -> str:
    if not tz:
        return "local time unknown"
    try:
        return f"{now.astimezone(ZoneInfo(tz)):%H:%M} for them"
    except (ZoneInfoNotFoundError, ValueError):
        return "local time unknown"


def build_find_results(
    topic: str,
    ranked: Sequence[Ranked],
    now: datetime,
    *,
    elsewhere: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The ephemeral answer: up to five mentors, best first, or what to do when none fits;
    `elsewhere` names the workspace of mentors from another workspace of the org."""
    shown = escape(truncate(topic, 100))
    if not ranked:
        text = (
            f"I couldn't find a mentor for *{shown}* yet. You can still ask: "
            "`/mentor ask` without a name sends your request to the mentor pool. If you know "
            "someone who knows, `/mentor intro` asks them to meet whoever needs the help."
        )
        return {"response_type": "ephemeral", "text": text, "blocks": [section(text)]}
    blocks: list[dict[str, Any]] = [section(f"Mentors for *{shown}*, best match first:")]
    for item in ranked:
        who = item.candidate
        tags = escape_clip(", ".join(who.tags), TAGS_SHOWN) or "no tags yet"
        status = []
        if who.paused:
            status.append("paused")
        if not who.has_capacity:
            status.append("at capacity")
        bio = escape_clip(truncate(who.bio, BIO_SHOWN), TAGS_SHOWN) if who.bio else ""
        workspace = (elsewhere or {}).get(who.user_id)
        where = f" · _in {escape(truncate(workspace, 80))}_" if workspace else ""
        lines = [f"{user_mention(who.user_id)}{where} · {tags}"]
        if bio:
            lines.append(bio)
        blocks.append(
            {
                "type": "section",
                "text": mrkdwn("\n".join(lines)),
                "accessory": {
                    "type": "button",
                    "text": plain("Ask", 75),
                    "action_id": ids.FIND_ASK,
                    "value": who.user_id,
                },
            }
        )
        extra = f" · {', '.join(status)}" if status else ""
        blocks.append(context(f"{_local_time(who.tz, now)}{extra}"))
    return {
        "response_type": "ephemeral",
        "text": f"Mentors for {shown}",
        "blocks": blocks,
    }
