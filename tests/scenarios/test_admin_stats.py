"""`/mentor stats`: every figure checked against a seeded database, and what an admin sees."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from bot.ratings_shown import ratings_shown
from handlers import ids
from handlers.admin.access import NOT_CONFIRMED
from handlers.blocks.stats import HIDDEN, format_duration, format_percent
from playground.fakeslack import (
    BOB,
    CAROL,
    TEAM_ID,
    FakeSlack,
    SlackSender,
    block_texts,
    find_button,
)
from storage.models import RequestSource, Topic
from storage.requests import ONE_TO_ONE_DETAILS, NewRequest
from storage.store import Store
from tests.conftest import deliver_soon
from tests.flows import (
    DAVE,
    add_dave,
    ask,
    dms_to,
    group_posts,
    introduce,
    stop_failing,
    told,
)
from tests.scenarios.test_workflow_steps import intro_inputs, run_step, start
from tests.stats_history import (
    MENTEE,
    MENTOR,
    NOW,
    OTHER,
    SECRET_DETAILS,
    SECRET_NOTE,
    ago,
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
    # The intro's request was made already accepted: no answer of anyone's to count.
    assert stats.asked == 4
    assert stats.accepted_percent == 50
    assert stats.median_first_response_seconds == 2 * 3600  # of 1 h, 2 h and 3 h
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
    assert "last 90 days: 50%" in texts
    assert "last 30 days: 2.0 h · last 90 days: 2.0 h" in texts
    for private in (SECRET_DETAILS, SECRET_NOTE, MENTOR, MENTEE, OTHER):
        assert private not in texts
        assert private not in str(shown.args)


async def test_an_owner_slack_cant_vouch_for_is_asked_to_try_again_not_refused(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    # users.info fails past the client's retries and nothing is cached: both admin commands
    # say they couldn't check, as neither knows she isn't an admin.
    fake_slack.add_user(CAROL, "carol", is_owner=True)
    for command in ("settings", "stats"):
        fake_slack.fail_next("users.info", status=500, times=3, user=CAROL)
        await clocked_slack.command(command, user_id=CAROL)
        assert told(fake_slack)[-1] == NOT_CONFIRMED
    stop_failing(fake_slack)
    await clocked_slack.command("stats", user_id=CAROL)
    assert any("Mentoring in" in str(c.args) for c in fake_slack.calls_to("response_url"))


async def test_stats_refuse_non_admins(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    await clocked_slack.command("stats", user_id=CAROL)
    assert "for workspace admins" in told(fake_slack)[-1]


def seed_ratings(db: Path, ratings: list[tuple[int, str]]) -> None:
    """One held, rated session per (days ago, rating), each with its own mentee."""
    stamp = ago(days=100)
    with sqlite3.connect(db) as conn:
        for number, (days, rating) in enumerate(ratings, start=1):
            mentee, when = f"U0RATER{number}", ago(days=days)
            conn.execute(
                "INSERT INTO people (team_id, user_id, first_seen_at, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (TEAM_ID, mentee, stamp, stamp),
            )
            conn.execute(
                "INSERT INTO people (team_id, user_id, first_seen_at, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (TEAM_ID, MENTOR, stamp, stamp),
            )
            session_id = conn.execute(
                "INSERT INTO sessions (team_id, mentor_id, mentee_id, starts_at, "
                "duration_minutes, status, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, 30, 'completed', ?, ?) RETURNING id",
                (TEAM_ID, MENTOR, mentee, when, stamp, stamp),
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO feedback (team_id, session_id, mentee_id, mentor_id, rating, "
                "prompted_at, rated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (TEAM_ID, session_id, mentee, MENTOR, rating, when, when),
            )


FIVE_RECENT = [(2, "helpful"), (5, "helpful"), (9, "somewhat"), (12, "not_really"), (20, "helpful")]


async def test_two_windows_never_single_out_the_ratings_between_them(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    # Five ratings in the last 30 days and one 60 days ago: 60% of 5 next to 50% of 6 would
    # show that the lone older rating wasn't "Really helpful".
    seed_ratings(clocked_bot.settings.db_path, [*FIVE_RECENT, (60, "not_really")])
    fake_slack.add_user(CAROL, "carol", is_owner=True)
    await clocked_slack.command("stats", user_id=CAROL)
    [shown] = [c for c in fake_slack.calls_to("response_url") if "Mentoring in" in str(c.args)]
    line = next(
        line for line in block_texts(shown).split("\n") if line.startswith("last 30 days: 60%")
    )
    assert line == f"last 30 days: 60% of 5 ratings · last 90 days: {HIDDEN}"
    assert "of 6 ratings" not in block_texts(shown)


async def test_a_window_shows_when_every_stretch_has_five_ratings(
    store: Store, db_path: Path
) -> None:
    older = [(days + 40, rating) for days, rating in FIVE_RECENT]
    seed_ratings(db_path, [*FIVE_RECENT, *older])
    spans = [(NOW - timedelta(days=days), NOW) for days in (30, 90)]
    assert await ratings_shown(store, TEAM_ID, spans) == [True, True]
    # Between 30 and 45 days ago there are fewer than five: the wider window is left out.
    assert await ratings_shown(store, TEAM_ID, [spans[0], (NOW - timedelta(days=45), NOW)]) == [
        True,
        False,
    ]


ERIN = "U5"


def stats_text(fake: FakeSlack) -> str:
    [stats] = [c for c in fake.calls_to("response_url") if "Mentoring in" in str(c.args)][-1:]
    return block_texts(stats)


async def book_on_the_intro(slack: SlackSender, fake: FakeSlack, bot: Runtime, expert: str) -> None:
    """The expert says Happy to help, then Book time in the group DM: the intro's request."""
    ask = dms_to(fake, expert)[-1]
    await slack.click(find_button(ask, "Happy to help"), ask, user_id=expert)
    await deliver_soon(bot)  # the introduction goes through the outbox
    post = group_posts(fake)[-1]
    await slack.click(find_button(post, "Book time"), post, user_id=expert)
    await bot.background.drain(5)


async def test_requests_made_from_intros_count_as_intros_and_answer_nothing(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    fake.add_user(CAROL, "carol", is_owner=True, tz="Asia/Kolkata")
    # One real ask, answered after 30 hours.
    dm = await ask(slack, fake, bot, BOB)
    clock.advance(hours=30)
    await slack.click(find_button(dm, "Accept"), dm, user_id=BOB)
    # An intro by /mentor intro and one by the Workflow Builder step, both booked.
    fake.add_user(ERIN, "erin", tz="Europe/London")
    await introduce(slack, fake, bot, expert=ERIN)
    await book_on_the_intro(slack, fake, bot, ERIN)
    await run_step(slack, bot, start(fake, ids.STEP_INTRODUCE, **intro_inputs()))
    await book_on_the_intro(slack, fake, bot, DAVE)
    clock.advance(minutes=1)
    await slack.command("stats", user_id=CAROL)
    text = stats_text(fake)
    assert "last 30 days: 3 (detected 0, /mentor ask 1, shortcut 0, intro 2, workflow 0)" in text
    # Made already accepted, they are no one's answer: only the real ask's 30 h counts.
    assert "*Median time to first response*\nlast 30 days: 30.0 h" in text
    assert "*Accepted*\nlast 30 days: 100%" in text


async def test_a_one_to_one_booking_request_is_no_answer_but_a_typed_lookalike_is(
    store: Store,
) -> None:
    def draft(mentee: str) -> NewRequest:
        details = ONE_TO_ONE_DETAILS.format(cadence="monthly")
        return NewRequest(
            team_id=TEAM_ID,
            mentee_id=mentee,
            mentor_id=MENTOR,
            topic=Topic.OTHER,
            details=details,
            source=RequestSource.COMMAND,
        )

    # Book time on a 1:1 makes its request and accepts it at once; someone who typed the
    # same words waited an hour for their mentor. A forgotten mentee's 1:1 request (its words
    # replaced) is still no answer, and one nobody answered yet is still asked.
    made = await store.create_request(draft(MENTEE), NOW - timedelta(days=1))
    await store.accept_request(TEAM_ID, made.id, MENTOR, NOW - timedelta(days=1))
    typed = await store.create_request(draft(OTHER), NOW - timedelta(days=1))
    await store.accept_request(TEAM_ID, typed.id, MENTOR, NOW - timedelta(days=1, hours=-1))
    removed = await store.create_request(
        replace(draft("U7"), details="(removed)"), NOW - timedelta(days=2)
    )
    await store.accept_request(TEAM_ID, removed.id, MENTOR, NOW - timedelta(days=2))
    await store.create_request(draft("U8"), NOW - timedelta(hours=2))
    stats = await store.window_stats(TEAM_ID, NOW - timedelta(days=30), NOW, 30)
    assert (stats.requests, stats.asked, stats.accepted) == (4, 2, 1)
    assert stats.median_first_response_seconds == 3600


async def test_a_pool_request_taken_then_released_still_counts_as_taken(store: Store) -> None:
    made = await store.create_request(
        NewRequest(
            team_id=TEAM_ID,
            mentee_id=MENTEE,
            topic=Topic.CAREER_PATH,
            details="Could someone help me plan my next career step?",
            source=RequestSource.COMMAND,
        ),
        NOW - timedelta(days=2),
    )
    assert await store.claim_request(TEAM_ID, made.id, MENTOR, NOW - timedelta(days=1))
    assert await store.release_request(TEAM_ID, made.id, MENTOR, NOW - timedelta(hours=1))
    stats = await store.window_stats(TEAM_ID, NOW - timedelta(days=30), NOW, 30)
    assert (stats.asked, stats.accepted, stats.accepted_percent) == (1, 1, 100)
