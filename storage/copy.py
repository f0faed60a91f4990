"""`mentorbot copy-db FROM TO`: every row of one database into another, e.g. SQLite's file into a
new PostgreSQL database, both at the same schema.

The target must hold no data yet. Tables go parents first, in one transaction on the target,
so a failed copy leaves it empty; ids are kept, and PostgreSQL's identity counters are moved
past them so new rows don't collide.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storage import StorageError
from storage.engine import ByEngine
from storage.store import Store
from storage.tables import TEAM_TABLES

# Every workspace's data, then the installations, the org each workspace is in, an org's own
# settings and the OAuth states: every table but Alembic's, which each side keeps for itself.
TABLES: tuple[str, ...] = (
    *TEAM_TABLES,
    "installations",
    "org_teams",
    "org_settings",
    "oauth_states",
)
BATCH = 1000


def _insert(table: str, columns: Sequence[str]) -> str:
    # Names come from TABLES and from the source's own column list, never from input.
    names = ", ".join(columns)
    values = ", ".join(f":{column}" for column in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({values})"  # noqa: S608


def _advance_identity(table: str) -> ByEngine:
    sql = (
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - a TABLES name
        f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table}"
    )
    return ByEngine(sqlite="SELECT 1", postgresql=sql)


async def copy_database(source: Store, target: Store) -> dict[str, int]:
    """Copy every row; how many of each table. StorageError if the target has data."""
    for table in TABLES:
        if await target._fetch(f"SELECT 1 FROM {table} LIMIT 1"):  # noqa: S608 - TABLES
            raise StorageError(f"the target already has rows in {table}; copy into an empty one")
    copied: dict[str, int] = {}
    async with target._transaction() as conn:
        for table in TABLES:
            rows = await source._fetch(f"SELECT * FROM {table}")  # noqa: S608 - TABLES
            copied[table] = len(rows)
            if not rows:
                continue
            columns = list(rows[0].keys())
            sql = _insert(table, columns)
            for start in range(0, len(rows), BATCH):
                batch: list[dict[str, Any]] = [
                    dict(zip(columns, row, strict=True)) for row in rows[start : start + BATCH]
                ]
                await conn.executemany(sql, batch)
            if "id" in columns:  # an identity column: PostgreSQL's sequence moves past it
                await conn.execute_fetchall(_advance_identity(table))
    return copied
