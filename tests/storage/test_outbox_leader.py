"""One replica dispatches the outbox on PostgreSQL (an advisory lock); when it dies, another
takes the lead at its next tick, and with it the rows the dead one had claimed, after the
takeover grace (not after their 5-minute lease), each marked as maybe posted so it is looked up
before a repost. A leader can tell, before each post, whether it still holds the lock: not once
the server ended its connection. On SQLite the one process always leads."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.store import Store
from tests.postgres import end_outbox_leader

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
GRACE = timedelta(seconds=70)

HOLDER = """
import asyncio, sys
from datetime import UTC, datetime, timedelta
from storage.store import Store

async def main():
    now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    store = await Store.open(sys.argv[1])
    if not await store.lead_outbox("dead-leader", now, timedelta(seconds=70)):
        print("not leading", flush=True)
        return
    for n in range(3):
        await store.enqueue("T1", "nudge", f"U{n}", now, dedupe_key=f"k{n}", now=now)
    claimed = await store.claim_due(now, timedelta(minutes=5), 10, worker="dead-leader")
    print(f"leading with {len(claimed)}", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


async def _leads_soon(store: Store, worker: str, ticks: int = 50) -> bool:
    """Ask as the dispatcher's ticks would (every 0.1 s here) until the store leads."""
    for _ in range(ticks):
        if await store.lead_outbox(worker, NOW, GRACE):
            return True
        await asyncio.sleep(0.1)
    return False


async def test_sqlite_always_leads(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "bot.db") as store:
        await store.migrate()
        assert await store.lead_outbox("only", NOW, GRACE) is True
        assert await store.holds_outbox_lead() is True


async def test_one_replica_leads_and_a_closed_one_hands_over(pg_url: str) -> None:
    async with await Store.open(pg_url) as first, await Store.open(pg_url) as second:
        await first.migrate()
        assert await first.lead_outbox("a", NOW, GRACE) is True
        assert await first.lead_outbox("a", NOW, GRACE) is True  # asked each tick: still leads
        assert await second.lead_outbox("b", NOW, GRACE) is False
        assert await first.holds_outbox_lead() is True
        await first.close()
        assert await _leads_soon(second, "b")


async def test_a_killed_leaders_rows_are_taken_over_after_the_grace(pg_url: str) -> None:
    async with await Store.open(pg_url) as store:
        await store.migrate()
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, pg_url, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        line = await asyncio.wait_for(holder.stdout.readline(), 30)
        assert line.decode().strip() == "leading with 3"
        async with await Store.open(pg_url) as replica:
            assert await replica.lead_outbox("replica-b", NOW, GRACE) is False
            assert await replica.claim_due(NOW, LEASE, 10, worker="replica-b") == []
            holder.send_signal(signal.SIGKILL)
            await asyncio.wait_for(holder.wait(), 10)
            assert await _leads_soon(replica, "replica-b"), "nobody took the lead"
            # The old leader may still be posting them (had it only lost its connection).
            almost = NOW + GRACE - timedelta(seconds=1)
            assert await replica.claim_due(almost, LEASE, 10, worker="replica-b") == []
            taken = await replica.claim_due(NOW + GRACE, LEASE, 10, worker="replica-b")
            assert len(taken) == 3
            assert all(row.claimed_by == "replica-b" for row in taken)
            assert all(row.maybe_posted_since is not None for row in taken)
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()


async def test_a_leader_whose_connection_the_server_ended_knows_it_lost_the_lead(
    pg_url: str,
) -> None:
    async with await Store.open(pg_url) as first, await Store.open(pg_url) as second:
        await first.migrate()
        assert await first.lead_outbox("a", NOW, GRACE)
        # What a failover, a pooler or a DBA does to one connection; the process lives on.
        assert await end_outbox_leader(pg_url) == 1
        assert await first.holds_outbox_lead() is False  # it stops before its next post
        assert await _leads_soon(second, "b")
        assert await first.holds_outbox_lead() is False
        assert await first.lead_outbox("a", NOW, GRACE) is False
