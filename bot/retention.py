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


async def delete_removed_workspaces(store: Store, clock: Clock, days: int) -> int:
    """Delete the data of workspaces uninstalled more than `days` ago, not reinstalled and
    served by no other install; forget OAuth states that expired unused. Returns the
    installations deleted."""
    now = clock.now()
    cutoff = now - timedelta(days=days)
    await store.purge_oauth_states(now)
    deleted = 0
    for installed in await store.removed_before(cutoff):
        rows = await store.delete_workspace(installed, cutoff)
        if rows is None:
            continue  # installed again, or still served by another install
        deleted += 1
        log.info(
            "deleted an uninstalled workspace's data team=%s enterprise=%s rows=%d days=%d",
            installed.team_id or installed.install_key,
            installed.enterprise_id,
            rows,
            days,
        )
    return deleted
