"""`/mentor`: split the text into a subcommand and its arguments, and dispatch."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from handlers.blocks.help import HelpEntry, build_help

COMMAND = "/mentor"

log = logging.getLogger(__name__)

Runner = Callable[[AsyncAck, dict[str, Any], str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Subcommand:
    """A `/mentor` subcommand: its help entry and the coroutine that runs it."""

    name: str
    help: HelpEntry
    run: Runner


async def _help(ack: AsyncAck, command: dict[str, Any], args: str) -> None:
    await ack(**build_help(help_entries()))


# Help lists exactly what this table holds, so it only ever shows what works.
SUBCOMMANDS: dict[str, Subcommand] = {
    "help": Subcommand(
        "help",
        HelpEntry("/mentor help", "Show this help.", "/mentor help"),
        _help,
    ),
}


def help_entries() -> list[HelpEntry]:
    """Every subcommand's help entry, in the order they were declared."""
    return [sub.help for sub in SUBCOMMANDS.values()]


def split_command(text: str) -> tuple[str, str]:
    """'ask <@U1> hello' -> ('ask', '<@U1> hello'); an empty text means help."""
    name, _, rest = text.strip().partition(" ")
    return (name.lower() or "help", rest.strip())


async def mentor_command(ack: AsyncAck, command: dict[str, Any]) -> None:
    """Answer `/mentor …` within Slack's 3 seconds, privately."""
    name, args = split_command(str(command.get("text") or ""))
    sub = SUBCOMMANDS.get(name)
    if sub is None:
        log.info("unknown subcommand user=%s", command.get("user_id"))
        await ack(**build_help(help_entries(), unknown=name))
        return
    await sub.run(ack, command, args)
