"""`/mentor stats`: every figure checked against a seeded database, and what an admin sees."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.lifecycle import Runtime
from handlers.blocks.stats import format_duration, format_percent
from playground.fakeslack import CAROL, TEAM_ID, FakeSlack, SlackSender, block_texts
from storage.models import RequestSource
from storage.store import Store
from tests.flows import told
from tests.stats_history import (
    MENTEE,
    MENTOR,
    NOW,
    OTHER,
    SECRET_DETAILS,
    SECRET_NOTE,
    seed,
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
    assert "last 30 days: 4 (detected 1, /mentor ask 2, shortcut 1, intro 0, workflow 0)" in texts
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
