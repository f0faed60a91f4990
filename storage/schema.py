"""Migrations for both engines: one Alembic history (storage/alembic), run at start-up and by
`mentorbot migrate`.

- SQLite: the numbered SQL files that earlier releases applied (storage/migrate.py) run first,
  so a database made by any of them reaches their last schema with every row kept; Alembic's
  history begins there (revision r0001) and carries on.
- PostgreSQL: Alembic alone, from an empty database.

The whole upgrade is one transaction that holds the engine's write lock (BEGIN IMMEDIATE on
SQLite, an advisory lock on PostgreSQL): replicas that start together migrate once, the others
wait and find nothing left to do. A database at a revision this code doesn't know was written
by a newer mentorbot and is refused.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection as SyncConnection
from sqlalchemy.exc import DBAPIError

from storage import MigrationError, SchemaTooNewError
from storage.engine import Database, SqliteDatabase
from storage.engine_pg import PostgresDatabase
from storage.migrate import LATEST_VERSION
from storage.migrate import migrate as migrate_numbered

SCRIPTS = str(files("storage") / "alembic")

# Not WRITE_LOCK_KEY: a migration must not wait behind, or hold up, ordinary writes.
MIGRATION_LOCK_KEY = 0x6D656E746F73  # "mentos"


def _config(connection: SyncConnection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPTS)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _history() -> tuple[str, ...]:
    """Every revision this code knows, newest first (read once: /healthz asks each time)."""
    return tuple(s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions())


def head_revision() -> str:
    """The newest revision this code knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:  # pragma: no cover - the folder ships with its baseline
        raise MigrationError("no Alembic revisions found")
    return head


def _current(connection: SyncConnection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: SyncConnection, label: str) -> str:
    """Check the database's revision, upgrade to head; the revision reached."""
    current = _current(connection)
    if current is not None and current not in _history():
        raise SchemaTooNewError(
            f"database {label} is at schema revision {current}, which this mentorbot doesn't "
            f"know (its newest is {head_revision()}); upgrade mentorbot or restore a backup"
        )
    command.upgrade(_config(connection), "head")
    return head_revision()


def schema_number(revision: str | None) -> int:
    """A revision as the schema version number mentorbot has always shown: the numbered files
    counted 1 to 6, and r0001 (their schema) is 6, r0002 is 7, and so on."""
    if revision is None:
        return 0
    history = _history()
    if revision not in history:
        return LATEST_VERSION + len(history)  # newer than this code: past its newest
    return LATEST_VERSION + len(history) - 1 - history.index(revision)


LATEST_SCHEMA = schema_number(head_revision())


async def schema_revision(db: Database) -> str | None:
    """The Alembic revision the database is at; None before its first migration."""
    async with db.admin() as conn:
        return await conn.run_sync(_current)


async def migrate_schema(db: Database) -> str:
    """Bring the database to the newest revision; return it."""
    if isinstance(db, SqliteDatabase):
        async with db.driver() as driver:
            await migrate_numbered(driver)
    async with db.admin() as conn:
        await conn.exec_driver_sql("BEGIN IMMEDIATE" if db.dialect == "sqlite" else "BEGIN")
        try:
            if isinstance(db, PostgresDatabase):
                await conn.exec_driver_sql(
                    "SELECT pg_advisory_xact_lock(%(key)s)", {"key": MIGRATION_LOCK_KEY}
                )
            reached = await conn.run_sync(_upgrade, db.label)
            await conn.exec_driver_sql("COMMIT")
        except DBAPIError as error:
            await conn.rollback()
            raise MigrationError(
                f"migrating {db.label} failed: {error.orig}; nothing of it was kept"
            ) from error
        except BaseException:
            await conn.rollback()
            raise
    return reached
