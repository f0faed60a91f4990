"""The playground page in a real browser: headless Chromium from Debian's package, driven by
Playwright for Python (never its own downloaded browsers). A person's tour, step by step;
screenshots of each step go to the test's temporary folder so a failure can be seen."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from playground.server import Served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system chromium: apt-get install chromium (see .ci/run)"
)
async_api = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed: pip install -e '.[dev]'"
)
ASK = "@bob do you have a few minutes this week to talk about my career?"


@pytest.fixture
async def browser_page(served: Served) -> AsyncIterator[Any]:
    async with async_api.async_playwright() as driver:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 800})
            await page.goto(served.url)
            yield page
        finally:
            await browser.close()


async def test_a_tour_from_an_ask_to_an_accepted_request(browser_page: Any, tmp_path: Path) -> None:
    page = browser_page
    expect = async_api.expect
    shots = iter(range(1, 100))

    async def shot(name: str) -> None:
        await page.screenshot(path=str(tmp_path / f"{next(shots):02d}-{name}.png"))

    await expect(page.locator(".pg-banner")).to_contain_text("This is a simulation")
    await expect(page.locator("#pg-now")).to_have_text("Tue 10 Mar 2026, 16:00 CET")
    await expect(page.locator("#pg-title")).to_have_text("#general")

    # Alice asks Bob in #general and sees the private prompt.
    await page.locator("#pg-text").fill(ASK)
    await page.locator("#pg-text").press("Enter")
    mine = page.locator(".pg-human").first
    await expect(mine).to_contain_text("@Bob Example do you have a few minutes")
    prompt = page.locator(".pg-ephemeral")
    await expect(prompt).to_contain_text("Only visible to you")
    await shot("prompt")

    # Create request opens the modal; she picks a topic and sends it.
    await prompt.get_by_role("button", name="Create request").click()
    modal = page.locator(".pg-modal")
    await expect(modal).to_contain_text("Ask for mentoring")
    await modal.locator("select[name='request_topic/request_topic_select']").select_option(
        "career_path"
    )
    await shot("modal")
    await modal.get_by_role("button", name="Send request").click()
    await expect(page.locator(".pg-modal")).to_have_count(0)
    await page.locator(".pg-conv", has_text="mentorbot").first.click()
    await expect(page.locator(".pg-messages")).to_contain_text("I sent your request to @Bob")

    # Bob sees it in his DM with the bot, and accepts.
    await page.locator("#pg-who").select_option("U2")
    await page.locator(".pg-conv", has_text="mentorbot").first.click()
    request = page.locator(".pg-bot").first
    await expect(request).to_contain_text("@Alice Example would like some of your time")
    await request.get_by_role("button", name="Accept").click()
    await expect(request).to_contain_text("Accepted by @Bob Example Today at 11:00 AM")
    await expect(request.locator(".pg-edited")).to_have_text("(edited)")
    await shot("accepted")

    # A day later the page says so, in Bob's zone.
    await page.get_by_role("button", name="+1 day").click()
    await expect(page.locator("#pg-now")).to_have_text("Wed 11 Mar 2026, 11:00 EDT")
    await expect(request).to_contain_text("Yesterday at 11:00 AM")

    # Alice sees Bob's answer, and her Home tab.
    await page.locator("#pg-who").select_option("U1")
    await page.locator(".pg-conv", has_text="mentorbot").first.click()
    await expect(page.locator(".pg-messages")).to_contain_text("Good news: @Bob Example accepted")
    await page.locator("#pg-home-tab").click()
    await expect(page.locator("#pg-title")).to_have_text("mentorbot · Home")
    await expect(page.locator(".pg-home .bk-view")).to_be_visible()
    await shot("home")
