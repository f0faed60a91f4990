"""Work that runs after Slack has its answer, and scheduled runs, tracked so that a stop can
wait for them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

log = logging.getLogger(__name__)


class Background:
    """Spawned tasks and in-flight handlers; `drain()` waits for both at shutdown."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run `work` after the listener returns; a failure is logged with its traceback."""
        task = asyncio.create_task(self._guard(work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def running(self, name: str) -> bool:
        """Whether work spawned under `name` is still running in this process."""
        return any(task.get_name() == name and not task.done() for task in self._tasks)

    @asynccontextmanager
    async def in_flight(self) -> AsyncIterator[None]:
        """Count a request (or a scheduled job's run) as in flight while the block runs."""
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def drain(self, seconds: float) -> None:
        """Wait up to `seconds` for in-flight requests and spawned work to finish."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=seconds)
            while self._tasks:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise TimeoutError
                await asyncio.wait(set(self._tasks), timeout=remaining)
        except TimeoutError:
            log.warning(
                "stopped with work unfinished in_flight=%d tasks=%d",
                self._in_flight,
                len(self._tasks),
            )

    @staticmethod
    async def _guard(work: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await work
        except Exception:
            log.exception("background work failed name=%s", name)
