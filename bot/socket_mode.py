"""Socket Mode's handler, imported only when SLACK_APP_TOKEN is set: slack_sdk's Socket Mode
client and Bolt's adapter are ~24 modules that an HTTP-mode server never needs."""

from __future__ import annotations

from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.background import Background


class TrackedSocketModeHandler(AsyncSocketModeHandler):
    """Socket Mode requests count as in flight, so a stop waits for them like HTTP ones."""

    def __init__(self, app: AsyncApp, app_token: str, background: Background) -> None:
        super().__init__(app, app_token)
        self._background = background

    async def handle(self, client: Any, req: Any) -> None:
        async with self._background.in_flight():
            await super().handle(client, req)
