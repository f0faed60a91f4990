"""A person's Slack time zone, as the listeners read it: the stored one, else users.info."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_client import user_info
from storage.store import Store

log = logging.getLogger(__name__)


async def user_tz(
    client: AsyncWebClient, store: Store, team_id: str, user_id: str, now: datetime
) -> str | None:
    """A person's Slack time zone: the cached one, else users.info (then cached)."""
    person = await store.get_person(team_id, user_id)
    if person is not None and person.tz:
        return person.tz
    try:
        user = await user_info(client, user_id)
    except SlackApiError as error:
        log.info("users.info failed user=%s error=%s", user_id, error.response.get("error"))
        return None
    if user is None:
        return None  # not cached: the next lookup asks Slack again
    tz = user.get("tz")
    found = tz if isinstance(tz, str) and tz else None
    await store.upsert_person(team_id, user_id, tz=found, now=now)
    return found
