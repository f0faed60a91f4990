"""Exactly once across a crash: the real Dispatcher and SQLite against the fake Slack over HTTP.

A "crash" here is a tick cancelled while chat.postMessage waits for its answer: Slack already
has the message (the fake stores it at once and answers late), the row is still leased, and
nothing recorded an outcome, just as when the process is killed at that moment.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FrozenClock
from bot.delivery import OUTBOX_EVENT, Delivery, Renderer, outbox_client
from bot.lifecycle import running
from bot.outbox import Dispatcher, Pacing
from playground.fakeslack import ALICE, BOB, CAROL, TEAM_ID, TOKEN, FakeSlack
from storage.models import OutboxMessage, OutboxStatus
from storage.store import Store
from tests.conftest import bot_settings

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
FAST = Pacing(workspace_per_second=10_000, workspace_burst=100)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as opened:
        yield opened


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


class Remembered:
    """A renderer whose deliveries record where they were posted (like a request's DM)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    async def render(self, row: OutboxMessage) -> Delivery:
        async def on_sent(channel: str, ts: str) -> None:
            self.seen.append((channel, ts))

        return Delivery(row.recipient, f"row {row.id}", on_sent=on_sent)


def engine(
    store: Store,
    fake: FakeSlack,
    session: aiohttp.ClientSession,
    clock: FrozenClock,
    renderer: Renderer,
    worker: str = "web-1",
    client: AsyncWebClient | None = None,
    **options: Any,
) -> Dispatcher:
    options.setdefault("pacing", FAST)
    return Dispatcher(
        store,
        client or outbox_client(TOKEN, fake.url, session),
        {"test.dm": renderer},
        clock,
        rng=random.Random(7),
        worker_id=worker,
        **options,
    )


def tagged_rows(fake: FakeSlack) -> Counter[int]:
    """How many messages in Slack carry each outbox row's tag."""
    counts: Counter[int] = Counter()
    for channel in list(fake.channels):
        for message in fake.messages(channel):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == OUTBOX_EVENT:
                counts[int(metadata["event_payload"]["row"])] += 1
    return counts


async def crash_after_slack_took_it(dispatcher: Dispatcher, fake: FakeSlack, posts: int) -> None:
    """Tick until Slack holds `posts` tagged messages, then kill the tick before any answer."""
    fake.delay("chat.postMessage", 1, answer_only=True)
    tick = asyncio.ensure_future(dispatcher.tick())
    for _ in range(200):
        if sum(tagged_rows(fake).values()) >= posts:
            break
        await asyncio.sleep(0.01)
    tick.cancel()
    with pytest.raises(asyncio.CancelledError):
        await tick
    fake.delay("chat.postMessage", 0)
    assert sum(tagged_rows(fake).values()) == posts


async def enqueue(store: Store, key: str, recipient: str = ALICE) -> None:
    assert await store.enqueue(TEAM_ID, "test.dm", recipient, NOW, dedupe_key=key, now=NOW)


async def test_every_post_carries_its_row_tag(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    await enqueue(store, "a", ALICE)
    await enqueue(store, "b", BOB)
    await engine(store, fake_slack, session, clock, Remembered().render).tick()
    assert tagged_rows(fake_slack) == {1: 1, 2: 1}
    assert fake_slack.calls_to("conversations.history") == []  # first tries never look


async def test_a_restart_finds_the_post_its_crash_left_and_does_not_post_again(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    for who in (ALICE, BOB, CAROL):
        await enqueue(store, who, who)
    before = engine(store, fake_slack, session, clock, Remembered().render)
    await crash_after_slack_took_it(before, fake_slack, posts=3)
    assert await store.count_outbox() == {OutboxStatus.SENDING: 3}

    clock.advance(seconds=20)  # the restart: same worker, leases still 4m40s from running out
    assert await store.take_back_leases("web-1", clock.now()) == 3
    remembered = Remembered()
    report = await engine(store, fake_slack, session, clock, remembered.render).tick()

    assert (report.claimed, report.sent, report.found) == (3, 3, 3)
    assert tagged_rows(fake_slack) == {1: 1, 2: 1, 3: 1}
    assert len([c for c in fake_slack.calls_to("chat.postMessage") if c.ok]) == 3
    assert await store.count_outbox() == {OutboxStatus.SENT: 3}
    # on_sent learns where the earlier post is, as if this run had posted it.
    posted = {
        (channel, m["ts"]) for channel in fake_slack.channels for m in fake_slack.messages(channel)
    }
    assert set(remembered.seen) == posted
    lookup = fake_slack.calls_to("conversations.history")[0]
    assert lookup.args["include_all_metadata"] in ("1", "true", True)
    window_start = float(lookup.args["oldest"])
    assert window_start == (NOW - timedelta(minutes=1)).timestamp()  # the claim, less skew


async def test_a_lapsed_lease_of_another_worker_is_looked_up_too(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    await enqueue(store, "a")
    crashed = engine(store, fake_slack, session, clock, Remembered().render, worker="web-2")
    await crash_after_slack_took_it(crashed, fake_slack, posts=1)
    survivor = engine(store, fake_slack, session, clock, Remembered().render, worker="web-1")
    assert await store.take_back_leases("web-1", clock.now()) == 0  # not its lease
    assert (await survivor.tick()).claimed == 0
    clock.advance(minutes=5)
    report = await survivor.tick()
    assert (report.sent, report.found) == (1, 1)
    assert tagged_rows(fake_slack) == {1: 1}


async def test_a_row_claimed_but_never_posted_is_posted_once_after_the_lookup(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    await enqueue(store, "a")
    await enqueue(store, "b", BOB)
    await store.claim_due(NOW, timedelta(minutes=5), worker="web-1")  # then the process dies
    assert await store.take_back_leases("web-1", NOW) == 2
    report = await engine(store, fake_slack, session, clock, Remembered().render).tick()
    assert (report.sent, report.found) == (2, 0)
    assert tagged_rows(fake_slack) == {1: 1, 2: 1}
    assert len(fake_slack.calls_to("conversations.history")) == 2


async def test_a_failed_lookup_retries_later_and_never_posts_twice(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    await enqueue(store, "a")
    await crash_after_slack_took_it(
        engine(store, fake_slack, session, clock, Remembered().render), fake_slack, posts=1
    )
    await store.take_back_leases("web-1", clock.now())
    restarted = engine(store, fake_slack, session, clock, Remembered().render)

    fake_slack.fail_next("conversations.history", status=500)
    first = await restarted.tick()
    assert (first.sent, first.retried) == (0, 1)
    [row] = await store.list_outbox([OutboxStatus.PENDING])
    assert row.last_error == "conversations.history 500 internal_error"
    assert row.maybe_posted_since == NOW  # still to be looked up

    clock.advance(seconds=60)  # past the backoff (30-60 s after a second claim)
    fake_slack.fail_next("conversations.history", status=429, retry_after=20)
    limited = await restarted.tick()
    assert (limited.sent, limited.deferred) == (0, 1)
    clock.advance(seconds=20)
    last = await restarted.tick()
    assert (last.sent, last.found) == (1, 1)
    assert tagged_rows(fake_slack) == {1: 1}
    assert len([c for c in fake_slack.calls_to("chat.postMessage") if c.ok]) == 1


async def test_a_lookup_that_keeps_failing_gives_up_without_posting(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    await enqueue(store, "a")
    await crash_after_slack_took_it(
        engine(store, fake_slack, session, clock, Remembered().render), fake_slack, posts=1
    )
    await store.take_back_leases("web-1", clock.now())
    fake_slack.fail_next("conversations.history", status=503, times=10)
    restarted = engine(store, fake_slack, session, clock, Remembered().render, max_attempts=3)
    for _ in range(4):
        await restarted.tick()
        clock.advance(hours=1)
    [row] = await store.list_outbox([OutboxStatus.FAILED])
    assert row.last_error == "conversations.history 503 internal_error"
    assert tagged_rows(fake_slack) == {1: 1}  # the one post from before the crash


async def test_a_lost_answer_is_looked_up_before_the_retry(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    await enqueue(store, "a")
    fake_slack.delay("chat.postMessage", 1, answer_only=True)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3)) as impatient:
        client = outbox_client(TOKEN, fake_slack.url, impatient)
        dispatcher = engine(store, fake_slack, session, clock, Remembered().render, client=client)
        assert (await dispatcher.tick()).retried == 1  # timed out, but Slack has it
        fake_slack.delay("chat.postMessage", 0)
        clock.advance(seconds=30)
        report = await dispatcher.tick()
    assert (report.sent, report.found) == (1, 1)
    assert tagged_rows(fake_slack) == {1: 1}


async def test_a_tick_leases_only_what_it_can_send_before_the_next(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    people = [f"U{number:03d}" for number in range(100)]
    for user_id in people:
        fake_slack.add_user(user_id)
    for number in range(300):
        await enqueue(store, f"k{number}", people[number % 100])
    pacing = Pacing(workspace_per_second=20, workspace_burst=20)
    dispatcher = engine(
        store, fake_slack, session, clock, Remembered().render, pacing=pacing,
        tick=timedelta(seconds=1),
    )  # fmt: skip
    assert dispatcher.claim_bounds() == (20, 1)
    report = await dispatcher.tick()
    assert (report.claimed, report.sent, report.deferred) == (20, 20, 0)
    counts = await store.count_outbox()
    assert counts == {OutboxStatus.SENT: 20, OutboxStatus.PENDING: 280}
    slow = engine(store, fake_slack, session, clock, Remembered().render, pacing=pacing)
    assert slow.claim_bounds() == (200, 9)  # the default 10 s tick: turns up to 8 s in


async def test_start_up_takes_back_only_this_workers_leases(
    fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock
) -> None:
    async with await Store.open(tmp_path / "bot.db") as before:
        await before.migrate()
        await enqueue(before, "mine", ALICE)
        await enqueue(before, "theirs", BOB)
        await before.claim_due(NOW, timedelta(minutes=5), limit=1, worker="web-1")
        await before.claim_due(NOW, timedelta(minutes=5), limit=1, worker="web-2")
    settings = bot_settings(
        fake_slack, tmp_path, MENTORBOT_WORKER_ID="web-1", MENTORBOT_TICK_SECONDS="3600"
    )
    async with running(settings, clock=clock) as bot:
        rows = {row.claimed_by: row for row in await bot.store.list_outbox([OutboxStatus.SENDING])}
        assert rows["web-1"].lease_until == NOW
        assert rows["web-2"].lease_until == NOW + timedelta(minutes=5)


async def test_a_conversation_the_bot_may_not_read_is_posted_and_a_gone_one_fails(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    await enqueue(store, "unreadable", ALICE)
    await enqueue(store, "gone", BOB)
    await store.claim_due(NOW, timedelta(minutes=5), worker="web-1")  # then the process dies
    await store.take_back_leases("web-1", NOW)
    fake_slack.fail_next("conversations.history", error="missing_scope", user=ALICE)
    fake_slack.fail_next("conversations.history", error="channel_not_found", user=BOB)
    report = await engine(store, fake_slack, session, clock, Remembered().render).tick()
    assert (report.sent, report.failed, report.found) == (1, 1, 0)
    assert tagged_rows(fake_slack) == {1: 1}  # it can never be looked up: posted, not held
    [failed] = await store.list_outbox([OutboxStatus.FAILED])
    assert failed.last_error == "conversations.history 200 channel_not_found"
