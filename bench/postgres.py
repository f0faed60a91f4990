"""Step 6: the figures again on PostgreSQL, beside SQLite's from the same run.

A PostgreSQL server is started the way the tests start it (tests/postgres.py: Debian's server
binaries, initdb in a temporary folder, as the unprivileged `postgres` account when run as
root, fsync off) and pinned with the bot to the server core, so its work counts against the
bot as SQLite's does (SQLite works inside the bot's process). Each part gets a fresh database:
- the Store's single statements on an ask's path, CPU and wall time per call, on both engines;
- the load scenarios of step 1 with `mentorbot run` on PostgreSQL, against the same floor;
- the outbox at scale, with two replicas (two Dispatchers, each on its own Store) on one
  database: the one holding the leader's lock sends;
- the storage queries of step 4 at the same scale, seeded by COPY.
Without PostgreSQL installed the step is skipped and says why.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bench.apps import LoadSizes, run_load
from bench.outbox_scale import OutboxSizes, run_outbox
from bench.procs import SERVER_CORE, can_pin, make_dir, pinned_self
from bench.storage_scale import Scale, run_storage
from storage.store import Store
from tests.postgres import PostgresServer, running_postgres

WARMUP = 50
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
TEAM = "T0BENCH"


def _server_pids(server: PostgresServer) -> list[int]:
    """The postmaster and every process it has started."""
    postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == postmaster:
                pids.append(int(stat.parent.name))
    return pids


def _pin_server(server: PostgresServer) -> None:
    """Pin the server to the bot's core; backends forked later inherit it."""
    if not can_pin():
        return
    for pid in _server_pids(server):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(pid, {SERVER_CORE})


@contextlib.contextmanager
def postgres() -> Iterator[PostgresServer | str]:
    """A running server, or why there is none."""
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(running_postgres())
        except pytest.skip.Exception as skipped:
            yield str(skipped.msg)
            return
        _pin_server(server)
        yield server


async def _per_call(count: int, call: Callable[[int], Awaitable[object]]) -> dict[str, float]:
    """CPU µs (this process, all threads) and wall µs per call of `call(i)`, after a warm-up."""
    for i in range(WARMUP):
        await call(-1 - i)
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(count):
        await call(i)
    return {
        "cpu_us": (time.process_time() - cpu) / count * 1e6,
        "wall_us": (time.perf_counter() - wall) / count * 1e6,
    }


async def run_statements(count: int, target: str) -> dict[str, dict[str, float]]:
    """The single statements an ask and any event cost, on the database `target`."""
    async with await Store.open(target) as store:
        await store.migrate()
        await store.upsert_person(TEAM, "U0READ", tz="UTC", now=NOW)

        async def claim(i: int) -> object:
            ts = f"1700000000.{i + WARMUP:06d}"
            channel = f"CA{i + WARMUP:07d}"
            return await store.claim_prompt(TEAM, "U0ASK", channel, ts, timedelta(minutes=10), NOW)

        async def event(i: int) -> object:
            return await store.mark_event_processed(TEAM, f"Ev{i + WARMUP:09d}", NOW)

        async def person(_: int) -> object:
            return await store.get_person(TEAM, "U0READ")

        return {
            "claim_prompt": await _per_call(count, claim),
            "mark_event_processed": await _per_call(count, event),
            "get_person": await _per_call(count, person),
        }


async def run_postgres(sizes: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Every PostgreSQL figure; {"skipped": why} without a server."""
    make_dir(workdir)
    with postgres() as server:
        if isinstance(server, str):
            return {"skipped": server}
        version = server.psql("SHOW server_version").split()[0]
        results: dict[str, Any] = {"server_version": version}
        with pinned_self(SERVER_CORE):
            results["statements"] = {
                "count": sizes["ask"],
                "sqlite": await run_statements(sizes["ask"], str(workdir / "statements.db")),
                "postgresql": await run_statements(sizes["ask"], server.url(server.new_database())),
            }
        load: LoadSizes = sizes["load"]
        results["load"] = await run_load(
            load, workdir / "load", db=server.url(server.new_database())
        )
        outbox: OutboxSizes = sizes["outbox"]
        results["outbox"] = await run_outbox(
            outbox, workdir / "outbox", db=server.url(server.new_database()), replicas=2
        )
        scale: Scale = sizes["storage"]
        results["storage"] = await run_storage(
            scale, workdir / "storage", db=server.url(server.new_database())
        )
        return results
