"""`mentorbot copy-db`: a SQLite database made by release 0.1.0 moves to PostgreSQL with every
row; and /mentor stats' figures (the statements the engines spell differently) agree."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from storage import StorageError
from storage.copy import TABLES, copy_database
from storage.store import Store
from tests.flows import RELEASE_DB
from tests.stats_history import NOW, TEAM_ID, seed


async def _rows(store: Store) -> dict[str, list[tuple[object, ...]]]:
    found = {}
    for table in TABLES:
        rows = await store._fetch(f"SELECT * FROM {table}")  # noqa: S608 - a TABLES name
        found[table] = sorted((tuple(row) for row in rows), key=repr)
    return found


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTORBOT_"))}
    return subprocess.run(  # noqa: S603 - our own program
        [sys.executable, "-m", "bot", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


async def test_a_release_database_moves_to_postgresql_with_every_row(
    tmp_path: Path, pg_url: str
) -> None:
    db = tmp_path / "mentorbot.db"
    shutil.copy(RELEASE_DB, db)
    result = await asyncio.to_thread(_cli, tmp_path, "copy-db", str(db), pg_url)
    assert result.returncode == 0, result.stderr
    assert f"rows in {len(TABLES)} tables from" in result.stdout
    async with await Store.open(db) as old, await Store.open(pg_url) as new:
        assert await _rows(new) == await _rows(old)
        # New rows get new ids, past the copied ones.
        assert await new.enqueue("T0001", "nudge", "U1", NOW, dedupe_key="after-copy", now=NOW)
        ids = [row[0] for row in await new._fetch("SELECT id FROM outbox ORDER BY id")]
        assert len(ids) == len(set(ids)) == 3
    again = await asyncio.to_thread(_cli, tmp_path, "copy-db", str(db), pg_url)
    assert again.returncode == 1
    assert "already has rows" in again.stderr


async def test_stats_agree_on_both_engines(tmp_path: Path, pg_url: str) -> None:
    db = tmp_path / "stats.db"
    async with await Store.open(db) as sqlite_store, await Store.open(pg_url) as pg_store:
        await sqlite_store.migrate()
        seed(db)
        await pg_store.migrate()
        await copy_database(sqlite_store, pg_store)
        for days in (30, 90):
            start = NOW - timedelta(days=days)
            on_sqlite = await sqlite_store.window_stats(TEAM_ID, start, NOW, days)
            on_postgresql = await pg_store.window_stats(TEAM_ID, start, NOW, days)
            assert on_postgresql == on_sqlite
            assert on_postgresql.requests > 0


async def test_copy_refuses_a_target_with_data(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "a.db") as a, await Store.open(tmp_path / "b.db") as b:
        await a.migrate()
        await b.migrate()
        await b.mark_event_processed("T1", "Ev1", NOW)
        with pytest.raises(StorageError, match="already has rows in processed_events"):
            await copy_database(a, b)


async def test_every_table_of_the_schema_is_copied(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "a.db") as store:
        await store.migrate()
        rows = await store._fetch(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    assert {str(row[0]) for row in rows} - {"alembic_version"} == set(TABLES)


async def test_an_orgs_pool_channel_is_copied(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "a.db") as a, await Store.open(tmp_path / "b.db") as b:
        await a.migrate()
        await b.migrate()
        await a.save_org_pool("E1", "C0ORGPOOL", TEAM_ID, "U1", NOW)
        copied = await copy_database(a, b)
        assert copied["org_settings"] == 1
        assert await _rows(b) == await _rows(a)
