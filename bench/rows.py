"""`python -m bench.rows`: µs to turn one stored row into its model, as the Store does it.

Each row is a real sqlite3.Row (ISO text times, 0/1 booleans, JSON text), made from an
in-memory table shaped like the stored one; App Home and the weekly digest read many.
"""

from __future__ import annotations

import sqlite3
import sys
import timeit
from typing import Any

from storage.models import (
    ActionItem,
    MentorProfile,
    Note,
    OutboxMessage,
    Person,
    Request,
    Session,
    WorkspaceSettings,
)
from storage.rows import columns

T = "2026-11-23T21:05:00.000000Z"
# fmt: off
ROWS: dict[type[Any], dict[str, Any]] = {
    Request: {
        "id": 41, "team_id": "T0001", "mentee_id": "U0MENTEE", "mentor_id": "U0MENTOR",
        "topic": "career_path", "details": "How do I get to staff?", "duration_minutes": 30,
        "urgency": "this_week", "source": "command", "status": "scheduled",
        "origin_channel_id": "C0GENERAL", "origin_ts": "1763931900.000100",
        "origin_permalink": None, "decline_reason": None, "decline_reason_shared": 0,
        "claimed_by": None, "claimed_at": None, "accepted_at": T, "first_response_at": T,
        "created_at": T, "updated_at": T, "mentor_dm_channel_id": "D0MENTOR",
        "mentor_dm_ts": "1763931901.000200", "pool_channel_id": None, "pool_ts": None,
        "mentee_dm_channel_id": "D0MENTEE", "mentee_dm_ts": "1763931902.000300",
        "anonymous": 0, "offered_by": None, "revealed_at": None, "via_workflow": 0,
    },
    OutboxMessage: {
        "id": 7, "team_id": "T0001", "kind": "session_reminder", "recipient": "U0MENTEE",
        "due_at": T, "subject_type": "session", "subject_id": 12,
        "dedupe_key": "session_reminder:12:U0MENTEE", "status": "pending", "attempts": 0,
        "last_error": None, "lease_until": None,
        "payload": '{"session_id": 12, "minutes": 15, "who": ["U0MENTOR", "U0MENTEE"]}',
        "created_at": T, "sent_at": None, "applied_at": T, "claimed_by": None,
        "claimed_at": None, "maybe_posted_since": None,
    },
    WorkspaceSettings: {
        "team_id": "T0001", "pool_channel_id": "C0POOL", "detection_enabled": 1,
        "detection_off_channels": '["C0RANDOM"]', "prompt_cooldown_minutes": 10,
        "nudge_after_hours": 24, "escalate_after_hours": 48, "pool_repost_after_hours": 24,
        "expire_after_hours": 336, "reminder_minutes": 15, "work_days": 31,
        "work_start_minute": 540, "work_end_minute": 1080, "max_open_requests": 10,
        "coordinators": '["U0ADMIN"]', "feedback_enabled": 1, "kudos_channel_id": None,
        "anonymous_asks_enabled": 1, "profile_skill_fields": "[]", "updated_at": T,
    },
    Person: {
        "team_id": "T0001", "user_id": "U0MENTEE", "tz": "Europe/Paris", "tz_cached_at": T,
        "is_admin": 0, "admin_cached_at": None, "opted_out": 0, "snoozed_until": None,
        "first_seen_at": T, "welcomed_at": T, "forgotten_at": None, "updated_at": T,
    },
    Session: {
        "id": 12, "team_id": "T0001", "request_id": 41, "relationship_id": None,
        "mentor_id": "U0MENTOR", "mentee_id": "U0MENTEE", "starts_at": T,
        "duration_minutes": 30, "status": "confirmed", "talk_now": 0, "cancelled_by": None,
        "cancel_reason": None, "created_at": T, "updated_at": T,
        "mentor_dm_channel_id": "D0MENTOR", "mentor_dm_ts": "1763931901.000200",
        "mentee_dm_channel_id": "D0MENTEE", "mentee_dm_ts": "1763931902.000300",
    },
    ActionItem: {
        "id": 3, "team_id": "T0001", "note_id": 5, "session_id": 12, "mentor_id": "U0MENTOR",
        "mentee_id": "U0MENTEE", "owner_id": "U0MENTEE", "position": 1,
        "text": "Write the design doc", "due_date": "2026-12-01", "done_at": None,
        "snoozed_until": None, "created_at": T, "updated_at": T,
    },
    Note: {
        "id": 5, "team_id": "T0001", "author_id": "U0MENTOR", "subject_id": "U0MENTEE",
        "session_id": 12, "body": "Talked about scope.", "what_next": "checkin_2w",
        "created_at": T, "updated_at": T,
    },
    MentorProfile: {
        "team_id": "T0001", "user_id": "U0MENTOR", "open_to_mentoring": 1,
        "bio": "Backend, SQL", "capacity": 3, "tags": ("negotiation", "sql"),
        "office_days": 31, "office_start_minute": 540, "office_end_minute": 1020,
        "paused_until": None, "created_at": T, "updated_at": T,
    },
}
# fmt: on


def stored_row(values: dict[str, Any]) -> sqlite3.Row:
    """The row as sqlite3 hands it over: a table with these columns, one row read back."""
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    names = list(values)
    db.execute(f"CREATE TABLE t ({', '.join(names)})")
    marks = ", ".join("?" * len(names))
    stored = [v if not isinstance(v, tuple) else None for v in values.values()]
    db.execute(f"INSERT INTO t VALUES ({marks})", stored)  # noqa: S608 - our own names
    row: sqlite3.Row = db.execute("SELECT * FROM t").fetchone()
    return row


def read(model: type[Any], row: sqlite3.Row) -> Any:
    """What the Store does with one row (a profile's tags come from a JSON column)."""
    if model is MentorProfile:
        return model.from_row({**columns(row), "tags": ("negotiation", "sql")})
    return model.from_row(row)


def measure(number: int = 20_000, repeat: int = 5) -> dict[str, float]:
    """µs per row for each model: the best of `repeat` runs of `number` reads."""
    cases = [(model.__name__, model, values) for model, values in ROWS.items()]
    # App Home's sections select a count alongside each row; the model leaves it out.
    cases.append(("Request + total", Request, {**ROWS[Request], "total": 12}))
    timings = {}
    for name, model, values in cases:
        row = stored_row(values)
        read(model, row)  # fails loudly if the row doesn't fit the model
        runs = timeit.repeat(lambda: read(model, row), number=number, repeat=repeat)  # noqa: B023
        timings[name] = min(runs) / number * 1e6
    return timings


def main() -> None:
    """Print µs per row for each model."""
    for name, micros in measure().items():
        print(f"{name:18} {micros:6.2f} µs/row")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
