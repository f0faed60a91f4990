"""Mentor profiles, tags and load counts, on real SQLite files in tmp_path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.directory import ProfileDraft
from storage.models import RequestSource, Topic
from storage.requests import NewRequest
from storage.rows import RowError
from storage.store import Store

NOW = datetime(2026, 11, 23, 21, 5, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)
T1, T2 = "T0001", "T0002"
MENTOR, OTHER, MENTEE = "UMENTOR", "UOTHER", "UMENTEE"


def profile(user_id: str = MENTOR, team_id: str = T1, **changes: object) -> ProfileDraft:
    fields: dict[str, object] = {
        "team_id": team_id,
        "user_id": user_id,
        "tags": ("Negotiation", "public speaking"),
        "bio": "Ten years of sales.",
    }
    return ProfileDraft(**(fields | changes))


async def request_to(store: Store, mentor_id: str | None, mentee_id: str = MENTEE) -> int:
    draft = NewRequest(
        team_id=T1,
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        topic=Topic.SKILLS,
        details="Could you help me prepare?",
        source=RequestSource.COMMAND,
    )
    return (await store.create_request(draft, NOW)).id


async def load_of(store: Store, team_id: str = T1) -> dict[str, int]:
    return {p.user_id: load for p, load, _ in await store.list_candidates(team_id)}


async def test_save_then_get_round_trips_and_creates_the_person(store: Store) -> None:
    saved = await store.save_profile(
        profile(
            capacity=5,
            office_days=(5, 1, 3),
            office_start_minute=600,
            office_end_minute=960,
            paused_until=LATER,
            open_to_mentoring=False,
        ),
        NOW,
    )
    assert saved.tags == ("negotiation", "public speaking")
    assert (saved.capacity, saved.office_days) == (5, (1, 3, 5))
    assert (saved.office_start_minute, saved.office_end_minute) == (600, 960)
    assert (saved.paused_until, saved.open_to_mentoring) == (LATER, False)
    assert await store.get_profile(T1, MENTOR) == saved
    assert await store.get_person(T1, MENTOR) is not None


async def test_saving_again_replaces_the_tags_and_keeps_created_at(store: Store) -> None:
    await store.save_profile(profile(), NOW)
    saved = await store.save_profile(profile(tags=("SQL", "  sql ", "Public  Speaking")), LATER)
    assert saved.tags == ("public speaking", "sql")
    assert (saved.created_at, saved.updated_at) == (NOW, LATER)
    assert await store.get_profile(T1, MENTOR) == saved
    cleared = await store.save_profile(profile(tags=()), LATER)
    assert cleared.tags == ()


async def test_stored_tags_satisfy_the_schema_for_any_case(store: Store) -> None:
    saved = await store.save_profile(profile(tags=("Straße", "ÉCOLE", "İstanbul")), NOW)
    assert "strasse" in saved.tags
    assert "école" in saved.tags


@pytest.mark.parametrize(
    "changes",
    [
        {"tags": tuple(f"t{i}" for i in range(21))},
        {"tags": ("x" * 41,)},
        {"capacity": 0},
        {"capacity": 21},
        {"bio": "b" * 501},
        {"office_start_minute": 600},
        {"office_start_minute": 600, "office_end_minute": 600},
    ],
)
def test_profile_drafts_refuse_bad_input(changes: dict[str, object]) -> None:
    with pytest.raises(RowError):
        ProfileDraft(**({"team_id": T1, "user_id": MENTOR} | changes))


async def test_get_profile_of_a_stranger_is_none(store: Store) -> None:
    assert await store.get_profile(T1, MENTOR) is None


async def test_pause_and_resume(store: Store) -> None:
    await store.save_profile(profile(), NOW)
    paused = await store.set_paused_until(T1, MENTOR, NOW + timedelta(days=7), LATER)
    assert paused is not None
    assert paused.paused_until == NOW + timedelta(days=7)
    assert paused.tags == ("negotiation", "public speaking")
    resumed = await store.set_paused_until(T1, MENTOR, None, LATER)
    assert resumed is not None
    assert resumed.paused_until is None
    assert await store.get_profile(T1, MENTOR) == resumed
    assert await store.set_paused_until(T1, OTHER, None, LATER) is None


async def test_list_candidates_counts_active_mentees(store: Store) -> None:
    await store.save_profile(profile(), NOW)
    await store.save_profile(profile(OTHER, tags=("sql",)), NOW)
    await store.upsert_person(T1, OTHER, tz="Asia/Kolkata", now=NOW)
    assert await load_of(store) == {MENTOR: 0, OTHER: 0}

    accepted = await request_to(store, MENTOR)
    assert await store.accept_request(T1, accepted, MENTOR, NOW) is not None
    await request_to(store, MENTOR)  # still open: not a mentee yet
    claimed = await request_to(store, None, mentee_id="UMENTEE2")
    assert await store.claim_request(T1, claimed, MENTOR, NOW) is not None
    pooled = await request_to(store, None)
    assert await store.claim_request(T1, pooled, OTHER, NOW) is not None
    assert await load_of(store) == {MENTOR: 2, OTHER: 1}

    assert await store.release_request(T1, claimed, MENTOR, LATER) is not None
    assert await store.cancel_request(T1, pooled, MENTEE, LATER) is not None
    assert await load_of(store) == {MENTOR: 1, OTHER: 0}

    rows = await store.list_candidates(T1)
    assert [(p.user_id, p.tags, tz) for p, _, tz in rows] == [
        (MENTOR, ("negotiation", "public speaking"), None),
        (OTHER, ("sql",), "Asia/Kolkata"),
    ]


async def test_ongoing_relationships_count_as_mentees(store: Store) -> None:
    await store.save_profile(profile(), NOW)
    await store.upsert_person(T1, MENTEE, tz=None, now=NOW)
    stamp = "2026-11-23T21:05:00.000000Z"
    # No relationship queries exist yet, so write the rows directly.
    for mentee, ended in ((MENTEE, None), (MENTEE, stamp)):
        await store._fetch(
            "INSERT INTO relationships (team_id, mentor_id, mentee_id, cadence, started_at,"
            " ended_at, updated_at) VALUES (?, ?, ?, 'weekly', ?, ?, ?)",
            (T1, MENTOR, mentee, stamp, ended, stamp),
        )
    assert await load_of(store) == {MENTOR: 1}


async def test_workspaces_are_isolated(store: Store) -> None:
    await store.save_profile(profile(tags=("sql",)), NOW)
    await store.save_profile(profile(team_id=T2, tags=("go", "rust")), NOW)
    await store.save_profile(profile(OTHER, tags=("sql", "python")), NOW)
    accepted = await request_to(store, MENTOR)
    assert await store.accept_request(T1, accepted, MENTOR, NOW) is not None

    assert await store.all_tags(T1) == ["python", "sql"]
    assert await store.all_tags(T2) == ["go", "rust"]
    assert await load_of(store, T2) == {MENTOR: 0}
    assert await store.set_paused_until(T2, OTHER, LATER, LATER) is None
    t2 = await store.get_profile(T2, MENTOR)
    assert t2 is not None
    assert t2.tags == ("go", "rust")
    assert await store.get_profile(T2, OTHER) is None


async def test_profile_skills_are_cached_per_person_and_team(store: Store) -> None:
    assert await store.cached_profile_skills(T1, OTHER) is None
    await store.save_profile_skills(T1, OTHER, ["negotiation", "python"], NOW)
    await store.save_profile_skills(T1, MENTEE, [], NOW)  # read, and empty
    await store.save_profile_skills(T2, OTHER, ["cooking"], NOW)
    assert await store.cached_profile_skills(T1, OTHER) == (("negotiation", "python"), NOW)
    assert await store.cached_profile_skills(T1, MENTEE) == ((), NOW)
    # Read again later: replaced, with its new time.
    await store.save_profile_skills(T1, OTHER, ["negotiation"], LATER)
    assert await store.cached_profile_skills(T1, OTHER) == (("negotiation",), LATER)
    assert await store.fresh_profile_skill_users(T1, LATER) == {OTHER}
    assert await store.fresh_profile_skill_users(T1, NOW) == {OTHER, MENTEE}


async def test_skills_outside_the_directory_leave_out_members_and_empty_fields(
    store: Store,
) -> None:
    await store.save_profile(profile(MENTOR), NOW)
    await store.save_profile_skills(T1, MENTOR, ["negotiation"], NOW)
    await store.save_profile_skills(T1, OTHER, ["negotiation", "sales"], NOW)
    await store.save_profile_skills(T1, MENTEE, [], NOW)
    await store.save_profile_skills(T2, "UELSEWHERE", ["negotiation"], NOW)
    assert await store.skills_outside_directory(T1) == [(OTHER, ("negotiation", "sales"))]
    assert await store.clear_profile_skills(T1) == 3
    assert await store.skills_outside_directory(T1) == []
    assert await store.skills_outside_directory(T2) == [("UELSEWHERE", ("negotiation",))]


async def test_forget_drops_the_persons_cached_profile_skills(store: Store) -> None:
    await store.save_profile_skills(T1, OTHER, ["negotiation"], NOW)
    await store.save_profile_skills(T1, MENTEE, ["python"], NOW)
    await store.forget_person(T1, OTHER, LATER)
    assert await store.cached_profile_skills(T1, OTHER) is None
    assert await store.cached_profile_skills(T1, MENTEE) is not None


async def test_forget_leaves_a_marker_that_hides_profile_skills_until_they_are_back(
    store: Store,
) -> None:
    await store.upsert_person(T1, OTHER, tz="Europe/Paris", now=NOW)
    await store.forget_person(T1, OTHER, LATER)
    assert await store.forgotten_users(T1) == {OTHER}
    assert await store.forgotten_users(T2) == set()
    marker = await store.get_person(T1, OTHER)
    assert marker is not None
    assert (marker.tz, marker.forgotten_at) == (None, LATER)
    # A row a read already under way writes back is never offered.
    await store.save_profile_skills(T1, OTHER, ["negotiation"], LATER)
    assert await store.skills_outside_directory(T1) == []
    # Forgetting again is harmless; the bot dealing with them again clears the marker.
    await store.forget_person(T1, OTHER, LATER)
    await store.upsert_person(T1, OTHER, tz=None, now=LATER)
    assert await store.forgotten_users(T1) == set()
    await store.save_profile_skills(T1, OTHER, ["negotiation"], LATER)
    assert await store.skills_outside_directory(T1) == [(OTHER, ("negotiation",))]
