"""`respond()` that posts to the response_url only after Slack has its answer.

With process_before_response=True Slack's answer waits for the listener, and Bolt's respond()
awaits the response_url (with retries, up to 30 s): a slow one held the answer for seconds.
Listeners keep calling `await respond(...)`; the replies go out afterwards, in order.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.webhook import WebhookResponse

from bot.background import Background

log = logging.getLogger(__name__)

# What a listener gets back from respond(): the reply is queued, not yet sent.
_QUEUED = 202


class ReplyLimits:
    """Bounds shared by every request: response_urls posted to at once, and replies waiting.

    Each post holds a connection for up to Bolt's 30 s; unbounded, a burst of slow or
    unreachable response_urls held thousands of them (the memory of a fuzz run grew by 40 MB).
    """

    def __init__(self, at_once: int = 16, waiting: int = 500) -> None:
        self.slots = asyncio.Semaphore(at_once)
        self.max_waiting = waiting
        self.waiting = 0


class LaterRespond(AsyncRespond):
    """Bolt's respond(), queued until `acknowledged()`; later calls are sent straight away."""

    def __init__(
        self, response_url: str | None, background: Background, limits: ReplyLimits
    ) -> None:
        super().__init__(response_url=response_url)
        self._background = background
        self._limits = limits
        self._queue: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self._acknowledged = False
        self._sending = False

    async def __call__(self, *args: Any, **kwargs: Any) -> WebhookResponse:
        """Queue a reply; Bolt's arguments. With no response_url it is logged and dropped."""
        if self.response_url is None:
            log.warning("no response_url in the payload; reply dropped")
            return WebhookResponse(url="", status_code=400, body="no response_url", headers={})
        if self._limits.waiting >= self._limits.max_waiting:
            log.warning("too many replies waiting for a response_url; reply dropped")
            return WebhookResponse(url=self.response_url, status_code=503, body="", headers={})
        self._limits.waiting += 1
        self._queue.append((args, kwargs))
        if self._acknowledged:
            self._start()
        return WebhookResponse(url=self.response_url, status_code=_QUEUED, body="", headers={})

    def acknowledged(self) -> None:
        """Slack has its answer: send what was queued."""
        self._acknowledged = True
        self._start()

    def _start(self) -> None:
        if self._queue and not self._sending:
            self._sending = True
            self._background.spawn(self._send_all(), name="respond")

    async def _send_all(self) -> None:
        try:
            while self._queue:
                args, kwargs = self._queue.pop(0)
                try:
                    async with self._limits.slots:
                        await self._send(args, kwargs)
                finally:
                    self._limits.waiting -= 1
        finally:
            self._sending = False

    async def _send(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            answer = await super().__call__(*args, **kwargs)
        except (aiohttp.ClientError, TimeoutError) as error:  # after the client's retries
            log.warning("could not post to a response_url error=%s", type(error).__name__)
            return
        if not 200 <= answer.status_code < 300:
            log.warning("a response_url refused a reply status=%d", answer.status_code)
