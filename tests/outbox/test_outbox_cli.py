"""`mentorbot outbox`: failed rows are listed without their text, retried, then delivered, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.clock import FrozenClock
from bot.delivery import Delivery, outbox_client
from bot.outbox import Dispatcher, TickReport
from playground.fakeslack import ALICE, TEAM_ID, TOKEN, FakeSlack, serve_in_thread
from storage.models import OutboxMessage
from storage.store import Store
from tests.flows import run_cli

SECRET = "private words that must never be printed"


async def greet(row: OutboxMessage) -> Delivery:
    return Delivery(row.recipient, str(row.payload["text"]))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """MENTORBOT_DB: a SQLite file, or a new PostgreSQL database's URL."""
    if request.param == "sqlite":
        return str(tmp_path / "bot.db")
    return str(request.getfixturevalue("pg_url"))


async def run_ticks(db: str | Path, fake: FakeSlack, clock: FrozenClock, ticks: int) -> TickReport:
    """Open the store, tick the dispatcher `ticks` times an hour apart, close everything."""
    report = TickReport()
    async with await Store.open(db) as store, aiohttp.ClientSession() as session:
        await store.migrate()
        client = outbox_client(TOKEN, fake.url, session)
        engine = Dispatcher(
            store, client, {"test.greet": greet}, clock, max_attempts=2, rng=random.Random(1)
        )
        for _ in range(ticks):
            report.add(await engine.tick())
            clock.advance(hours=1)
    return report


async def enqueue(db: str | Path, now: datetime) -> None:
    async with await Store.open(db) as store:
        await store.migrate()
        await store.enqueue(
            TEAM_ID, "test.greet", ALICE, now, dedupe_key="g1", payload={"text": SECRET}, now=now
        )


def test_failed_rows_are_listed_retried_and_delivered(tmp_path: Path, database: str) -> None:
    db = database
    clock = FrozenClock(datetime.now(UTC) - timedelta(minutes=1))
    asyncio.run(enqueue(db, clock.now()))
    with serve_in_thread() as fake:
        fake.fail_next("chat.postMessage", status=500, times=2)
        assert asyncio.run(run_ticks(db, fake, clock, 3)).failed == 1

        shown = run_cli(tmp_path, "outbox", MENTORBOT_DB=db)
        assert shown.returncode == 0, shown.stderr
        assert "failed 1" in shown.stdout
        [line] = [line for line in shown.stdout.splitlines() if "test.greet" in line]
        assert ALICE in line
        assert "failed" in line
        assert "chat.postMessage 500 internal_error" in line
        assert SECRET not in shown.stdout + shown.stderr

        retried = run_cli(tmp_path, "outbox", "--retry-failed", MENTORBOT_DB=db)
        assert retried.returncode == 0, retried.stderr
        assert "moved 1 failed message(s) back to pending" in retried.stdout
        assert "pending 1" in retried.stdout

        clock = FrozenClock(datetime.now(UTC))
        assert asyncio.run(run_ticks(db, fake, clock, 1)).sent == 1
        posted = [call for call in fake.calls_to("chat.postMessage") if call.ok]
        assert [call.args["text"] for call in posted] == [SECRET]

    after = run_cli(tmp_path, "outbox", "--limit", "5", MENTORBOT_DB=db)
    assert "sent 1" in after.stdout
    assert "failed 0" in after.stdout
    for bad in ("-3", "0", "many"):
        refused = run_cli(tmp_path, "outbox", "--limit", bad, MENTORBOT_DB=db)
        assert refused.returncode == 2
        assert "argument --limit:" in refused.stderr


def test_an_empty_outbox_and_a_missing_database(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    assert run_cli(tmp_path, "migrate", MENTORBOT_DB=db).returncode == 0
    empty = run_cli(tmp_path, "outbox", MENTORBOT_DB=db)
    assert empty.returncode == 0
    assert "no pending, failed or sent messages" in empty.stdout

    missing = run_cli(tmp_path, "outbox", MENTORBOT_DB=str(tmp_path / "nope.db"))
    assert missing.returncode == 1
    assert "no database at" in missing.stderr
    assert not (tmp_path / "nope.db").exists()
