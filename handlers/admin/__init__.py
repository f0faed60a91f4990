"""Admin surfaces: `/mentor settings` and `/mentor stats`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import ids
from handlers.admin.settings import settings_submitted


def register(app: AsyncApp) -> None:
    """The settings modal's submission (the commands are rows in handlers/commands/mentor.py)."""
    app.view(ids.SETTINGS_MODAL)(settings_submitted)
