"""Migrations and connection setup, on real SQLite files in tmp_path."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from storage import MigrationError, SchemaTooNewError, StorageError
from storage.db import connect
from storage.migrate import (
    LATEST_VERSION,
    load_migrations,
    migrate,
    schema_version,
    split_statements,
)
from storage.schema import LATEST_SCHEMA
from storage.store import Store

EXPECTED_TABLES = {
    "people",
    "muted_nudges",
    "mentor_profiles",
    "mentor_tags",
    "requests",
    "request_invites",
    "offered_slots",
    "relationships",
    "sessions",
    "notes",
    "action_items",
    "checkins",
    "intros",
    "outbox",
    "processed_events",
    "workspace_settings",
    "settings_audit",
    "prompt_cooldowns",
    "prompted_messages",
}


@pytest.fixture
async def conn(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    connection = await connect(tmp_path / "mentorbot.db")
    yield connection
    await connection.close()


async def tables(conn: aiosqlite.Connection) -> set[str]:
    rows = await conn.execute_fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row[0] for row in rows}


async def pragma(conn: aiosqlite.Connection, name: str) -> object:
    rows = list(await conn.execute_fetchall(f"PRAGMA {name}"))
    return rows[0][0]


def write_migrations(folder: Path, *scripts: str) -> Path:
    folder.mkdir()
    for number, script in enumerate(scripts, start=1):
        (folder / f"{number:03d}-step.sql").write_text(script, encoding="utf-8")
    return folder


async def test_fresh_database_migrates_to_latest_with_every_table(
    conn: aiosqlite.Connection,
) -> None:
    assert await schema_version(conn) == 0
    assert await migrate(conn) == LATEST_VERSION
    assert await schema_version(conn) == LATEST_VERSION
    assert await tables(conn) >= EXPECTED_TABLES


async def test_latest_version_counts_the_shipped_files() -> None:
    assert LATEST_VERSION == len(load_migrations()) >= 1


async def test_connection_pragmas_are_on(conn: aiosqlite.Connection) -> None:
    await migrate(conn)
    assert await pragma(conn, "journal_mode") == "wal"
    assert await pragma(conn, "foreign_keys") == 1
    assert await pragma(conn, "busy_timeout") == 5000
    assert await pragma(conn, "synchronous") == 1  # NORMAL


async def test_migrating_again_is_a_no_op(conn: aiosqlite.Connection) -> None:
    await migrate(conn)
    before = await tables(conn)
    assert await migrate(conn) == LATEST_VERSION
    assert await tables(conn) == before


async def test_store_migrates_and_reports_health(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "nested" / "dir" / "bot.db") as store:
        assert await store.ping() == {"ok": True, "schema_version": 0, "latest": LATEST_SCHEMA}
        assert await store.migrate() == LATEST_SCHEMA
        assert await store.ping() == {
            "ok": True,
            "schema_version": LATEST_SCHEMA,
            "latest": LATEST_SCHEMA,
        }


async def test_ping_on_a_closed_store_raises_storage_error(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "bot.db")
    await store.close()
    with pytest.raises(StorageError, match="database unusable"):
        await store.ping()


async def test_a_failing_migration_leaves_the_previous_version_intact(
    conn: aiosqlite.Connection, tmp_path: Path
) -> None:
    folder = write_migrations(
        tmp_path / "migrations",
        "CREATE TABLE first (id INTEGER PRIMARY KEY);\n",
        "CREATE TABLE half_done (id INTEGER PRIMARY KEY);\n"
        "INSERT INTO first (id) VALUES (1);\n"
        "CREATE TABLE broken (id INTEGER PRIMARY KEY,;\n",
    )
    with pytest.raises(MigrationError, match=r"002-step\.sql") as caught:
        await migrate(conn, folder)
    assert "schema version 1" in str(caught.value)
    assert await schema_version(conn) == 1
    names = await tables(conn)
    assert "first" in names
    assert "half_done" not in names
    assert list(await conn.execute_fetchall("SELECT * FROM first")) == []
    assert not conn.in_transaction
    assert await pragma(conn, "foreign_keys") == 1


async def test_a_migration_leaving_dangling_foreign_keys_is_rolled_back(
    conn: aiosqlite.Connection, tmp_path: Path
) -> None:
    folder = write_migrations(
        tmp_path / "migrations",
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id));\n",
        "INSERT INTO child (parent_id) VALUES (42);\n",
    )
    with pytest.raises(MigrationError, match=r"002-step\.sql.*foreign-key"):
        await migrate(conn, folder)
    assert await schema_version(conn) == 1
    assert list(await conn.execute_fetchall("SELECT * FROM child")) == []


async def test_a_migration_may_not_commit_by_itself(tmp_path: Path) -> None:
    folder = write_migrations(tmp_path / "migrations", "BEGIN;\nCREATE TABLE t (x);\nCOMMIT;\n")
    with pytest.raises(MigrationError, match="controls transactions"):
        load_migrations(folder)


async def test_a_gap_in_numbering_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "001-a.sql").write_text("CREATE TABLE a (x);\n", encoding="utf-8")
    (folder / "003-c.sql").write_text("CREATE TABLE c (x);\n", encoding="utf-8")
    with pytest.raises(MigrationError, match=r"003-c\.sql is out of sequence"):
        load_migrations(folder)


async def test_a_database_from_a_newer_mentorbot_is_refused(
    conn: aiosqlite.Connection, tmp_path: Path
) -> None:
    await conn.execute_fetchall("PRAGMA user_version = 99")
    expected = (
        f"database {tmp_path / 'mentorbot.db'} is at schema version 99 but this mentorbot "
        f"knows only up to {LATEST_VERSION}; upgrade mentorbot or restore a backup"
    )
    with pytest.raises(SchemaTooNewError, match=re.escape(expected)):
        await migrate(conn)
    assert await schema_version(conn) == 99


async def test_a_path_under_a_regular_file_raises_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("I am a file", encoding="utf-8")
    for path in (blocker / "bot.db", blocker / "deeper" / "bot.db"):
        with pytest.raises(StorageError, match=rf"^cannot open database {re.escape(str(path))}: "):
            await connect(path)


async def test_a_directory_as_the_database_raises_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="unable to open database file"):
        await connect(tmp_path)


async def test_a_file_that_is_not_sqlite_raises_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are not the tables you are looking for\n" * 100, encoding="utf-8")
    with pytest.raises(StorageError, match="file is not a database") as caught:
        await connect(path)
    assert str(path) in str(caught.value)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


async def test_006_gives_rows_claimed_before_it_a_claim_time(
    conn: aiosqlite.Connection, tmp_path: Path
) -> None:
    folder = tmp_path / "up-to-005"
    folder.mkdir()
    for migration in load_migrations()[:5]:
        (folder / migration.name).write_text(migration.sql, encoding="utf-8")
    assert await migrate(conn, folder) == 5
    insert = (
        "INSERT INTO outbox (team_id, kind, recipient, due_at, dedupe_key, status, lease_until, "
        "created_at) VALUES ('T1', 'k', 'U1', ?, ?, ?, ?, ?)"
    )
    stamp = "2026-03-10T15:00:00.000000Z"
    await conn.execute(insert, (stamp, "held", "sending", "2026-03-10T15:05:00.250000Z", stamp))
    await conn.execute(insert, (stamp, "waiting", "pending", None, stamp))
    await conn.commit()
    assert await migrate(conn) == LATEST_VERSION
    rows = await conn.execute_fetchall("SELECT dedupe_key, claimed_at FROM outbox ORDER BY id")
    assert [tuple(row) for row in rows] == [
        ("held", "2026-03-10T15:00:00.250000Z"),
        ("waiting", None),
    ]


async def test_a_file_applied_by_another_process_first_is_skipped_under_the_lock(
    tmp_path: Path,
) -> None:
    # Two processes open one file at once: each reads version 1 before either holds the write
    # lock; the one that gets the lock second must find 002 applied, not apply it again.
    from storage.migrate import _apply

    folder = write_migrations(
        tmp_path / "migrations",
        "CREATE TABLE first (id INTEGER PRIMARY KEY);\n",
        "ALTER TABLE first ADD COLUMN added TEXT;\n",
    )
    db = tmp_path / "shared.db"
    late, early = await connect(db), await connect(db)
    try:
        await migrate(early, load_migrations_upto(folder, 1))
        assert await schema_version(late) == 1  # what the late one decided from
        assert await migrate(early, folder) == 2
        assert await _apply(late, load_migrations(folder)[1]) is False
        assert await migrate(late, folder) == 2
        columns = await late.execute_fetchall("SELECT name FROM pragma_table_info('first')")
        assert [row[0] for row in columns] == ["id", "added"]
        assert not late.in_transaction
    finally:
        await late.close()
        await early.close()


def load_migrations_upto(folder: Path, version: int) -> Path:
    """A copy of the first `version` files of a migrations folder."""
    copy = folder.parent / f"{folder.name}-upto-{version}"
    copy.mkdir()
    for path in sorted(folder.iterdir())[:version]:
        (copy / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


def test_a_file_is_cut_into_statements_by_sqlites_own_rule() -> None:
    script = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE t (x TEXT DEFAULT 'a;b');\n"
        "CREATE TRIGGER t_copy AFTER INSERT ON t\nBEGIN\n"
        "  INSERT INTO t (x) SELECT 'y' WHERE 0;\n  UPDATE t SET x = x WHERE 0;\nEND;\n"
        "CREATE INDEX t_x ON t (x); /* two on a line */ DROP INDEX t_x;\n"
        "-- a closing comment\n"
    )
    statements = split_statements("007-t.sql", script)
    assert len(statements) == 4
    assert statements[0].endswith("DEFAULT 'a;b');")
    assert statements[1].startswith("CREATE TRIGGER")
    assert statements[1].endswith("END;")
    assert statements[3] == "/* two on a line */ DROP INDEX t_x;"


def test_a_file_ending_without_a_semicolon_is_refused_when_loaded(tmp_path: Path) -> None:
    folder = write_migrations(tmp_path / "migrations", "CREATE TABLE a (x);\nCREATE TABLE b (y)\n")
    with pytest.raises(MigrationError, match=r"001-step\.sql ends with a statement"):
        load_migrations(folder)


async def test_many_openers_of_one_new_file_each_apply_every_file_once(tmp_path: Path) -> None:
    for round_ in range(4):
        db = tmp_path / f"round{round_}.db"
        openers = [await connect(db) for _ in range(5)]
        try:
            reached = await asyncio.gather(*(migrate(conn) for conn in openers))
            assert reached == [LATEST_VERSION] * 5
        finally:
            for conn in openers:
                await conn.close()
