"""`/mentor stats`: every figure checked against a seeded database, and what an admin sees."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.lifecycle import Runtime
from handlers.blocks.stats import format_duration, format_percent
from storage.models import RequestSource
from storage.store import Store
from storage.timefmt import format_time
from tests.conftest import CLOCK_START
from tests.fakeslack import CAROL, TEAM_ID, FakeSlack, SlackSender, block_texts
from tests.flows import told

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
            (TEAM_ID, 60, "intro", "scheduled", True, 10),
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


@pytest.fixture
def seeded(store: Store, db_path: Path) -> None:
    """The store's database holds the seeded figures."""
    seed(db_path)


@pytest.mark.usefixtures("seeded")
async def test_the_last_30_days(store: Store) -> None:
    stats = await store.window_stats(TEAM_ID, NOW - timedelta(days=30), NOW, 30)
    assert stats.requests == 4
    assert stats.by_source == {
        RequestSource.DETECTED: 1,
        RequestSource.COMMAND: 2,
        RequestSource.SHORTCUT: 1,
        RequestSource.INTRO: 0,
    }
    assert stats.accepted_percent == 50
    assert stats.expired == 1
    assert stats.median_first_response_seconds == 2 * 3600  # of 1 h, 2 h and 3 h
    assert (stats.sessions_held, stats.sessions_with_notes) == (2, 1)
    assert (stats.checkins_asked, stats.checkins_answered) == (2, 1)
    assert (stats.action_items, stats.action_items_done) == (3, 1)
    assert (stats.intros, stats.intros_accepted) == (2, 1)


@pytest.mark.usefixtures("seeded")
async def test_the_last_90_days(store: Store) -> None:
    stats = await store.window_stats(TEAM_ID, NOW - timedelta(days=90), NOW, 90)
    assert stats.requests == 5
    assert stats.by_source[RequestSource.INTRO] == 1
    assert stats.accepted_percent == 60
    assert stats.median_first_response_seconds == 2.5 * 3600  # the mean of 2 h and 3 h
    assert (stats.sessions_held, stats.sessions_with_notes) == (3, 2)
    assert (stats.checkins_asked, stats.checkins_answered) == (3, 2)
    assert (stats.action_items, stats.action_items_done) == (4, 2)
    assert (stats.intros, stats.intros_accepted) == (4, 2)


@pytest.mark.usefixtures("seeded")
async def test_an_empty_workspace_has_no_percentages(store: Store) -> None:
    stats = await store.window_stats("T0EMPTY", NOW - timedelta(days=30), NOW, 30)
    assert stats.requests == 0
    assert stats.accepted_percent is None
    assert stats.median_first_response_seconds is None
    assert format_percent(stats.notes_percent) == "—"


def test_figures_read_plainly() -> None:
    assert format_percent(66.666) == "67%"
    assert format_duration(90) == "2 min"
    assert format_duration(9000) == "2.5 h"
    assert format_duration(3 * 86400) == "3.0 days"


async def test_an_admin_sees_counts_and_nothing_private(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    seed(clocked_bot.settings.db_path)
    fake_slack.add_user(CAROL, "carol", is_owner=True)
    reply = await clocked_slack.command("stats", user_id=CAROL)
    assert reply.status == 200
    [shown] = [c for c in fake_slack.calls_to("response_url") if c.args.get("blocks")]
    texts = block_texts(shown)
    assert "last 30 days: 4 (detected 1, /mentor ask 2, shortcut 1, intro 0)" in texts
    assert "last 90 days: 60%" in texts
    assert "last 30 days: 2.0 h · last 90 days: 2.5 h" in texts
    for private in (SECRET_DETAILS, SECRET_NOTE, MENTOR, MENTEE, OTHER):
        assert private not in texts
        assert private not in str(shown.args)


async def test_stats_refuse_non_admins(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    await clocked_slack.command("stats", user_id=CAROL)
    assert "for workspace admins" in told(fake_slack)[-1]
