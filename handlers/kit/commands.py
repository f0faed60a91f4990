"""What a `/mentor` subcommand gets, and the people it names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.requests import MentorFacts
from bot.settings import Settings
from bot.slack_client import user_info
from storage.store import Store

_LEADING_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>[\s,:]*")


def leading_mention(args: str) -> tuple[str | None, str]:
    """'<@U1|dana> can we talk?' -> ('U1', 'can we talk?'); no leading mention -> (None, args)."""
    match = _LEADING_MENTION.match(args.strip())
    if match is None:
        return None, args.strip()
    return match.group(1), args.strip()[match.end() :].strip()


async def mentor_facts(client: AsyncWebClient, user_id: str) -> MentorFacts:
    """What users.info says about a chosen mentor; someone Slack can't find counts as gone."""
    try:
        user = await user_info(client, user_id)
    except SlackApiError as error:
        if error.response.get("error") in ("user_not_found", "users_not_found"):
            return MentorFacts(user_id=user_id, deleted=True)
        raise
    if user is None:
        return MentorFacts(user_id=user_id)  # Slack is slow: delivery will find out the rest
    name = (user.get("profile") or {}).get("display_name") or user.get("real_name") or ""
    return MentorFacts(
        user_id=user_id,
        name=str(name),
        is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
        deleted=bool(user.get("deleted")),
        teams=_teams_of(user),
    )


def _teams_of(user: dict[str, Any]) -> tuple[str, ...]:
    """On Enterprise Grid, the workspaces of the org the person is in (users.info's
    `enterprise_user.teams`, and their own); () elsewhere, where nothing is checked."""
    grid = user.get("enterprise_user")
    if not isinstance(grid, dict):
        return ()
    listed = grid.get("teams")
    found = [user.get("team_id"), *(listed if isinstance(listed, list) else [])]
    return tuple(dict.fromkeys(str(team) for team in found if isinstance(team, str) and team))


@dataclass(frozen=True, slots=True)
class SubcommandCall:
    """Everything a subcommand may need: the command payload, its arguments and the services."""

    ack: AsyncAck
    respond: AsyncRespond
    command: dict[str, Any]
    args: str
    client: AsyncWebClient
    store: Store
    clock: Clock
    settings: Settings

    @property
    def user_id(self) -> str:
        return str(self.command.get("user_id") or "")

    @property
    def team_id(self) -> str:
        return str(self.command.get("team_id") or "")


class BadArguments(Exception):
    """A subcommand's arguments are wrong; the message is shown before the help."""
