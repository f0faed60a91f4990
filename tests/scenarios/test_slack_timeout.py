"""A Slack that never answers: every Web API call gives up after the bot's own limit, and a
stop waits for slow work only as long as it said.

slack_sdk applies its timeout only to sessions it makes itself; the bot shares one session,
which has to carry the limit, or a hung call waits aiohttp's 5 minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import aiohttp
import pytest

from bot import lifecycle
from bot.lifecycle import running
from playground.fakeslack import ALICE, BOB, FakeSlack, SlackSender
from tests.conftest import SIGNING_SECRET, bot_settings
from tests.flows import DETAILS, submit_request, wait_until


async def test_a_call_slack_never_answers_times_out(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lifecycle, "CALL_SECONDS", 0.5)
    fake_slack.delay("users.info", 30)
    async with running(bot_settings(fake_slack, tmp_path)) as runtime:
        started = time.perf_counter()
        with pytest.raises(TimeoutError):
            await runtime.client.users_info(user=ALICE)
        # Each try gives up at the limit (the lookup client retries briefly on its own).
        assert time.perf_counter() - started < 5


async def test_a_stop_waits_for_requests_and_background_work_together(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One slow command (the web server's wait) and one slow delivery (the background drain).
    monkeypatch.setattr(lifecycle, "DRAIN_SECONDS", 2.0)
    async with running(bot_settings(fake_slack, tmp_path)) as runtime:
        slack = SlackSender(
            f"http://127.0.0.1:{runtime.port}",
            SIGNING_SECRET,
            response_url_base=fake_slack.response_url_base,
        )
        await slack.command(f"ask <@{BOB}>", user_id=ALICE)
        fake_slack.delay("conversations.open", 8)
        fake_slack.delay("views.open", 8)
        answers = {"What is it about?": "Career path", "What's on your mind?": DETAILS}
        await submit_request(slack, fake_slack, answers)
        command = asyncio.create_task(slack.command("profile", user_id=BOB))
        await wait_until(lambda: len(fake_slack.calls_to("views.open")) == 2, 5)
        started = time.perf_counter()
    took = time.perf_counter() - started
    with contextlib.suppress(aiohttp.ClientError):
        await command
    assert took < lifecycle.DRAIN_SECONDS + 1  # not one wait after the other
