"""What one ask costs, part by part: the CPU behind (c)'s ratio to the floor.

An ask must be classified, claimed in SQLite (one statement, never two prompts) and answered
with one `chat.postEphemeral`. Each part runs here alone, one at a time, in this process pinned
to the server core, against a real SQLite file and the fake Web API on the load core. CPU time
is the whole process's, so aiosqlite's thread counts. A bare aiohttp POST of the same request
shows what the Web API call costs below slack_sdk.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bench.apps import SECRET, fake_slack
from bench.fake_api import control
from bench.load import ASK_TEXT
from bench.procs import SERVER_CORE, make_dir, pinned_self
from bot.detection import classify
from bot.logs import hold_libraries
from bot.settings import Settings
from bot.slack_client import make_client, post_once_fast
from handlers.blocks.prompt import build_ask_prompt
from playground.fakeslack.server import TOKEN
from storage.store import Store

WARMUP = 50
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


async def _cpu_us(count: int, part: Callable[[int], Awaitable[object]]) -> float:
    """CPU µs per call of `part(i)`, after a warm-up; the process's CPU, all threads."""
    for i in range(WARMUP):
        await part(-1 - i)
    began = time.process_time()
    for i in range(count):
        await part(i)
    return (time.process_time() - began) / count * 1e6


def _channel(i: int) -> str:
    """A new channel for each call, warm-up calls (negative `i`) included."""
    return f"CA{i + WARMUP:07d}"


def _prompt(i: int) -> dict[str, Any]:
    return build_ask_prompt(
        target_id=None,
        channel_id=_channel(i),
        message_ts=f"1700000000.{i + WARMUP:06d}",
        thread_ts=None,
        asked_text=ASK_TEXT,
    )


async def run_ask_parts(count: int, workdir: Path) -> dict[str, Any]:
    """CPU µs per call of each part of an ask, `count` calls each."""
    hold_libraries()  # as `mentorbot run` does: it changes what slack_sdk does per call
    make_dir(workdir)
    (workdir / "fake.port").unlink(missing_ok=True)
    async with fake_slack(workdir) as api_url, aiohttp.ClientSession() as session:
        user = (await control(session, api_url, "bench.add_users", count=1))["users"][0]
        settings = Settings(
            _env_file=None,
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=api_url,
            MENTORBOT_DB=str(workdir / "bot.db"),
        )
        client = make_client(settings, session)
        headers = {"Authorization": f"Bearer {TOKEN}"}

        async def classified(_: int) -> object:
            return classify(ASK_TEXT, bot_user_id="U0BOT")

        async def blocks(i: int) -> object:
            return _prompt(i)

        async def slack_sdk_post(i: int) -> object:
            return await client.chat_postEphemeral(channel=_channel(i), user=user, **_prompt(i))

        async def fast_post(i: int) -> object:
            await post_once_fast(
                client, "chat.postEphemeral", channel=_channel(i), user=user, **_prompt(i)
            )
            return None

        async def aiohttp_post(i: int) -> object:
            body = json.dumps({"channel": _channel(i), "user": user, **_prompt(i)})
            async with session.post(
                f"{api_url}chat.postEphemeral",
                data=body,
                headers={**headers, "Content-Type": "application/json; charset=utf-8"},
            ) as response:
                return await response.json()

        with pinned_self(SERVER_CORE):
            async with await Store.open(settings.db_path) as store:
                await store.migrate()

                async def claimed(i: int) -> object:
                    ts = f"1700000000.{i + WARMUP:06d}"
                    return await store.claim_prompt(
                        "T0BENCH", user, _channel(i), ts, timedelta(minutes=10), NOW
                    )

                parts = {
                    "classify": await _cpu_us(count, classified),
                    "claim": await _cpu_us(count, claimed),
                    "prompt_blocks": await _cpu_us(count, blocks),
                    "post_slack_sdk": await _cpu_us(count, slack_sdk_post),
                    "post_fast": await _cpu_us(count, fast_post),
                    "post_aiohttp": await _cpu_us(count, aiohttp_post),
                }
        await control(session, api_url, "bench.clear")
    return {"count": count, "cpu_us": parts}
