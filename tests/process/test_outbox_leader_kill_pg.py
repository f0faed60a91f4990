"""SIGKILL the replica that dispatches the outbox, in the middle of 1,000 due messages, with
three `mentorbot run` processes on one PostgreSQL: every message reaches Slack exactly once,
another replica takes the lead within two ticks, and neither Slack's per-channel limit nor
its workspace rate is passed, before, across or after the takeover.

The 1,000 rows are nudges to 40 mentors, 25 each: the workspace's rate (20 messages a second)
binds (50 s of posts; 2,000 rows took 110 s of the suite and showed nothing more), and each
conversation gets a post every two seconds or so, close enough to its limit (one a second)
that a new leader posting where the old one just did would pass it.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path

import psycopg
import pytest

from playground.fakeslack import FakeSlack
from playground.fakeslack.server import Call
from storage.engine_pg import LEADER_LOCK_KEY
from storage.store import Store
from tests.flows import BotProcess, replicas, seed_nudges, tagged_rows
from tests.postgres import PostgresServer
from tests.stalls import watched

pytestmark = pytest.mark.slow

REPLICAS = 3
MENTORS = 40
NUDGES_EACH = 25
ROWS = MENTORS * NUDGES_EACH
KILL_AFTER = 350  # messages in Slack when the leader is killed
TICK = 0.5  # ten rows a tick: each tick sends all it claims before the next one
# The dispatcher's own pacing (bot.outbox.Pacing's defaults), which the fake enforces too.
CHANNEL_INTERVAL = 1.0
WORKSPACE_RATE, WORKSPACE_BURST = 20.0, 5.0
# Network jitter between the dispatcher's decision and the post's arrival at the fake: the
# fake allows a little on top of the dispatcher's own pace, as Slack allows short bursts (a
# post 0.1 s early to a conversation; a workspace bucket twice as deep, as bench/ uses, filling
# 10 % faster, as docs/benchmarks.md advises keeping the pace under Slack's limit), so a
# correct dispatcher meets no 429.
JITTER = 0.1
FAKE_CHANNEL_RATE = 1 / (CHANNEL_INTERVAL - JITTER)
FAKE_WORKSPACE_RATE = 1.1 * WORKSPACE_RATE
FAKE_WORKSPACE_BURST = 2 * WORKSPACE_BURST
# Who holds the leader's lock; pg_locks shows its key's high and low 32 bits.
HOLDERS = (
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s "
    "AND granted"
)
KEY_PARTS = (LEADER_LOCK_KEY >> 32, LEADER_LOCK_KEY & 0xFFFFFFFF)


def posts(fake: FakeSlack) -> list[Call]:
    """chat.postMessage calls Slack accepted, in arrival order."""
    return [call for call in fake.calls_to("chat.postMessage") if call.ok]


def closest_in_a_channel(tries: list[Call]) -> float:
    """The shortest time between two posts (accepted or not) to one conversation."""
    by_channel: dict[str, list[float]] = defaultdict(list)
    for call in tries:
        by_channel[str(call.args["channel"])].append(call.at)
    gaps = [b - a for times in by_channel.values() for a, b in itertools.pairwise(times)]
    return min(gaps, default=float("inf"))


def busiest_window(tries: list[Call], seconds: float) -> int:
    """The most posts (accepted or not) in any window of `seconds`."""
    times = sorted(call.at for call in tries)
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] > seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


def refusals(tries: list[Call], killed_at: float) -> list[str]:
    """Each 429: when, against the kill; the tries in the second before it; and the longest
    silence in the two seconds before it, which shows arrivals bunched after a pause."""
    seen = []
    for call in (call for call in tries if call.status == 429):
        before = [other.at for other in tries if call.at - 2 <= other.at < call.at]
        gaps = [b - a for a, b in itertools.pairwise([*before, call.at])]
        in_second = sum(1 for at in before if at >= call.at - 1)
        seen.append(
            f"{call.at - killed_at:+.2f} s: {in_second} tries in the second before, "
            f"longest silence {max(gaps, default=0.0):.2f} s"
        )
    return seen


def leader(bots: list[BotProcess]) -> BotProcess:
    """The replica that dispatches: the only one whose log reports outbox ticks."""
    leading = [bot for bot in bots if "outbox tick claimed" in bot.logs()]
    assert len(leading) == 1, [bot.log_path.name for bot in leading]
    return leading[0]


async def test_sigkill_the_dispatching_leader_mid_1000_messages(
    fake_slack: FakeSlack, tmp_path: Path, pg_url: str, pg_server: PostgresServer
) -> None:
    await seed_nudges(
        pg_url, fake_slack, mentors=MENTORS, each=NUDGES_EACH, tag="leader",
        offset_ms=lambda number, nth: nth * MENTORS + number,
    )  # fmt: skip
    fake_slack.enforce_channel_rate(per_second=FAKE_CHANNEL_RATE, burst=1)
    fake_slack.enforce_workspace_rate(FAKE_WORKSPACE_RATE, FAKE_WORKSPACE_BURST)

    async def held_by() -> list[int]:
        """The server process ids holding the leader's lock (psql would block the fake)."""
        async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
            cursor = await conn.execute(HOLDERS, KEY_PARTS)
            return [int(row[0]) for row in await cursor.fetchall()]

    async def until(condition: Callable[[], Awaitable[bool]], within: float) -> None:
        deadline = time.monotonic() + within
        while not await condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"still waiting after {within} s")
            await asyncio.sleep(0.05)

    async def delivered(count: int) -> bool:
        return len(tagged_rows(fake_slack)) >= count

    started = time.perf_counter()
    async with (
        watched() as stalls,
        replicas(fake_slack, tmp_path, pg_url, REPLICAS, MENTORBOT_TICK_SECONDS=str(TICK)) as bots,
    ):
        await until(lambda: delivered(KILL_AFTER), 90)
        first = leader(bots)
        [dead_pid] = await held_by()
        first.process.kill()  # SIGKILL mid-dispatch
        killed_at = time.time()
        await first.process.wait()
        survivors = [bot for bot in bots if bot is not first]

        # The server drops the dead leader's connection and lock; a survivor's next tick
        # takes the lead, and posts once one channel interval has passed (bot/outbox.py).
        async def taken_over() -> bool:
            return (await held_by()) not in ([], [dead_pid])

        async def posted_again() -> bool:
            return any(call.at > killed_at + 0.2 for call in posts(fake_slack))

        await until(taken_over, 2 * TICK + 1)
        locked_after = time.time() - killed_at
        await until(posted_again, 10)
        resumed_after = min(c.at for c in posts(fake_slack) if c.at > killed_at + 0.2) - killed_at
        await until(lambda: delivered(ROWS), 120)
        await asyncio.sleep(2 * TICK)  # time for a duplicate to show up
        second = leader(survivors)
        elapsed = time.perf_counter() - started

        counts = tagged_rows(fake_slack)
        async with await Store.open(pg_url) as store:
            statuses = await store.count_outbox()
        assert {row: n for row, n in counts.items() if n > 1} == {}  # none twice
        assert len(counts) == ROWS  # none lost
        assert {str(status): n for status, n in statuses.items()} == {"sent": ROWS}
        assert locked_after <= 2 * TICK
        assert resumed_after <= 2 * TICK + CHANNEL_INTERVAL

        # Every try counts, refused or not: a burst is the dispatcher's, whatever Slack says.
        tries = fake_slack.calls_to("chat.postMessage")
        near = [call for call in tries if killed_at - 3 <= call.at <= killed_at + 5]
        refused = dict(fake_slack.refused)
        print(
            f"\n{ROWS} nudges to {MENTORS} mentors on {REPLICAS} replicas; leader "
            f"{first.log_path.stem} killed at {KILL_AFTER} sent; {second.log_path.stem} held the "
            f"lock after {locked_after:.2f} s and posted after {resumed_after:.2f} s; "
            f"{elapsed:.1f} s in all; 429s {refused}; closest tries to one conversation "
            f"{closest_in_a_channel(tries):.3f} s apart ({closest_in_a_channel(near):.3f} s "
            f"around the kill); busiest second {busiest_window(tries, 1.0)} tries "
            f"({busiest_window(near, 1.0)} around the kill); 429s at {refusals(tries, killed_at)}; "
            f"the fake's process: {stalls.summary()}, late the most at "
            f"{stalls.lag_at - killed_at:+.2f} s"
        )
        # One workspace 429 in 2,000 posts came in CI when the token was taken before a DM's
        # conversations.open, which a loaded fake answered late (the new leader opens all 40
        # again); the bucket now paces the post itself (test_outbox_engine.py's bucket test).
        # Another came from this process: late in a full run, one full collection of the
        # session's heap paused the fake for 0.94 s, and the posts sent meanwhile arrived
        # together; `watched()` keeps that heap out of the collector while this test runs.
        assert refused == {}
        assert closest_in_a_channel(tries) >= CHANNEL_INTERVAL - JITTER
        assert busiest_window(tries, 1.0) <= WORKSPACE_RATE + FAKE_WORKSPACE_BURST
    for bot in bots:
        assert "Traceback" not in bot.logs()
