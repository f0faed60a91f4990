"""Shared fixtures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.lifecycle import Runtime, running
from bot.settings import Settings
from playground.fakeslack import FakeSlack, SlackSender
from storage.store import Store
from tests.postgres import pg_server, pg_url

# One PostgreSQL server for the whole run: a module importing these fixtures itself would get a
# server of its own (pytest scopes a fixture by where it is defined).
__all__ = ["pg_server", "pg_url"]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The database file of a test: the one `bot_settings` points a bot at, too."""
    return tmp_path / "bot.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    """A migrated Store on a fresh SQLite file."""
    async with await Store.open(db_path) as opened:
        await opened.migrate()
        yield opened


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A fake Slack Web API on 127.0.0.1; point clients at `fake_slack.url`."""
    async with FakeSlack() as fake:
        yield fake


SIGNING_SECRET = "scenario-signing-secret"


def bot_settings(fake: FakeSlack, tmp_path: Path, **env: str) -> Settings:
    """Settings for a bot that talks to `fake`, keeps its database in `tmp_path`, on a free port."""
    values = {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.url,
        "MENTORBOT_DB": str(tmp_path / "bot.db"),
        "MENTORBOT_HOST": "127.0.0.1",
        "MENTORBOT_PORT": "0",
        **env,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
async def bot(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Runtime]:
    """The whole bot (lifecycle, HTTP server, Bolt, SQLite) running against the fake."""
    async with running(bot_settings(fake_slack, tmp_path)) as runtime:
        yield runtime


async def replies_sent() -> None:
    """Wait for the bot's response_url replies, which it posts after answering Slack."""
    pending = [task for task in asyncio.all_tasks() if task.get_name() == "respond"]
    if pending:
        await asyncio.wait(pending, timeout=5)


@pytest.fixture
def slack(bot: Runtime, fake_slack: FakeSlack) -> SlackSender:
    """Sends signed requests to `bot` the way Slack does; response_urls land on the fake, and
    each send returns once the bot's replies to them are in."""
    return SlackSender(
        f"http://127.0.0.1:{bot.port}",
        SIGNING_SECRET,
        response_url_base=fake_slack.response_url_base,
        settle=replies_sent,
    )


# A Tuesday, 15:00 UTC: inside working hours in London and New York.
CLOCK_START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    """The clock of `clocked_bot`: it only moves when a test calls advance()."""
    return FrozenClock(CLOCK_START)


@pytest.fixture
async def clocked_bot(
    fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[Runtime]:
    """The whole bot on a frozen clock. Its scheduler never ticks on its own (the interval is
    an hour of real time): a test moves `clock` and then calls `deliver_due(bot)`."""
    settings = bot_settings(fake_slack, tmp_path, MENTORBOT_TICK_SECONDS="3600")
    async with running(settings, clock=clock) as runtime:
        yield runtime


@pytest.fixture
def clocked_slack(clocked_bot: Runtime, fake_slack: FakeSlack) -> SlackSender:
    """Signed requests to `clocked_bot`."""
    return SlackSender(
        f"http://127.0.0.1:{clocked_bot.port}",
        SIGNING_SECRET,
        response_url_base=fake_slack.response_url_base,
        settle=replies_sent,
    )


@pytest.fixture
async def two_checkins_bot(
    fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[Runtime]:
    """The bot on a frozen clock with MENTORBOT_MAX_CHECKINS=2."""
    settings = bot_settings(
        fake_slack, tmp_path, MENTORBOT_TICK_SECONDS="3600", MENTORBOT_MAX_CHECKINS="2"
    )
    async with running(settings, clock=clock) as runtime:
        yield runtime


async def deliver_due(bot: Runtime) -> None:
    """Run the outbox dispatcher as the scheduler would, until no row is due at this moment
    (a row sent now may enqueue follow-ups due now, which a later tick would pick up)."""
    assert bot.dispatcher is not None
    for _ in range(10):
        report = await bot.dispatcher.tick()
        await bot.background.drain(5)
        if not report.claimed:
            return
    raise AssertionError("the outbox kept finding due rows after 10 ticks")


async def deliver_soon(bot: Runtime, within: float = 3.0) -> None:
    """deliver_due, then let a frozen clock run on over the rows that only wait for channel
    pacing (one message a second per channel) and deliver those too."""
    assert bot.dispatcher is not None
    clock = bot.dispatcher.clock
    await deliver_due(bot)
    for _ in range(10):
        due = [row.due_at for row in await bot.store.list_outbox(["pending"], limit=500)]
        soon = [at for at in due if at <= clock.now() + timedelta(seconds=within)]
        if not soon or not isinstance(clock, FrozenClock):
            return
        clock.advance(seconds=(max(soon) - clock.now()).total_seconds())
        await deliver_due(bot)
