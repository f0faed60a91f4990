"""The outbox dispatcher against a real SQLite file and the fake Slack over HTTP."""

from __future__ import annotations

import itertools
import random
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.clock import Clock, FrozenClock, SystemClock
from bot.delivery import Delivery, Renderer, outbox_client
from bot.outbox import Dispatcher, Pacing
from playground.fakeslack import ALICE, BOB, CAROL, TEAM_ID, TOKEN, FakeSlack
from playground.fakeslack.workspace import SlackError
from storage.directory import ProfileDraft
from storage.models import OutboxMessage, OutboxStatus, SubjectType, WorkspaceSettings
from storage.store import Store

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # Tuesday, 11:00 in New York
FAST = Pacing(workspace_per_second=10_000, workspace_burst=100)


async def dm(row: OutboxMessage) -> Delivery:
    return Delivery(row.recipient, f"row {row.id}")


RENDERERS: dict[str, Renderer] = {"test.dm": dm, "test.nudge": dm}


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as opened:
        yield opened


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


def dispatcher(
    store: Store,
    fake: FakeSlack,
    session: aiohttp.ClientSession,
    clock: Clock,
    renderers: dict[str, Renderer] | None = None,
    **options: Any,
) -> Dispatcher:
    options.setdefault("pacing", FAST)
    return Dispatcher(
        store,
        outbox_client(TOKEN, fake.url, session),
        RENDERERS if renderers is None else renderers,
        clock,
        rng=random.Random(7),
        **options,
    )


async def enqueue(
    store: Store, key: str, recipient: str = ALICE, due: datetime = NOW, kind: str = "test.dm"
) -> None:
    assert await store.enqueue(TEAM_ID, kind, recipient, due, dedupe_key=key, now=NOW)


def delivered(fake: FakeSlack) -> Counter[str]:
    """How often each text was posted successfully."""
    return Counter(
        str(call.args.get("text")) for call in fake.calls_to("chat.postMessage") if call.ok
    )


async def test_enqueue_twice_then_the_clock_passes_one_send(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    due = NOW + timedelta(minutes=10)
    await enqueue(store, "k", due=due)
    assert not await store.enqueue(TEAM_ID, "test.dm", ALICE, due, dedupe_key="k", now=NOW)
    engine = dispatcher(store, fake_slack, session, clock)
    await engine.tick()
    assert fake_slack.calls_to("chat.postMessage") == []
    clock.advance(minutes=10)
    report = await engine.tick()
    await engine.tick()
    assert report.sent == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert len(fake_slack.calls_to("conversations.open")) == 1
    call = fake_slack.calls_to("chat.postMessage")[0]
    assert call.ok
    assert call.args["channel"].startswith("D")
    assert fake_slack.dm_channel(ALICE) == call.args["channel"]


async def test_a_restart_delivers_leased_and_pending_rows_once(
    tmp_path: Path, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    async with await Store.open(tmp_path / "bot.db") as crashed:
        await crashed.migrate()
        for number, who in enumerate((ALICE, BOB, CAROL)):
            await enqueue(crashed, f"leased{number}", who)
        assert len(await crashed.claim_due(NOW, timedelta(minutes=5))) == 3  # then it "crashes"
        await enqueue(crashed, "pending", BOB)
    async with await Store.open(tmp_path / "bot.db") as store:
        engine = dispatcher(store, fake_slack, session, clock)
        assert (await engine.tick()).sent == 1  # the leases still hold
        clock.advance(minutes=5)
        assert (await engine.tick()).sent == 3
        clock.advance(hours=1)
        assert (await engine.tick()).claimed == 0
        assert await store.count_outbox() == {OutboxStatus.SENT: 4}
    counts = delivered(fake_slack)
    assert len(counts) == 4
    assert set(counts.values()) == {1}


async def test_429_then_500_delivers_everything_once(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    for who in (ALICE, BOB, CAROL):
        await enqueue(store, who, who)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=30)
    fake_slack.fail_next("chat.postMessage", status=500)
    engine = dispatcher(store, fake_slack, session, clock, pacing=Pacing(concurrency=1))
    first = await engine.tick()
    assert (first.sent, first.deferred) == (0, 3)  # the 429 paused chat.postMessage for all
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    clock.advance(seconds=29)
    assert (await engine.tick()).claimed == 0  # Retry-After not over yet
    clock.advance(seconds=1)
    second = await engine.tick()
    assert (second.sent, second.retried) == (2, 1)  # one of them got the 500
    clock.advance(seconds=30)  # past the 500's backoff (15-30 s)
    assert (await engine.tick()).sent == 1
    clock.advance(hours=2)
    assert (await engine.tick()).claimed == 0
    texts = delivered(fake_slack)
    assert len(texts) == 3
    assert set(texts.values()) == {1}
    per_channel = Counter(
        c.args["channel"] for c in fake_slack.calls_to("chat.postMessage") if c.ok
    )
    assert set(per_channel.values()) == {1}
    rows = await store.list_outbox([OutboxStatus.SENT])
    assert sorted(row.attempts for row in rows) == [1, 1, 2]  # only the 500 cost an attempt


async def test_max_attempts_marks_failed(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    await enqueue(store, "k")
    fake_slack.fail_next("chat.postMessage", status=500, times=10)
    engine = dispatcher(store, fake_slack, session, clock, max_attempts=3)
    for _ in range(4):
        await engine.tick()
        clock.advance(hours=1)
    [row] = await store.list_outbox([OutboxStatus.FAILED])
    assert row.attempts == 3
    assert row.last_error == "chat.postMessage 500 internal_error"
    assert len(fake_slack.calls_to("chat.postMessage")) == 3


async def test_network_errors_are_retried(
    store: Store, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    await enqueue(store, "k")
    async with FakeSlack() as gone:
        url = gone.url  # a port nothing listens on once it stops
    engine = Dispatcher(store, outbox_client(TOKEN, url, session), RENDERERS, clock)
    report = await engine.tick()
    assert report.retried == 1
    [row] = await store.list_outbox([OutboxStatus.PENDING])
    assert row.last_error is not None
    assert row.last_error.startswith("network Client")
    assert NOW + timedelta(seconds=15) <= row.due_at <= NOW + timedelta(seconds=30)


async def test_cancelled_subject_sends_nothing(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    await store.enqueue(
        TEAM_ID, "test.dm", ALICE, NOW, dedupe_key="r1",
        subject_type=SubjectType.REQUEST, subject_id=1, now=NOW,
    )  # fmt: skip
    assert await store.cancel_for_subject(TEAM_ID, SubjectType.REQUEST, 1) == 1
    assert (await dispatcher(store, fake_slack, session, clock).tick()).claimed == 0
    assert fake_slack.calls == []


async def test_renderer_outcomes(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    async def nothing(row: OutboxMessage) -> Delivery | None:
        return None

    async def broken(row: OutboxMessage) -> Delivery | None:
        raise RuntimeError("bug")

    await enqueue(store, "skip", kind="test.skip")
    await enqueue(store, "broken", kind="test.broken")
    await enqueue(store, "unknown", kind="test.unknown")
    renderers: dict[str, Renderer] = {"test.skip": nothing, "test.broken": broken}
    report = await dispatcher(store, fake_slack, session, clock, renderers).tick()
    assert (report.skipped, report.retried, report.failed) == (1, 1, 1)
    assert fake_slack.calls == []
    [failed] = await store.list_outbox([OutboxStatus.FAILED])
    assert failed.kind == "test.unknown"
    assert "unknown outbox kind" in (failed.last_error or "")
    [pending] = await store.list_outbox([OutboxStatus.PENDING])
    assert (pending.kind, pending.last_error) == ("test.broken", "renderer raised")


async def test_a_permanent_slack_error_fails_at_once(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    await enqueue(store, "k", "U404")
    report = await dispatcher(store, fake_slack, session, clock).tick()
    assert report.failed == 1
    [row] = await store.list_outbox([OutboxStatus.FAILED])
    assert row.last_error == "conversations.open 200 user_not_found"


async def test_quiet_hours_hold_nudges_but_not_other_kinds(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession
) -> None:
    clock = FrozenClock(datetime(2026, 3, 10, 7, 0, tzinfo=UTC))  # 03:00 in New York (EDT)
    await enqueue(store, "nudge", BOB, clock.now(), kind="test.nudge")
    await enqueue(store, "nudge2", BOB, clock.now(), kind="test.nudge")
    await enqueue(store, "reminder", BOB, clock.now(), kind="test.dm")
    engine = dispatcher(store, fake_slack, session, clock, quiet_kinds={"test.nudge"})
    report = await engine.tick()
    assert (report.sent, report.deferred) == (1, 2)
    held = await store.list_outbox([OutboxStatus.PENDING])
    nine_am_new_york = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
    assert {row.due_at for row in held} == {nine_am_new_york}
    assert {row.attempts for row in held} == {0}
    assert len(fake_slack.calls_to("users.info")) == 1  # once per recipient per tick
    person = await store.get_person(TEAM_ID, BOB)
    assert person is not None
    assert person.tz == "America/New_York"

    clock.advance(hours=5, minutes=59)
    assert (await engine.tick()).sent == 0
    clock.advance(minutes=1)
    assert (await engine.tick()).sent == 2  # the second waits its turn, a second later
    assert len(fake_slack.calls_to("users.info")) == 1  # cached in people for a day


async def test_quiet_hours_without_a_time_zone_use_utc(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession
) -> None:
    clock = FrozenClock(datetime(2026, 3, 10, 7, 0, tzinfo=UTC))
    await enqueue(store, "nudge", CAROL, clock.now(), kind="test.nudge")
    fake_slack.fail_next("users.info", status=500)
    engine = dispatcher(store, fake_slack, session, clock, quiet_kinds={"test.nudge"})
    assert (await engine.tick()).deferred == 1
    [row] = await store.list_outbox([OutboxStatus.PENDING])
    assert row.due_at == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


async def test_one_recipients_rows_go_a_second_apart_within_one_tick(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession
) -> None:
    # The default 10 s tick claims up to ten of one person's rows; each waits for its turn
    # (one post a second to a conversation) instead of for the next tick, ten seconds later.
    clock = SystemClock()
    for number in range(4):
        await enqueue(store, f"k{number}", ALICE, due=clock.now())
    await enqueue(store, "bob", BOB, due=clock.now())
    engine = dispatcher(store, fake_slack, session, clock)
    started = time.monotonic()
    report = await engine.tick()
    elapsed = time.monotonic() - started
    by_channel: dict[str, list[float]] = {}
    for call in fake_slack.calls_to("chat.postMessage"):
        by_channel.setdefault(str(call.args["channel"]), []).append(call.at)
    [to_alice] = [times for times in by_channel.values() if len(times) == 4]
    assert (report.sent, report.deferred) == (5, 0)
    assert set(delivered(fake_slack).values()) == {1}
    assert min(b - a for a, b in itertools.pairwise(to_alice)) >= 0.95
    assert elapsed < 5  # about three seconds: Bob's row didn't wait behind Alice's


async def test_a_turn_past_the_tick_is_deferred_to_it(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    for number in range(2):
        await enqueue(store, f"k{number}", ALICE)
    # A tick shorter than a channel interval: the second row's turn comes after it.
    engine = dispatcher(store, fake_slack, session, clock, tick=timedelta(seconds=0.5))
    first = await engine.tick()
    assert (first.sent, first.deferred) == (1, 0)  # one a tick fits: the other stays pending
    second = await engine.tick()
    assert (second.sent, second.deferred) == (0, 1)
    [held] = await store.list_outbox([OutboxStatus.PENDING])
    assert held.due_at == NOW + timedelta(seconds=1)  # the next second, not the next tick
    clock.advance(seconds=1)
    assert (await engine.tick()).sent == 1


async def test_2000_rows_none_waits_on_a_failing_recipient(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    recipients = [f"U{number:04d}" for number in range(400)]
    for user_id in recipients:
        fake_slack.add_user(user_id)
    bad = recipients[17]
    opener = fake_slack.methods["conversations.open"]

    def flaky_open(ws: Any, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("users") == bad:
            raise SlackError("fatal_error")
        return opener(ws, args)

    fake_slack.methods["conversations.open"] = flaky_open
    for number in range(2000):
        await enqueue(store, f"k{number}", recipients[number % 400])
    engine = dispatcher(store, fake_slack, session, clock)
    started = time.perf_counter()
    ticks = 0
    while ticks < 20:
        ticks += 1
        await engine.tick()
        if (await store.count_outbox()).get(OutboxStatus.SENT, 0) == 1995:
            break
        clock.advance(seconds=1)
    elapsed = time.perf_counter() - started
    counts = delivered(fake_slack)
    assert len(counts) == 1995
    assert set(counts.values()) == {1}
    assert await store.count_outbox() == {OutboxStatus.SENT: 1995, OutboxStatus.PENDING: 5}
    assert ticks <= 10
    print(f"\n2000 rows: 1995 delivered in {ticks} ticks, {elapsed:.2f}s, {1995 / elapsed:.0f}/s")


async def test_a_snooze_holds_nudges_but_not_other_kinds(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    until = NOW + timedelta(days=1)
    await store.set_snoozed_until(TEAM_ID, ALICE, until, NOW)
    await enqueue(store, "nudge", kind="test.nudge")
    await enqueue(store, "reminder", kind="test.dm")  # e.g. a session reminder: not a nudge
    engine = dispatcher(store, fake_slack, session, clock, nudge_kinds={"test.nudge"})
    report = await engine.tick()
    assert (report.sent, report.deferred) == (1, 1)
    nudge = await store.get_outbox_message(TEAM_ID, 1)
    assert nudge is not None
    assert nudge.status is OutboxStatus.PENDING
    assert nudge.due_at == until
    assert nudge.attempts == 0  # waiting is not an attempt
    clock.advance(days=1)
    assert (await engine.tick()).sent == 1


async def test_stopped_nudge_kinds_are_cancelled_not_sent(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    assert await store.mute_kind(TEAM_ID, ALICE, "test.nudge", NOW)
    assert not await store.mute_kind(TEAM_ID, ALICE, "test.nudge", NOW)
    await enqueue(store, "a", kind="test.nudge")
    await enqueue(store, "b", kind="test.nudge", recipient=BOB)
    engine = dispatcher(store, fake_slack, session, clock, nudge_kinds={"test.nudge"})
    report = await engine.tick()
    assert (report.sent, report.skipped) == (1, 1)
    muted = await store.get_outbox_message(TEAM_ID, 1)
    assert muted is not None
    assert muted.status is OutboxStatus.CANCELLED
    assert muted.last_error == "muted by the recipient (Stop these)"
    assert await store.unmute_kinds(TEAM_ID, ALICE) == 1
    assert await store.muted_kinds(TEAM_ID, ALICE) == frozenset()


async def test_on_sent_gets_the_posted_message_and_its_failure_is_not_a_resend(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    seen: list[tuple[str, str]] = []

    async def remember(channel: str, ts: str) -> None:
        seen.append((channel, ts))
        raise RuntimeError("recording failed")

    async def with_callback(row: OutboxMessage) -> Delivery:
        return Delivery(row.recipient, f"row {row.id}", on_sent=remember)

    await enqueue(store, "k", kind="test.cb")
    engine = dispatcher(store, fake_slack, session, clock, {"test.cb": with_callback})
    report = await engine.tick()
    assert report.sent == 1
    [(channel, ts)] = seen
    assert fake_slack.messages(channel)[0]["ts"] == ts
    row = await store.get_outbox_message(TEAM_ID, 1)
    assert row is not None
    assert row.status is OutboxStatus.SENT
    clock.advance(minutes=10)
    await engine.tick()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_quiet_hours_use_the_workspaces_hours_when_a_profile_has_no_days(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    # Bob's profile ticks no day, so his hours are the workspace's (Mon-Thu 20:00-23:00) whole,
    # the same rule booking and matching use (bot.working_hours).
    evenings = WorkspaceSettings(
        team_id=TEAM_ID, work_days=(1, 2, 3, 4), work_start_minute=1200, work_end_minute=1380
    )
    await store.save_workspace_settings(evenings, "UADMIN", NOW)
    draft = ProfileDraft(
        team_id=TEAM_ID, user_id=BOB, office_days=(), office_start_minute=600, office_end_minute=720
    )
    await store.save_profile(draft, NOW)
    await enqueue(store, "nudge", BOB, kind="test.nudge")
    report = await dispatcher(store, fake_slack, session, clock, quiet_kinds={"test.nudge"}).tick()
    assert report.deferred == 1
    [held] = await store.list_outbox([OutboxStatus.PENDING])
    assert held.due_at == datetime(2026, 3, 11, 0, 0, tzinfo=UTC)  # Tuesday 20:00 in New York


async def test_the_workspace_bucket_paces_posts_as_they_leave_not_before_a_dm_opens(
    store: Store, fake_slack: FakeSlack, session: aiohttp.ClientSession, clock: FrozenClock
) -> None:
    # A DM is opened before its first post, a round trip that Slack may answer slowly. Paced
    # before that round trip, posts to new recipients landed together with the ones paced
    # after them, above the bucket's bound at Slack.
    rate, burst = 20.0, 5.0
    pacing = Pacing(workspace_per_second=rate, workspace_burst=burst, concurrency=64)
    warm = [f"UW{number:03d}" for number in range(15)]
    cold = [f"UC{number:03d}" for number in range(10)]
    for user_id in warm + cold:
        fake_slack.add_user(user_id)
    engine = dispatcher(store, fake_slack, session, clock, pacing=pacing)
    for user_id in warm:
        await enqueue(store, f"first-{user_id}", user_id)
    while (await engine.tick()).sent:
        clock.advance(seconds=1)
    fake_slack.delay("conversations.open", 0.4)
    for user_id in cold + warm:
        await enqueue(store, f"then-{user_id}", user_id, due=clock.now())
    before = len(fake_slack.calls_to("chat.postMessage"))
    while (await engine.tick()).sent:
        clock.advance(seconds=1)
    arrivals = sorted(call.at for call in fake_slack.calls_to("chat.postMessage")[before:])
    assert len(arrivals) == len(cold + warm)
    # In any stretch of time, no more posts reach Slack than the bucket lets out (one for the
    # loopback's own jitter).
    most_over = max(
        (j - i + 1) - (burst + rate * (arrivals[j] - arrivals[i]))
        for i in range(len(arrivals))
        for j in range(i, len(arrivals))
    )
    assert most_over <= 1, most_over
