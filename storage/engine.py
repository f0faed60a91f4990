"""The database behind the Store: SQLite through aiosqlite, or PostgreSQL through SQLAlchemy 2's
async engine and psycopg 3 (storage/engine_pg.py, imported only for PostgreSQL).

Every statement is plain SQL in storage/ with bound parameters named ``?`` (in order), ``?N``
(numbered) or ``:name``, run through one Connection protocol. On SQLite each goes to aiosqlite,
which reads all three styles itself (why: see _SqliteConnection); on PostgreSQL each runs as a
SQLAlchemy ``text()``. The few statements the engines spell differently are ByEngine pairs,
side by side. On SQLite, SQLAlchemy is loaded only when Alembic has a revision to apply: no
statement goes through it, and importing it costs an idle bot about 17 MB.

Connections run in autocommit: a single statement commits on its own, and ``transaction()``
issues BEGIN itself and takes the write lock first (``BEGIN IMMEDIATE`` on SQLite, an advisory
lock on PostgreSQL), so two writers can't both read the old state.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import aiosqlite

from storage.db import connect, connect_on_loop

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

Params = Sequence[Any] | Mapping[str, Any]


@dataclass(frozen=True)
class ByEngine:
    """One statement written twice, where SQLite and PostgreSQL spell it differently."""

    sqlite: str
    postgresql: str


Sql = str | ByEngine


class Record(Protocol):
    """One result row: by position (``row[0]``), by column (``row["id"]``), or ``dict(row)``.

    On SQLite it is sqlite3's own Row; on PostgreSQL a Row of SQLAlchemy's, wrapped.
    """

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> Sequence[str]: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


class Connection(Protocol):
    """One connection, as the queries in storage/ use it (inside or outside a transaction)."""

    async def execute_fetchall(self, sql: Sql, params: Params = ..., /) -> list[Record]:
        """Run one statement; its rows (none for a statement without RETURNING)."""

    async def execute(self, sql: Sql, params: Params = ..., /) -> int:
        """Run one statement; how many rows it changed."""

    async def executemany(self, sql: Sql, many: Iterable[Params], /) -> None:
        """Run one statement once per parameter set."""


def _sqlite(sql: Sql) -> str:
    return sql.sqlite if isinstance(sql, ByEngine) else sql


class _SqliteConnection:
    """SQLite: statements go straight to aiosqlite, which reads ?, ?N and :name itself.

    SQLAlchemy's own aiosqlite adapter makes four trips to aiosqlite's thread per statement
    (cursor, execute, fetchall, close): 228-259 µs of CPU against 52 µs for one
    execute_fetchall, measured on the bench machine, and the prompt claim of every ask is one.
    """

    def __init__(self, driver: aiosqlite.Connection) -> None:
        self._driver = driver

    async def execute_fetchall(self, sql: Sql, params: Params = (), /) -> list[Record]:
        return list(await self._driver.execute_fetchall(_sqlite(sql), params))

    async def execute(self, sql: Sql, params: Params = (), /) -> int:
        async with self._driver.execute(_sqlite(sql), params) as cursor:
            return cursor.rowcount

    async def executemany(self, sql: Sql, many: Iterable[Params], /) -> None:
        await self._driver.executemany(_sqlite(sql), many)


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite+aiosqlite:///{Path(path)}"


class Database:
    """The engine, and the connections the Store runs its statements on."""

    label: str  # for log lines: the file, or the URL without its password
    # What a statement may raise: the driver's own errors (SQLAlchemy's wrappers are taken off).
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    @property
    def dialect(self) -> str:
        """The engine's name: "sqlite" or "postgresql"."""
        raise NotImplementedError

    async def server_version(self) -> str:
        """The server's version, e.g. "3.40.1" for SQLite or "16.4" for PostgreSQL."""
        raise NotImplementedError

    def single(self) -> AbstractAsyncContextManager[Connection]:
        """A connection for statements that each commit on their own."""
        raise NotImplementedError

    def admin(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """SQLAlchemy's own connection (autocommit), for Alembic; nobody else uses it meanwhile."""
        raise NotImplementedError

    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """A connection inside one transaction, committed at the end, rolled back on error."""
        raise NotImplementedError

    async def close(self) -> None:
        """Close every connection; safe to call twice."""
        raise NotImplementedError

    async def lead(self) -> bool:
        """Whether this process is the one that dispatches the outbox (see PostgresDatabase)."""
        return True

    async def holds_lead(self) -> bool:
        """Whether the lead taken by lead() is still held, without taking it again."""
        return True


# How long a leader waits to hear that it still leads (PostgresDatabase.holds_lead) before it
# counts the lead as lost: part of how long a lost leader may still post (bot/outbox.py).
LEAD_CHECK_SECONDS = 5.0

# A checkpoint copies the write-ahead log back into the file: every this many statements on
# the loop's connection, on aiosqlite's thread (see SqliteDatabase.fetch_on_loop).
CHECKPOINT_EVERY = 500


def _on_loop_execute(conn: sqlite3.Connection, sql: str, params: Params) -> list[Record]:
    """One statement on the loop's connection. That connection keeps the schema it read last,
    and SQLite checks an upsert's ON CONFLICT target against it before noticing that another
    connection changed it (a migration that re-keys a table): the statement fails with "does
    not match any PRIMARY KEY". Reading sqlite_master makes SQLite read the schema again if it
    changed; then the statement runs once more (a statement that failed wrote nothing, and one
    that fails for good fails again)."""
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:
            raise
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return conn.execute(sql, params).fetchall()


class SqliteDatabase(Database):
    """One SQLite file behind one aiosqlite connection, shared by every coroutine, and a plain
    sqlite3 connection on the event loop's thread for `fetch_on_loop`."""

    def __init__(
        self, driver: aiosqlite.Connection, path: Path, on_loop: sqlite3.Connection | None = None
    ) -> None:
        self.label = str(path)
        self.path = path
        self._driver = driver
        self._connection = _SqliteConnection(driver)
        # The lock keeps one coroutine's statements out of another's BEGIN … COMMIT.
        self._lock = asyncio.Lock()
        self._on_loop = on_loop
        self._since_checkpoint = 0
        self.loop_fallbacks = 0  # statements fetch_on_loop handed to aiosqlite's thread
        # SQLAlchemy over the same connection, for Alembic only: made on first use.
        self._engine: AsyncEngine | None = None
        self._conn: AsyncConnection | None = None

    @classmethod
    async def open(cls, path: str | Path) -> SqliteDatabase:
        """Open (creating it and its folder if missing) a SQLite file: autocommit, WAL,
        foreign keys and busy_timeout (storage/db.py)."""
        driver = await connect(path)
        try:
            on_loop = connect_on_loop(Path(path))
        except BaseException:
            await driver.close()
            raise
        return cls(driver, Path(path), on_loop)

    @property
    def dialect(self) -> str:
        return "sqlite"

    async def server_version(self) -> str:
        return sqlite3.sqlite_version

    async def close(self) -> None:
        async with self._lock:
            if self._conn is not None:
                await self._conn.close()
                self._conn = None
            if self._engine is not None:
                await self._engine.dispose()
                self._engine = None
            await self._driver.close()  # a no-op once closed (dispose closes it too)
            if self._on_loop is not None:
                self._on_loop.close()
                self._on_loop = None

    @asynccontextmanager
    async def admin(self) -> AsyncIterator[AsyncConnection]:
        async with self._lock:
            if self._conn is None:
                self._engine, self._conn = await self._sqlalchemy()
            yield self._conn

    async def _sqlalchemy(self) -> tuple[AsyncEngine, AsyncConnection]:
        """SQLAlchemy's async engine whose one connection is this aiosqlite connection."""
        from sqlalchemy.ext.asyncio import create_async_engine

        driver = self._driver

        async def reuse() -> aiosqlite.Connection:
            return driver

        engine = create_async_engine(
            sqlite_url(self.path),
            isolation_level="AUTOCOMMIT",
            pool_size=1,
            max_overflow=0,
            async_creator=reuse,
        )
        return engine, await engine.connect()

    @asynccontextmanager
    async def driver(self) -> AsyncIterator[aiosqlite.Connection]:
        """aiosqlite's connection, for the numbered migrations."""
        async with self._lock:
            yield self._driver

    @asynccontextmanager
    async def single(self) -> AsyncIterator[Connection]:
        async with self._lock:
            yield self._connection

    async def fetch_on_loop(self, sql: Sql, params: Params = ()) -> list[Record]:
        """One short statement (a few index lookups, a row or two written) on the event loop's
        own thread, sparing the hop to aiosqlite's thread and back: about 0.2 ms of CPU per
        ask under load (bench/findings.md, issue 25).

        The loop must never wait on a lock here: its connection has no busy timeout, so when
        another connection holds the write lock (a cancelled statement still running on
        aiosqlite's thread, another process), the statement goes to aiosqlite's thread instead
        and waits there as any other would. Its connection never checkpoints on its own (a
        checkpoint writes pages back and syncs the file: milliseconds); every
        CHECKPOINT_EVERY statements, aiosqlite's thread does it.
        """
        async with self._lock:
            on_loop = self._on_loop
            if on_loop is not None:
                try:
                    rows: list[Record] = _on_loop_execute(on_loop, _sqlite(sql), params)
                except sqlite3.OperationalError as error:
                    if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                        raise
                    self.loop_fallbacks += 1
                else:
                    self._since_checkpoint += 1
                    if self._since_checkpoint >= CHECKPOINT_EVERY:
                        self._since_checkpoint = 0
                        await self._checkpoint()
                    return rows
            return list(await self._driver.execute_fetchall(_sqlite(sql), params))

    async def _checkpoint(self) -> None:
        # PASSIVE never waits for a lock. The statement before it has committed: a failed
        # checkpoint must not fail it, and the next one will copy what this one couldn't.
        try:
            await self._driver.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as error:
            log.warning("checkpoint of %s failed: %s", self.label, error)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._lock:
            await self._driver.execute_fetchall("BEGIN IMMEDIATE")
            try:
                yield self._connection
                await self._driver.commit()
            except BaseException:
                # Also after a failed COMMIT: the next BEGIN must not find a transaction open.
                await self._driver.rollback()
                raise
