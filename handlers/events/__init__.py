"""Events API listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.events.home import app_home_opened
from handlers.events.mention import app_mention


def register(app: AsyncApp) -> None:
    """Attach every event listener (the catch-all lives in handlers.fallback)."""
    app.event("app_home_opened")(app_home_opened)
    app.event("app_mention")(app_mention)
