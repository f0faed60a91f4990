"""A leader on PostgreSQL whose connection the server ends mid-batch (a network blip, a pooler,
a failover) while its process lives on: it stops before its next post and puts back what it
didn't post, and the replica that takes the lead sends the rest; each message once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import aiohttp

from bot.outbox import Dispatcher, Pacing
from playground.fakeslack import TEAM_ID, FakeSlack
from storage.models import OutboxStatus
from storage.store import Store
from tests.flows import ROW_KIND, row_dispatcher, tagged_rows, wait_until
from tests.postgres import end_outbox_leader

PEOPLE = 40


def dispatcher(store: Store, session: aiohttp.ClientSession, url: str, worker: str) -> Dispatcher:
    return row_dispatcher(
        store,
        session,
        url,
        worker,
        pacing=Pacing(concurrency=4),  # slow enough that most of the batch waits its turn
        takeover_grace=timedelta(seconds=3),  # longer than a post takes here (1 s)
    )


async def test_a_leader_that_lost_its_connection_stops_and_nothing_is_posted_twice(
    fake_slack: FakeSlack, pg_url: str
) -> None:
    now = datetime.now(UTC)
    people = [f"U{8000 + number}" for number in range(PEOPLE)]
    fake_slack.delay("chat.postMessage", 1.0, answer_only=True)  # posted at once, answered late
    async with (
        aiohttp.ClientSession() as session,
        await Store.open(pg_url) as first,
        await Store.open(pg_url) as second,
    ):
        await first.migrate()
        for user_id in people:
            fake_slack.add_user(user_id)
            await first.enqueue(TEAM_ID, ROW_KIND, user_id, now, dedupe_key=user_id, now=now)
        old = dispatcher(first, session, fake_slack.url, "replica-a")
        ticking = asyncio.create_task(old.tick())
        await wait_until(lambda: len(tagged_rows(fake_slack)) >= 6, 20)
        assert await end_outbox_leader(pg_url) == 1  # the process lives on

        # The other replica ticks on meanwhile, as it would, and takes the lead once it can.
        new = dispatcher(second, session, fake_slack.url, "replica-b")
        for _ in range(60):
            await new.tick()
            if (await second.count_outbox()).get(OutboxStatus.SENT) == PEOPLE:
                break
            await asyncio.sleep(0.25)
        stopped = await asyncio.wait_for(ticking, 20)
        statuses = await second.count_outbox()

    counts = tagged_rows(fake_slack)
    assert {row: n for row, n in counts.items() if n > 1} == {}  # none twice
    assert len(counts) == PEOPLE  # none lost
    assert statuses == {OutboxStatus.SENT: PEOPLE}
    assert stopped.sent < PEOPLE  # the old leader stopped mid-batch
