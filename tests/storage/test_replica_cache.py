"""Caches a replica keeps: an admin's change made on another replica shows within the bound,
on SQLite (two Stores on one file) and on PostgreSQL (two Stores on one database)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.models import WorkspaceSettings
from storage.store import SETTINGS_CACHE_SECONDS, Store

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
BOUND = 0.3  # seconds, instead of SETTINGS_CACHE_SECONDS, so the test is quick


@pytest.fixture(params=["sqlite", "postgresql"])
async def replicas(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Store, Store]]:
    """Two Stores on one database, like two replicas."""
    if request.param == "sqlite":
        target = str(tmp_path / "bot.db")
    else:
        target = request.getfixturevalue("pg_url")
    async with await Store.open(target) as first, await Store.open(target) as second:
        await first.migrate()
        yield first, second


async def test_a_change_on_another_replica_shows_within_the_bound(
    replicas: tuple[Store, Store],
) -> None:
    reader, writer = replicas
    assert SETTINGS_CACHE_SECONDS <= 60  # what the README promises
    reader.settings_cache_seconds = BOUND
    assert (await reader.get_workspace_settings("T1")).prompt_cooldown_minutes == 10
    await writer.save_workspace_settings(
        WorkspaceSettings(team_id="T1", prompt_cooldown_minutes=45), "UADMIN", NOW
    )
    # Within the bound the reader may still serve its cached copy...
    assert (await reader.get_workspace_settings("T1")).prompt_cooldown_minutes in (10, 45)
    await asyncio.sleep(BOUND + 0.05)
    # ...and past it, it has read the change.
    assert (await reader.get_workspace_settings("T1")).prompt_cooldown_minutes == 45
    # The replica that wrote sees its own change at once.
    assert (await writer.get_workspace_settings("T1")).prompt_cooldown_minutes == 45


async def test_one_persons_asks_on_two_replicas_at_once_get_one_prompt(
    replicas: tuple[Store, Store],
) -> None:
    """Two different messages from one person in one channel, claimed on two replicas at the
    same instant: the cooldown lets one prompt through, never two."""
    first, second = replicas
    for round_ in range(30):
        user = f"U{round_:08d}"
        claims = await asyncio.gather(
            *(
                (first, second)[n % 2].claim_prompt(
                    "T1", user, "C1", f"{round_}.{n:06d}", timedelta(minutes=10), NOW
                )
                for n in range(8)
            )
        )
        assert sorted(claims) == [False] * 7 + [True], round_
