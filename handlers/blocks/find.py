"""`/mentor find` results: ranked mentors with their tags, bio, local time and an Ask button."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.directory import Ranked
from bot.profile_skills import SkillMatch
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


def _ask_section(text: str, user_id: str) -> dict[str, Any]:
    return {
        "type": "section",
        "text": mrkdwn(text),
        "accessory": {
            "type": "button",
            "text": plain("Ask", 75),
            "action_id": ids.FIND_ASK,
            "value": user_id,
        },
    }


def _outside_blocks(outside: Sequence[SkillMatch]) -> list[dict[str, Any]]:
    """People whose Slack profile names the topic: after the directory, marked as outside it."""
    blocks: list[dict[str, Any]] = []
    for person in outside:
        skills = escape_clip(", ".join(person.skills), TAGS_SHOWN)
        blocks.append(_ask_section(f"{user_mention(person.user_id)} · {skills}", person.user_id))
        blocks.append(
            context(
                "not in the mentor directory · their Slack profile mentions "
                f"_{escape(person.match)}_ · they can still say no"
            )
        )
    return blocks


def build_find_results(
    topic: str,
    ranked: Sequence[Ranked],
    now: datetime,
    *,
    outside: Sequence[SkillMatch] = (),
    elsewhere: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The ephemeral answer: up to five mentors, best first, then people whose Slack profile
    names the topic; or what to do when nobody fits. `elsewhere` names the workspace of
    mentors from another workspace of the org."""
    shown = escape(truncate(topic, 100))
    if not ranked and outside:
        text = (
            f"Nobody in the mentor directory for *{shown}* yet, but these people's Slack "
            "profiles mention it:"
        )
        return {
            "response_type": "ephemeral",
            "text": f"People whose profiles mention {shown}",
            "blocks": [section(text), *_outside_blocks(outside)],
        }
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
        blocks.append(_ask_section("\n".join(lines), who.user_id))
        extra = f" · {', '.join(status)}" if status else ""
        blocks.append(context(f"{_local_time(who.tz, now)}{extra}"))
    if outside:
        blocks.append(section("Not in the directory, but their Slack profiles mention it:"))
        blocks.extend(_outside_blocks(outside))
    return {
        "response_type": "ephemeral",
        "text": f"Mentors for {shown}",
        "blocks": blocks,
    }
