"""A new leader on PostgreSQL after the old one died mid-post: the rows the dead leader held for
one person are taken over and sent once each, and not within a channel interval of the dead
leader's last post to that person (the new leader knows nothing of its pacing)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from datetime import UTC, datetime, timedelta

import aiohttp

from bot.outbox import Dispatcher, TickReport
from playground.fakeslack import ALICE, TEAM_ID, FakeSlack
from storage.store import Store
from tests.flows import ROW_KIND, row_dispatcher, tagged_rows, wait_until

# The dead leader's rows are claimable this long after the takeover (the default is 70 s).
GRACE = timedelta(seconds=1)


def dispatcher(store: Store, session: aiohttp.ClientSession, url: str, worker: str) -> Dispatcher:
    # The default pacing and 10 s tick: up to ten of one person's rows in one claim.
    return row_dispatcher(store, session, url, worker, takeover_grace=GRACE)


async def test_a_new_leader_waits_a_channel_interval_after_the_dead_ones_last_post(
    fake_slack: FakeSlack, pg_url: str
) -> None:
    now = datetime.now(UTC)
    fake_slack.delay("chat.postMessage", 0.5, answer_only=True)  # posted, answered late
    async with aiohttp.ClientSession() as session, await Store.open(pg_url) as second:
        first = await Store.open(pg_url)
        await first.migrate()
        for n in range(3):
            await first.enqueue(TEAM_ID, ROW_KIND, ALICE, now, dedupe_key=f"k{n}", now=now)
        old = dispatcher(first, session, fake_slack.url, "replica-a")
        ticking = asyncio.create_task(old.tick())
        await wait_until(lambda: len(tagged_rows(fake_slack)) == 1, 10)
        ticking.cancel()  # dies with its post in Slack and two more of Alice's rows leased
        with contextlib.suppress(asyncio.CancelledError):
            await ticking
        await first.close()  # its connection, and the leader's lock, go with it

        new = dispatcher(second, session, fake_slack.url, "replica-b")
        report = TickReport()
        for _ in range(20):  # the dead leader's rows come back after the grace
            report.add(await new.tick())
            if report.sent == 3:  # found one, posted two, a second apart
                break
            await asyncio.sleep(GRACE.total_seconds() / 4)
        await wait_until(lambda: len(tagged_rows(fake_slack)) == 3, 10)

    posts = fake_slack.calls_to("chat.postMessage")
    assert report.found == 1  # the dead leader's post, found in Slack, not posted again
    assert len(posts) == 3
    assert sorted(tagged_rows(fake_slack).values()) == [1, 1, 1]
    # One message a second to a conversation, across the takeover and after it.
    assert [round(b.at - a.at, 1) >= 1.0 for a, b in itertools.pairwise(posts)] == [True, True]
