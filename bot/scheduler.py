"""The APScheduler that drives periodic jobs; job functions stay thin."""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.events import purge_processed_events
from storage.store import Store

log = logging.getLogger(__name__)


async def _purge_events(store: Store, clock: Clock) -> None:
    removed = await purge_processed_events(store, clock)
    if removed:
        log.info("purged processed events count=%d", removed)


def build_scheduler(store: Store, clock: Clock) -> AsyncIOScheduler:
    """A scheduler with the housekeeping jobs; start() it inside the running loop."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        _purge_events,
        "interval",
        hours=1,
        args=(store, clock),
        id="purge_processed_events",
        coalesce=True,
        max_instances=1,
    )
    return scheduler
