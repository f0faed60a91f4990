"""The APScheduler that drives periodic jobs; job functions stay thin."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.events import purge_processed_events
from bot.outbox import Dispatcher
from bot.retention import apply_retention, delete_removed_workspaces
from storage.store import Store

log = logging.getLogger(__name__)


async def _purge_events(store: Store, clock: Clock) -> None:
    removed = await purge_processed_events(store, clock)
    if removed:
        log.info("purged processed events count=%d", removed)


async def _dispatch_outbox(dispatcher: Dispatcher) -> None:
    await dispatcher.tick()


def _daily(
    scheduler: AsyncIOScheduler, job_id: str, job: Callable[..., Awaitable[object]], *args: object
) -> None:
    """A daily job whose first run is an hour after start (not in a deploy's busy minutes)."""
    scheduler.add_job(
        job,
        "interval",
        days=1,
        args=args,
        id=job_id,
        next_run_time=datetime.now(UTC) + timedelta(hours=1),  # the scheduler's own time
        coalesce=True,
        max_instances=1,
    )


def build_scheduler(
    store: Store,
    clock: Clock,
    *,
    dispatcher: Dispatcher | None = None,
    tick_seconds: float = 10.0,
    retention_days: int | None = None,
    uninstall_retention_days: int = 30,
) -> AsyncIOScheduler:
    """A scheduler with the housekeeping jobs and the outbox dispatcher; start() it in the loop."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    if dispatcher is not None:
        # One interval job claiming in batches beats a date job per message (DESIGN.md).
        scheduler.add_job(
            _dispatch_outbox,
            "interval",
            seconds=tick_seconds,
            args=(dispatcher,),
            id="outbox_dispatcher",
            coalesce=True,
            max_instances=1,
        )
    scheduler.add_job(
        _purge_events,
        "interval",
        hours=1,
        args=(store, clock),
        id="purge_processed_events",
        coalesce=True,
        max_instances=1,
    )
    _daily(
        scheduler,
        "removed_workspaces",
        delete_removed_workspaces,
        store,
        clock,
        uninstall_retention_days,
    )
    if retention_days is not None:
        _daily(scheduler, "retention", apply_retention, store, clock, retention_days)
    return scheduler
