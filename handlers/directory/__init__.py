"""The mentor directory: `/mentor profile`, `pause`, `resume`, `find` and its Ask button."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import ids
from handlers.directory.find import ask_from_find
from handlers.directory.profile import profile_submitted


def register(app: AsyncApp) -> None:
    """The profile modal's submission and the Ask button (subcommands are in the table)."""
    app.view(ids.PROFILE_MODAL)(profile_submitted)
    app.action(ids.FIND_ASK)(ask_from_find)
