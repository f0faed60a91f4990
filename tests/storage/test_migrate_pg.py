"""The schema on PostgreSQL: replicas starting together migrate once; a newer one is refused."""

from __future__ import annotations

import asyncio

import pytest

from storage import SchemaTooNewError, StorageError
from storage.schema import HISTORY, LATEST_SCHEMA
from storage.store import Store
from tests.postgres import PostgresServer


async def test_three_replicas_starting_at_once_migrate_once(
    pg_server: PostgresServer, pg_url: str
) -> None:
    stores = [await Store.open(pg_url, pool_size=1) for _ in range(3)]
    try:
        assert (await stores[0].ping())["schema_version"] == 0
        versions = await asyncio.gather(*(store.migrate() for store in stores))
        assert versions == [LATEST_SCHEMA] * 3
        name = pg_url.rsplit("/", 1)[-1]
        assert pg_server.psql("SELECT count(*) FROM alembic_version", name) == "1"
        assert pg_server.psql("SELECT version_num FROM alembic_version", name) == HISTORY[-1]
        for store in stores:
            assert await store.ping() == {
                "ok": True,
                "schema_version": LATEST_SCHEMA,
                "latest": LATEST_SCHEMA,
            }
    finally:
        for store in stores:
            await store.close()


async def test_a_database_newer_than_the_code_is_refused(
    pg_server: PostgresServer, pg_url: str
) -> None:
    async with await Store.open(pg_url) as store:
        await store.migrate()
    pg_server.psql("UPDATE alembic_version SET version_num = 'r9999'", pg_url.rsplit("/", 1)[-1])
    async with await Store.open(pg_url) as store:
        with pytest.raises(SchemaTooNewError, match="revision r9999, which this mentorbot"):
            await store.migrate()


async def test_check_reports_postgresql_and_its_version(pg_url: str) -> None:
    async with await Store.open(pg_url) as store:
        described = await store.describe()
    assert described.startswith("postgresql 15.") or described.startswith("postgresql 1")
    assert described.endswith(pg_url.replace("postgresql://", "postgresql+psycopg://"))


async def test_a_wrong_url_fails_in_one_line_without_the_password(
    pg_server: PostgresServer,
) -> None:
    url = f"postgresql://nobody:hunter2-secret@127.0.0.1:{pg_server.port}/no_such_database"
    with pytest.raises(StorageError, match="cannot open database") as caught:
        await Store.open(url)
    assert "hunter2-secret" not in str(caught.value)
    assert "\n" not in str(caught.value).strip()
