"""Reading skills from Slack profiles: the fields an admin can pick, one person's skills (cached
for a day in profile_skills), and the paced read of the workspace after the admin picks fields.

Every Slack failure degrades: a missing scope, a 429 or a 500 leaves the cache as it was and
the caller carries on without profile skills.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.profile_skills import ProfileField, profile_fields, skills_from_profile
from bot.slack_client import LOOKUP_SECONDS
from storage.store import Store

log = logging.getLogger(__name__)

CACHE_FOR = timedelta(days=1)
# The read after an admin saves fields: at most this many people per save, users.list
# (Tier 2: 20 a minute) a page at a time and users.profile.get (Tier 4: 100+ a minute) paced
# well inside Slack's limits, so the bot's other calls keep their room.
READ_MAX = 200
PAGE_SIZE = 200
PAGE_PACE = 3.0
PERSON_PACE = 0.6

MISSING_SCOPE = (
    "I can't read profile fields: this install of mentorbot lacks the `users.profile:read` "
    "scope. Reinstall the app from its manifest (it asks for that scope) to use skills from "
    "Slack profiles."
)
UNREADABLE = "I couldn't list the profile fields just now ({reason}). Open settings again later."


@dataclass(frozen=True, slots=True)
class FieldList:
    """The workspace's pickable fields, or why they couldn't be listed."""

    fields: tuple[ProfileField, ...] = ()
    problem: str | None = None


def _reason(error: SlackApiError) -> str:
    return str(error.response.get("error") or error.response.status_code)


async def list_profile_fields(client: AsyncWebClient) -> FieldList:
    """team.profile.get, within LOOKUP_SECONDS (a modal is waiting to open)."""
    try:
        async with asyncio.timeout(LOOKUP_SECONDS):
            answer = await client.team_profile_get()
    except TimeoutError:
        log.warning("team.profile.get timed out")
        return FieldList(problem=UNREADABLE.format(reason="Slack was slow to answer"))
    except SlackApiError as error:
        reason = _reason(error)
        log.info("team.profile.get failed error=%s", reason)
        return FieldList(
            problem=MISSING_SCOPE if reason == "missing_scope" else UNREADABLE.format(reason=reason)
        )
    return FieldList(tuple(profile_fields(answer.data if isinstance(answer.data, dict) else {})))


async def _read_profile(client: AsyncWebClient, user_id: str) -> dict[str, Any]:
    answer = await client.users_profile_get(user=user_id)
    profile = answer.get("profile")
    return profile if isinstance(profile, dict) else {}


async def person_skills(
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    *,
    team_id: str,
    user_id: str,
    field_ids: Sequence[str],
) -> tuple[str, ...]:
    """What the person's chosen fields say: from the cache if read in the last day, else from
    Slack (within LOOKUP_SECONDS) and cached; on a Slack failure, whatever was cached."""
    if not field_ids:
        return ()
    now = clock.now()
    cached = await store.cached_profile_skills(team_id, user_id)
    if cached is not None and now - cached[1] < CACHE_FOR:
        return cached[0]
    try:
        async with asyncio.timeout(LOOKUP_SECONDS):
            profile = await _read_profile(client, user_id)
    except TimeoutError:
        log.warning("users.profile.get timed out user=%s", user_id)
        return cached[0] if cached else ()
    except SlackApiError as error:
        log.info("users.profile.get failed user=%s error=%s", user_id, _reason(error))
        return cached[0] if cached else ()
    skills = skills_from_profile(profile, field_ids)
    await store.save_profile_skills(team_id, user_id, skills, now)
    return skills


async def _people_to_read(
    client: AsyncWebClient, fresh: set[str], limit: int, page_pace: float
) -> list[str]:
    """Active people (no bots) from users.list, not in `fresh` (read in the last day, or
    forgotten)."""
    wanted: list[str] = []
    cursor: str | None = None
    while len(wanted) < limit:
        page = await client.users_list(limit=PAGE_SIZE, cursor=cursor)
        for member in page.get("members") or []:
            user_id = str(member.get("id") or "")
            robot = member.get("is_bot") or user_id == "USLACKBOT"
            if user_id and not robot and not member.get("deleted") and user_id not in fresh:
                wanted.append(user_id)
        cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "") or None
        if cursor is None:
            break
        await asyncio.sleep(page_pace)
    return wanted[:limit]


async def read_workspace_skills(
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    *,
    team_id: str,
    field_ids: Sequence[str],
    limit: int = READ_MAX,
    page_pace: float = PAGE_PACE,
    person_pace: float = PERSON_PACE,
) -> int:
    """Fill the cache for up to `limit` people not read in the last day, paced; how many were
    read. A missing scope or a lasting 429/500 ends the run early (the next save resumes)."""
    if not field_ids:
        return 0
    fresh = await store.fresh_profile_skill_users(team_id, clock.now() - CACHE_FOR)
    # Someone who ran /mentor forget isn't read back in from their Slack profile.
    skip = fresh | await store.forgotten_users(team_id)
    read = 0
    try:
        people = await _people_to_read(client, skip, limit, page_pace)
        for user_id in people:
            if (await store.get_workspace_settings(team_id)).profile_skill_fields != tuple(
                field_ids
            ):
                log.info("profile skills read stopped: fields changed team=%s", team_id)
                return read
            try:
                profile = await _read_profile(client, user_id)
            except SlackApiError as error:
                if error.response.get("error") == "user_not_found":
                    continue
                raise
            skills = skills_from_profile(profile, field_ids)
            await store.save_profile_skills(team_id, user_id, skills, clock.now())
            read += 1
            await asyncio.sleep(person_pace)
    except SlackApiError as error:
        log.warning(
            "profile skills read stopped team=%s read=%d error=%s", team_id, read, _reason(error)
        )
        return read
    log.info("profile skills read team=%s read=%d", team_id, read)
    return read
