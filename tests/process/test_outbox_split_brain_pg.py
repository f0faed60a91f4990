"""Two `mentorbot run` replicas on one PostgreSQL, 300 nudges due to 300 people, Slack slow to
answer (each post lands at once, its answer a second later). Mid-batch the server ends the
dispatching replica's lock connection (a network blip, a pooler, a failover), and the process
lives on: it stops posting before its next post, the other replica takes the lead, and every
nudge reaches Slack exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from playground.fakeslack import FakeSlack
from storage.models import OutboxStatus
from storage.store import Store
from tests.flows import replicas, seed_nudges, tagged_rows, wait_until
from tests.postgres import end_outbox_leader

pytestmark = pytest.mark.slow

MENTORS = 300
CUT_AFTER = 20  # messages in Slack when the leader's connection is ended


async def test_a_leader_cut_off_from_its_lock_mid_batch_posts_nothing_twice(
    fake_slack: FakeSlack, tmp_path: Path, pg_url: str
) -> None:
    await seed_nudges(
        pg_url, fake_slack, mentors=MENTORS, each=1, tag="split",
        offset_ms=lambda number, nth: number,
    )  # fmt: skip
    fake_slack.delay("chat.postMessage", 1.0, answer_only=True)
    async with replicas(fake_slack, tmp_path, pg_url, 2) as bots:
        await wait_until(lambda: len(tagged_rows(fake_slack)) >= CUT_AFTER, 60)
        assert await end_outbox_leader(pg_url) == 1
        # Rows the cut-off leader couldn't put back wait out the takeover grace (70 s).
        await wait_until(lambda: len(tagged_rows(fake_slack)) >= MENTORS, 150)
        async with await Store.open(pg_url) as store:
            for _ in range(100):  # the last outcomes are written after the last answers
                statuses = await store.count_outbox()
                if statuses == {OutboxStatus.SENT: MENTORS}:
                    break
                await asyncio.sleep(0.1)
        await asyncio.sleep(2)  # time for a duplicate to show up
        alive = [bot.process.returncode is None for bot in bots]

    counts = tagged_rows(fake_slack)
    assert {row: n for row, n in counts.items() if n > 1} == {}  # none twice
    assert len(counts) == MENTORS  # none lost
    assert statuses == {OutboxStatus.SENT: MENTORS}
    assert alive == [True, True]
    logs = "".join(bot.logs() for bot in bots)
    assert "outbox lost the lead mid-batch" in logs  # it noticed, and said so once
    assert "Traceback" not in logs
