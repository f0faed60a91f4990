"""Step 3: the outbox at scale against a fake Slack that enforces the rate limits.

Check-in-like rows (a bench-only kind, not quiet so the time of day doesn't matter) are
enqueued due now for many recipients, round-robin, and bot/outbox.py's Dispatcher runs in this
process until every row is sent. The fake, in its own process on the other core, answers
chat.postMessage with 429 + Retry-After past 1 msg/s per channel and past the workspace rate
given to the Dispatcher's Pacing; it counts what was delivered, so lost and duplicated
messages are counted on the Slack side.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.apps import fake_slack
from bench.fake_api import control
from bench.procs import SERVER_CORE, make_dir, pinned_self
from bot.clock import SystemClock
from bot.delivery import Delivery, Renderer, outbox_client
from bot.outbox import Dispatcher, Pacing
from playground.fakeslack.server import TOKEN
from playground.fakeslack.workspace import TEAM_ID
from storage.models import OutboxMessage
from storage.store import Store

KIND = "bench.checkin"
CHANNEL_RATE = 1.0  # Slack (and the fake): about 1 message per second per channel
CHANNEL_BURST = 1
FOLLOWER_TICK = 1.0  # how often a replica that doesn't lead asks for the lead again


@dataclass(frozen=True)
class OutboxSizes:
    rows: int = 10_000
    recipients: int = 2_000
    workspace_per_second: float = 200.0  # bot/outbox.py's default Pacing says 20
    workspace_burst: float = 5.0  # as the default Pacing
    # Slack tolerates short bursts past a rate; a fake bucket exactly as deep as the
    # dispatcher's leaves no room for network jitter (see docs/benchmarks.md).
    fake_workspace_burst: float = 10.0


async def render(row: OutboxMessage) -> Delivery:
    """A check-in DM; the row id in the text lets the fake count each message."""
    return Delivery(row.recipient, f"How is your action plan going? (check-in {row.id})")


RENDERERS: dict[str, Renderer] = {KIND: render}


def lower_bound(sizes: OutboxSizes) -> tuple[float, dict[str, float]]:
    """The least wall time the two limits allow, in seconds, and each limit's own bound.

    Per channel: a recipient with k messages needs (k - 1) / 1 s after their first.
    Workspace: N messages at R/s with a burst of B need (N - B) / R s.
    """
    per_recipient = -(-sizes.rows // sizes.recipients)
    channel = (per_recipient - CHANNEL_BURST) / CHANNEL_RATE
    workspace = max(0.0, (sizes.rows - sizes.workspace_burst) / sizes.workspace_per_second)
    return max(channel, workspace), {"channel": channel, "workspace": workspace}


async def _enqueue(store: Store, recipients: list[str], rows: int) -> float:
    clock = SystemClock()
    now = clock.now()
    began = time.perf_counter()
    for number in range(rows):
        recipient = recipients[number % len(recipients)]
        await store.enqueue(
            TEAM_ID, KIND, recipient, now, dedupe_key=f"bench-checkin-{number}", now=now
        )
    return time.perf_counter() - began


async def run_outbox(
    sizes: OutboxSizes,
    workdir: Path,
    give_up_after: float | None = None,
    *,
    db: str | None = None,
    replicas: int = 1,
) -> dict[str, Any]:
    """Enqueue, dispatch until done (or `give_up_after` s), then count on the fake and in the DB.

    `db`: a database URL instead of a fresh SQLite file; `replicas`: that many Dispatchers,
    each on its own Store (its own connections), tick side by side in this process, as
    replicas do: on PostgreSQL the one holding the leader's lock sends.
    """
    make_dir(workdir)
    target = db or str(workdir / "outbox.db")
    bound, bounds = lower_bound(sizes)
    give_up_after = give_up_after if give_up_after is not None else 3 * bound + 60
    pacing = Pacing(
        workspace_per_second=sizes.workspace_per_second, workspace_burst=sizes.workspace_burst
    )
    async with fake_slack(workdir) as api_url, aiohttp.ClientSession() as session:
        recipients = (
            await control(session, api_url, "bench.add_users", count=sizes.recipients, prefix="UO")
        )["users"]
        await control(
            session,
            api_url,
            "bench.rate",
            channel_per_second=CHANNEL_RATE,
            channel_burst=CHANNEL_BURST,
            workspace_per_second=sizes.workspace_per_second,
            workspace_burst=sizes.fake_workspace_burst,
        )
        async with contextlib.AsyncExitStack() as stack:
            stores = [
                await stack.enter_async_context(await Store.open(target)) for _ in range(replicas)
            ]
            await stores[0].migrate()
            enqueue_seconds = await _enqueue(stores[0], recipients, sizes.rows)
            dispatchers = [
                Dispatcher(
                    store,
                    outbox_client(TOKEN, api_url, session),
                    RENDERERS,
                    SystemClock(),
                    pacing=pacing,
                    worker_id=f"replica-{n}",
                )
                for n, store in enumerate(stores)
            ]
            ticks = 0
            totals: Counter[str] = Counter()

            def done() -> int:
                return totals["sent"] + totals["skipped"] + totals["failed"]

            async def keep_ticking(dispatcher: Dispatcher) -> None:
                nonlocal ticks
                while done() < sizes.rows and time.perf_counter() - began < give_up_after:
                    report = await dispatcher.tick()
                    ticks += 1
                    for name in ("claimed", "sent", "skipped", "deferred", "retried", "failed"):
                        totals[name] += getattr(report, name)
                    if not dispatcher.leading:
                        await asyncio.sleep(FOLLOWER_TICK)  # a replica asks again each tick
                    elif not report.claimed:
                        await asyncio.sleep(0.01)  # what's left waits for pacing

            with pinned_self(SERVER_CORE):
                cpu_began, began = time.process_time(), time.perf_counter()
                await asyncio.gather(*(keep_ticking(d) for d in dispatchers))
                wall = time.perf_counter() - began
                cpu = time.process_time() - cpu_began
            statuses = {str(k): v for k, v in (await stores[0].count_outbox()).items()}
        stats = await control(session, api_url, "bench.stats", texts=True)
    delivered = Counter(stats["posted"])
    expected = {f"How is your action plan going? (check-in {n})" for n in range(1, sizes.rows + 1)}
    return {
        "rows": sizes.rows,
        "recipients": sizes.recipients,
        "workspace_per_second": sizes.workspace_per_second,
        "workspace_burst": sizes.workspace_burst,
        "channel_per_second": CHANNEL_RATE,
        "enqueue_seconds": enqueue_seconds,
        "wall_seconds": wall,
        "bound_seconds": bound,
        "bounds": bounds,
        "ratio_to_bound": wall / bound if bound else 0.0,
        "cpu_ms_per_message": 1000 * cpu / totals["sent"] if totals["sent"] else 0.0,
        "ticks": ticks,
        "report": dict(totals),
        "lost": len(expected - set(delivered)),
        "duplicated": sum(count - 1 for count in delivered.values() if count > 1),
        "unexpected": len(set(delivered) - expected),
        "ratelimited": stats["ratelimited"],
        "ratelimited_by": stats["refused_by"],
        "fake_workspace_burst": sizes.fake_workspace_burst,
        "calls": stats["calls"],
        "db_statuses": statuses,
        "finished": done() >= sizes.rows,
        "engine": "sqlite" if db is None else db.partition(":")[0],
        "replicas": replicas,
    }
