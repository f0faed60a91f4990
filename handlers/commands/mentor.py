"""`/mentor`: split the text into a subcommand and its arguments, and dispatch."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.internals import set_ack_response
from bot.settings import Settings
from handlers.admin.settings import settings_command
from handlers.admin.stats import stats_command
from handlers.blocks.help import HelpEntry, build_help
from handlers.booking.sessions_cmd import sessions_command
from handlers.directory.find import find_command
from handlers.directory.profile import pause_command, profile_command, resume_command
from handlers.intros.entry import intro_command
from handlers.kit import BadArguments, SubcommandCall
from handlers.notes.history import notes_command
from handlers.privacy.export import export_command
from handlers.privacy.forget import forget_command
from handlers.requests.ask import ask_command, optin_command, optout_command
from handlers.snooze import snooze_command
from storage.store import Store

COMMAND = "/mentor"

log = logging.getLogger(__name__)


Runner = Callable[[SubcommandCall], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Subcommand:
    """A `/mentor` subcommand: its help entry and the coroutine that runs it."""

    name: str
    help: HelpEntry
    run: Runner


async def _help(call: SubcommandCall) -> None:
    # The same as `await call.ack(**build_help(...))`, minus encoding the same ~4 KB each time.
    set_ack_response(call.ack, BoltResponse(status=200, body=_plain_help()))


@functools.cache
def _plain_help() -> str:
    """The help reply as JSON: the subcommand table never changes while the bot runs."""
    return json.dumps(build_help(help_entries()))


def _entry(usage: str, summary: str, example: str) -> HelpEntry:
    return HelpEntry(usage, summary, example)


# Help lists exactly what this table holds, so it only ever shows what works.
SUBCOMMANDS: dict[str, Subcommand] = {
    sub.name: sub
    for sub in (
        Subcommand(
            "ask",
            _entry(
                "/mentor ask [@someone] [what about]",
                "Ask someone for some of their time. Leave out the name to ask the mentor pool.",
                "/mentor ask @dana I'd love your advice on my promotion case",
            ),
            ask_command,
        ),
        Subcommand(
            "profile",
            _entry(
                "/mentor profile",
                "Join the mentor directory, or edit your entry: topics, bio, capacity, hours.",
                "/mentor profile",
            ),
            profile_command,
        ),
        Subcommand(
            "find",
            _entry(
                "/mentor find <topic>",
                "Find mentors for a topic, best match first, each with an Ask button.",
                "/mentor find negotiation",
            ),
            find_command,
        ),
        Subcommand(
            "pause",
            _entry(
                "/mentor pause [days]",
                "Step out of matching for a while (or until you resume); your profile stays.",
                "/mentor pause 14",
            ),
            pause_command,
        ),
        Subcommand(
            "resume",
            _entry("/mentor resume", "Back into matching.", "/mentor resume"),
            resume_command,
        ),
        Subcommand(
            "optout",
            _entry(
                "/mentor optout",
                "Stop me offering to turn \u201cgot a minute?\u201d messages into requests.",
                "/mentor optout",
            ),
            optout_command,
        ),
        Subcommand(
            "optin",
            _entry("/mentor optin", "Turn those offers back on.", "/mentor optin"),
            optin_command,
        ),
        Subcommand(
            "snooze",
            _entry(
                "/mentor snooze [days|off]",
                "Hold my reminders and nudges (a week if you give no number). "
                "Session reminders still come.",
                "/mentor snooze 3",
            ),
            snooze_command,
        ),
        Subcommand(
            "sessions",
            _entry(
                "/mentor sessions",
                "Your upcoming sessions, with Reschedule and Cancel.",
                "/mentor sessions",
            ),
            sessions_command,
        ),
        Subcommand(
            "intro",
            _entry(
                "/mentor intro [@who needs help] [@who they should meet] [why]",
                "Introduce two people. The second says yes first; then I start a group DM.",
                "/mentor intro @sam @dana Dana ran our last two pricing launches",
            ),
            intro_command,
        ),
        Subcommand(
            "notes",
            _entry(
                "/mentor notes @someone [page]",
                "Your history with someone: sessions, your own private notes, shared action "
                "items and your 1:1s, with Log notes.",
                "/mentor notes @dana",
            ),
            notes_command,
        ),
        Subcommand(
            "settings",
            _entry(
                "/mentor settings",
                "(Admins) Workspace settings: pool channel, detection, timings, working hours, "
                "coordinators.",
                "/mentor settings",
            ),
            settings_command,
        ),
        Subcommand(
            "stats",
            _entry(
                "/mentor stats",
                "(Admins) How mentoring is going over the last 30 and 90 days; counts only.",
                "/mentor stats",
            ),
            stats_command,
        ),
        Subcommand(
            "export",
            _entry(
                "/mentor export",
                "Get your own data (profile, requests, sessions, your notes) as a file in a DM.",
                "/mentor export",
            ),
            export_command,
        ),
        Subcommand(
            "forget",
            _entry(
                "/mentor forget",
                "Delete your data, after a confirmation. Others keep their history, anonymized.",
                "/mentor forget",
            ),
            forget_command,
        ),
        Subcommand("help", _entry("/mentor help", "Show this help.", "/mentor help"), _help),
    )
}


def help_entries() -> list[HelpEntry]:
    """Every subcommand's help entry, in the order they were declared."""
    return [sub.help for sub in SUBCOMMANDS.values()]


def split_command(text: str) -> tuple[str, str]:
    """'ask <@U1> hello' -> ('ask', '<@U1> hello'); an empty text means help. Any whitespace
    ends the name: a command typed with Shift-Enter after it has a newline there."""
    parts = text.split(maxsplit=1)
    if not parts:
        return ("help", "")
    return (parts[0].lower(), parts[1].strip() if len(parts) > 1 else "")


async def mentor_command(
    ack: AsyncAck,
    respond: AsyncRespond,
    command: dict[str, Any],
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    settings: Settings,
) -> None:
    """Answer `/mentor …` within Slack's 3 seconds, privately."""
    name, args = split_command(str(command.get("text") or ""))
    sub = SUBCOMMANDS.get(name)
    if sub is None:
        log.info("unknown subcommand user=%s", command.get("user_id"))
        await ack(**build_help(help_entries(), unknown=name))
        return
    if args and sub.name != "help" and sub.help.usage == f"{COMMAND} {sub.name}":
        # "/mentor forget @bob" must not look like it deletes Bob's data: run nothing.
        problem = f"{COMMAND} {sub.name} takes nothing after it, so I didn't run it."
        await ack(**build_help(help_entries(), problem=problem))
        return
    try:
        await sub.run(SubcommandCall(ack, respond, command, args, client, store, clock, settings))
    except BadArguments as error:
        await ack(**build_help(help_entries(), problem=str(error)))
