"""Pauses of the test process itself, which hosts the fake Slack: a paused fake takes in the
posts a paced dispatcher sent during the pause all at once, and its rate limit then refuses
one that was sent on time. A test that bounds a dispatcher's pace measures these pauses and
keeps the garbage collector from causing them."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

TICK = 0.01


@dataclass
class Stalls:
    """The longest the event loop was late, and the garbage collections seen, with when."""

    longest_lag: float = 0.0
    lag_at: float = 0.0
    collections: list[tuple[float, int, float]] = field(default_factory=list)  # at, gen, s

    def longest_collection(self) -> float:
        return max((seconds for _, _, seconds in self.collections), default=0.0)

    def summary(self) -> str:
        full = sum(1 for _, generation, _ in self.collections if generation == 2)
        return (
            f"loop late by {self.longest_lag:.3f} s at most; {len(self.collections)} "
            f"collections ({full} full), the longest {self.longest_collection():.3f} s"
        )


@asynccontextmanager
async def watched(*, freeze: bool = True) -> AsyncIterator[Stalls]:
    """Watch the running loop for lateness and time each collection. With `freeze`, the
    objects alive now (the rest of the test session's) leave the collector's view for the
    duration, so a full collection scans only what this test makes: late in a long session
    that heap is large, and one full collection paused the fake for most of a second."""
    stalls = Stalls()
    started: dict[str, float] = {}

    def timed(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started["at"] = time.perf_counter()
        elif "at" in started:
            seconds = time.perf_counter() - started.pop("at")
            stalls.collections.append((time.time(), int(info["generation"]), seconds))

    async def tick() -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            late = time.perf_counter() - before - TICK
            if late > stalls.longest_lag:
                stalls.longest_lag, stalls.lag_at = late, time.time()

    if freeze:
        gc.collect()
        gc.freeze()
    gc.callbacks.append(timed)
    ticker = asyncio.create_task(tick())
    try:
        yield stalls
    finally:
        ticker.cancel()
        gc.callbacks.remove(timed)
        if freeze:
            gc.unfreeze()
