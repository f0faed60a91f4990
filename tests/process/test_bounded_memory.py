"""Structures keyed by what payloads carry stay bounded however many distinct keys arrive."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.background import Background
from bot.respond_later import LaterRespond, ReplyLimits
from playground.fakeslack import FakeSlack
from storage.store import SETTINGS_CACHE_SIZE, Store


async def test_cached_workspace_settings_stay_bounded(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "bot.db") as store:
        await store.migrate()
        teams = [f"T{n:06d}" for n in range(SETTINGS_CACHE_SIZE * 3)]
        for team in teams:
            assert (await store.get_workspace_settings(team)).team_id == team
        await store.get_workspace_settings(teams[-SETTINGS_CACHE_SIZE])  # used again: kept
        await store.get_workspace_settings("T9999999")
        cached = store._settings_cache  # the structure under test
        assert len(cached) == SETTINGS_CACHE_SIZE
        assert teams[-SETTINGS_CACHE_SIZE] in cached
        assert teams[0] not in cached
        assert (await store.get_workspace_settings(teams[0])).team_id == teams[0]


async def test_replies_to_slow_response_urls_are_bounded(
    fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.delay("response_url", 0.5)
    background = Background()
    limits = ReplyLimits(at_once=2, waiting=3)
    for n in range(5):
        respond = LaterRespond(
            f"{fake_slack.response_url_base}actions/C1/0/{n}", background, limits
        )
        await respond(text=f"reply {n}")
        respond.acknowledged()
    await asyncio.sleep(0.2)
    assert len(fake_slack.calls_to("response_url")) == 2  # two at once; the third waits
    await background.drain(5)
    assert len(fake_slack.calls_to("response_url")) == 3
    assert limits.waiting == 0
    dropped = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert ["reply dropped" in r.getMessage() for r in dropped] == [True, True]
