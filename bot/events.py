"""Slack event delivery rules that are not about any one feature."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from storage.store import Store

log = logging.getLogger(__name__)

# Slack retries a delivery three times within about an hour; a day covers it with room. A
# prompt's row is also its cooldown's start (storage r0006), so this is at least the longest
# cooldown a workspace may set (1,440 minutes).
PROCESSED_EVENT_TTL = timedelta(days=1)


async def first_delivery(store: Store, clock: Clock, body: dict[str, Any]) -> bool:
    """True the first time an event is seen; False for Slack's retries of the same event_id.

    Call it only just before a listener has an effect, so that events that do nothing cost
    no database write.
    """
    team_id = body.get("team_id")
    event_id = body.get("event_id")
    if not isinstance(team_id, str) or not isinstance(event_id, str):
        log.warning("event without team_id or event_id; cannot de-duplicate it")
        return True
    first = await store.mark_event_processed(team_id, event_id, clock.now())
    if not first:
        log.info("skipped retried event event_id=%s team=%s", event_id, team_id)
    return first


async def purge_processed_events(store: Store, clock: Clock) -> int:
    """Forget processed event ids, which messages were prompted (kept for Slack's retries and
    the cooldown), and workflow step runs (for Slack's retries), older than the TTL."""
    cutoff = clock.now() - PROCESSED_EVENT_TTL
    removed = await store.purge_processed_events(cutoff) + await store.purge_prompted_messages(
        cutoff
    )
    return removed + await store.purge_workflow_runs(cutoff)
