"""The database behind the Store: one SQLAlchemy async engine, SQLite (aiosqlite) or PostgreSQL
(psycopg 3, in storage/engine_pg.py, imported only for PostgreSQL), opened, pooled and
configured here.

Every statement is plain SQL in storage/ with bound parameters named ``?`` (in order), ``?N``
(numbered) or ``:name``. On PostgreSQL each runs as a SQLAlchemy ``text()``, the first two
styles becoming ``:pN`` once per statement. On SQLite each goes to aiosqlite on the engine's
connection, which reads all three styles itself (why: see _SqliteConnection). The few
statements the engines spell differently are ByEngine pairs, side by side.

Connections run in autocommit: a single statement commits on its own, and ``transaction()``
issues BEGIN itself and takes the write lock first (``BEGIN IMMEDIATE`` on SQLite, an advisory
lock on PostgreSQL), so two writers can't both read the old state.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn, Protocol

import aiosqlite
from sqlalchemy import event, text
from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql.elements import TextClause

from storage import StorageError
from storage.db import PRAGMAS, prepare_file

Params = Sequence[Any] | Mapping[str, Any]


@dataclass(frozen=True)
class ByEngine:
    """One statement written twice, where SQLite and PostgreSQL spell it differently."""

    sqlite: str
    postgresql: str


Sql = str | ByEngine

# ?N (numbered) or ? (next in order); a ? inside a quoted literal is not a parameter, and no
# statement in storage/ has one.
_QMARK = re.compile(r"\?(\d*)")


@lru_cache(maxsize=1024)
def _statement(sql: str) -> TextClause:
    """The text() clause for a statement, built once: binding ?-style parameters as :pN."""
    counter = 0

    def named(match: re.Match[str]) -> str:
        nonlocal counter
        if match[1]:
            return f":p{match[1]}"
        counter += 1
        return f":p{counter}"

    return text(_QMARK.sub(named, sql))


def _bind(params: Params) -> dict[str, Any]:
    if isinstance(params, Mapping):
        return dict(params)
    return {f"p{number}": value for number, value in enumerate(params, start=1)}


class Record(Protocol):
    """One result row: by position (``row[0]``), by column (``row["id"]``), or ``dict(row)``.

    On SQLite it is sqlite3's own Row; elsewhere a Row of SQLAlchemy's, wrapped (_Record).
    """

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> Sequence[str]: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


class _Record:
    """A Row of SQLAlchemy's, readable like sqlite3.Row."""

    __slots__ = ("_row",)

    def __init__(self, row: Row[Any]) -> None:
        self._row = row

    def __getitem__(self, key: int | str, /) -> Any:
        if isinstance(key, int):
            return self._row[key]
        return self._row._mapping[key]

    def keys(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(self._row._fields)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)

    def __repr__(self) -> str:
        return f"Record({dict(self._row._mapping)!r})"


def _driver_error(error: DBAPIError) -> NoReturn:
    """Raise the driver's own error, as SQLite's callers have always seen it."""
    if isinstance(error.orig, Exception):
        raise error.orig from None
    raise error


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


def _postgresql(sql: Sql) -> str:
    return sql.postgresql if isinstance(sql, ByEngine) else sql


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


class SqlAlchemyConnection:
    """Any other engine: each statement a SQLAlchemy text() with bound parameters."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def execute_fetchall(self, sql: Sql, params: Params = (), /) -> list[Record]:
        statement = _statement(_postgresql(sql))
        try:
            result = await self._conn.execute(statement, _bind(params))
        except DBAPIError as error:
            _driver_error(error)
        if not result.returns_rows:
            return []
        return [_Record(row) for row in result.all()]

    async def execute(self, sql: Sql, params: Params = (), /) -> int:
        statement = _statement(_postgresql(sql))
        try:
            result = await self._conn.execute(statement, _bind(params))
        except DBAPIError as error:
            _driver_error(error)
        if result.returns_rows:
            result.close()
        return int(result.rowcount)

    async def executemany(self, sql: Sql, many: Iterable[Params], /) -> None:
        statement = _statement(_postgresql(sql))
        bound = [_bind(params) for params in many]
        if not bound:
            return
        try:
            await self._conn.execute(statement, bound)
        except DBAPIError as error:
            _driver_error(error)


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite+aiosqlite:///{Path(path)}"


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Every new SQLite connection: WAL, synchronous=NORMAL, foreign keys, busy_timeout.
    cursor = dbapi_connection.cursor()
    try:
        for pragma in PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


class Database:
    """The engine, and the connections the Store runs its statements on."""

    engine: AsyncEngine
    label: str  # for log lines: the file, or the URL without its password
    # What a statement may raise: the driver's own errors (SQLAlchemy's wrappers are taken off).
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    @property
    def dialect(self) -> str:
        """The engine's name: "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    async def server_version(self) -> str:
        """The server's version, e.g. "3.40.1" for SQLite or "16.4" for PostgreSQL."""
        info = self.engine.dialect.server_version_info or ()
        return ".".join(str(part) for part in info) or "unknown"

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


class SqliteDatabase(Database):
    """One SQLite file behind one connection, shared by every coroutine of the process."""

    def __init__(
        self, engine: AsyncEngine, conn: AsyncConnection, driver: aiosqlite.Connection, path: Path
    ) -> None:
        self.engine = engine
        self.label = str(path)
        self.path = path
        self._conn = conn
        self._driver = driver
        self._connection = _SqliteConnection(driver)
        # The lock keeps one coroutine's statements out of another's BEGIN … COMMIT.
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> SqliteDatabase:
        """Open (creating it and its folder if missing) a SQLite file."""
        db_path = Path(path)
        await prepare_file(db_path)
        # Autocommit: the driver never opens a transaction behind our back; transaction()
        # issues BEGIN IMMEDIATE / COMMIT itself, and single statements commit on their own.
        engine = create_async_engine(
            sqlite_url(db_path), isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=0
        )
        event.listen(engine.sync_engine, "connect", _set_pragmas)
        try:
            conn = await engine.connect()
            driver = (await conn.get_raw_connection()).driver_connection
        except DBAPIError as error:
            await engine.dispose()
            raise StorageError(f"cannot open database {db_path}: {error.orig}") from error
        except sqlite3.Error as error:
            await engine.dispose()
            raise StorageError(f"cannot open database {db_path}: {error}") from error
        if not isinstance(driver, aiosqlite.Connection):
            await conn.close()
            await engine.dispose()
            raise StorageError(f"cannot open database {db_path}: not an aiosqlite connection")
        driver.row_factory = aiosqlite.Row
        return cls(engine, conn, driver, db_path)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()
            await self.engine.dispose()

    @asynccontextmanager
    async def admin(self) -> AsyncIterator[AsyncConnection]:
        async with self._lock:
            yield self._conn

    @asynccontextmanager
    async def driver(self) -> AsyncIterator[aiosqlite.Connection]:
        """aiosqlite's connection, for the numbered migrations."""
        async with self._lock:
            yield self._driver

    @asynccontextmanager
    async def single(self) -> AsyncIterator[Connection]:
        async with self._lock:
            yield self._connection

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
