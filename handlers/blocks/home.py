"""App Home views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.blocks.help import HelpEntry
from handlers.blocks.text import context, header, section


def build_welcome_home(entries: Sequence[HelpEntry]) -> dict[str, Any]:
    """The Home tab for now: what mentorbot does and the commands that work today."""
    blocks: list[dict[str, Any]] = [
        header("Welcome to mentorbot"),
        section(
            "Most mentoring starts with *\u201cdo you have a few minutes?\u201d*. I help you turn "
            "that into time with the right person, keep your notes private, and follow up so "
            "no request gets lost."
        ),
        {"type": "divider"},
    ]
    for entry in entries:
        blocks.append(section(f"*`{entry.usage}`*: {entry.summary}"))
    blocks.append(context("Everything I show you here is visible only to you."))
    return {"type": "home", "blocks": blocks}
