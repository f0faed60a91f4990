"""Migrations for both engines: one Alembic history (storage/alembic), run at start-up and by
`mentorbot migrate`.

- SQLite: the numbered SQL files that earlier releases applied (storage/migrate.py) run first,
  so a database made by any of them reaches their last schema with every row kept; Alembic's
  history begins there (revision r0001) and carries on.
- PostgreSQL: Alembic alone, from an empty database.

An upgrade is one transaction that holds the engine's write lock (BEGIN IMMEDIATE on SQLite,
an advisory lock on PostgreSQL): replicas that start together migrate once, the others wait
and find nothing left to do. A database at a revision this code doesn't know was written by a
newer mentorbot and is refused. A database already at HISTORY's last revision is checked with
one query, and Alembic (about 5 MB) is not even imported.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from storage import MigrationError, SchemaTooNewError
from storage.engine import ByEngine, Database, SqliteDatabase
from storage.migrate import LATEST_VERSION
from storage.migrate import migrate as migrate_numbered

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection as SyncConnection

SCRIPTS = str(files("storage") / "alembic")

# Alembic's revisions, oldest first: add each new one here too (test_schema_alembic checks
# this against storage/alembic/versions).
HISTORY: tuple[str, ...] = (
    "r0001",
    "r0002",
    "r0003",
    "r0004",
    "r0005",
    "r0006",
    "r0007",
    "r0008",
    "r0009",
)
# The schema version number mentorbot has always shown: the numbered files are 1 to 6, r0001
# (their schema) is 6, r0002 will be 7.
LATEST_SCHEMA = LATEST_VERSION + len(HISTORY) - 1

# Not WRITE_LOCK_KEY: a migration must not wait behind, or hold up, ordinary writes.
MIGRATION_LOCK_KEY = 0x6D656E746F73  # "mentos"

_HAS_VERSION_TABLE = ByEngine(
    sqlite="SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'",
    postgresql="SELECT count(*) FROM pg_catalog.pg_tables "
    "WHERE schemaname = current_schema() AND tablename = 'alembic_version'",
)


def schema_number(revision: str | None) -> int:
    """A revision as a schema version number (0 for none; past LATEST_SCHEMA if unknown)."""
    if revision is None:
        return 0
    if revision not in HISTORY:
        return LATEST_SCHEMA + 1
    return LATEST_VERSION + HISTORY.index(revision)


async def schema_revision(db: Database) -> str | None:
    """The Alembic revision the database is at; None before its first migration."""
    async with db.single() as conn:
        if not (await conn.execute_fetchall(_HAS_VERSION_TABLE))[0][0]:
            return None
        rows = await conn.execute_fetchall("SELECT version_num FROM alembic_version")
    return str(rows[0][0]) if rows else None


def too_new(label: str, revision: str) -> SchemaTooNewError:
    return SchemaTooNewError(
        f"database {label} is at schema revision {revision}, which this mentorbot doesn't "
        f"know (its newest is {HISTORY[-1]}); upgrade mentorbot or restore a backup"
    )


def _config(connection: SyncConnection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPTS)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def alembic_history() -> tuple[str, ...]:
    """The revisions in storage/alembic/versions, oldest first, as Alembic reads them."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_config())
    return tuple(reversed([script.revision for script in scripts.walk_revisions()]))


def _upgrade(connection: SyncConnection, label: str) -> None:
    """Check the database's revision, then upgrade it to the newest (inside the caller's
    transaction: Alembic sees one open and leaves it to the caller)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    current = MigrationContext.configure(connection).get_current_revision()
    if current is not None and current not in HISTORY:
        raise too_new(label, current)
    command.upgrade(_config(connection), "head")


# Alembic's own version table, as `alembic stamp` creates it on SQLite.
_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL, "
    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
)
_STAMP_BASELINE = (
    "INSERT INTO alembic_version (version_num) "
    "SELECT ?1 WHERE NOT EXISTS (SELECT 1 FROM alembic_version)"
)


async def _stamp_sqlite_baseline(db: SqliteDatabase) -> None:
    """r0001 adds nothing on SQLite (the numbered files made its schema): record it the way
    `alembic stamp r0001` would, without loading Alembic for it."""
    async with db.transaction() as conn:
        await conn.execute(_VERSION_TABLE)
        await conn.execute(_STAMP_BASELINE, (HISTORY[0],))


async def migrate_schema(db: Database) -> str:
    """Bring the database to the newest revision; return it."""
    if isinstance(db, SqliteDatabase):
        async with db.driver() as driver:
            await migrate_numbered(driver)
    current = await schema_revision(db)
    if current is None and isinstance(db, SqliteDatabase):
        await _stamp_sqlite_baseline(db)
        current = await schema_revision(db)
    if current == HISTORY[-1]:
        return current
    if current is not None and current not in HISTORY:
        raise too_new(db.label, current)
    from sqlalchemy.exc import DBAPIError  # with Alembic, only when a revision is due

    async with db.admin() as conn:
        await conn.exec_driver_sql("BEGIN IMMEDIATE" if db.dialect == "sqlite" else "BEGIN")
        try:
            if db.dialect == "postgresql":
                await conn.exec_driver_sql(
                    "SELECT pg_advisory_xact_lock(%(key)s)", {"key": MIGRATION_LOCK_KEY}
                )
            await conn.run_sync(_upgrade, db.label)
            await conn.exec_driver_sql("COMMIT")
        except DBAPIError as error:
            await conn.rollback()
            raise MigrationError(
                f"migrating {db.label} failed: {error.orig}; nothing of it was kept"
            ) from error
        except BaseException:
            await conn.rollback()
            raise
    return HISTORY[-1]
