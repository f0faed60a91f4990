"""Admin surfaces: `/mentor settings` and `/mentor stats`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import ids


def register(app: AsyncApp) -> None:
    """The settings modal's submission (the commands are rows in handlers/commands/mentor.py)."""
    # Imported here: handlers.commands imports this package's modules, and this package is
    # imported first (alphabetically) by handlers/__init__.py.
    from handlers.admin.settings import settings_submitted

    app.view(ids.SETTINGS_MODAL)(settings_submitted)
