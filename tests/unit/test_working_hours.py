"""The one working-hours rule (profile, else workspace, else Mon-Fri 09:00-18:00) as booking,
matching and the time-zone lookup use it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.booking import outside_hours_warnings
from bot.matching import available_mentors
from bot.time_zones import TZ_FRESH_FOR, user_tz
from bot.working_hours import (
    DEFAULT_WORKING_HOURS,
    WorkingHours,
    working_hours,
    workspace_hours,
)
from playground.fakeslack import BOB, TEAM_ID, TOKEN, FakeSlack
from storage.directory import ProfileDraft
from storage.models import MentorProfile, WorkspaceSettings
from storage.store import Store

EVENINGS = WorkspaceSettings(
    team_id=TEAM_ID, work_days=(1, 2, 3, 4), work_start_minute=20 * 60, work_end_minute=23 * 60
)
TEAM_EVENINGS = WorkingHours((1, 2, 3, 4), 20 * 60, 23 * 60)
NOW = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)  # Monday 14:00 in New York


def profile(**hours: object) -> MentorProfile:
    return MentorProfile(
        team_id=TEAM_ID,
        user_id="UMENTOR",
        created_at=NOW,
        updated_at=NOW,
        **hours,  # type: ignore[arg-type]
    )


def test_a_profiles_own_valid_hours_win() -> None:
    own = profile(office_days=(5,), office_start_minute=600, office_end_minute=660)
    assert working_hours(own, EVENINGS) == WorkingHours((5,), 600, 660)


@pytest.mark.parametrize(
    "hours",
    [
        {"office_days": (), "office_start_minute": 600, "office_end_minute": 660},  # no day
        {"office_days": (2,), "office_start_minute": 660, "office_end_minute": 600},  # backwards
        {"office_days": (2,), "office_start_minute": 600, "office_end_minute": 600},  # empty
        {"office_days": (2,)},  # days without times: the workspace's days too, not a mix
    ],
)
def test_empty_or_invalid_profile_hours_fall_back_to_the_workspaces_whole(
    hours: dict[str, object],
) -> None:
    assert working_hours(profile(**hours), EVENINGS) == TEAM_EVENINGS


def test_no_profile_means_the_workspaces_hours_else_the_default() -> None:
    assert working_hours(None, EVENINGS) == TEAM_EVENINGS
    assert working_hours(None, None) == DEFAULT_WORKING_HOURS
    assert workspace_hours(WorkspaceSettings(team_id=TEAM_ID)) == DEFAULT_WORKING_HOURS
    no_days = WorkspaceSettings(
        team_id=TEAM_ID, work_days=(), work_start_minute=540, work_end_minute=1080
    )
    assert workspace_hours(no_days) == DEFAULT_WORKING_HOURS
    assert WorkingHours((1, 2, 3, 4, 5), 9 * 60, 18 * 60) == DEFAULT_WORKING_HOURS


def test_booking_warns_by_the_workspaces_hours_when_the_profile_has_no_days() -> None:
    # Before, booking kept the profile's empty days and warned on every slot.
    hours = working_hours(profile(office_days=()), EVENINGS)
    tuesday_21_utc = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
    tuesday_10_utc = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    warnings = outside_hours_warnings(
        {0: tuesday_21_utc, 1: tuesday_10_utc}, duration_minutes=30, hours=hours, tz="UTC"
    )
    assert list(warnings) == [1]
    assert "Mon-Thu 20:00-23:00 (UTC)" in warnings[1]


async def test_matching_scores_overlap_on_the_workspaces_hours(store: Store) -> None:
    # The workspace works New York evenings. UA keeps 09:00-18:00 office hours; UB set none,
    # so UB works the workspace's evenings, as the asker does: UB shares more hours and ranks
    # first (a fixed Mon-Fri 09:00-18:00 for UB and the asker made it a tie that UA won).
    await store.save_workspace_settings(EVENINGS, "UADMIN", NOW)
    for user_id, hours in (("UA", (540, 1080)), ("UB", (None, None))):
        draft = ProfileDraft(
            team_id=TEAM_ID,
            user_id=user_id,
            tags=("sql",),
            office_start_minute=hours[0],
            office_end_minute=hours[1],
        )
        await store.save_profile(draft, NOW)
        await store.upsert_person(TEAM_ID, user_id, tz="America/New_York", now=NOW)
    await store.upsert_person(TEAM_ID, "UASKER", tz="America/New_York", now=NOW)
    found = await available_mentors(store, TEAM_ID, "sql", asker_id="UASKER", now=NOW, limit=5)
    assert [ranked.candidate.user_id for ranked in found] == ["UB", "UA"]
    assert found[0].overlap_hours == pytest.approx(12.0)  # Mon-Thu 20:00-23:00
    assert found[1].overlap_hours == 0.0


@pytest.fixture
async def client(fake_slack: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    async with aiohttp.ClientSession() as session:
        yield AsyncWebClient(
            token=TOKEN, base_url=fake_slack.url, session=session, retry_handlers=[]
        )


async def test_listeners_trust_a_stored_zone_for_a_day_then_ask_again(
    store: Store, fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    await store.upsert_person(TEAM_ID, BOB, tz="Europe/Paris", now=NOW)
    assert await user_tz(client, store, TEAM_ID, BOB, NOW + TZ_FRESH_FOR / 2) == "Europe/Paris"
    assert fake_slack.calls_to("users.info") == []
    later = NOW + TZ_FRESH_FOR + timedelta(minutes=1)
    assert await user_tz(client, store, TEAM_ID, BOB, later) == "America/New_York"
    assert len(fake_slack.calls_to("users.info")) == 1
    person = await store.get_person(TEAM_ID, BOB)
    assert person is not None
    assert (person.tz, person.tz_cached_at) == ("America/New_York", later)


async def test_a_stale_zone_beats_none_when_slack_cannot_answer(
    store: Store, fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    await store.upsert_person(TEAM_ID, BOB, tz="Europe/Paris", now=NOW)
    fake_slack.fail_next("users.info", status=500)
    later = NOW + 2 * TZ_FRESH_FOR
    assert await user_tz(client, store, TEAM_ID, BOB, later) == "Europe/Paris"
