"""storage/models.py: stored columns read back as the rows the bot works with."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from storage.directory import ProfileDraft
from storage.feedback import Thanks
from storage.intros import NewIntro
from storage.models import (
    ActionItem,
    Intro,
    Note,
    OutboxMessage,
    Person,
    Request,
    RequestSource,
    RequestStatus,
    Session,
    Topic,
    WorkspaceSettings,
)
from storage.notes import ItemDraft, NoteDraft
from storage.requests import NewRequest
from storage.rows import RowError
from tests.stored_rows import stored

STORED = "2026-11-23T21:05:00.000000Z"
NOW = datetime(2026, 11, 23, 21, 5, tzinfo=UTC)
SECRET = "my manager is the problem"
COMMAND = RequestSource.COMMAND


def request_row(**changes: Any) -> sqlite3.Row:
    columns = {
        "id": 7, "team_id": "T1", "mentee_id": "U1", "mentor_id": None, "topic": "skills",
        "details": SECRET, "duration_minutes": 30, "urgency": "today", "source": "command",
        "status": "claimed", "decline_reason": SECRET, "decline_reason_shared": 1,
        "claimed_at": STORED, "created_at": STORED, "updated_at": STORED, "anonymous": 0,
        "via_workflow": 1,
    }  # fmt: skip
    return stored(**(columns | changes))


def test_a_stored_request_reads_back_typed() -> None:
    request = Request.from_row(request_row())
    assert request.topic is Topic.SKILLS
    assert request.status is RequestStatus.CLAIMED
    assert request.decline_reason_shared is True
    assert request.anonymous is False
    assert request.claimed_at == NOW
    assert request.claimed_at.tzinfo is UTC
    assert request.accepted_at is None  # no column: the default
    assert request.pool_ts is None


def test_stored_text_that_isnt_a_stored_time_is_refused() -> None:
    with pytest.raises(RowError, match=r"^created at is not a stored UTC time: '2026-11-23'$"):
        Request.from_row(request_row(created_at="2026-11-23"))
    with pytest.raises(RowError, match=r"^topic must be one of 'promotion', 'problem'"):
        Request.from_row(request_row(topic="gossip"))
    with pytest.raises(RowError, match=r"^anonymous must be true or false$"):
        Request.from_row(request_row(anonymous=2))


def test_datetimes_must_be_aware_and_are_kept_in_utc() -> None:
    paris = NOW.astimezone(timezone(timedelta(hours=1)))
    person = Person(team_id="T1", user_id="U1", first_seen_at=paris, updated_at=STORED)  # type: ignore[arg-type]
    assert person.first_seen_at == NOW
    assert person.first_seen_at.tzinfo is UTC
    assert person.updated_at == NOW
    with pytest.raises(RowError, match=r"^updated at must be timezone-aware$"):
        Person(team_id="T1", user_id="U1", first_seen_at=NOW, updated_at=datetime(2026, 1, 1))


def test_weekdays_come_from_a_mask_or_days() -> None:
    assert WorkspaceSettings.from_row({"team_id": "T1", "work_days": 0b1000001}).work_days == (1, 7)
    assert WorkspaceSettings(team_id="T1", work_days=[5, 1, 5]).work_days == (1, 5)  # type: ignore[arg-type]
    with pytest.raises(RowError, match=r"^work days must be days from 1 \(Monday\) to 7"):
        WorkspaceSettings(team_id="T1", work_days=(0,))


def test_json_columns_read_as_tuples_and_dicts() -> None:
    row = {"team_id": "T1", "coordinators": '["U1", "U2"]', "profile_skill_fields": "[]"}
    settings = WorkspaceSettings.from_row(row)
    assert settings.coordinators == ("U1", "U2")
    assert settings.profile_skill_fields == ()
    with pytest.raises(RowError, match=r"^coordinators must be a list of texts$"):
        WorkspaceSettings.from_row({"team_id": "T1", "coordinators": '{"a": 1}'})
    message = OutboxMessage.from_row(
        stored(
            id=1,
            team_id="T1",
            kind="k",
            recipient="U1",
            due_at=STORED,
            dedupe_key="d",
            payload='{"n": 1}',
            created_at=STORED,
            subject_type="session",
            status="sent",
        )
    )
    assert message.payload == {"n": 1}
    with pytest.raises(RowError, match=r"^payload must be a JSON object$"):
        replace(message, payload="[1]")


def test_settings_say_what_is_wrong_in_a_sentence() -> None:
    settings = WorkspaceSettings(team_id="T1")
    with pytest.raises(RowError, match=r"^expire after hours must be from 1 to 2160$"):
        replace(settings, expire_after_hours=0)
    with pytest.raises(RowError, match=r"^working hours must start before they end$"):
        replace(settings, work_start_minute=600, work_end_minute=600)
    with pytest.raises(RowError, match=r"^escalation must come after the nudge$"):
        WorkspaceSettings.from_row({"team_id": "T1", "nudge_after_hours": 48})


def test_profile_drafts_say_what_is_wrong_in_a_sentence() -> None:
    # What the profile modal shows if its own checks ever let one through.
    cases = [
        ({"capacity": 0}, "capacity must be from 1 to 20"),
        ({"bio": "b" * 501}, "bio can have at most 500 characters"),
        ({"tags": ("x" * 41,)}, "a tag has at most 40 characters"),
        ({"office_start_minute": 600}, "office hours need both a start and an end"),
        ({"office_days": (8,)}, "office days must be days from 1 (Monday) to 7 (Sunday)"),
        ({"user_id": "  "}, "user id can't be empty"),
    ]
    for changes, message in cases:
        with pytest.raises(RowError) as caught:
            ProfileDraft(**({"team_id": "T1", "user_id": "U1"} | changes))
        assert str(caught.value) == message


def test_private_text_never_reaches_a_repr() -> None:
    request = Request.from_row(request_row())
    item = {"id": 1, "team_id": "T1", "mentor_id": "U1", "mentee_id": "U2", "owner_id": "U2"}
    rows = [
        request,
        Note.from_row(
            {"id": 1, "team_id": "T1", "author_id": "U1", "subject_id": "U2", "body": SECRET}
            | {"created_at": STORED, "updated_at": STORED}
        ),
        ActionItem.from_row(item | {"text": SECRET, "created_at": STORED, "updated_at": STORED}),
        Intro.from_row(
            {"id": 1, "team_id": "T1", "introducer_id": "U1", "mentee_id": "U2"}
            | {"expert_id": "U3", "why": SECRET, "note": SECRET, "created_at": STORED}
        ),
        Session.from_row(
            {"id": 1, "team_id": "T1", "mentor_id": "U1", "mentee_id": "U2", "starts_at": STORED}
            | {"duration_minutes": 30, "cancel_reason": SECRET}
            | {"created_at": STORED, "updated_at": STORED}
        ),
        Thanks(team_id="T1", session_id=1, from_id="U2", to_id="U1", note=SECRET, created_at=NOW),
        NewRequest(
            team_id="T1", mentee_id="U1", topic=Topic.SKILLS, details=SECRET, source=COMMAND
        ),
        NewIntro(
            team_id="T1",
            introducer_id="U1",
            mentee_id="U2",
            expert_id="U3",
            why=SECRET,
            note=SECRET,
        ),
        NoteDraft(
            team_id="T1",
            author_id="U1",
            subject_id="U2",
            body=SECRET,
            items=(ItemDraft(position=1, text=SECRET, owner_id="U1", due_date=date(2026, 12, 1)),),
        ),
    ]
    for row in rows:
        assert "manager" not in repr(row), type(row).__name__
    assert "id=7" in repr(request)


def test_drafts_strip_and_refuse_what_the_schema_would() -> None:
    draft = NewRequest(
        team_id=" T1 ", mentee_id="U1", topic=Topic.OTHER, details=" hi ", source=COMMAND
    )
    assert (draft.team_id, draft.details) == ("T1", "hi")
    with pytest.raises(RowError, match=r"^duration must be one of \(15, 30, 45, 60\) minutes$"):
        replace(draft, duration_minutes=20)
    with pytest.raises(RowError, match=r"^NewRequest has no field extra$"):
        NewRequest(**(vars(draft) | {"extra": 1}))
    with pytest.raises(RowError, match=r"^items can have at most 5 items$"):
        NoteDraft(
            team_id="T1",
            author_id="U1",
            subject_id="U2",
            items=tuple(ItemDraft(position=1, text="t", owner_id="U1") for _ in range(6)),
        )
