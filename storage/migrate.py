"""Forward-only, numbered plain-SQL migrations tracked by ``PRAGMA user_version`` (SQLite).

These files are frozen at 006: they bring a database made by an earlier release to the schema
where Alembic's history begins (storage/schema.py), and new schema changes are Alembic
revisions in storage/alembic/versions, for both engines.

A migration is ``migrations/NNN-name.sql`` holding schema statements only: the runner wraps
each file in one transaction with the ``user_version`` bump, so a file applies entirely or not
at all, and it reads the version again once it holds the write lock, so that processes opening
one file at once apply each file once. Files must not contain BEGIN, COMMIT or ROLLBACK
themselves. Foreign keys are off while migrations run (SQLite's advice for schema changes: a
DROP TABLE during a table rebuild would otherwise cascade deletes); each file must leave no
foreign-key violation behind.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

import aiosqlite

from storage import MigrationError, SchemaTooNewError

DEFAULT_MIGRATIONS: Traversable = files("storage") / "migrations"

_FILE_NAME = re.compile(r"^(?P<version>\d{3})-[a-z0-9][a-z0-9_-]*\.sql$")
# Transaction control belongs to the runner; a COMMIT in a file would break atomicity.
# (A trigger's "BEGIN <statement>" and bare "END;" are not transaction control.)
_TRANSACTION_CONTROL = re.compile(
    r"^\s*(BEGIN(\s+(DEFERRED|IMMEDIATE|EXCLUSIVE))?(\s+TRANSACTION)?"
    r"|(COMMIT|ROLLBACK)(\s+TRANSACTION)?|END\s+TRANSACTION)\s*;",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class Migration:
    """One migration file."""

    version: int
    name: str
    sql: str
    statements: tuple[str, ...]  # one by one, a trigger's body whole


def split_statements(name: str, sql: str) -> tuple[str, ...]:
    """Statements of a script, cut at each ";" that ends a complete one: SQLite's own
    `complete_statement` knows strings, comments and a trigger's BEGIN … END."""
    found, start = [], 0
    for index, char in enumerate(sql):
        if char == ";" and sqlite3.complete_statement(sql[start : index + 1]):
            found.append(sql[start : index + 1].strip())
            start = index + 1
    rest = [line for line in sql[start:].splitlines() if line.strip()]
    if any(not line.lstrip().startswith("--") for line in rest):
        raise MigrationError(f"migration {name} ends with a statement that has no semicolon")
    return tuple(found)


def load_migrations(migrations_dir: Traversable = DEFAULT_MIGRATIONS) -> list[Migration]:
    """The migrations in a folder, in order; numbering must run 1, 2, 3… with no gap."""
    found: list[Migration] = []
    for entry in migrations_dir.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _FILE_NAME.match(entry.name)
        if match is None:
            raise MigrationError(f"migration file name {entry.name!r} is not like 001-name.sql")
        sql = entry.read_text(encoding="utf-8")
        if _TRANSACTION_CONTROL.search(sql):
            raise MigrationError(
                f"migration {entry.name} controls transactions itself; remove BEGIN/COMMIT"
            )
        statements = split_statements(entry.name, sql)
        found.append(Migration(int(match["version"]), entry.name, sql, statements))
    found.sort(key=lambda migration: migration.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"migration {migration.name} is out of sequence; expected number {expected:03d}"
            )
    return found


LATEST_VERSION: int = len(load_migrations())


async def schema_version(conn: aiosqlite.Connection) -> int:
    """The schema version the database is at (0 for a new, empty file)."""
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])


async def _database_file(conn: aiosqlite.Connection) -> str:
    rows = await conn.execute_fetchall("PRAGMA database_list")
    return next((str(row[2]) for row in rows if row[1] == "main"), "(unknown)")


async def _apply(conn: aiosqlite.Connection, migration: Migration) -> bool:
    """Apply one file in one transaction with its version bump; False when, once this
    connection held the write lock, the database was already past it (another process
    sharing the file applied it first)."""
    # Statement by statement: executescript() would commit the transaction the version was
    # read in. PRAGMA takes no bound parameters; the version is an int from the file name.
    await conn.execute("BEGIN IMMEDIATE")
    try:
        if await schema_version(conn) >= migration.version:
            await conn.rollback()
            return False
        for statement in migration.statements:
            await conn.execute(statement)
        await conn.execute(f"PRAGMA user_version = {migration.version:d}")
        violations = list(await conn.execute_fetchall("PRAGMA foreign_key_check"))
        if violations:
            table = violations[0][0]
            raise sqlite3.IntegrityError(
                f"leaves {len(violations)} foreign-key violation(s) in {table}"
            )
        await conn.commit()
    except BaseException:
        # Cancellation included: a half-applied file must never stay open or be committed.
        await conn.rollback()
        raise
    return True


async def migrate(
    conn: aiosqlite.Connection, migrations_dir: Traversable = DEFAULT_MIGRATIONS
) -> int:
    """Apply every pending migration in order; return the schema version reached."""
    migrations = load_migrations(migrations_dir)
    latest = len(migrations)
    current = await schema_version(conn)
    if current > latest:
        raise SchemaTooNewError(
            f"database {await _database_file(conn)} is at schema version {current} but this "
            f"mentorbot knows only up to {latest}; upgrade mentorbot or restore a backup"
        )
    if current == latest:
        return current
    await conn.execute_fetchall("PRAGMA foreign_keys = OFF")
    try:
        for migration in migrations:
            if migration.version <= current:
                continue
            try:
                await _apply(conn, migration)
            except sqlite3.Error as error:
                current = await schema_version(conn)
                raise MigrationError(
                    f"migration {migration.name} failed: {error}; "
                    f"the database stays at schema version {current}"
                ) from error
            current = max(current, migration.version)
    finally:
        await conn.execute_fetchall("PRAGMA foreign_keys = ON")
    return current
