"""The weekly digest's figures against a hand-worked history (tests/digest_history.py), and
opting in and out; on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from bot.chart import series, week_labels
from bot.digest import WEEK, weekly_figures
from storage.digest import DIGEST_KIND
from storage.models import OutboxStatus, RequestSource
from storage.store import Store
from storage.timefmt import format_time
from tests.digest_history import END, M1, MENTEES, OTHER_TEAM, PEOPLE, TEAM, seed_digest


async def test_last_week_against_the_four_before(store: Store) -> None:
    await seed_digest(store)
    figures = await weekly_figures(store, TEAM, END)

    last = figures.last_week
    assert last.requests == 5
    assert last.by_source == {
        RequestSource.DETECTED: 1,
        RequestSource.COMMAND: 2,
        RequestSource.SHORTCUT: 1,
        RequestSource.INTRO: 1,
    }
    assert last.asked == 4  # the intro's request was made already accepted
    assert last.answered_within_day == 2  # 1 h and 3 h; not 30 h
    assert last.median_first_response_seconds == 3 * 3600  # of 1, 3 and 30 h
    assert last.sessions_held == 2
    assert (last.rated, last.rated_helpful) == (6, 4)
    assert last.helpful_percent is not None
    assert round(last.helpful_percent) == 67
    assert last.expired_during == 1  # made in February, expired on 4 March

    before = figures.weeks_before
    assert before.days == 28
    assert before.requests == 3
    assert before.answered_within_day == 1
    assert before.median_first_response_seconds == 2 * 3600
    assert before.sessions_held == 2  # one of them with the pair the other way round
    assert before.rated == 2
    assert before.helpful_percent is None  # two ratings could be told apart
    assert before.expired_during == 1

    assert figures.mentors_at_capacity == 1
    assert figures.at_risk == 1


async def test_the_trend_is_twelve_weeks_of_the_same_figures(store: Store) -> None:
    await seed_digest(store)
    figures = await weekly_figures(store, TEAM, END)
    trend = figures.trend

    assert trend.weeks[0] == date(2025, 12, 15)
    assert trend.weeks[-1] == date(2026, 3, 2)
    assert len(trend.weeks) == 12
    assert all(b - a == timedelta(days=7) for a, b in itertools.pairwise(trend.weeks))
    assert trend.requests == (0,) * 8 + (1, 1, 1, 5)
    assert trend.answered == (0,) * 8 + (1, 0, 0, 2)
    assert trend.sessions == (0,) * 8 + (1, 0, 1, 2)
    # The last point is last week's figure; the chart draws exactly these series.
    assert trend.requests[-1] == figures.last_week.requests
    assert series(trend) == {
        "Requests": trend.requests,
        "Answered within 24 h": trend.answered,
        "Sessions held": trend.sessions,
    }
    labels = " ".join(week_labels(trend))
    assert labels.startswith("15 Dec")
    assert labels.endswith("2 Mar")
    assert not any(person in labels for person in PEOPLE)


async def test_another_workspace_counts_nothing_here(store: Store) -> None:
    await seed_digest(store)
    figures = await weekly_figures(store, OTHER_TEAM, END)
    assert figures.last_week.requests == 1
    assert figures.last_week.sessions_held == 0
    assert (figures.mentors_at_capacity, figures.at_risk) == (0, 0)


async def test_opting_out_cancels_the_pending_digest(store: Store) -> None:
    since = await store.subscribe_digest(TEAM, M1, END)
    assert await store.subscribe_digest(TEAM, M1, END + timedelta(days=1)) == since
    assert await store.digest_subscription(TEAM, M1) == since
    await store.enqueue(
        TEAM, DIGEST_KIND, M1, END + timedelta(hours=9), dedupe_key="digest:x", now=END
    )
    await store.enqueue(
        TEAM, "checkin.ask", M1, END + timedelta(hours=9), dedupe_key="other", now=END
    )

    assert await store.unsubscribe_digest(TEAM, M1)
    assert await store.digest_subscription(TEAM, M1) is None
    rows = {row.kind: row.status for row in await store.list_outbox(list(OutboxStatus))}
    assert rows == {DIGEST_KIND: OutboxStatus.CANCELLED, "checkin.ask": OutboxStatus.PENDING}
    assert not await store.unsubscribe_digest(TEAM, M1)


async def test_a_late_sunday_session_nobody_closed_counts_in_its_week(store: Store) -> None:
    stamp = format_time(datetime(2026, 1, 1, tzinfo=UTC))
    for user in (M1, MENTEES[0]):
        await store._write(
            "INSERT INTO people (team_id, user_id, first_seen_at, updated_at) VALUES (?, ?, ?, ?)",
            (TEAM, user, stamp, stamp),
        )
    # Sunday 23:45 for 30 minutes: over at 00:15 Monday, after its week ended.
    starts = END - timedelta(minutes=15)
    await store._write(
        "INSERT INTO sessions (team_id, mentor_id, mentee_id, starts_at, duration_minutes, "
        "status, created_at, updated_at) VALUES (?, ?, ?, ?, 30, 'confirmed', ?, ?)",
        (TEAM, M1, MENTEES[0], format_time(starts), stamp, stamp),
    )
    nine = timedelta(hours=9)
    this_monday = await weekly_figures(store, TEAM, END, as_of=END + nine)
    assert this_monday.last_week.sessions_held == 1
    next_monday = await weekly_figures(store, TEAM, END + WEEK, as_of=END + WEEK + nine)
    assert next_monday.weeks_before.sessions_held == 1
    assert sum(next_monday.trend.sessions) == 1
    # /mentor stats at the same moment agrees.
    stats = await store.window_stats(TEAM, END + nine - timedelta(days=30), END + nine, 30)
    assert stats.sessions_held == 1
