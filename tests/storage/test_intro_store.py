"""Introduction queries, on real SQLite files in tmp_path: each move has one winner."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from storage.intros import NewIntro
from storage.models import IntroFollowup, IntroStatus, RequestSource, RequestStatus, Topic
from storage.rows import RowError
from storage.store import Store
from tests.flows import (
    LATER,
    MENTEE,
    MENTOR,
    NOW,
    OTHER,
    T1,
    T2,
    THIRD,
    named,
    unchanged,
)

EXPERT = "UEXPERT"


def new_intro(**changes: object) -> NewIntro:
    fields: dict[str, object] = {
        "team_id": T1,
        "introducer_id": MENTOR,
        "mentee_id": MENTEE,
        "expert_id": EXPERT,
        "why": "They ran the last two promotion panels.",
    }
    return NewIntro(**(fields | changes))


def test_an_intro_needs_two_different_people() -> None:
    with pytest.raises(RowError, match="two different people"):
        new_intro(expert_id=MENTEE)


async def test_only_the_expert_answers_once(store: Store) -> None:
    intro = await store.create_intro(new_intro(), NOW)
    assert (intro.status, intro.answered_at) == (IntroStatus.PENDING, None)
    assert await store.get_person(T1, EXPERT) is not None
    for who in (MENTOR, MENTEE, OTHER):
        assert await store.answer_intro(T1, intro.id, who, True, LATER) is None
    assert await store.answer_intro(T2, intro.id, EXPERT, True, LATER) is None
    yes = await store.answer_intro(T1, intro.id, EXPERT, True, LATER)
    assert yes is not None
    assert (yes.status, yes.answered_at) == (IntroStatus.ACCEPTED, LATER)
    assert await store.answer_intro(T1, intro.id, EXPERT, False, LATER) is None
    assert await store.expire_intro(T1, intro.id, LATER) is None
    assert await store.get_intro(T1, intro.id) == yes


async def test_expiry_only_while_pending(store: Store) -> None:
    intro = await store.create_intro(new_intro(), NOW)
    expired = await store.expire_intro(T1, intro.id, LATER)
    assert expired is not None
    assert expired.status is IntroStatus.EXPIRED
    assert await store.answer_intro(T1, intro.id, EXPERT, True, LATER) is None


async def test_the_latest_intro_of_a_pair_within_a_window(store: Store) -> None:
    first = await store.create_intro(new_intro(), NOW)
    second = await store.create_intro(new_intro(introducer_id=OTHER), LATER)
    await store.create_intro(new_intro(expert_id=THIRD), LATER)
    assert await store.last_intro_of_pair(T1, MENTEE, EXPERT, NOW, EXPERT) == second
    assert await store.last_intro_of_pair(T1, MENTEE, EXPERT, NOW, OTHER) == second
    assert await store.last_intro_of_pair(T1, MENTEE, EXPERT, NOW, MENTOR) == first
    later = LATER + timedelta(seconds=1)
    assert await store.last_intro_of_pair(T1, MENTEE, EXPERT, later, EXPERT) is None
    assert await store.last_intro_of_pair(T1, EXPERT, MENTEE, NOW, EXPERT) is None
    assert await store.last_intro_of_pair(T2, MENTEE, EXPERT, NOW, EXPERT) is None


async def test_a_mentee_knows_only_of_an_intro_the_expert_accepted(store: Store) -> None:
    """The mentee never learns of a declined or unanswered intro; a stranger of none."""
    declined = await store.create_intro(new_intro(), NOW)
    assert await store.answer_intro(T1, declined.id, EXPERT, False, NOW) is not None
    assert await store.last_intro_of_pair(T1, MENTEE, EXPERT, NOW, MENTEE) is None
    pending = await store.create_intro(new_intro(), LATER)
    assert await store.last_intro_of_pair(T1, MENTEE, EXPERT, NOW, MENTEE) is None
    assert await store.last_intro_of_pair(T1, MENTEE, EXPERT, NOW, THIRD) is None
    assert await store.answer_intro(T1, pending.id, EXPERT, True, LATER) is not None
    known = await store.last_intro_of_pair(T1, MENTEE, EXPERT, NOW, MENTEE)
    assert known is not None
    assert known.id == pending.id
    assert await store.last_intro_of_pair(T1, MENTEE, EXPERT, NOW, THIRD) is None


async def test_an_undelivered_intro_is_dropped_a_delivered_one_is_not(store: Store) -> None:
    intro = await store.create_intro(new_intro(), NOW)
    assert await store.drop_undelivered_intro(T1, intro.id)
    assert await store.get_intro(T1, intro.id) is None
    kept = await store.create_intro(new_intro(), NOW)
    await store.set_intro_messages(T1, kept.id, expert_dm=("D1", "1.2"))
    assert not await store.drop_undelivered_intro(T1, kept.id)
    await store.set_intro_messages(T1, kept.id, group_dm="G1")
    current = await store.get_intro(T1, kept.id)
    assert current is not None
    assert (current.expert_dm_channel_id, current.expert_dm_ts) == ("D1", "1.2")
    assert current.group_dm_channel_id == "G1"


async def test_the_booking_request_is_made_once_from_the_passed_on_request(
    store: Store, db_path: Path
) -> None:
    origin = await named(store)
    intro = await store.create_intro(new_intro(from_request_id=origin.id), NOW)
    assert await store.intro_request(T1, intro.id, LATER) is None  # not accepted yet
    await store.answer_intro(T1, intro.id, EXPERT, True, LATER)
    made = await store.intro_request(T1, intro.id, LATER)
    assert made is not None
    assert (made.source, made.status) == (RequestSource.INTRO, RequestStatus.ACCEPTED)
    assert (made.mentee_id, made.mentor_id, made.topic) == (MENTEE, EXPERT, Topic.CAREER_PATH)
    assert made.accepted_at == made.first_response_at == LATER
    assert await store.intro_request(T1, intro.id, LATER) == made
    linked = await store.get_intro(T1, intro.id)
    assert linked is not None
    assert linked.request_id == made.id
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM requests").fetchone()[0] == 2


async def test_refer_only_an_open_request(store: Store) -> None:
    request = await named(store)
    referred = await store.refer_request(T1, request.id, LATER)
    assert referred is not None
    assert referred.status is RequestStatus.REFERRED
    assert referred.first_response_at == LATER
    assert await store.refer_request(T1, request.id, LATER) is None
    accepted = await named(store)
    moved = await store.accept_request(T1, accepted.id, MENTOR, LATER)
    assert moved is not None
    assert await store.refer_request(T1, accepted.id, LATER) is None
    await unchanged(store, moved)


async def test_follow_up_answers_not_yet_then_final(store: Store) -> None:
    intro = await store.create_intro(new_intro(), NOW)
    answer = store.answer_intro_followup
    assert await answer(T1, intro.id, MENTEE, IntroFollowup.YES, LATER) is None  # not accepted
    await store.answer_intro(T1, intro.id, EXPERT, True, LATER)
    assert await answer(T1, intro.id, EXPERT, IntroFollowup.YES, LATER) is None  # not the mentee
    later = await answer(T1, intro.id, MENTEE, IntroFollowup.NOT_YET, LATER)
    assert later is not None
    assert later.followup_answer is IntroFollowup.NOT_YET
    final = await answer(T1, intro.id, MENTEE, IntroFollowup.NO, LATER)
    assert final is not None
    assert (final.followup_answer, final.followup_answered_at) == (IntroFollowup.NO, LATER)
    assert await answer(T1, intro.id, MENTEE, IntroFollowup.YES, LATER) is None


async def test_the_follow_up_answer_is_checked_by_the_schema(db_path: Path, store: Store) -> None:
    intro = await store.create_intro(new_intro(), NOW)
    with sqlite3.connect(db_path) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE intros SET followup_answer = 'maybe' WHERE id = ?", (intro.id,))
