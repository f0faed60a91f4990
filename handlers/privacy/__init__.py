"""Your data: `/mentor export` and `/mentor forget`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import ids
from handlers.privacy.forget import forget_confirmed


def register(app: AsyncApp) -> None:
    """The forget confirmation (the commands are rows in handlers/commands/mentor.py)."""
    app.view(ids.FORGET_MODAL)(forget_confirmed)
