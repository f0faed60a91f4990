"""Render and publish one person's Home tab."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.digest import home_toggle
from bot.settings import Settings
from handlers.blocks.home import PER_SECTION, build_home
from handlers.blocks.recognition import build_recognition
from storage.store import Store

log = logging.getLogger(__name__)


async def publish_home(
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    *,
    team_id: str,
    user_id: str,
    notice: str | None = None,
    record_visit: bool = True,
    settings: Settings | None = None,
) -> None:
    """views.publish the Home tab as it is now; `notice` is one line on top (a click's result).
    record_visit=False stores nothing (e.g. for someone who just had their data removed).
    With `settings`, coordinators and admins also get the weekly digest's switch."""
    now = clock.now()
    data = await store.home_data(team_id, user_id, now, PER_SECTION)
    person = await store.get_person(team_id, user_id)
    first_visit = person is None or person.welcomed_at is None
    recognition = build_recognition(await store.mentor_recognition(team_id, user_id))
    digest = None if settings is None else await home_toggle(store, settings, team_id, user_id)
    view = build_home(
        data,
        user_id,
        first_visit=first_visit,
        notice=notice,
        recognition=recognition,
        digest=digest,
    )
    try:
        await client.views_publish(user_id=user_id, view=view)
    except SlackApiError as error:
        # The next visit renders it again; nothing is lost but a stale tab.
        log.warning("could not publish home user=%s error=%s", user_id, error.response.get("error"))
        return
    if first_visit and record_visit:
        await store.mark_welcomed(team_id, user_id, now)
