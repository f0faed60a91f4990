"""The outbox queries on a real SQLite file: enqueue once, claim with a lease, finish once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.models import OutboxStatus, SubjectType
from storage.store import Store

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
TEAM = "T0001"


async def add(store: Store, key: str, due: datetime = NOW, **extra: object) -> bool:
    return await store.enqueue(
        TEAM,
        "test.dm",
        "U1",
        due,
        dedupe_key=key,
        now=NOW - timedelta(hours=1),
        **extra,  # type: ignore[arg-type]
    )


async def test_enqueue_is_idempotent_per_dedupe_key(store: Store) -> None:
    assert await add(store, "nudge:1", payload={"request_id": 1})
    assert not await add(store, "nudge:1", due=NOW + timedelta(days=1))
    assert await store.enqueue("T0002", "test.dm", "U1", NOW, dedupe_key="nudge:1", now=NOW)
    rows = await store.list_outbox([OutboxStatus.PENDING])
    assert len(rows) == 2
    mine = next(row for row in rows if row.team_id == TEAM)
    assert mine.due_at == NOW  # the first enqueue wins
    assert mine.payload == {"request_id": 1}


async def test_claim_takes_due_rows_once_and_leases_them(store: Store) -> None:
    await add(store, "a", NOW - timedelta(minutes=1))
    await add(store, "b", NOW)
    await add(store, "later", NOW + timedelta(seconds=1))
    claimed = await store.claim_due(NOW, LEASE)
    assert [row.dedupe_key for row in claimed] == ["a", "b"]
    assert all(row.status is OutboxStatus.SENDING for row in claimed)
    assert all(row.attempts == 1 and row.lease_until == NOW + LEASE for row in claimed)
    assert await store.claim_due(NOW, LEASE) == []
    # A worker that crashed leaves its lease to run out; then the rows come back.
    assert await store.claim_due(NOW + LEASE - timedelta(seconds=1), LEASE) != []  # "later"
    again = await store.claim_due(NOW + LEASE, LEASE)
    assert sorted(row.dedupe_key for row in again) == ["a", "b"]
    assert all(row.attempts == 2 for row in again)


async def test_claim_respects_the_limit_in_due_order(store: Store) -> None:
    for minute in range(5):
        await add(store, f"k{minute}", NOW - timedelta(minutes=minute))
    claimed = await store.claim_due(NOW, LEASE, limit=2)
    assert [row.dedupe_key for row in claimed] == ["k4", "k3"]


async def test_finishing_a_row(store: Store) -> None:
    for key in ("sent", "again", "wait", "dead"):
        await add(store, key)
    rows = {row.dedupe_key: row for row in await store.claim_due(NOW, LEASE)}
    assert await store.mark_sent(rows["sent"], NOW)
    assert not await store.mark_sent(rows["sent"], NOW)  # only a claimed row can finish
    assert await store.reschedule(rows["again"], NOW + timedelta(minutes=1), "500 boom")
    assert await store.defer(rows["wait"], NOW + timedelta(hours=2))
    assert await store.mark_failed(rows["dead"], "x" * 2000)

    sent = await store.get_outbox_message(TEAM, rows["sent"].id)
    assert sent is not None
    assert sent.status is OutboxStatus.SENT
    assert sent.sent_at == NOW
    again = await store.get_outbox_message(TEAM, rows["again"].id)
    assert again is not None
    assert again.status is OutboxStatus.PENDING
    assert (again.attempts, again.last_error, again.lease_until) == (1, "500 boom", None)
    wait = await store.get_outbox_message(TEAM, rows["wait"].id)
    assert wait is not None
    assert wait.attempts == 0
    dead = await store.get_outbox_message(TEAM, rows["dead"].id)
    assert dead is not None
    assert dead.status is OutboxStatus.FAILED
    assert dead.last_error is not None
    assert len(dead.last_error) == 500

    assert await store.retry_failed(NOW + timedelta(days=1)) == 1
    revived = await store.get_outbox_message(TEAM, rows["dead"].id)
    assert revived is not None
    assert revived.status is OutboxStatus.PENDING
    assert (revived.attempts, revived.due_at) == (0, NOW + timedelta(days=1))
    assert await store.count_outbox() == {OutboxStatus.SENT: 1, OutboxStatus.PENDING: 3}


async def test_cancel_for_subject(store: Store) -> None:
    request = {"subject_type": SubjectType.REQUEST}
    await add(store, "pending", subject_id=7, **request)
    await add(store, "claimed", subject_id=7, **request)
    await add(store, "other", subject_id=8, **request)
    claimed = await store.claim_due(NOW, LEASE, limit=1)
    # The claimed row is its worker's to finish (its renderer re-reads the subject).
    assert await store.cancel_for_subject(TEAM, SubjectType.REQUEST, 7) == 1
    assert await store.mark_sent(claimed[0], NOW)
    left = await store.claim_due(NOW + LEASE, LEASE)
    assert [row.dedupe_key for row in left] == ["other"]
    assert await store.cancel_for_subject(TEAM, SubjectType.SESSION, 7) == 0


async def test_two_connections_never_claim_the_same_row(tmp_path: Path, store: Store) -> None:
    for number in range(300):
        await add(store, f"k{number}")
    async with await Store.open(tmp_path / "bot.db") as other:
        batches = await asyncio.gather(
            *(s.claim_due(NOW, LEASE, limit=50) for s in (store, other) for _ in range(4))
        )
    ids = [row.id for batch in batches for row in batch]
    assert len(ids) == len(set(ids)) == 300


async def add_for(store: Store, key: str, recipient: str, due: datetime = NOW) -> None:
    assert await store.enqueue(TEAM, "test.dm", recipient, due, dedupe_key=key, now=NOW)


async def test_a_claim_names_its_worker_and_caps_each_recipient(store: Store) -> None:
    for number in range(5):
        await add_for(store, f"alice{number}", "U1", NOW - timedelta(minutes=10 - number))
    await add_for(store, "bob", "U2")
    await add_for(store, "carol", "U3")
    claimed = await store.claim_due(NOW, LEASE, limit=10, worker="web-1", per_recipient=2)
    assert [row.dedupe_key for row in claimed] == ["alice0", "alice1", "bob", "carol"]
    assert {(row.claimed_by, row.claimed_at) for row in claimed} == {("web-1", NOW)}
    assert {row.maybe_posted_since for row in claimed} == {None}  # first claims
    # The rest stay pending and due, for the next tick.
    pending = await store.list_outbox([OutboxStatus.PENDING])
    assert sorted(row.dedupe_key for row in pending) == ["alice2", "alice3", "alice4"]
    assert await store.claim_due(NOW, LEASE, limit=2, worker="web-1", per_recipient=2) != []


async def test_a_restarted_worker_takes_back_only_its_own_leases(store: Store) -> None:
    for who in ("U1", "U2", "U3"):
        await add_for(store, who, who)
    [mine] = await store.claim_due(NOW, LEASE, limit=1, worker="web-1")
    [theirs] = await store.claim_due(NOW, LEASE, limit=1, worker="web-2")
    later = NOW + timedelta(seconds=30)
    assert await store.take_back_leases("web-1", later) == 1
    assert await store.take_back_leases("web-1", later) == 0
    again = await store.claim_due(later, LEASE, worker="web-1")
    assert sorted(row.dedupe_key for row in again) == sorted([mine.dedupe_key, "U3"])
    taken_back = next(row for row in again if row.id == mine.id)
    # Its first claim ended with no outcome: a post may be in Slack since that claim began.
    assert (taken_back.maybe_posted_since, taken_back.attempts) == (NOW, 2)
    assert taken_back.claimed_at == later
    untouched = await store.get_outbox_message(theirs.team_id, theirs.id)
    assert untouched is not None
    assert (untouched.claimed_by, untouched.lease_until) == ("web-2", NOW + LEASE)


async def test_a_lapsed_lease_and_a_lost_answer_mark_the_row_maybe_posted(store: Store) -> None:
    await add_for(store, "lapsed", "U1")
    await add_for(store, "lost", "U2")
    rows = {r.dedupe_key: r for r in await store.claim_due(NOW, LEASE, worker="web-2")}
    assert await store.reschedule_unsure(rows["lost"], NOW + timedelta(minutes=1), "timeout")
    after = NOW + LEASE + timedelta(minutes=1)
    again = {r.dedupe_key: r for r in await store.claim_due(after, LEASE, worker="web-1")}
    assert again["lapsed"].maybe_posted_since == NOW  # the earliest claim with no outcome
    assert again["lost"].maybe_posted_since == NOW
    assert again["lapsed"].claimed_by == "web-1"
    # A later lapse keeps the earliest moment: a post could date from either claim.
    third = await store.claim_due(after + LEASE, LEASE, worker="web-3")
    assert {row.maybe_posted_since for row in third} == {NOW}


async def test_only_the_claim_that_holds_a_row_writes_its_outcome(store: Store) -> None:
    await add_for(store, "lost", "U1")
    [old] = await store.claim_due(NOW, LEASE, worker="web-1")
    later = NOW + LEASE
    [new] = await store.claim_due(later, LEASE, worker="web-2")  # web-1's lease ran out
    # web-1, back late (it lost the lead, or stalled), can't end web-2's claim in any way.
    assert not await store.mark_sent(old, later)
    assert not await store.reschedule(old, later, "500")
    assert not await store.reschedule_unsure(old, later, "timeout")
    assert not await store.defer(old, later)
    assert not await store.mark_failed(old, "late")
    assert not await store.cancel_claimed(old, "late")
    # Nor can an earlier claim of the same worker: the claim time tells them apart.
    [again] = await store.claim_due(later + LEASE, LEASE, worker="web-2")
    assert not await store.mark_sent(new, later)
    assert await store.mark_sent(again, later + LEASE)
