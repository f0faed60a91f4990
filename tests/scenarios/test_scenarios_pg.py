"""A scenario subset on PostgreSQL: whole flows through the real bot (build_app, the lifecycle,
the outbox) with MENTORBOT_DB a postgresql:// URL.

Each module below runs on SQLite where it is; here its scenarios run once more, each on a new
PostgreSQL database (tests/postgres.py). A scenario that reads the SQLite file itself (sqlite3,
db_path) stays SQLite's.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.lifecycle import Runtime, running
from tests.conftest import bot_settings
from tests.fakeslack import FakeSlack
from tests.postgres import pg_server, pg_url
from tests.scenarios import (
    test_admin_stats,
    test_booking_flow,
    test_booking_manage,
    test_directory_flow,
    test_home,
    test_intro_flow,
    test_notes_flow,
    test_notes_history,
    test_request_actions,
    test_request_flow,
    test_request_followups,
    test_scenarios,
)

__all__ = ["pg_server", "pg_url"]  # fixtures, used by name

MODULES: tuple[ModuleType, ...] = (
    test_scenarios,
    test_request_flow,
    test_request_actions,
    test_request_followups,
    test_booking_flow,
    test_booking_manage,
    test_notes_flow,
    test_notes_history,
    test_intro_flow,
    test_directory_flow,
    test_home,
    test_admin_stats,
)
BOTS = frozenset({"bot", "slack", "clocked_bot", "clocked_slack"})
# Words in a scenario's source that mean it reads or seeds the SQLite file itself.
SQLITE_ONLY = ("sqlite3", "db_path", "seed")


def _reads_sqlite(function: Any, namespace: dict[str, Any], seen: set[str]) -> bool:
    """Whether the function, or a helper of its module it calls (at any depth), reads SQLite."""
    source = inspect.getsource(function)
    if any(word in source for word in SQLITE_ONLY):
        return True
    for name, value in namespace.items():
        if name in seen or not inspect.isfunction(value) or f"{name}(" not in source:
            continue
        seen.add(name)
        if _reads_sqlite(value, vars(inspect.getmodule(value)), seen):
            return True
    return False


def _scenarios(module: ModuleType) -> dict[str, Any]:
    found: dict[str, Any] = {}
    short = module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    for name, value in vars(module).items():
        if not name.startswith("test_") or not inspect.isfunction(value):
            continue
        if value.__module__ != module.__name__:
            continue
        uses_a_bot = set(inspect.signature(value).parameters) & BOTS
        if uses_a_bot and not _reads_sqlite(value, vars(module), {name}):
            found[f"test_pg_{short}__{name.removeprefix('test_')}"] = value
    return found


for _module in MODULES:
    globals().update(_scenarios(_module))


@pytest.fixture
async def bot(fake_slack: FakeSlack, tmp_path: Path, pg_url: str) -> AsyncIterator[Runtime]:
    """The whole bot against the fake, on PostgreSQL."""
    async with running(bot_settings(fake_slack, tmp_path, MENTORBOT_DB=pg_url)) as runtime:
        yield runtime


@pytest.fixture
async def clocked_bot(
    fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock, pg_url: str
) -> AsyncIterator[Runtime]:
    """The whole bot on a frozen clock, on PostgreSQL (see tests/conftest.py)."""
    settings = bot_settings(
        fake_slack, tmp_path, MENTORBOT_TICK_SECONDS="3600", MENTORBOT_DB=pg_url
    )
    async with running(settings, clock=clock) as runtime:
        yield runtime


def test_every_module_lends_scenarios() -> None:
    for module in MODULES:
        assert _scenarios(module), module.__name__
