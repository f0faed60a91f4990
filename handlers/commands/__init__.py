"""Slash commands: `/mentor` and its subcommands."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.commands.mentor import COMMAND, mentor_command


def register(app: AsyncApp) -> None:
    """Attach every slash command listener."""
    app.command(COMMAND)(mentor_command)
