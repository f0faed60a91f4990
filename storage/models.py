"""The stored rows; the Store returns these, never raw rows (see storage/rows.py).

Enumerations mirror the CHECK constraints in migrations/001-initial.sql. Every datetime is
timezone-aware UTC; database text is converted by storage.timefmt.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from storage.rows import PRIVATE, Convert, Range, Row, RowError
from storage.timefmt import parse_time


def _as_utc(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            return parse_time(value)
        except ValueError as error:
            raise ValueError(f"is {error}") from None
    if not isinstance(value, datetime):
        raise ValueError("must be a date and time")
    if value.tzinfo is None:
        raise ValueError("must be timezone-aware")
    return value.astimezone(UTC)


def _json_texts(value: Any) -> tuple[str, ...]:
    if value == "[]":  # most lists are empty, and json.loads costs 1.5 µs even then
        return ()
    try:
        items = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        items = None
    if isinstance(items, list | tuple) and all(isinstance(item, str) for item in items):
        return tuple(items)
    raise ValueError("must be a list of texts")


def _json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return dict(value)
    try:
        data = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        return data
    raise ValueError("must be a JSON object")


def weekdays_mask(days: Iterable[int]) -> int:
    """The stored bit mask for ISO weekdays (1 = Monday … 7 = Sunday); bit 0 is Monday."""
    return sum(1 << (day - 1) for day in set(days))


# Every mask's days, worked out once: reading a mask is then one lookup.
_DAYS_OF_MASK = tuple(
    tuple(day for day in range(1, 8) if mask & (1 << (day - 1))) for mask in range(128)
)


def _weekdays(value: Any) -> tuple[int, ...]:
    if type(value) is int:
        return _DAYS_OF_MASK[value & 127]
    if isinstance(value, tuple | list | set | frozenset) and all(
        type(day) is int and 1 <= day <= 7 for day in value
    ):
        return tuple(sorted(set(value)))
    raise ValueError("must be days from 1 (Monday) to 7 (Sunday)")


UtcDatetime = Annotated[datetime, Convert(_as_utc)]
# ISO weekdays, sorted and unique; stored as a bit mask (see weekdays_mask).
Weekdays = Annotated[tuple[int, ...], Convert(_weekdays)]
# Free text that people typed: kept out of reprs, because log lines carry ids, never text.
PrivateText = Annotated[str, PRIVATE]
MinuteOfDay = Annotated[int, Range(0, 1440)]
# Lists of ids, stored as JSON text.
JsonTexts = Annotated[tuple[str, ...], Convert(_json_texts)]


class Topic(StrEnum):
    PROMOTION = "promotion"
    PROBLEM = "problem"
    CAREER_PATH = "career_path"
    SKILLS = "skills"
    OTHER = "other"


class Urgency(StrEnum):
    TODAY = "today"
    THIS_WEEK = "this_week"
    NO_RUSH = "no_rush"


class RequestSource(StrEnum):
    DETECTED = "detected"
    COMMAND = "command"
    SHORTCUT = "shortcut"
    INTRO = "intro"


class RequestStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    CLAIMED = "claimed"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFERRED = "referred"


class SessionStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    DID_NOT_HAPPEN = "did_not_happen"


class WhatNext(StrEnum):
    DONE = "done"
    CHECKIN_1W = "checkin_1w"
    CHECKIN_2W = "checkin_2w"
    CHECKIN_4W = "checkin_4w"
    ONGOING_WEEKLY = "ongoing_weekly"
    ONGOING_BIWEEKLY = "ongoing_biweekly"
    ONGOING_MONTHLY = "ongoing_monthly"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class CheckinAnswer(StrEnum):
    ALL_DONE = "all_done"
    STILL_WORKING = "still_working"
    ANOTHER_CHAT = "another_chat"


class IntroStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class IntroFollowup(StrEnum):
    YES = "yes"
    NOT_YET = "not_yet"
    NO = "no"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SubjectType(StrEnum):
    REQUEST = "request"
    SESSION = "session"
    NOTE = "note"
    ACTION_ITEM = "action_item"
    CHECKIN = "checkin"
    RELATIONSHIP = "relationship"
    INTRO = "intro"


class Person(Row):
    """Someone the bot has met in a workspace, with cached Slack facts and preferences."""

    team_id: str
    user_id: str
    tz: str | None = None
    tz_cached_at: UtcDatetime | None = None
    is_admin: bool = False
    admin_cached_at: UtcDatetime | None = None
    opted_out: bool = False
    snoozed_until: UtcDatetime | None = None
    first_seen_at: UtcDatetime
    welcomed_at: UtcDatetime | None = None
    forgotten_at: UtcDatetime | None = None
    updated_at: UtcDatetime


class MentorProfile(Row):
    """A mentor's directory entry; office hours are in the mentor's own time zone."""

    team_id: str
    user_id: str
    open_to_mentoring: bool = True
    bio: str = ""
    capacity: Annotated[int, Range(0, 50)] = 3
    tags: tuple[str, ...] = ()
    office_days: Weekdays = (1, 2, 3, 4, 5)
    office_start_minute: MinuteOfDay | None = None
    office_end_minute: MinuteOfDay | None = None
    paused_until: UtcDatetime | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class Request(Row):
    """A mentee's ask for time, named to one mentor or (mentor_id None) sent to the pool."""

    id: int
    team_id: str
    mentee_id: str
    mentor_id: str | None
    topic: Topic
    details: PrivateText
    duration_minutes: int = 30
    urgency: Urgency = Urgency.THIS_WEEK
    source: RequestSource
    status: RequestStatus = RequestStatus.OPEN
    origin_channel_id: str | None = None
    origin_ts: str | None = None
    origin_permalink: str | None = None
    decline_reason: str | None = field(default=None, repr=False)
    decline_reason_shared: bool = False
    claimed_by: str | None = None
    claimed_at: UtcDatetime | None = None
    accepted_at: UtcDatetime | None = None
    first_response_at: UtcDatetime | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    mentor_dm_channel_id: str | None = None
    mentor_dm_ts: str | None = None
    pool_channel_id: str | None = None
    pool_ts: str | None = None
    mentee_dm_channel_id: str | None = None
    mentee_dm_ts: str | None = None
    # A pool ask without the mentee's name: `offered_by` is a mentor waiting to be revealed to.
    anonymous: bool = False
    offered_by: str | None = None
    revealed_at: UtcDatetime | None = None
    # The mentee's DM about the waiting offer (Reveal / Keep waiting), rewritten when it ends.
    offer_dm_channel_id: str | None = None
    offer_dm_ts: str | None = None
    # Made by a Workflow Builder step: its words are the workflow's, not the mentee's.
    via_workflow: bool = False


class OfferedSlot(Row):
    """A time offered for a request (by the mentor, or proposed back by the mentee)."""

    id: int
    team_id: str
    request_id: int
    starts_at: UtcDatetime
    duration_minutes: int
    proposed_by: Literal["mentor", "mentee"] = "mentor"
    status: Literal["offered", "picked", "withdrawn"] = "offered"
    created_at: UtcDatetime


class Session(Row):
    """A booked meeting between a mentor and a mentee."""

    id: int
    team_id: str
    request_id: int | None = None
    relationship_id: int | None = None
    mentor_id: str
    mentee_id: str
    starts_at: UtcDatetime
    duration_minutes: int
    status: SessionStatus = SessionStatus.CONFIRMED
    talk_now: bool = False
    cancelled_by: str | None = None
    cancel_reason: str | None = field(default=None, repr=False)
    created_at: UtcDatetime
    updated_at: UtcDatetime
    mentor_dm_channel_id: str | None = None
    mentor_dm_ts: str | None = None
    mentee_dm_channel_id: str | None = None
    mentee_dm_ts: str | None = None


class Note(Row):
    """Private notes: body is for author_id's eyes only, and never logged."""

    id: int
    team_id: str
    author_id: str
    subject_id: str
    session_id: int | None = None
    body: PrivateText = ""
    what_next: WhatNext = WhatNext.DONE
    created_at: UtcDatetime
    updated_at: UtcDatetime


class ActionItem(Row):
    """One step of a shared action plan; due_date is a date in the owner's time zone."""

    id: int
    team_id: str
    note_id: int | None = None
    session_id: int | None = None
    mentor_id: str
    mentee_id: str
    owner_id: str
    position: int = 1
    text: PrivateText
    due_date: date | None = None
    done_at: UtcDatetime | None = None
    snoozed_until: UtcDatetime | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class Checkin(Row):
    """A scheduled "how is your action plan going?" and its answer."""

    id: int
    team_id: str
    note_id: int | None = None
    mentor_id: str
    mentee_id: str
    sequence: int = 1
    due_at: UtcDatetime
    asked_at: UtcDatetime | None = None
    answer: CheckinAnswer | None = None
    answered_at: UtcDatetime | None = None
    follow_up_request_id: int | None = None
    created_at: UtcDatetime


class Relationship(Row):
    """An ongoing 1:1 with a cadence; ended_at set once it stops."""

    id: int
    team_id: str
    mentor_id: str
    mentee_id: str
    cadence: Cadence
    next_at: UtcDatetime | None = None
    started_at: UtcDatetime
    ended_at: UtcDatetime | None = None
    updated_at: UtcDatetime


class Intro(Row):
    """A double-opt-in introduction of a mentee to an expert."""

    id: int
    team_id: str
    introducer_id: str
    mentee_id: str
    expert_id: str
    why: PrivateText
    note: str | None = field(default=None, repr=False)
    from_request_id: int | None = None
    request_id: int | None = None
    status: IntroStatus = IntroStatus.PENDING
    created_at: UtcDatetime
    answered_at: UtcDatetime | None = None
    expert_dm_channel_id: str | None = None
    expert_dm_ts: str | None = None
    group_dm_channel_id: str | None = None
    followup_answer: IntroFollowup | None = None  # 002: the mentee's "did you connect?"
    followup_answered_at: UtcDatetime | None = None
    # Made by a Workflow Builder step: the introducer was named by a workflow.
    via_workflow: bool = False


class OutboxMessage(Row):
    """A timed message waiting in (or gone through) the durable outbox."""

    id: int
    team_id: str
    kind: str
    recipient: str
    due_at: UtcDatetime
    subject_type: SubjectType | None = None
    subject_id: int | None = None
    dedupe_key: str
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    last_error: str | None = None
    lease_until: UtcDatetime | None = None
    payload: Annotated[dict[str, Any], Convert(_json_object)] = field(default_factory=dict)
    created_at: UtcDatetime
    sent_at: UtcDatetime | None = None
    applied_at: UtcDatetime | None = None  # when the change this row stands for was made
    # Crash safety (006): who holds or last held the lease, since when, and since when a post
    # for this row may already be in Slack (an earlier claim ended with no outcome).
    claimed_by: str | None = None
    claimed_at: UtcDatetime | None = None
    maybe_posted_since: UtcDatetime | None = None


class WorkspaceSettings(Row):
    """Per-workspace settings; a workspace that never saved any gets these defaults."""

    team_id: str
    pool_channel_id: str | None = None
    detection_enabled: bool = True
    detection_off_channels: JsonTexts = ()
    prompt_cooldown_minutes: Annotated[int, Range(0, 1440)] = 10
    nudge_after_hours: Annotated[int, Range(1, 720)] = 24
    escalate_after_hours: Annotated[int, Range(1, 720)] = 48
    pool_repost_after_hours: Annotated[int, Range(1, 720)] = 24
    expire_after_hours: Annotated[int, Range(1, 2160)] = 336
    reminder_minutes: Annotated[int, Range(0, 1440)] = 15
    work_days: Weekdays = (1, 2, 3, 4, 5)
    work_start_minute: MinuteOfDay = 9 * 60
    work_end_minute: MinuteOfDay = 18 * 60
    max_open_requests: Annotated[int, Range(1, 1000)] = 10
    coordinators: JsonTexts = ()
    # Session feedback ("How was it?" and Say thanks), and where shared thanks are posted.
    feedback_enabled: bool = True
    kudos_channel_id: str | None = None
    # Pool asks may leave out the asker's name; skills may come from these profile fields.
    anonymous_asks_enabled: bool = True
    profile_skill_fields: JsonTexts = ()
    updated_at: UtcDatetime | None = None

    def __post_init__(self) -> None:
        if self.work_start_minute >= self.work_end_minute:
            raise RowError("working hours must start before they end")
        if self.nudge_after_hours >= self.escalate_after_hours:
            raise RowError("escalation must come after the nudge")


class SettingsChange(Row):
    """One audited change of one workspace setting; values are JSON text."""

    id: int
    team_id: str
    field: str
    old_value: str
    new_value: str
    changed_by: str
    changed_at: UtcDatetime
