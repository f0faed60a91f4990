"""Opening a SQLite file with the settings mentorbot relies on (storage/engine.py uses the
same PRAGMAs; plain aiosqlite connections serve the numbered migrations and their tests)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite

from storage import StorageError

# busy_timeout first, so that switching to WAL waits for another process instead of failing.
# WAL + synchronous=NORMAL: ~17x the commits per second of the default journal, still durable
# against application crashes. SQLite leaves foreign keys off unless asked, per connection.
PRAGMAS = (
    "PRAGMA busy_timeout = 5000",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
)
_PRAGMAS = "".join(f"{pragma};\n" for pragma in PRAGMAS)


def _cannot_open(path: Path, reason: str) -> StorageError:
    return StorageError(f"cannot open database {path}: {reason}")


def _os_reason(error: OSError) -> str:
    if isinstance(error, FileExistsError):
        # mkdir(exist_ok=True) says "File exists" when a parent is a regular file.
        return f"{error.filename} is not a directory"
    reason = (error.strerror or str(error)).lower()
    return f"{reason} ({error.filename})" if error.filename else reason


def _prepare(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # When aiosqlite's own open fails, its worker thread outlives the call and may report
    # to a closed event loop; so let plain sqlite3 find the paths it can't open first.
    sqlite3.connect(path).close()


async def prepare_file(db_path: Path) -> None:
    """Create the file and its folder if missing; StorageError names why it can't be opened."""
    try:
        await asyncio.to_thread(_prepare, db_path)
    except OSError as error:
        raise _cannot_open(db_path, _os_reason(error)) from error
    except sqlite3.Error as error:
        raise _cannot_open(db_path, str(error)) from error


# For the connection on the event loop's thread (SqliteDatabase.fetch_on_loop): no busy wait
# (a locked file sends its statement to aiosqlite's thread) and no checkpoints of its own.
# Its few short statements touch a few b-trees: a 512 KiB page cache holds them, where
# SQLite's default 2 MB filled up with prompted messages and stayed in the process.
_ON_LOOP_PRAGMAS = (
    "PRAGMA busy_timeout = 0",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA wal_autocheckpoint = 0",
    "PRAGMA cache_size = -512",
)


def connect_on_loop(db_path: Path) -> sqlite3.Connection:
    """A second connection to a file `connect` opened, for the event loop's own thread."""
    try:
        conn = sqlite3.connect(db_path, isolation_level=None, timeout=0)
        for pragma in _ON_LOOP_PRAGMAS:
            conn.execute(pragma)
    except sqlite3.Error as error:
        raise _cannot_open(db_path, str(error)) from error
    conn.row_factory = sqlite3.Row
    return conn


async def connect(path: str | Path) -> aiosqlite.Connection:
    """Open (creating it and its folder if missing) the database file with plain aiosqlite."""
    db_path = Path(path)
    await prepare_file(db_path)
    try:
        # isolation_level=None: sqlite3 never opens transactions behind our back; the Store
        # issues BEGIN IMMEDIATE / COMMIT itself, and single statements autocommit.
        conn = await aiosqlite.connect(db_path, isolation_level=None)
    except sqlite3.Error as error:
        raise _cannot_open(db_path, str(error)) from error
    try:
        # The first statements that read the file: one that is not a database fails here.
        await (await conn.executescript(_PRAGMAS)).close()
    except sqlite3.Error as error:
        await conn.close()
        raise _cannot_open(db_path, str(error)) from error
    conn.row_factory = aiosqlite.Row
    return conn
