"""The playground with --folder between runs: the fake workspace, people's messages and the
clock carry on, saved about once a second and on a clean stop; a bad file never stops it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from playground.saved import DATABASE_NAME, FILE_NAME
from playground.server import serving
from tests.playground.conftest import PLAYGROUND_START
from tests.playground.pagehtml import PageHtml
from tests.playground.test_playground import ALICE, BOB, GENERAL, Page, file_links, text_of


@asynccontextmanager
async def opened(folder: Path) -> AsyncIterator[Page]:
    """The playground started in `folder`, and a tab on its page; stopped cleanly after."""
    async with (
        serving(folder, "127.0.0.1", 0, start=PLAYGROUND_START) as served,
        aiohttp.ClientSession() as session,
    ):
        yield Page(session, served.url)


ASK = {
    "Who would you like to talk to?": BOB,
    "What is it about?": "skills",
    "What's on your mind?": "How do I get better at system design reviews?",
}


async def test_conversations_buttons_and_the_clock_survive_a_restart(tmp_path: Path) -> None:
    folder = tmp_path / "play"
    async with opened(folder) as page:
        await page.post("send", user=ALICE, channel=GENERAL, text="Morning, all")
        await page.post("send", user=ALICE, channel=GENERAL, text="/mentor ask")
        [modal] = (await page.state(ALICE))["modals"]
        form = PageHtml(modal["html"]).answered(ASK)
        await page.post("submit", user=ALICE, view_id=modal["view_id"], form=form)
        await page.post("clock", user=ALICE, step="day")
        before = (await page.dm(BOB))["messages"]
        assert len(before) == 2  # the request, and a day later a reminder about it
        await page.post("send", user=ALICE, channel=GENERAL, text="/mentor export")
        [export] = [link for m in (await page.dm(ALICE))["messages"] for link in file_links(m)]

    async with opened(folder) as page:
        bob = await page.dm(BOB)
        assert bob["now_label"] == "Wed 11 Mar 2026, 11:00 EDT"  # the clock carried on
        assert [m["html"] for m in bob["messages"]] == [m["html"] for m in before]
        request = bob["messages"][0]
        assert "system design reviews" in text_of(request)
        [said] = (await page.state(ALICE, GENERAL))["messages"]
        assert text_of(said) == "Morning, all"
        # The button from the last run still works: the bot finds the request.
        await page.click(BOB, request, "Accept")
        request = (await page.dm(BOB))["messages"][0]
        assert "Accepted by @Bob Example" in text_of(request)
        news = (await page.dm(ALICE))["messages"][-1]
        assert "Good news: @Bob Example accepted your request" in text_of(news)
        async with page.session.get(page.url.rstrip("/") + export) as response:
            assert response.status == 200
            assert "requests" in json.loads(await response.read())


async def test_changes_are_saved_within_a_second_or_so(tmp_path: Path) -> None:
    folder = tmp_path / "play"
    async with opened(folder) as page:
        await page.post("send", user=ALICE, channel=GENERAL, text="saved while running")
        for _ in range(30):
            await asyncio.sleep(0.1)
            if "saved while running" in (folder / FILE_NAME).read_text():
                break
        else:
            pytest.fail("not saved within 3 s")
        assert not (folder / f"{FILE_NAME}.partial").exists()
    saved = json.loads((folder / FILE_NAME).read_text())
    assert saved["version"] == 1


@pytest.mark.parametrize("bad", ["{not json", '{"version": 1, "clock": "yesterday"}', "[]"])
async def test_an_unreadable_file_is_kept_aside_and_the_playground_starts_fresh(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    folder = tmp_path / "play"
    folder.mkdir()
    (folder / FILE_NAME).write_text(bad)
    async with opened(folder) as page:
        assert (await page.state(ALICE, GENERAL))["messages"] == []
        await page.post("send", user=ALICE, channel=GENERAL, text="/mentor help")
        assert (await page.state(ALICE, GENERAL))["messages"]
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("mentorbot playground: could not read the old conversations in ")
    assert line.endswith(
        f"starting with a fresh workspace, the file is kept as {FILE_NAME}.unreadable-1"
    )
    assert (folder / f"{FILE_NAME}.unreadable-1").read_text() == bad
    assert json.loads((folder / FILE_NAME).read_text())["version"] == 1  # a good one again


async def test_the_bots_data_goes_aside_with_an_unreadable_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "play"
    async with opened(folder) as page:
        await page.post("send", user=ALICE, channel=GENERAL, text="/mentor help")
    (folder / FILE_NAME).write_text("{not json")
    capsys.readouterr()
    # The bot's rows name the old workspace's ids (a view id the fresh one would hand out
    # again would read as a form already sent): they are kept aside, not reused.
    async with opened(folder) as page:
        assert (await page.state(ALICE, GENERAL))["messages"] == []
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert lines[1].endswith(
        f"it is kept as {DATABASE_NAME}.unreadable-1, and the bot starts afresh"
    )
    assert (folder / f"{DATABASE_NAME}.unreadable-1").stat().st_size > 0
