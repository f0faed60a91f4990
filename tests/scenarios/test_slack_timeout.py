"""A Slack that never answers: every Web API call gives up after the bot's own limit.

slack_sdk applies its timeout only to sessions it makes itself; the bot shares one session,
which has to carry the limit, or a hung call waits aiohttp's 5 minutes.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot import lifecycle
from bot.lifecycle import running
from playground.fakeslack import ALICE, FakeSlack
from tests.conftest import bot_settings


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
