"""The storage tier runs on SQLite, and the Store's own tests run again on PostgreSQL.

A test of the modules in `ON_BOTH` that goes through the Store only (it asks for `store`, and
not for a SQLite file of its own: `conn`, `db_path`, `tmp_path`) runs twice, as `[sqlite]` and
`[postgresql]`, each on a fresh database (tests/postgres.py starts the server).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.store import Store

ON_BOTH = frozenset(
    {
        "test_storage",
        "test_request_store",
        "test_anonymous_store",
        "test_outbox_store",
        "test_notes_store",
        "test_intro_store",
        "test_directory_store",
        "test_installation_store",
        "test_feedback_store",
        "test_digest_store",
        "test_org_store",
        "test_workflow_store",
    }
)
SQLITE_ONLY = frozenset({"conn", "db_path", "tmp_path"})
ENGINES = ("sqlite", "postgresql")


def runs_on_both(module: str, arguments: set[str]) -> bool:
    return (
        module.rsplit(".", 1)[-1] in ON_BOTH
        and "store" in arguments
        and not (arguments & SQLITE_ONLY)
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    arguments = set(inspect.signature(metafunc.function).parameters)
    if runs_on_both(metafunc.module.__name__, arguments):
        metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a test runs on: SQLite unless it runs on both."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def database(engine: str, db_path: Path, request: pytest.FixtureRequest) -> str:
    """What `Store.open` gets: the test's SQLite file, or a new PostgreSQL database."""
    return str(db_path) if engine == "sqlite" else str(request.getfixturevalue("pg_url"))


@pytest.fixture
async def store(database: str) -> AsyncIterator[Store]:
    """A migrated Store on a fresh database of the test's engine."""
    async with await Store.open(database) as opened:
        await opened.migrate()
        yield opened


@pytest.fixture
async def second_store(store: Store, database: str) -> AsyncIterator[Store]:
    """Another Store on the same (already migrated) database, like a second process."""
    async with await Store.open(database) as opened:
        yield opened
