"""The help message for `/mentor`, built from the list of subcommands that work today."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from handlers.blocks.text import escape, header, section, truncate


@dataclass(frozen=True, slots=True)
class HelpEntry:
    """One line of help: how to call a subcommand, what it does, and an example."""

    usage: str
    summary: str
    example: str


def build_help(
    entries: Sequence[HelpEntry], *, unknown: str | None = None, problem: str | None = None
) -> dict[str, Any]:
    """The ephemeral help reply, after what went wrong: a mistyped subcommand or a bad argument."""
    blocks: list[dict[str, Any]] = []
    if problem is not None:
        blocks.append(section(f":warning: {problem}"))
    if unknown is not None:
        shown = escape(truncate(unknown, 40))
        blocks.append(section(f":warning: I don't know `/mentor {shown}`. Here is what I can do:"))
    blocks.append(header("mentorbot help"))
    blocks.append(
        section(
            "I help you turn *\u201cdo you have a few minutes?\u201d* into time with the right "
            "person, and I follow up so no request is lost. Everything I say here is only "
            "visible to you."
        )
    )
    # One section per subcommand: half the blocks of a section + context pair, and the reply
    # is built and serialised on every `/mentor help`.
    for entry in entries:
        blocks.append(section(f"*`{entry.usage}`*\n{entry.summary}\n_Example:_ `{entry.example}`"))
    # The fallback only has to say what this is (the blocks carry the detail): the usages.
    usages = ", ".join(e.usage.split(" [")[0] for e in entries)
    prefix = f"I don't know /mentor {escape(truncate(unknown, 40))}. " if unknown else ""
    prefix = f"{problem} {prefix}" if problem else prefix
    return {
        "response_type": "ephemeral",
        "text": truncate(f"{prefix}mentorbot help: {usages}", 3000),
        "blocks": blocks,
    }
