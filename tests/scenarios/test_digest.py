"""The weekly digest end to end: opting in from Home and from /mentor settings, Monday 09:00 in
two time zones, the figures and the chart in the DM, no mentee named, opting out, and the
text-only digest without files:write; /mentor stats gains the same figures and chart."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.digest import weekly_figures
from bot.lifecycle import Runtime, running
from handlers import ids
from handlers.admin.digest import CHART_FILENAME
from handlers.blocks.digest import DIGEST_OFF, DIGEST_ON, NO_CHART, NOT_FOR_YOU, figure_lines
from playground.fakeslack import BOB, TEAM_ID, FakeSlack, SlackSender, block_texts, find_button
from storage.digest import DIGEST_KIND
from storage.models import OutboxStatus
from tests.conftest import SIGNING_SECRET, bot_settings, deliver_due, replies_sent
from tests.digest_history import END, MENTEES, seed_digest
from tests.flows import configure, dms_to, home_of, open_home, rows

LONDON = "U0LONDON"  # a coordinator in Europe/London (GMT until 29 March)
LA = "U0LOSANG"  # an admin by MENTORBOT_ADMINS in America/Los_Angeles (PDT from 8 March)
# Tuesday 3 March 2026: the next digest is Monday 9 March, looking back on 2 to 8 March.
START = datetime(2026, 3, 3, 12, tzinfo=UTC)
LONDON_NINE = datetime(2026, 3, 9, 9, tzinfo=UTC)
LA_NINE = datetime(2026, 3, 9, 16, tzinfo=UTC)
MENTEE_NAMES = ("Annie Mentee", "annie")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
async def digest_bot(
    fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[Runtime]:
    fake_slack.add_user(LONDON, "lou", real_name="Lou London", tz="Europe/London")
    fake_slack.add_user(LA, "lee", real_name="Lee Angeles", tz="America/Los_Angeles")
    for mentee in MENTEES:  # mentees with names Slack would give, which must never show
        fake_slack.add_user(mentee, MENTEE_NAMES[1], real_name=MENTEE_NAMES[0])
    settings = bot_settings(
        fake_slack, tmp_path, MENTORBOT_ADMINS=LA, MENTORBOT_TICK_SECONDS="3600"
    )
    async with running(settings, clock=clock) as runtime:
        await seed_digest(runtime.store, team=TEAM_ID)
        await configure(runtime, clock, coordinators=(LONDON,))
        yield runtime


@pytest.fixture
def slack(digest_bot: Runtime, fake_slack: FakeSlack) -> SlackSender:
    return SlackSender(
        f"http://127.0.0.1:{digest_bot.port}",
        SIGNING_SECRET,
        response_url_base=fake_slack.response_url_base,
        settle=replies_sent,
    )


async def turn_on_from_home(slack: SlackSender, fake: FakeSlack, bot: Runtime) -> str:
    """Press Turn on; the Home tab as re-published with the notice on top."""
    home = await open_home(slack, fake, LONDON)
    assert "Weekly digest:* off" in block_texts(home)
    await slack.click(find_button(home, "Turn on"), home, user_id=LONDON)
    await bot.background.drain(5)
    return block_texts(home_of(fake, LONDON))


async def turn_on_in_settings(slack: SlackSender, fake: FakeSlack, bot: Runtime) -> None:
    await slack.command("settings", user_id=LA)
    view = dict(fake.calls_to("views.open")[-1].response["view"])
    reply = await slack.view_submission(view, {"Weekly digest": "on"}, user_id=LA)
    assert reply.status == 200
    assert not reply.body
    await bot.background.drain(5)


def pending_digests(bot: Runtime) -> list[tuple[str, str]]:
    return [
        (str(r[0]), str(r[1]))
        for r in rows(
            bot,
            "SELECT recipient, due_at FROM outbox WHERE kind = 'digest.weekly' "
            "AND status = 'pending' ORDER BY due_at",
        )
    ]


def digests_to(fake: FakeSlack, user_id: str) -> list[Any]:
    return [c for c in dms_to(fake, user_id) if "Mentoring last week" in c.args["text"]]


def charts(fake: FakeSlack) -> list[Any]:
    return [u for u in fake.uploads.values() if u.filename == CHART_FILENAME]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first, right after the signature)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def assert_private(text: str) -> None:
    for mentee in MENTEES:
        assert mentee not in text
    for name in MENTEE_NAMES:
        assert name not in text


async def test_monday_nine_where_each_subscriber_is(
    slack: SlackSender, fake_slack: FakeSlack, digest_bot: Runtime, clock: FrozenClock
) -> None:
    assert DIGEST_ON in await turn_on_from_home(slack, fake_slack, digest_bot)
    await turn_on_in_settings(slack, fake_slack, digest_bot)
    assert pending_digests(digest_bot) == [
        (LONDON, "2026-03-09T09:00:00.000000Z"),
        (LA, "2026-03-09T16:00:00.000000Z"),
    ]

    clock.advance(seconds=(LONDON_NINE - START).total_seconds() - 60)
    await deliver_due(digest_bot)
    assert not digests_to(fake_slack, LONDON)  # 08:59 in London

    clock.advance(seconds=60)
    await deliver_due(digest_bot)
    [digest] = digests_to(fake_slack, LONDON)
    assert not digests_to(fake_slack, LA)  # 02:00 in Los Angeles
    shown = block_texts(digest.args) + digest.args["text"]
    figures = await weekly_figures(digest_bot.store, TEAM_ID, END)
    for label, text in figure_lines(figures):
        assert f"*{label}:* {text}" in shown
    assert "Requests made:* 5 (detected 1, command 2, shortcut 1, intro 1, workflow 0)" in shown
    assert "Answered within 24 h:* 2 of 4 (50%)" in shown
    assert "Median time to first answer:* 3.0 h" in shown
    assert "Share rated helpful:* 67% of 6 ratings · the 4 weeks before: not enough" in shown
    assert "Mentors at capacity now:* 1" in shown
    assert "missed two ticks in a row):* 1" in shown
    assert_private(shown)

    [chart] = charts(fake_slack)
    assert chart.channels == [fake_slack.dm_channel(LONDON)]
    assert chart.data is not None
    assert png_size(chart.data) == (800, 400)
    assert_private(chart.title)

    # Next week's is planned; Los Angeles gets its own at 09:00 there.
    assert pending_digests(digest_bot) == [
        (LA, "2026-03-09T16:00:00.000000Z"),
        (LONDON, "2026-03-16T09:00:00.000000Z"),
    ]
    clock.advance(seconds=(LA_NINE - LONDON_NINE).total_seconds())
    await deliver_due(digest_bot)
    [la_digest] = digests_to(fake_slack, LA)
    assert (
        "Requests made:* 5" in la_digest.args["text"]
        or "Requests made: 5" in la_digest.args["text"]
    )
    assert len(charts(fake_slack)) == 2
    assert [r for r, _ in pending_digests(digest_bot)] == [LONDON, LA]


async def test_opting_out_cancels_the_digest(
    slack: SlackSender, fake_slack: FakeSlack, digest_bot: Runtime, clock: FrozenClock
) -> None:
    await turn_on_from_home(slack, fake_slack, digest_bot)
    home = await open_home(slack, fake_slack, LONDON)
    await slack.click(find_button(home, "Turn off"), home, user_id=LONDON)
    await digest_bot.background.drain(5)
    assert DIGEST_OFF in block_texts(home_of(fake_slack, LONDON))
    assert pending_digests(digest_bot) == []
    statuses = rows(digest_bot, "SELECT status FROM outbox WHERE kind = 'digest.weekly'")
    assert statuses == [(str(OutboxStatus.CANCELLED),)]

    clock.advance(days=7)
    await deliver_due(digest_bot)
    assert not digests_to(fake_slack, LONDON)

    # In again the same week: a fresh row, not swallowed by the cancelled one's key.
    await turn_on_from_home(slack, fake_slack, digest_bot)
    assert [r for r, _ in pending_digests(digest_bot)] == [LONDON]


async def test_off_and_on_again_within_a_second_still_sends_it(
    slack: SlackSender, fake_slack: FakeSlack, digest_bot: Runtime, clock: FrozenClock
) -> None:
    for value in ("on", "off", "on"):
        clock.advance(seconds=0.3)
        await slack.block_action(ids.HOME_DIGEST, value, user_id=LONDON)
        await digest_bot.background.drain(5)
    assert DIGEST_ON in block_texts(home_of(fake_slack, LONDON))
    assert [r for r, _ in pending_digests(digest_bot)] == [LONDON]
    clock.advance(seconds=(LONDON_NINE - clock.now()).total_seconds())
    await deliver_due(digest_bot)
    assert len(digests_to(fake_slack, LONDON)) == 1


async def test_unticking_the_settings_box_opts_out(
    slack: SlackSender, fake_slack: FakeSlack, digest_bot: Runtime
) -> None:
    await turn_on_in_settings(slack, fake_slack, digest_bot)
    await slack.command("settings", user_id=LA)
    view = dict(fake_slack.calls_to("views.open")[-1].response["view"])
    assert "initial_options" in view["blocks"][-1]["element"]  # shown ticked
    await slack.view_submission(view, {"Weekly digest": []}, user_id=LA)
    await digest_bot.background.drain(5)
    assert pending_digests(digest_bot) == []
    assert await digest_bot.store.digest_subscription(TEAM_ID, LA) is None


async def test_without_files_write_the_digest_is_text_only(
    slack: SlackSender, fake_slack: FakeSlack, digest_bot: Runtime, clock: FrozenClock
) -> None:
    await turn_on_from_home(slack, fake_slack, digest_bot)
    fake_slack.fail_next("files.getUploadURLExternal", error="missing_scope")
    clock.advance(seconds=(LONDON_NINE - START).total_seconds())
    await deliver_due(digest_bot)

    assert not charts(fake_slack)
    [digest] = digests_to(fake_slack, LONDON)
    [updated] = [
        c for c in fake_slack.calls_to("chat.update") if c.args.get("ts") == digest.response["ts"]
    ]
    assert NO_CHART.strip("_()") in block_texts(updated.args)
    assert "Requests made:* 5" in block_texts(updated.args)


async def test_only_coordinators_and_admins_may_turn_it_on(
    slack: SlackSender, fake_slack: FakeSlack, digest_bot: Runtime
) -> None:
    home = await open_home(slack, fake_slack, BOB)
    assert "Weekly digest" not in block_texts(home)
    await slack.block_action(ids.HOME_DIGEST, "on", user_id=BOB, view=home)  # a forged press
    await digest_bot.background.drain(5)
    assert NOT_FOR_YOU in block_texts(home_of(fake_slack, BOB))
    assert await digest_bot.store.digest_subscription(TEAM_ID, BOB) is None
    assert pending_digests(digest_bot) == []


async def test_stats_gain_the_figures_and_the_chart(
    slack: SlackSender, fake_slack: FakeSlack, digest_bot: Runtime, clock: FrozenClock
) -> None:
    clock.advance(days=6)  # Monday 9 March, 12:00 UTC: last week is 2 to 8 March
    await slack.command("stats", user_id=LA)
    [shown] = [c for c in fake_slack.calls_to("response_url") if c.args.get("blocks")]
    texts = block_texts(shown)
    assert "Last week against the four before" in texts
    # Los Angeles' week ends at 07:00 UTC, after every seeded moment of 8 March.
    assert "Requests made:* 5 (detected 1, command 2, shortcut 1, intro 1, workflow 0)" in texts
    assert "The 12-week chart is in our DM" in texts
    [chart] = charts(fake_slack)
    assert chart.channels == [fake_slack.dm_channel(LA)]
    assert chart.data is not None
    assert png_size(chart.data) == (800, 400)
    assert_private(texts)


def test_the_kind_is_the_one_storage_cancels() -> None:
    assert DIGEST_KIND == "digest.weekly"
    assert timedelta(hours=7) == LA_NINE - LONDON_NINE


async def test_moving_west_never_ends_the_chain(
    slack: SlackSender, fake_slack: FakeSlack, digest_bot: Runtime, clock: FrozenClock
) -> None:
    await turn_on_from_home(slack, fake_slack, digest_bot)
    # Lou moves to Los Angeles before Monday: at 09:00 London it is still 02:00 Monday there.
    fake_slack.add_user(LONDON, "lou", real_name="Lou London", tz="America/Los_Angeles")
    clock.advance(seconds=(LONDON_NINE - START).total_seconds())
    await deliver_due(digest_bot)
    assert len(digests_to(fake_slack, LONDON)) == 1
    # The next one is the following Monday, 09:00 in Los Angeles, not a second one today.
    assert (
        pending_digests(digest_bot)
        == [
            (LA, "2026-03-09T16:00:00.000000Z"),
            (LONDON, "2026-03-16T16:00:00.000000Z"),
        ][1:]
    )
