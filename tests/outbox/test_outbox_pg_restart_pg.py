"""PostgreSQL restarts while the outbox's leader is mid-batch (a failover looks the same): the
rows whose outcome the database didn't take stay leased to the leader, which takes them back
once it leads again, looks each up in Slack and sends the rest: each message once, in seconds
rather than after the 5-minute lease, with one warning for the batch instead of a traceback per
row."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.outbox import Pacing
from playground.fakeslack import TEAM_ID, FakeSlack
from storage.models import OutboxStatus
from storage.store import Store
from tests.flows import ROW_KIND, row_dispatcher, tagged_rows, wait_until
from tests.postgres import PostgresServer

PEOPLE = 40


async def test_a_database_restart_mid_batch_strands_nothing_for_the_lease(
    fake_slack: FakeSlack,
    pg_url: str,
    pg_server: PostgresServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = datetime.now(UTC)
    fake_slack.delay("chat.postMessage", 1.0, answer_only=True)  # posted at once, answered late
    async with aiohttp.ClientSession() as session, await Store.open(pg_url) as store:
        await store.migrate()
        for number in range(PEOPLE):
            user_id = f"U{8000 + number}"
            fake_slack.add_user(user_id)
            await store.enqueue(TEAM_ID, ROW_KIND, user_id, now, dedupe_key=user_id, now=now)
        engine = row_dispatcher(
            store, session, fake_slack.url, "replica-a", pacing=Pacing(concurrency=8)
        )
        ticking = asyncio.create_task(engine.tick())
        await wait_until(lambda: len(tagged_rows(fake_slack)) >= 6, 20)
        await asyncio.to_thread(pg_server.restart)  # the posts in flight can't be recorded
        await asyncio.wait_for(ticking, 20)
        for _ in range(60):  # the scheduler's ticks, faster
            await engine.tick()
            if (await store.count_outbox()).get(OutboxStatus.SENT) == PEOPLE:
                break
            await asyncio.sleep(0.25)
        statuses = await store.count_outbox()

    counts = tagged_rows(fake_slack)
    assert {row: n for row, n in counts.items() if n > 1} == {}  # none twice
    assert statuses == {OutboxStatus.SENT: PEOPLE}  # none waits out its 5-minute lease
    outbox_records = [record for record in caplog.records if record.name == "bot.outbox"]
    assert [record for record in outbox_records if record.exc_info] == []
    assert sum(record.levelno >= logging.WARNING for record in outbox_records) <= 6
