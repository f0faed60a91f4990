"""SIGTERM while an outbox tick is under way: the stop waits for the tick, so every message
Slack accepted is marked sent before the process exits, and nothing is cancelled mid-batch
(which APScheduler used to log as a traceback).
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import pytest

from playground.fakeslack import FakeSlack
from tests.flows import SECRET, seed_nudges, start_bot, tagged_rows, wait_until

ENV = {
    "SLACK_SIGNING_SECRET": SECRET,
    "MENTORBOT_TICK_SECONDS": "1",
    "MENTORBOT_LOG_LEVEL": "INFO",
}


def statuses(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()
    return {str(status): int(count) for status, count in rows}


@pytest.mark.slow
async def test_a_stop_waits_for_the_tick_under_way(fake_slack: FakeSlack, tmp_path: Path) -> None:
    db = tmp_path / "data" / "bot.db"
    db.parent.mkdir(parents=True)
    await seed_nudges(
        db, fake_slack, mentors=4, each=1, tag="stop", offset_ms=lambda number, nth: number
    )  # fmt: skip
    # Slack takes each post at once and answers 1.5 s later: a stop lands mid-tick.
    fake_slack.delay("chat.postMessage", 1.5, answer_only=True)
    async with start_bot(fake_slack, tmp_path, **ENV) as bot:
        await wait_until(lambda: len(tagged_rows(fake_slack)) >= 1, 20)
        assert statuses(db).get("sending", 0) >= 1  # the answer hasn't come back yet
        bot.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.process.wait(), timeout=15) == 0
        logs = bot.logs()

    posted = tagged_rows(fake_slack)
    assert set(posted.values()) == {1}
    found = statuses(db)
    assert found.get("sending", 0) == 0
    assert found.get("sent", 0) == len(posted)
    assert "Traceback" not in logs
    assert "stopped by shutdown" not in logs
    assert "mentorbot stopping" in logs
