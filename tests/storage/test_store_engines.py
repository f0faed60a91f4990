"""The storage tier on PostgreSQL: the Store's tests, run again on a real server.

The modules below run on SQLite where they are; here each of their tests that goes through the
Store only (not through a SQLite file of its own) runs once more, on a fresh PostgreSQL database
(tests/postgres.py). A test that opens the SQLite file itself stays SQLite's.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import pytest

from storage.store import Store
from tests.postgres import pg_server, pg_url
from tests.storage import (
    test_directory_store,
    test_intro_store,
    test_notes_store,
    test_outbox_store,
    test_request_store,
    test_storage,
)

__all__ = ["pg_server", "pg_url"]  # fixtures, used by name

MODULES: tuple[ModuleType, ...] = (
    test_storage,
    test_request_store,
    test_outbox_store,
    test_notes_store,
    test_intro_store,
    test_directory_store,
)
# Fixtures and arguments that mean a SQLite file of the test's own.
SQLITE_ONLY = frozenset({"conn", "db_path", "tmp_path"})


def _store_tests(module: ModuleType) -> dict[str, Any]:
    found: dict[str, Any] = {}
    short = module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    for name, value in vars(module).items():
        if not name.startswith("test_") or not inspect.isfunction(value):
            continue
        if value.__module__ != module.__name__:
            continue  # imported from another module: it runs there
        arguments = set(inspect.signature(value).parameters)
        if "store" in arguments and not arguments & SQLITE_ONLY:
            found[f"test_pg_{short}__{name.removeprefix('test_')}"] = value
    return found


for _module in MODULES:
    globals().update(_store_tests(_module))


@pytest.fixture
async def store(pg_url: str) -> AsyncIterator[Store]:
    """A migrated Store on a new PostgreSQL database."""
    async with await Store.open(pg_url) as opened:
        await opened.migrate()
        yield opened


@pytest.fixture
async def second_store(store: Store, pg_url: str) -> AsyncIterator[Store]:
    """Another Store on the same database, like a second replica."""
    async with await Store.open(pg_url) as opened:
        yield opened


def test_every_module_lends_tests() -> None:
    for module in MODULES:
        assert _store_tests(module), module.__name__
