"""MENTORBOT_RETENTION_DAYS: the daily sweep that forgets old notes for everyone."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.clock import Clock
from storage.privacy import RetentionReport
from storage.store import Store

log = logging.getLogger(__name__)


async def apply_retention(store: Store, clock: Clock, days: int) -> RetentionReport:
    """Delete notes older than `days`, and action items done and messages sent before then."""
    report = await store.purge_retention(clock.now() - timedelta(days=days))
    log.info(
        "retention days=%d deleted notes=%d action_items=%d outbox=%d",
        days,
        report.notes,
        report.action_items,
        report.outbox,
    )
    return report
