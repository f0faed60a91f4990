"""`app_home_opened`: publish the Home tab."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.background import Background
from bot.clock import Clock
from bot.events import first_delivery
from bot.settings import Settings
from handlers.home.publish import publish_home
from storage.store import Store

log = logging.getLogger(__name__)


async def app_home_opened(
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    settings: Settings,
    background: Background,
) -> None:
    """Render the Home tab when its owner opens it (the Messages tab needs nothing), after the
    event is answered: a rate-limited views.publish can't hold Slack's 3 s."""
    user_id = event.get("user")
    if event.get("tab", "home") != "home" or not isinstance(user_id, str):
        return
    if not await first_delivery(store, clock, body):
        return
    team_id = str(body.get("team_id") or (body.get("team") or {}).get("id") or "")
    work = publish_home(client, store, clock, team_id=team_id, user_id=user_id, settings=settings)
    background.spawn(work, name=f"home-{user_id}")
