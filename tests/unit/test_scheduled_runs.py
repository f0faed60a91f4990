"""A scheduled run counts as in flight, and a run cancelled at shutdown says so in one line."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.background import Background
from bot.scheduler import tracked


async def test_a_stop_waits_for_a_run_under_way() -> None:
    background = Background()
    finished: list[str] = []

    async def tick(name: str) -> None:
        await asyncio.sleep(0.05)
        finished.append(name)

    run = asyncio.create_task(tracked(background, tick)("outbox"))
    await asyncio.sleep(0)
    await background.drain(5)
    assert finished == ["outbox"]
    assert run.done()


async def test_a_run_cancelled_by_the_shutdown_is_one_line_not_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    background = Background()
    started = asyncio.Event()

    async def _dispatch_outbox() -> None:
        started.set()
        await asyncio.sleep(60)

    caplog.set_level(logging.WARNING, logger="bot.scheduler")
    run = asyncio.create_task(tracked(background, _dispatch_outbox)())
    await started.wait()
    await background.drain(0.01)  # gives up: the run is still going
    run.cancel()  # what the scheduler's shutdown does to it
    assert await run is None
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.scheduler"]
    assert lines == ["scheduled job stopped by shutdown job=dispatch_outbox"]
    assert not any(record.exc_info for record in caplog.records)
    await asyncio.wait_for(background.drain(1), 1)  # no longer counted as in flight
