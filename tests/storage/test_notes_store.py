"""The notes and mentoring queries on a real SQLite file, and the pure cadence rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.notes import add_months, due_problem, may_check_in_again, next_tick
from handlers.notes.schedule import checkin_row
from storage.directory import ProfileDraft
from storage.models import Cadence, CheckinAnswer, WhatNext
from storage.notes import ItemDraft, NoteDraft
from storage.requests import NewRequest
from storage.rows import RowError
from storage.store import Store

T1 = "T1"
MENTOR, MENTEE, OTHER = "UMENTOR", "UMENTEE", "UOTHER"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def note(**changes: object) -> NoteDraft:
    items = (
        ItemDraft(position=1, text="Write it", owner_id=MENTEE, due_date=date(2026, 3, 20)),
        ItemDraft(position=2, text="Intro", owner_id=MENTOR),
    )
    fields: dict[str, object] = {
        "team_id": T1,
        "author_id": MENTOR,
        "subject_id": MENTEE,
        "body": "secret",
        "what_next": WhatNext.CHECKIN_2W,
        "items": items,
        **changes,
    }
    return NoteDraft(**fields)


def test_cadence_rules() -> None:
    assert add_months(datetime(2026, 1, 31, 9, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, 9, tzinfo=UTC
    )
    assert add_months(datetime(2026, 11, 30, tzinfo=UTC), 3) == datetime(2027, 2, 28, tzinfo=UTC)
    assert next_tick(NOW, Cadence.WEEKLY) == NOW + timedelta(weeks=1)
    assert next_tick(NOW, Cadence.BIWEEKLY) == NOW + timedelta(weeks=2)
    assert next_tick(NOW, Cadence.MONTHLY) == datetime(2026, 4, 10, 15, tzinfo=UTC)
    assert may_check_in_again(3, 4)
    assert not may_check_in_again(4, 4)
    assert due_problem(date(2026, 3, 9), date(2026, 3, 10))
    assert due_problem(date(2026, 3, 10), date(2026, 3, 10)) is None


def test_drafts_are_bounded() -> None:
    with pytest.raises(RowError):
        note(body="x" * 3001)
    with pytest.raises(RowError):
        ItemDraft(position=6, text="too many", owner_id=MENTEE)
    with pytest.raises(RowError):
        ItemDraft(position=1, text="y" * 301, owner_id=MENTEE)
    assert "secret" not in repr(note())


async def test_only_the_author_edits_and_items_keep_their_ids(store: Store) -> None:
    saved = await store.save_note(note(), NOW)
    assert saved is not None
    assert saved.previous_what_next is None
    first, second = saved.items
    assert [i.position for i in saved.rescheduled_items] == [1, 2]
    assert (
        await store.save_note(note(author_id=MENTEE, subject_id=MENTOR, note_id=saved.note.id), NOW)
        is None
    )
    assert await store.get_own_note(T1, saved.note.id, MENTEE) is None
    edit = note(
        note_id=saved.note.id,
        body="edited",
        what_next=WhatNext.DONE,
        items=(
            ItemDraft(
                position=1, text="Write it, short", owner_id=MENTEE, due_date=date(2026, 3, 20)
            ),
        ),
    )
    again = await store.save_note(edit, NOW)
    assert again is not None
    assert again.previous_what_next is WhatNext.CHECKIN_2W
    [kept] = again.items
    assert kept.id == first.id
    assert kept.text == "Write it, short"
    assert again.rescheduled_items == []  # same owner and due date: its reminder stands
    assert await store.get_action_item(T1, second.id) is None


async def test_done_is_for_the_owner_once(store: Store) -> None:
    saved = await store.save_note(note(), NOW)
    assert saved is not None
    item = saved.items[0]
    assert await store.complete_item(T1, item.id, MENTOR, NOW) is None
    done = await store.complete_item(T1, item.id, MENTEE, NOW)
    assert done is not None
    assert done.done_at == NOW
    assert await store.complete_item(T1, item.id, MENTEE, NOW) is None


async def test_check_in_answers_once_and_by_the_mentee(store: Store) -> None:
    saved = await store.save_note(note(), NOW)
    assert saved is not None
    pair = (MENTOR, MENTEE)
    checkin = await store.add_checkin(T1, saved.note.id, pair, 1, NOW, NOW, checkin_row)
    assert await store.answer_checkin(T1, checkin.id, MENTOR, CheckinAnswer.ALL_DONE, NOW) is None
    answered = await store.answer_checkin(T1, checkin.id, MENTEE, CheckinAnswer.ALL_DONE, NOW)
    assert answered is not None
    assert answered.answer is CheckinAnswer.ALL_DONE
    assert await store.answer_checkin(T1, checkin.id, MENTEE, CheckinAnswer.ALL_DONE, NOW) is None


async def test_one_active_relationship_per_pair_and_its_moves(store: Store) -> None:
    first = NOW + timedelta(weeks=4)
    relationship, before = await store.start_relationship(
        T1, (MENTOR, MENTEE), Cadence.MONTHLY, first, NOW
    )
    assert before is None
    changed, before = await store.start_relationship(
        T1, (MENTOR, MENTEE), Cadence.WEEKLY, first, NOW
    )
    assert before is not None
    assert changed.id == relationship.id
    assert changed.cadence is Cadence.WEEKLY
    assert await store.pause_relationship(T1, relationship.id, OTHER, NOW) is None
    paused = await store.pause_relationship(T1, relationship.id, MENTEE, NOW)
    assert paused is not None
    assert paused.next_at is None
    assert await store.advance_relationship(T1, relationship.id, first, first, NOW) is None
    resumed = await store.resume_relationship(T1, relationship.id, MENTOR, first, NOW)
    assert resumed is not None
    moved = await store.advance_relationship(
        T1, relationship.id, first, first + timedelta(weeks=1), NOW
    )
    assert moved is not None
    assert await store.advance_relationship(T1, relationship.id, first, first, NOW) is None
    ended = await store.end_relationship(T1, relationship.id, MENTOR, NOW)
    assert ended is not None
    assert ended.ended_at == NOW
    assert await store.end_relationship(T1, relationship.id, MENTOR, NOW) is None
    fresh, before = await store.start_relationship(
        T1, (MENTOR, MENTEE), Cadence.MONTHLY, first, NOW
    )
    assert before is None
    assert fresh.id != relationship.id
    history = await store.relationships_between(T1, MENTEE, MENTOR)
    assert [r.id for r in history] == [fresh.id, relationship.id]


async def test_a_session_between_a_pair_with_an_ongoing_1_1_belongs_to_it(store: Store) -> None:
    def ask() -> NewRequest:
        return NewRequest(
            team_id=T1, mentee_id=MENTEE, mentor_id=MENTOR, topic="other", details="Monthly",
            source="command",
        )  # fmt: skip

    async def booked_relationship() -> int | None:
        request = await store.create_request(ask(), NOW)
        assert await store.accept_request(T1, request.id, MENTOR, NOW) is not None
        booked = await store.book_now(T1, request.id, (MENTOR, MENTEE), 30, NOW)
        assert booked is not None
        return booked.session.relationship_id

    assert await booked_relationship() is None  # no 1:1 yet
    ongoing, _ = await store.start_relationship(
        T1, (MENTOR, MENTEE), Cadence.MONTHLY, NOW + timedelta(days=30), NOW
    )
    assert await booked_relationship() == ongoing.id


async def test_a_1_1_mentee_counts_once_toward_capacity(store: Store) -> None:
    await store.save_profile(ProfileDraft(team_id=T1, user_id=MENTOR, tags=("sql",)), NOW)

    async def load() -> int:
        [(_, active, _)] = await store.list_candidates(T1)
        return active

    await store.start_relationship(
        T1, (MENTOR, MENTEE), Cadence.MONTHLY, NOW + timedelta(days=30), NOW
    )
    assert await load() == 1
    draft = NewRequest(
        team_id=T1, mentee_id=MENTEE, mentor_id=MENTOR, topic="other", details="Monthly",
        source="command",
    )  # fmt: skip
    request = await store.create_request(draft, NOW)
    assert await store.accept_request(T1, request.id, MENTOR, NOW) is not None
    assert await load() == 1  # the 1:1's Book time request is the same mentee
    other = replace(draft, mentee_id=OTHER)
    second = await store.create_request(other, NOW)
    assert await store.accept_request(T1, second.id, MENTOR, NOW) is not None
    assert await load() == 2
