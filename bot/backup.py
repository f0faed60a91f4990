"""`mentorbot backup PATH`: a consistent copy of the live database, safe while the bot runs.

SQLite's online backup API copies pages under a read transaction, so writers in WAL mode keep
going and the copy is one consistent snapshot. It is written next to the target and renamed
into place, so PATH is never a half-written file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from storage import StorageError
from storage.schema import HISTORY, schema_number

# Pages per step: small steps let the bot's writers in between.
_PAGES_PER_STEP = 1024


def _schema(conn: sqlite3.Connection) -> str:
    """The schema as `mentorbot migrate` names it: Alembic's revision as a number once it has
    one, and a revision this mentorbot doesn't know as itself."""
    has_alembic = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()[0]
    revision = (
        conn.execute("SELECT version_num FROM alembic_version").fetchone() if has_alembic else None
    )
    if revision is None:
        return f"schema version {int(conn.execute('PRAGMA user_version').fetchone()[0])}"
    if str(revision[0]) not in HISTORY:
        return f"schema revision {revision[0]}, from a newer mentorbot"
    return f"schema version {schema_number(str(revision[0]))}"


def backup_database(source: Path, target: Path) -> str:
    """Copy `source` to `target` (replacing it); a one-line summary, or StorageError."""
    if not source.is_file():
        raise StorageError(f"no database at {source} (is MENTORBOT_DB right?)")
    # mode=rw: never create a database where MENTORBOT_DB points at nothing.
    target = target.expanduser()
    if target.is_dir():
        target = target / source.name
    if target.resolve() == source.resolve():
        raise StorageError("the backup must not overwrite the database itself")
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        with contextlib.closing(
            sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True)
        ) as live:
            live.execute("PRAGMA busy_timeout = 5000")
            with contextlib.closing(sqlite3.connect(partial)) as copy:
                live.backup(copy, pages=_PAGES_PER_STEP)
                # One self-contained file: no -wal beside it to forget when copying it around.
                copy.execute("PRAGMA journal_mode = DELETE")
                check = copy.execute("PRAGMA quick_check").fetchone()[0]
                schema = _schema(copy)
                pages = copy.execute("PRAGMA page_count").fetchone()[0]
        if check != "ok":
            raise StorageError(f"the copy failed its integrity check: {check}")
        os.replace(partial, target)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise StorageError(f"backup failed: {error}") from error
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise StorageError(f"backup failed: {error}") from error
    return f"backed up {source} to {target} ({schema}, {pages} pages)"
