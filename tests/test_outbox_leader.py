"""One replica dispatches the outbox on PostgreSQL (an advisory lock); when it dies, another
takes over at its next tick. On SQLite the one process always does."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from storage.store import Store
from tests.postgres import pg_server, pg_url

__all__ = ["pg_server", "pg_url"]  # fixtures, used by name

HOLDER = """
import asyncio, sys
from storage.store import Store

async def main():
    store = await Store.open(sys.argv[1])
    print("leading" if await store.lead_outbox() else "not leading", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


async def _leads_soon(store: Store, ticks: int = 50) -> bool:
    """Ask as the dispatcher's ticks would (every 0.1 s here) until the store leads."""
    for _ in range(ticks):
        if await store.lead_outbox():
            return True
        await asyncio.sleep(0.1)
    return False


async def test_sqlite_always_leads(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "bot.db") as store:
        assert await store.lead_outbox() is True


async def test_one_replica_leads_and_a_closed_one_hands_over(pg_url: str) -> None:
    async with await Store.open(pg_url) as first, await Store.open(pg_url) as second:
        assert await first.lead_outbox() is True
        assert await first.lead_outbox() is True  # asked again each tick: still the leader
        assert await second.lead_outbox() is False
        await first.close()
        assert await _leads_soon(second)


async def test_a_killed_leader_is_replaced_at_the_next_tick(pg_url: str) -> None:
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, pg_url, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        line = await asyncio.wait_for(holder.stdout.readline(), 30)
        assert line.decode().strip() == "leading"
        async with await Store.open(pg_url) as replica:
            assert await replica.lead_outbox() is False
            holder.send_signal(signal.SIGKILL)
            await asyncio.wait_for(holder.wait(), 10)
            assert await _leads_soon(replica), "nobody took the lead from the killed leader"
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()
