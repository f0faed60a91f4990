"""The playground, started in-process on a free port for a test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from playground.server import Served, serving

# A Tuesday, 15:00 UTC: 16:00 in Berlin, 11:00 in New York.
PLAYGROUND_START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    """`mentorbot playground` on 127.0.0.1 at a free port, its database in tmp_path/play."""
    async with serving(tmp_path / "play", "127.0.0.1", 0, start=PLAYGROUND_START) as running:
        yield running
