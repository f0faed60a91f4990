"""Step 7: the playground. How long `mentorbot playground` takes to answer its page, and
whether the page stays responsive with 1,000 messages in #general (issue 21: under 3 s to
start; the renderer not the bottleneck).

The start-up is timed from spawning the process to the first 200 from /api/state, which
needs the bot started (migrations, the outbox) and the fake workspace seeded. The page is
measured in headless Chromium from Debian's package, driven by Playwright, when both are
installed; otherwise that part says why it was skipped.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.classifier import DEV_SET, load_labelled, mix
from bench.procs import child_env, free_port, make_dir, started, wait_http
from playground.fakeslack import GENERAL
from playground.seed import PEOPLE
from playground.server import serving

START_LIMIT_S = 3.0


async def _start_once(workdir: Path) -> float:
    port = free_port()
    began = time.perf_counter()
    env = child_env({"MENTORBOT_PORT": str(port)})
    with started(
        "playground", ["-m", "bot", "playground"], env=env, cwd=workdir, port=port, core=None
    ) as child:
        await wait_http(child, f"/api/state?user={PEOPLE[0].user_id}", within=30.0)
        return time.perf_counter() - began


async def _fill(url: str, texts: list[str]) -> float:
    """Each text sent from the composer by the next person in turn; seconds per message."""
    began = time.perf_counter()
    async with aiohttp.ClientSession() as http:
        for index, text in enumerate(texts):
            body = {"user": PEOPLE[index % len(PEOPLE)].user_id, "channel": GENERAL, "text": text}
            async with http.post(f"{url}api/send", json=body) as reply:
                if not (await reply.json())["ok"]:
                    raise RuntimeError(f"the page's send failed: {await reply.text()}")
    return (time.perf_counter() - began) / len(texts)


async def _state_times(url: str, rounds: int) -> tuple[list[float], int, int]:
    """Milliseconds per GET /api/state of #general as Alice; its size and message count."""
    times: list[float] = []
    size = count = 0
    async with aiohttp.ClientSession() as http:
        for _ in range(rounds):
            began = time.perf_counter()
            async with http.get(f"{url}api/state?user={PEOPLE[0].user_id}&channel={GENERAL}") as r:
                body = await r.json()
                size = r.content_length or 0
            times.append((time.perf_counter() - began) * 1000)
            count = len(body["messages"])
    return times, size, count


async def _browser(url: str, messages: int, rounds: int) -> dict[str, Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return {"skipped": "no system chromium (apt-get install chromium)"}
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        return {"skipped": "playwright is not installed (pip install -e '.[dev]')"}
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 800})
            began = time.perf_counter()
            await page.goto(url)
            await page.wait_for_function(
                f"document.querySelectorAll('#pg-messages > .pg-item').length >= {messages}",
                timeout=60_000,
            )
            first_draw = (time.perf_counter() - began) * 1000
            sends: list[float] = []
            for index in range(rounds):
                token = f"bench message {index} after the crowd"
                began = time.perf_counter()
                await page.locator("#pg-text").fill(token)
                await page.locator("#pg-text").press("Enter")
                # Cheap to poll (a locator would scan the 1,000 messages and time itself).
                await page.wait_for_function(
                    "token => document.getElementById('pg-messages')"
                    ".lastElementChild.textContent.includes(token)",
                    arg=token,
                    timeout=30_000,
                )
                sends.append((time.perf_counter() - began) * 1000)
            clocks: list[float] = []
            for _ in range(rounds):
                before = await page.locator("#pg-now").inner_text()
                began = time.perf_counter()
                await page.get_by_role("button", name="+1 hour").click()
                await page.wait_for_function(
                    "before => document.getElementById('pg-now').textContent !== before",
                    arg=before,
                    timeout=30_000,
                )
                clocks.append((time.perf_counter() - began) * 1000)
        finally:
            await browser.close()
    return {
        "first_draw_ms": first_draw,
        "send_ms": sends,
        "clock_ms": clocks,
    }


async def run_playground(messages: int, rounds: int, workdir: Path) -> dict[str, Any]:
    """Start-up times of the command, then the page with `messages` in #general."""
    make_dir(workdir)
    starts = [await _start_once(workdir) for _ in range(rounds)]
    result: dict[str, Any] = {
        "start_s": starts,
        "start_median_s": statistics.median(starts),
        "start_limit_s": START_LIMIT_S,
        "messages": messages,
    }
    if not DEV_SET.exists():
        result["page"] = {"skipped": f"{DEV_SET} is absent, so there is no realistic mix"}
        return result
    asks, others = load_labelled(DEV_SET)
    texts = mix(asks, others, messages)
    async with serving(workdir / "page", "127.0.0.1", 0) as served:
        # The same steps on a near-empty channel first: what a click costs before the crowd.
        result["page_empty"] = await _browser(served.url, 0, rounds)
        result["fill_ms_per_message"] = await _fill(served.url, texts) * 1000
        times, size, count = await _state_times(served.url, rounds=20)
        result["state_ms"] = times
        result["state_median_ms"] = statistics.median(times)
        result["state_bytes"] = size
        result["state_messages"] = count
        result["page"] = await _browser(served.url, count, rounds)
    return result


if __name__ == "__main__":
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(asyncio.run(run_playground(1_000, 5, Path(tmp))), indent=1))
