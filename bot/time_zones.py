"""A person's Slack time zone: one cache policy for listeners and the outbox.

The zone is kept in the people table (one row a person, so the cache is as big as the
workspace) and trusted for a day (TZ_FRESH_FOR); after that Slack is asked again, and if
Slack can't answer, the zone last seen is used rather than none.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_client import user_info
from storage.models import Person
from storage.store import Store

log = logging.getLogger(__name__)

TZ_FRESH_FOR = timedelta(days=1)


def fresh_tz(person: Person | None, now: datetime) -> str | None:
    """The stored zone when it was looked up less than TZ_FRESH_FOR ago, else None."""
    if person is None or not person.tz or person.tz_cached_at is None:
        return None
    return person.tz if now - person.tz_cached_at < TZ_FRESH_FOR else None


async def cached_tz(
    person: Person | None, now: datetime, ask: Callable[[], Awaitable[str | None]]
) -> str | None:
    """One policy: a fresh stored zone, else `ask` Slack (which stores it), else the stale one."""
    fresh = fresh_tz(person, now)
    if fresh is not None:
        return fresh
    return await ask() or (person.tz if person is not None else None)


async def user_tz(
    client: AsyncWebClient, store: Store, team_id: str, user_id: str, now: datetime
) -> str | None:
    """A person's Slack time zone for a listener (users.info within Slack's answer window)."""
    person = await store.get_person(team_id, user_id)
    return await cached_tz(person, now, lambda: _ask(client, store, team_id, user_id, now))


async def _ask(
    client: AsyncWebClient, store: Store, team_id: str, user_id: str, now: datetime
) -> str | None:
    try:
        user = await user_info(client, user_id)
    except SlackApiError as error:
        log.info("users.info failed user=%s error=%s", user_id, error.response.get("error"))
        return None
    if user is None:
        return None  # not stored: the next lookup asks Slack again
    tz = user.get("tz")
    found = tz if isinstance(tz, str) and tz else None
    await store.upsert_person(team_id, user_id, tz=found, now=now)
    return found
