"""The prompt claim runs on the event loop's thread (issue 25): what aiosqlite's thread gave it,
it still has. A locked file never blocks the loop, and the write-ahead log is still
checkpointed. Real SQLite files in tmp_path, a second process's lock from a plain connection."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import pytest

from storage import engine
from storage.engine import SqliteDatabase
from storage.store import Store
from tests.flows import MENTEE, NOW, T1

COOLDOWN = timedelta(minutes=10)


async def _migrated(path: Path) -> Store:
    store = await Store.open(str(path))
    await store.migrate()
    return store


def _database(store: Store) -> SqliteDatabase:
    db = store._db
    assert isinstance(db, SqliteDatabase)
    return db


async def test_a_locked_file_makes_the_claim_wait_off_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    store = await _migrated(path)
    other = sqlite3.connect(path, isolation_level=None)  # another process, mid-write
    other.execute("BEGIN IMMEDIATE")
    try:
        claim = asyncio.create_task(store.claim_prompt(T1, MENTEE, "C1", "1.1", COOLDOWN, NOW))
        began = time.monotonic()
        for _ in range(20):  # the loop keeps serving while the claim waits for the lock
            await asyncio.sleep(0.01)
        waited = time.monotonic() - began
        assert not claim.done()
        other.rollback()
        assert await asyncio.wait_for(claim, 5)
    finally:
        other.close()
        await store.close()
    assert waited < 1.0  # not SQLite's 5 s busy timeout on the loop's thread
    assert _database(store).loop_fallbacks == 1


async def test_a_claim_on_a_free_file_stays_on_the_loop_and_is_seen_by_the_rest(
    tmp_path: Path,
) -> None:
    store = await _migrated(tmp_path / "bot.db")
    try:
        assert await store.claim_prompt(T1, MENTEE, "C1", "1.1", COOLDOWN, NOW)
        assert not await store.claim_prompt(T1, MENTEE, "C1", "1.1", COOLDOWN, NOW)
        # The release runs on aiosqlite's connection and sees the claim made on the loop's.
        await store.release_prompt(T1, MENTEE, "C1", "1.1")
        assert await store.claim_prompt(T1, MENTEE, "C1", "1.1", COOLDOWN, NOW)
    finally:
        await store.close()
    assert _database(store).loop_fallbacks == 0


async def _log_frames_after_claims(path: Path, claims: int) -> int:
    """How many frames the write-ahead log holds after `claims` claims on a fresh file."""
    store = await _migrated(path)
    probe = sqlite3.connect(path)
    try:
        probe.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # start from an empty log
        for number in range(claims):
            ts = f"1.{number}"
            assert await store.claim_prompt(T1, f"U{number:04d}", "C1", ts, COOLDOWN, NOW)
        # PASSIVE reports the frames in the log (and copies them back, harmless here).
        _, frames, _ = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        probe.close()
        await store.close()
    return int(frames)


async def test_the_loop_connection_leaves_checkpoints_to_aiosqlite_every_so_often(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "CHECKPOINT_EVERY", 5)
    checkpointed = await _log_frames_after_claims(tmp_path / "every5.db", 6)
    monkeypatch.setattr(engine, "CHECKPOINT_EVERY", 1_000_000)
    never = await _log_frames_after_claims(tmp_path / "never.db", 6)
    # After the fifth claim the log was copied back, so the sixth started it over.
    assert 0 < checkpointed < never


async def test_the_loops_connection_keeps_a_small_page_cache(tmp_path: Path) -> None:
    # SQLite's default 2 MB filled with prompted messages under an ask load and stayed in the
    # process (bench/findings.md, session 14); the claim's few b-trees fit in 512 KiB.
    store = await _migrated(tmp_path / "bot.db")
    try:
        on_loop = _database(store)._on_loop
        assert on_loop is not None
        assert on_loop.execute("PRAGMA cache_size").fetchone()[0] == -512
        assert await store.claim_prompt(T1, MENTEE, "C1", "1.1", COOLDOWN, NOW)
    finally:
        await store.close()


# Table t, keyed (a, c) when a connection first reads it, then (a, b, c).
UPSERT = "INSERT INTO t VALUES (?, ?, ?) ON CONFLICT (a, b, c) DO NOTHING RETURNING 1"


def re_key_elsewhere(path: Path) -> None:
    """Another connection (a migration's) rebuilds t with the key (a, b, c)."""
    other = sqlite3.connect(path, isolation_level=None)
    other.executescript(
        "CREATE TABLE t2 (a TEXT, b TEXT, c TEXT, PRIMARY KEY (a, b, c));"
        "DROP TABLE t; ALTER TABLE t2 RENAME TO t;"
    )
    other.close()


async def test_both_connections_read_a_schema_another_process_re_keyed(tmp_path: Path) -> None:
    # SQLite checks an upsert's ON CONFLICT target against the schema the connection read last,
    # before it notices the change. `mentorbot run` reads the schema, then a child migrates:
    # after r0009 re-keyed the claim's table, every claim on the loop failed with "does not
    # match any PRIMARY KEY" until the process restarted. Store.migrate, which runs after the
    # child, reads sqlite_master on aiosqlite's connection (the one a claim goes to when the
    # loop's finds the file locked), so that one reads the new schema too.
    path = tmp_path / "bot.db"
    store = await _migrated(path)
    db = _database(store)
    try:
        await db.fetch_on_loop("CREATE TABLE t (a TEXT, b TEXT, c TEXT, PRIMARY KEY (a, c))")
        assert await db.fetch_on_loop("SELECT * FROM t") == []  # the loop's schema: key (a, c)
        async with db.driver() as driver:
            assert list(await driver.execute_fetchall("SELECT * FROM t")) == []
        re_key_elsewhere(path)  # the child's connection
        await store.migrate()  # nothing left to do: the child did it
        assert len(await db.fetch_on_loop(UPSERT, ("1", "2", "3"))) == 1
        assert await db.fetch_on_loop(UPSERT, ("1", "2", "3")) == []
        async with db.driver() as driver:
            assert len(list(await driver.execute_fetchall(UPSERT, ("1", "2", "4")))) == 1
        # A statement that is wrong for good still fails, once more, and is not sent elsewhere.
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            await db.fetch_on_loop("SELECT * FROM missing")
    finally:
        await store.close()
    assert db.loop_fallbacks == 0
