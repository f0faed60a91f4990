"""PostgreSQL for the Store: psycopg 3 (async) behind SQLAlchemy's pool, and the advisory locks
that stand in for SQLite's single writer and choose the outbox's one dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage import StorageError
from storage.engine import Connection, Database, SqlAlchemyConnection

# The session lock the replica that dispatches the outbox holds (README: Scaling out).
LEADER_LOCK_KEY = 0x6D656E746F6C  # "mentol"

# The key of the one advisory lock that makes a PostgreSQL write transaction what SQLite's
# BEGIN IMMEDIATE is: one writer transaction at a time, so a transaction that reads before it
# writes can't act on a state another one is changing. Single statements don't take it.
WRITE_LOCK_KEY = 0x6D656E746F72  # "mentor"


class PostgresDatabase(Database):
    """A PostgreSQL server through psycopg 3 (async), with a pool of `pool_size` connections."""

    errors: tuple[type[Exception], ...] = (psycopg.Error,)

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
        label = url.render_as_string(hide_password=True)
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
            reason = error.orig if isinstance(error, DBAPIError) else error
            raise StorageError(f"cannot open database {label}: {reason}") from None
        return cls(engine, label)

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
                if self._leader is not None:
                    with contextlib.suppress(DBAPIError, OSError):
                        await self._leader.close()
                self._leader = None
                return False

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
