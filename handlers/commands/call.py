"""What a `/mentor` subcommand gets: the command payload, its arguments and the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.settings import Settings
from storage.store import Store


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
