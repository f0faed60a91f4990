"""Alembic's history on SQLite: a database made by the current release upgrades in place with
every row kept; replicas starting at once migrate once; a newer database is refused.

tests/data/release-0.1.0.db was made by mentorbot 0.1.0 (before storage moved to SQLAlchemy:
the numbered migrations 001-006, no Alembic), with rows in most tables written through that
release's Store.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from storage import SchemaTooNewError
from storage.db import connect
from storage.engine import SqliteDatabase
from storage.migrate import LATEST_VERSION, migrate
from storage.schema import HISTORY, LATEST_SCHEMA, SCRIPTS, alembic_history
from storage.store import Store
from tests.flows import RELEASE_DB

COOLDOWN = timedelta(minutes=10)


def _contents(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but Alembic's, in a stable order."""
    with sqlite3.connect(db) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name <> 'alembic_version' ORDER BY name"
            )
        ]
        # Table names come from sqlite_master, not from input.
        contents = {t: sorted(conn.execute(f"SELECT * FROM {t}"), key=repr) for t in tables}  # noqa: S608
    conn.close()
    return contents


def _revision(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
    conn.close()
    return rows


def _first_columns(
    rows: list[tuple[object, ...]], like: list[tuple[object, ...]]
) -> list[tuple[object, ...]]:
    width = len(like[0]) if like else 0
    return [tuple(row[:width]) for row in rows]


async def test_a_release_database_upgrades_in_place_with_every_row(tmp_path: Path) -> None:
    db = tmp_path / "mentorbot.db"
    shutil.copy(RELEASE_DB, db)
    before = _contents(db)
    assert sum(len(rows) for rows in before.values()) > 40
    async with await Store.open(db) as store:
        assert (await store.ping())["schema_version"] == LATEST_VERSION
        assert await store.migrate() == LATEST_SCHEMA
        # The data reads back through the new Store.
        request = await store.get_request("T0001", 8)
        assert request is not None
        assert (request.mentee_id, request.mentor_id) == ("UMENTEE2", None)
        assert request.details.endswith("<!channel> & more")
        profile = await store.get_profile("T0001", "UMENTOR2")
        assert profile is not None
        assert profile.tags == ("negotiation", "ops")
        assert await store.mark_event_processed("T0001", "Ev0001", request.created_at) is False
        # The release's cooldown (UASKER prompted in C0001 at 12:00) still holds.
        prompted = datetime(2026, 12, 1, 12, tzinfo=UTC)
        for minutes, allowed in ((9, False), (10, True)):
            at = prompted + timedelta(minutes=minutes)
            claim = store.claim_prompt("T0001", "UASKER", "C0001", f"1.{minutes}", COOLDOWN, at)
            assert await claim is allowed
    after = _contents(db)
    # r0006 read the cooldown from prompted_messages and dropped its table: each cooldown the
    # release held is its person's prompt in that channel at that time.
    cooldowns = before.pop("prompt_cooldowns")
    assert cooldowns
    prompts = {
        (team, user, channel, at) for team, channel, _, user, at in after["prompted_messages"]
    }
    assert set(cooldowns) <= prompts
    assert "prompt_cooldowns" not in after
    # Later revisions add tables, empty here, and columns, at the end of a row; every other
    # table of the release keeps every row and every value.
    prompt_rows = [row for row in after["prompted_messages"] if row[2].startswith("1.")]
    after["prompted_messages"] = [r for r in after["prompted_messages"] if r not in prompt_rows]
    assert {table: _first_columns(after[table], before[table]) for table in before} == before
    assert all(not rows for table, rows in after.items() if table not in before)
    assert _revision(db) == [HISTORY[-1]]


async def test_an_older_numbered_database_gets_the_rest_then_alembic(tmp_path: Path) -> None:
    db = tmp_path / "mentorbot.db"
    first_three = tmp_path / "migrations"
    first_three.mkdir()
    for source in sorted((Path(__file__).parents[2] / "storage" / "migrations").glob("*.sql")):
        if int(source.name[:3]) <= 3:
            shutil.copy(source, first_three / source.name)
    conn = await connect(db)
    try:
        assert await migrate(conn, first_three) == 3  # type: ignore[arg-type]
        await conn.execute(
            "INSERT INTO people (team_id, user_id, first_seen_at, updated_at) "
            "VALUES ('T1', 'U1', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')"
        )
        await conn.commit()
    finally:
        await conn.close()
    async with await Store.open(db) as store:
        assert await store.migrate() == LATEST_SCHEMA
        assert await store.get_person("T1", "U1") is not None
    assert _revision(db) == [HISTORY[-1]]


async def test_replicas_starting_at_once_migrate_once(tmp_path: Path) -> None:
    db = tmp_path / "mentorbot.db"
    stores = [await Store.open(db) for _ in range(3)]
    try:
        versions = await asyncio.gather(*(store.migrate() for store in stores))
    finally:
        for store in stores:
            await store.close()
    assert versions == [LATEST_SCHEMA] * 3
    assert _revision(db) == [HISTORY[-1]]


async def test_a_database_from_a_newer_mentorbot_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "mentorbot.db"
    async with await Store.open(db) as store:
        await store.migrate()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'r9999'")
    conn.close()
    async with await Store.open(db) as store:
        with pytest.raises(SchemaTooNewError, match="revision r9999, which this mentorbot"):
            await store.migrate()
        assert (await store.ping())["schema_version"] > LATEST_SCHEMA


def test_the_history_constant_matches_alembics_folder() -> None:
    assert alembic_history() == HISTORY


def _alembic_at(db: Path) -> str | None:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


async def test_the_sqlite_baseline_stamp_is_alembics_own(tmp_path: Path) -> None:
    ours = tmp_path / "ours.db"
    async with await Store.open(ours) as store:
        await store.migrate()
    assert _alembic_at(ours) == HISTORY[-1]
    # The same table Alembic's own stamp makes, and Alembic carries on from it.
    theirs = tmp_path / "theirs.db"
    engine = create_engine(f"sqlite:///{theirs}")
    try:
        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", SCRIPTS)
            config.attributes["connection"] = conn
            # An empty file stamped where ours is (later revisions alter tables it lacks).
            command.stamp(config, HISTORY[-1])
            command.upgrade(config, "head")
    finally:
        engine.dispose()
    table = "SELECT sql FROM sqlite_master WHERE name = 'alembic_version'"
    with sqlite3.connect(ours) as a, sqlite3.connect(theirs) as b:
        [(mine,)], [(alembics,)] = a.execute(table).fetchall(), b.execute(table).fetchall()
    a.close()
    b.close()
    assert "".join(mine.split()) == "".join(alembics.split())  # the same but for whitespace


async def test_alembic_works_on_the_stores_own_sqlite_connection(tmp_path: Path) -> None:
    """SQLAlchemy is loaded on SQLite only for Alembic, over the one aiosqlite connection: what
    a revision writes there is what the Store reads, with WAL and foreign keys still on."""
    db = SqliteDatabase(await connect(tmp_path / "bot.db"), tmp_path / "bot.db")
    try:
        async with db.single() as conn:
            await conn.execute("CREATE TABLE t (a INTEGER)")
        async with db.admin() as admin:
            await admin.exec_driver_sql("BEGIN IMMEDIATE")
            await admin.exec_driver_sql("INSERT INTO t VALUES (1)")
            revision = await admin.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
            await admin.exec_driver_sql("COMMIT")
        assert revision is None
        async with db.single() as conn:
            assert [tuple(r) for r in await conn.execute_fetchall("SELECT a FROM t")] == [(1,)]
            assert (await conn.execute_fetchall("PRAGMA foreign_keys"))[0][0] == 1
            assert (await conn.execute_fetchall("PRAGMA journal_mode"))[0][0] == "wal"
    finally:
        await db.close()
        await db.close()  # twice is fine
