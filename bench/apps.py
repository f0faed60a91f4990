"""Step 1 and 5: the running bot against the floor app, under the same signed load.

The fake Web API and this process (the load generator) run on one core, the bot and the floor
on the other. Each scenario (kind x mode) runs on the bot (A) then on the floor (B), round
after round; medians over the rounds are what the report quotes.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.fake_api import control, read_port
from bench.load import KINDS, Phase, Requests, closed_loop, open_loop
from bench.procs import (
    LOAD_CORE,
    SERVER_CORE,
    Child,
    child_env,
    cores_of,
    free_port,
    make_dir,
    pinned_self,
    started,
    wait_http,
)
from playground.fakeslack.server import TOKEN

SECRET = "bench-signing-secret"  # noqa: S105 - the fake's, not a real one
APPS = ("bot", "floor")


@dataclass(frozen=True)
class LoadSizes:
    """How long and how hard to load."""

    duration: float = 5.0  # seconds per closed-loop phase, and per open-loop phase
    rounds: int = 3
    concurrencies: tuple[int, ...] = (16, 64)
    open_rate: float = 200.0
    warmup: float = 1.0
    ask_users: int = 500
    limit: int = 0  # > 0: at most this many requests per phase (smoke tests)
    idle_settle: float = 1.0
    kinds: tuple[str, ...] = KINDS

    def modes(self) -> list[str]:
        opened = [f"open{self.open_rate:g}"] if self.open_rate > 0 else []
        return [f"c{c}" for c in self.concurrencies] + opened


@contextlib.asynccontextmanager
async def fake_slack(workdir: Path) -> AsyncIterator[str]:
    """The fake Web API in its own process on the load core; yields its API base URL."""
    port_file = workdir / "fake.port"
    args = ["-m", "bench.fake_api", "--port-file", str(port_file)]
    with started("fake", args, env=child_env({}), cwd=workdir, port=0, core=LOAD_CORE) as child:
        child.port = await read_port(port_file, child.alive)
        yield f"{child.url}/api/"


@contextlib.asynccontextmanager
async def servers(
    workdir: Path, api_url: str, db: str | None = None
) -> AsyncIterator[dict[str, Child]]:
    """`mentorbot run` (HTTP mode, a fresh SQLite file or `db`) and the floor, both on the
    server core."""
    common = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api_url}
    bot_port, floor_port = free_port(), free_port()
    bot_env = child_env(
        {
            **common,
            "MENTORBOT_DB": db or str(workdir / "bot.db"),
            "MENTORBOT_HOST": "127.0.0.1",
            "MENTORBOT_PORT": str(bot_port),
            "MENTORBOT_LOG_LEVEL": "INFO",
        }
    )
    floor_args = ["-m", "bench.floor_app", "--port", str(floor_port)]
    with (
        started(
            "bot", ["-m", "bot", "run"], env=bot_env, cwd=workdir, port=bot_port, core=SERVER_CORE
        ) as bot,
        started(
            "floor",
            floor_args,
            env=child_env(common),
            cwd=workdir,
            port=floor_port,
            core=SERVER_CORE,
        ) as floor,
    ):
        await asyncio.gather(wait_http(bot), wait_http(floor))
        yield {"bot": bot, "floor": floor}


async def _phase(
    child: Child, requests: Requests, kind: str, mode: str, sizes: LoadSizes, duration: float
) -> Phase:
    async def make() -> bytes:
        return await requests.request(kind)

    cpu_before = child.cpu_seconds()
    if mode.startswith("c"):
        concurrency = int(mode[1:])
        phase = await closed_loop(child.port, make, concurrency, duration, sizes.limit)
    else:
        rate = sizes.open_rate if not sizes.limit else min(sizes.open_rate, sizes.limit / duration)
        phase = await open_loop(child.port, make, rate, duration)
    phase.cpu_seconds = child.cpu_seconds() - cpu_before
    return phase


def _median(summaries: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(s[key] for s in summaries) for key in summaries[0]}


async def run_load(sizes: LoadSizes, workdir: Path, db: str | None = None) -> dict[str, Any]:
    """Run every scenario A B A B over `sizes.rounds` rounds; return raw runs and medians.
    `db`: the bot's MENTORBOT_DB (a fresh SQLite file if None)."""
    make_dir(workdir)
    runs: dict[str, dict[str, dict[str, list[dict[str, float]]]]] = {
        kind: {mode: {app: [] for app in APPS} for mode in sizes.modes()} for kind in sizes.kinds
    }
    memory: dict[str, dict[str, int]] = {}
    prompts = {"asks_answered": 0, "prompts_posted": 0, "floor_asks": 0, "floor_prompts": 0}
    with pinned_self(LOAD_CORE):
        async with fake_slack(workdir) as api_url, aiohttp.ClientSession() as session:
            users = (await control(session, api_url, "bench.add_users", count=sizes.ask_users))[
                "users"
            ]
            async with servers(workdir, api_url, db) as apps:
                await asyncio.sleep(sizes.idle_settle)
                for app, child in apps.items():
                    memory[app] = {"idle_rss_kb": child.status_kb("VmRSS")}
                cores = {app: cores_of(child.process.pid) for app, child in apps.items()}
                cores["load"] = cores_of(0)
                makers = {app: Requests(SECRET, child.port, users) for app, child in apps.items()}
                for kind in sizes.kinds:  # warm both apps up before anything is measured
                    for app, child in apps.items():
                        await _phase(child, makers[app], kind, "c16", sizes, sizes.warmup)
                await control(session, api_url, "bench.clear")
                for _ in range(sizes.rounds):
                    for kind in sizes.kinds:
                        for mode in sizes.modes():
                            for app, child in apps.items():
                                phase = await _phase(
                                    child, makers[app], kind, mode, sizes, sizes.duration
                                )
                                runs[kind][mode][app].append(phase.summary())
                                if kind == "ask":
                                    stats = await control(session, api_url, "bench.stats")
                                    posted = stats["ok_calls"].get("chat.postEphemeral", 0)
                                    asks, posts = (
                                        ("asks_answered", "prompts_posted")
                                        if app == "bot"
                                        else ("floor_asks", "floor_prompts")
                                    )
                                    prompts[asks] += phase.ok
                                    prompts[posts] += posted
                                await control(session, api_url, "bench.clear")
                for app, child in apps.items():
                    memory[app]["peak_rss_kb"] = child.status_kb("VmHWM")
                    memory[app]["final_rss_kb"] = child.status_kb("VmRSS")
    medians: dict[str, Any] = {}
    for kind, modes in runs.items():
        medians[kind] = {}
        for mode, by_app in modes.items():
            bot, floor = _median(by_app["bot"]), _median(by_app["floor"])
            medians[kind][mode] = {
                "bot": bot,
                "floor": floor,
                "rps_ratio": bot["rps"] / floor["rps"] if floor["rps"] else 0.0,
                "p99_ratio": bot["p99"] / floor["p99"] if floor["p99"] else 0.0,
            }
    return {
        "sizes": {
            "duration_s": sizes.duration,
            "rounds": sizes.rounds,
            "modes": sizes.modes(),
            "ask_users": sizes.ask_users,
        },
        "pinned": _pinned(),
        "cores": cores,
        "runs": runs,
        "medians": medians,
        "memory": memory,
        "prompts": prompts,
    }


def _pinned() -> bool:
    from bench.procs import can_pin

    return can_pin()
