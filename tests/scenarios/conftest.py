"""Scenarios run on SQLite, and a subset runs again on PostgreSQL: whole flows through the real
bot (build_app, the lifecycle, the outbox) with MENTORBOT_DB a postgresql:// URL.

A scenario of the modules in `ON_BOTH` that drives the bot (`bot`, `slack`, `clocked_bot`,
`clocked_slack`) runs twice, as `[sqlite]` and `[postgresql]`, each on a new database
(tests/postgres.py), unless it reads or seeds the SQLite file itself (sqlite3, db_path, seed).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.lifecycle import Runtime, running
from playground.fakeslack import FakeSlack
from tests.conftest import bot_settings

ON_BOTH = frozenset(
    {
        "test_scenarios",
        "test_request_flow",
        "test_request_actions",
        "test_request_followups",
        "test_booking_flow",
        "test_booking_manage",
        "test_notes_flow",
        "test_notes_history",
        "test_intro_flow",
        "test_directory_flow",
        "test_home",
        "test_admin_stats",
    }
)
BOTS = frozenset({"bot", "slack", "clocked_bot", "clocked_slack"})
# Words in a scenario's source that mean it reads or seeds the SQLite file itself.
SQLITE_ONLY = ("sqlite3", "db_path", "seed")
ENGINES = ("sqlite", "postgresql")


def reads_sqlite(function: Any, namespace: dict[str, Any], seen: set[str]) -> bool:
    """Whether the function, or a helper of its module it calls (at any depth), reads SQLite."""
    source = inspect.getsource(function)
    if any(word in source for word in SQLITE_ONLY):
        return True
    for name, value in namespace.items():
        if name in seen or not inspect.isfunction(value) or f"{name}(" not in source:
            continue
        seen.add(name)
        if reads_sqlite(value, vars(inspect.getmodule(value)), seen):
            return True
    return False


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module
    function = metafunc.function
    if module.__name__.rsplit(".", 1)[-1] not in ON_BOTH:
        return
    if not set(inspect.signature(function).parameters) & BOTS:
        return
    if not reads_sqlite(function, vars(module), {function.__name__}):
        metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a scenario runs on: SQLite unless it runs on both."""
    return str(getattr(request, "param", "sqlite"))


def _database(engine: str, request: pytest.FixtureRequest) -> dict[str, str]:
    return {} if engine == "sqlite" else {"MENTORBOT_DB": str(request.getfixturevalue("pg_url"))}


@pytest.fixture
async def bot(
    fake_slack: FakeSlack, tmp_path: Path, engine: str, request: pytest.FixtureRequest
) -> AsyncIterator[Runtime]:
    """The whole bot (lifecycle, HTTP server, Bolt, the engine's database) against the fake."""
    settings = bot_settings(fake_slack, tmp_path, **_database(engine, request))
    async with running(settings) as runtime:
        yield runtime


@pytest.fixture
async def clocked_bot(
    fake_slack: FakeSlack,
    tmp_path: Path,
    clock: FrozenClock,
    engine: str,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Runtime]:
    """The whole bot on a frozen clock (see tests/conftest.py), on the engine's database."""
    database = _database(engine, request)
    settings = bot_settings(fake_slack, tmp_path, MENTORBOT_TICK_SECONDS="3600", **database)
    async with running(settings, clock=clock) as runtime:
        yield runtime
