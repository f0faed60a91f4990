"""PostgreSQL for the Store: psycopg 3 (async) behind SQLAlchemy's pool, and the advisory locks
that stand in for SQLite's single writer and choose the outbox's one dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any, NoReturn

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import URL, Row
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import TextClause

from storage import StorageError
from storage.engine import (
    LEAD_CHECK_SECONDS,
    ByEngine,
    Connection,
    Database,
    Params,
    Record,
    Sql,
)
from storage.url import shown_host, shown_url

# The session lock the replica that dispatches the outbox holds (README: Scaling out).
LEADER_LOCK_KEY = 0x6D656E746F6C  # "mentol"

# This session holds the leader's lock: pg_locks shows an advisory key's high and low 32 bits.
_HELD = (
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND pid = pg_backend_pid() AND classid = %(high)s AND objid = %(low)s)"
)
_LEADER_KEY_PARTS = {"high": LEADER_LOCK_KEY >> 32, "low": LEADER_LOCK_KEY & 0xFFFFFFFF}

# The key of the one advisory lock that makes a PostgreSQL write transaction what SQLite's
# BEGIN IMMEDIATE is: one writer transaction at a time, so a transaction that reads before it
# writes can't act on a state another one is changing. Single statements don't take it.
WRITE_LOCK_KEY = 0x6D656E746F72  # "mentor"


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


def _postgresql(sql: Sql) -> str:
    return sql.postgresql if isinstance(sql, ByEngine) else sql


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


class PostgresDatabase(Database):
    """A PostgreSQL server through psycopg 3 (async), with a pool of `pool_size` connections."""

    errors: tuple[type[Exception], ...] = (psycopg.Error, SQLAlchemyError)

    def __init__(self, engine: AsyncEngine, label: str) -> None:
        self.engine = engine
        self.label = label
        self._closed = False
        # The leader's lock lives as long as its own connection, outside the pool: if the
        # process dies, the server drops the connection and the lock with it.
        self._leader_engine = create_async_engine(
            engine.url, isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        self._leader: AsyncConnection | None = None
        self._leader_lock = asyncio.Lock()

    @classmethod
    async def open(cls, url: URL, pool_size: int) -> PostgresDatabase:
        """Connect once (so a wrong URL fails now, in one line), keeping a pool for later."""
        label = shown_url(url)
        # Autocommit, as on SQLite: single statements commit on their own and transaction()
        # says BEGIN itself. Pre-ping: a connection the server (or a failover) dropped is
        # replaced instead of failing the request that drew it.
        engine = create_async_engine(
            url,
            isolation_level="AUTOCOMMIT",
            pool_size=pool_size,
            max_overflow=0,
            pool_pre_ping=True,
        )
        try:
            async with engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
        except (DBAPIError, OSError) as error:
            await engine.dispose()
            reason = _one_line(str(error.orig if isinstance(error, DBAPIError) else error))
            if url.host and "@" in url.host:  # the driver names the host it was given
                reason = reason.replace(url.host, shown_host(url.host))
            raise StorageError(f"cannot open database {label}: {reason}") from None
        return cls(engine, label)

    @property
    def dialect(self) -> str:
        return "postgresql"

    async def server_version(self) -> str:
        info = self.engine.dialect.server_version_info or ()
        return ".".join(str(part) for part in info) or "unknown"

    async def close(self) -> None:
        self._closed = True
        async with self._leader_lock:
            if self._leader is not None:
                await self._leader.close()
                self._leader = None
        await self._leader_engine.dispose()
        await self.engine.dispose()

    async def lead(self) -> bool:
        """Hold (or try to take) the leader's lock: one replica at a time dispatches the
        outbox, so Slack's limits hold for the whole deployment. A lost connection gives the
        lock up; the next call tries again on a new one."""
        async with self._leader_lock:
            if self._closed:
                return False
            try:
                if self._leader is None:
                    self._leader = await self._leader_engine.connect()
                result = await self._leader.exec_driver_sql(
                    "SELECT pg_try_advisory_lock(%(key)s)", {"key": LEADER_LOCK_KEY}
                )
                return bool(result.scalar())
            except (DBAPIError, OSError):
                await self._drop_leader()
                return False

    async def holds_lead(self) -> bool:
        """Whether the leader's lock is still held: one round trip on the connection that took
        it, never a new one. A connection the server ended (a failover, a pooler, a DBA) or
        one that doesn't answer in LEAD_CHECK_SECONDS counts as the lead lost."""
        async with self._leader_lock:
            if self._closed or self._leader is None:
                return False
            try:
                async with asyncio.timeout(LEAD_CHECK_SECONDS):
                    result = await self._leader.exec_driver_sql(_HELD, _LEADER_KEY_PARTS)
                    return bool(result.scalar())
            except (DBAPIError, OSError, TimeoutError):
                await self._drop_leader()
                return False

    async def _drop_leader(self) -> None:
        """Forget the leader's connection (and with it the lock); lead() opens a new one."""
        if self._leader is not None:
            with contextlib.suppress(DBAPIError, OSError, TimeoutError):
                async with asyncio.timeout(LEAD_CHECK_SECONDS):
                    await self._leader.close()
        self._leader = None

    def _connect(self) -> AsyncConnection:
        # A disposed engine would open new connections; a closed Store must not.
        if self._closed:
            raise StorageError(f"database unusable: {self.label} is closed")
        return self.engine.connect()

    @asynccontextmanager
    async def admin(self) -> AsyncIterator[AsyncConnection]:
        async with self._connect() as conn:
            yield conn

    @asynccontextmanager
    async def single(self) -> AsyncIterator[Connection]:
        async with self._connect() as conn:
            yield SqlAlchemyConnection(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._connect() as conn:
            await conn.exec_driver_sql("BEGIN")
            try:
                await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY:d})")
                yield SqlAlchemyConnection(conn)
                await conn.exec_driver_sql("COMMIT")
            except BaseException:
                # After a failed COMMIT nothing is open, and ROLLBACK only warns.
                await conn.exec_driver_sql("ROLLBACK")
                raise


def _one_line(message: str) -> str:
    """A driver's message on one line: libpq puts its hints ("Is the server running on that
    host ...") on lines of their own, which would break the CLI's one-line errors."""
    return "; ".join(line.strip() for line in message.splitlines() if line.strip())
