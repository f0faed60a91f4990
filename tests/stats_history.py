"""A small, hand-worked workspace history for `/mentor stats` (tests/scenarios/test_admin_stats.py)
and for copying a database between engines (tests/storage/test_copy_db.py)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from playground.fakeslack import TEAM_ID
from storage.timefmt import format_time
from tests.conftest import CLOCK_START

__all__ = [
    "MENTEE",
    "MENTOR",
    "NOW",
    "OTHER",
    "SECRET_DETAILS",
    "SECRET_NOTE",
    "TEAM_ID",
    "ago",
    "seed",
]

NOW = CLOCK_START
MENTOR, MENTEE, OTHER = "U0MENTOR", "U0MENTEE", "U0OTHER"
SECRET_DETAILS = "my manager is awful"
SECRET_NOTE = "they seemed nervous about the reorg"


def ago(days: float = 0, hours: float = 0, minutes: float = 0) -> str:
    return format_time(NOW - timedelta(days=days, hours=hours, minutes=minutes))


def seed(db: Path) -> None:
    """A small workspace history whose figures are worked out by hand in the tests below."""
    stamp = ago()
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO people (team_id, user_id, first_seen_at, updated_at) VALUES (?, ?, ?, ?)",
            [
                (team, user, stamp, stamp)
                for team in (TEAM_ID, "T0OTHER")
                for user in (MENTOR, MENTEE, OTHER)
            ],
        )
        # (team, created days ago, source, status, accepted?, hours to first response)
        requests = [
            (TEAM_ID, 1, "detected", "accepted", True, 1),
            (TEAM_ID, 10, "command", "completed", True, 3),
            (TEAM_ID, 20, "shortcut", "declined", False, 2),
            (TEAM_ID, 25, "command", "expired", False, None),
            (TEAM_ID, 60, "intro", "scheduled", True, 0),  # accepted as it was made
            (TEAM_ID, 100, "command", "completed", True, 1),  # outside both windows
            ("T0OTHER", 1, "command", "accepted", True, 5),  # another workspace
        ]
        for team, days, source, status, accepted, hours in requests:
            created = NOW - timedelta(days=days)
            answered = None if hours is None else format_time(created + timedelta(hours=hours))
            conn.execute(
                "INSERT INTO requests (team_id, mentee_id, mentor_id, topic, details, source, "
                "status, accepted_at, first_response_at, created_at, updated_at) "
                "VALUES (?, ?, ?, 'problem', ?, ?, ?, ?, ?, ?, ?)",
                (
                    team,
                    MENTEE,
                    MENTOR,
                    SECRET_DETAILS,
                    source,
                    status,
                    answered if accepted else None,
                    answered,
                    format_time(created),
                    format_time(created),
                ),
            )
        # (id, starts, minutes, status, has notes)
        sessions = [
            (1, ago(days=2), 30, "completed", True),
            (2, ago(days=5), 60, "confirmed", False),  # over, nobody closed it: held
            (3, ago(days=40), 30, "completed", True),
            (4, ago(days=3), 30, "cancelled", False),
            (5, format_time(NOW + timedelta(days=1)), 30, "confirmed", False),
            (6, ago(minutes=10), 30, "confirmed", False),  # still going: not held yet
        ]
        for session_id, starts, minutes, status, _ in sessions:
            conn.execute(
                "INSERT INTO sessions (id, team_id, mentor_id, mentee_id, starts_at, "
                "duration_minutes, status, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, TEAM_ID, MENTOR, MENTEE, starts, minutes, status, stamp, stamp),
            )
        conn.executemany(
            "INSERT INTO notes (team_id, author_id, subject_id, session_id, body, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (TEAM_ID, MENTOR, MENTEE, sid, SECRET_NOTE, stamp, stamp)
                for sid, *_, noted in sessions
                if noted
            ],
        )
        # (due days ago, asked?, answered?)
        for days, asked, answered in [
            (3, True, True),
            (4, True, False),
            (2, False, False),
            (50, True, True),
        ]:
            due = ago(days=days)
            conn.execute(
                "INSERT INTO checkins (team_id, mentor_id, mentee_id, due_at, asked_at, answer, "
                "answered_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    TEAM_ID,
                    MENTOR,
                    MENTEE,
                    due,
                    due if asked else None,
                    "all_done" if answered else None,
                    due if answered else None,
                    stamp,
                ),
            )
        for days, done in [(5, True), (5, False), (6, False), (70, True)]:
            conn.execute(
                "INSERT INTO action_items (team_id, mentor_id, mentee_id, owner_id, text, "
                "done_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'step', ?, ?, ?)",
                (TEAM_ID, MENTOR, MENTEE, MENTEE, stamp if done else None, ago(days=days), stamp),
            )
        for days, status in [(3, "accepted"), (4, "declined"), (80, "accepted"), (85, "pending")]:
            conn.execute(
                "INSERT INTO intros (team_id, introducer_id, mentee_id, expert_id, why, status, "
                "created_at) VALUES (?, ?, ?, ?, 'they know it', ?, ?)",
                (TEAM_ID, OTHER, MENTEE, MENTOR, status, ago(days=days)),
            )
