"""The APScheduler that drives periodic jobs; job functions stay thin."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.background import Background
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


Job = Callable[..., Awaitable[object]]


def tracked(background: Background, job: Job) -> Callable[..., Awaitable[None]]:
    """`job`, counted as in flight so that a stop waits for a run under way (`drain`).

    The scheduler's shutdown cancels a run still going when the drain gives up; that is
    logged in one line, not as a traceback: what the run left half done is taken up again
    like a killed process's (the outbox's leases, the next run of a daily job)."""
    name = getattr(job, "__name__", "job").lstrip("_")

    async def run(*args: object) -> None:
        async with background.in_flight():
            try:
                await job(*args)
            except asyncio.CancelledError:
                log.warning("scheduled job stopped by shutdown job=%s", name)

    run.__name__ = name
    return run


def _daily(scheduler: AsyncIOScheduler, job_id: str, job: Job, *args: object) -> None:
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
    background: Background | None = None,
    dispatcher: Dispatcher | None = None,
    tick_seconds: float = 10.0,
    retention_days: int | None = None,
    uninstall_retention_days: int = 30,
) -> AsyncIOScheduler:
    """A scheduler with the housekeeping jobs and the outbox dispatcher; start() it in the loop.
    Each run counts as in flight in `background`."""
    background = background or Background()
    scheduler = AsyncIOScheduler(timezone=UTC)
    if dispatcher is not None:
        # One interval job claiming in batches beats a date job per message (DESIGN.md).
        scheduler.add_job(
            tracked(background, _dispatch_outbox),
            "interval",
            seconds=tick_seconds,
            args=(dispatcher,),
            id="outbox_dispatcher",
            coalesce=True,
            max_instances=1,
        )
    scheduler.add_job(
        tracked(background, _purge_events),
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
        tracked(background, delete_removed_workspaces),
        store,
        clock,
        uninstall_retention_days,
    )
    if retention_days is not None:
        retain = tracked(background, apply_retention)
        _daily(scheduler, "retention", retain, store, clock, retention_days)
    return scheduler
