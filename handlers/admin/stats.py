"""`/mentor stats`: workspace figures for admins, computed by SQL aggregates."""

from __future__ import annotations

import logging
from datetime import timedelta

from handlers.admin.access import admins_only
from handlers.blocks.stats import build_stats
from handlers.kit import SubcommandCall

log = logging.getLogger(__name__)

WINDOWS_DAYS = (30, 90)


async def stats_command(call: SubcommandCall) -> None:
    """`/mentor stats`: the last 30 and 90 days (admins only)."""
    # Ack first: users.info and the aggregates may take longer than Slack waits.
    await call.ack()
    if not await admins_only(call, "stats"):
        return
    now = call.clock.now()
    windows = [
        await call.store.window_stats(call.team_id, now - timedelta(days=days), now, days)
        for days in WINDOWS_DAYS
    ]
    await call.respond(**build_stats(windows))
