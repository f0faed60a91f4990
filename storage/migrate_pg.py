"""The schema on PostgreSQL: the baseline file, applied once, tracked in mentorbot_schema.

migrations/postgresql/NNN-name.sql brings an empty database to the schema that SQLite reaches
with migrations/001 to NNN. The whole upgrade runs in one transaction under an advisory lock,
so replicas starting together migrate once: the others wait, then find it done. A database
at a version this mentorbot doesn't know is refused, as on SQLite.
"""

from __future__ import annotations

from importlib.resources import files

import psycopg

from storage import MigrationError, SchemaTooNewError
from storage.engine import PostgresDatabase
from storage.migrate import LATEST_VERSION

BASELINE = files("storage") / "migrations" / "postgresql" / f"{LATEST_VERSION:03d}-baseline.sql"

# Not WRITE_LOCK_KEY: a migration must not wait behind, or hold up, ordinary writes.
MIGRATION_LOCK_KEY = 0x6D656E746F73  # "mentos"

_VERSION = "SELECT version FROM mentorbot_schema"


async def postgresql_version(db: PostgresDatabase) -> int:
    """The schema version the database is at (0 for an empty database)."""
    async with db.single() as conn:
        rows = await conn.execute_fetchall("SELECT to_regclass('mentorbot_schema') IS NOT NULL")
        if not rows[0][0]:
            return 0
        found = await conn.execute_fetchall(_VERSION)
        return int(found[0][0]) if found else 0


async def migrate_postgresql(db: PostgresDatabase) -> int:
    """Bring the schema up to date; return the version reached."""
    async with db.engine.connect() as conn:
        await conn.exec_driver_sql("BEGIN")
        try:
            await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY:d})")
            await conn.exec_driver_sql(
                "CREATE TABLE IF NOT EXISTS mentorbot_schema (version INTEGER NOT NULL)"
            )
            rows = (await conn.exec_driver_sql(_VERSION)).all()
            current = int(rows[0][0]) if rows else 0
            if current > LATEST_VERSION:
                raise SchemaTooNewError(
                    f"database {db.label} is at schema version {current} but this mentorbot "
                    f"knows only up to {LATEST_VERSION}; upgrade mentorbot or restore a backup"
                )
            if current == 0:
                raw = await conn.get_raw_connection()
                driver = raw.driver_connection
                if not isinstance(driver, psycopg.AsyncConnection):
                    raise MigrationError(f"{db.label} is not a psycopg connection")
                # The file is trusted SQL of ours: run as one script, in this transaction.
                await driver.execute(BASELINE.read_text(encoding="utf-8").encode())
                await conn.exec_driver_sql(
                    "INSERT INTO mentorbot_schema (version) VALUES (%(version)s)",
                    {"version": LATEST_VERSION},
                )
            await conn.exec_driver_sql("COMMIT")
        except psycopg.Error as error:
            await conn.exec_driver_sql("ROLLBACK")
            raise MigrationError(f"migrating {db.label} failed: {error}") from error
        except BaseException:
            await conn.exec_driver_sql("ROLLBACK")
            raise
    return LATEST_VERSION
