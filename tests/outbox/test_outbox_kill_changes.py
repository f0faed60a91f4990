"""Changes made once, across a crash: a real `mentorbot run` killed between the changes and
their messages. Every change is made (and recorded on its row) while Slack refuses every
message; the process is SIGKILLed; restarted on the same database with Slack answering again,
each message goes out exactly once and no change is made twice."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.lifecycle import running
from bot.notes import next_tick
from playground.fakeslack import ALICE, BOB, TEAM_ID, FakeSlack
from storage.models import Cadence, IntroStatus, RequestStatus
from storage.store import Store
from storage.timefmt import format_time
from tests.conftest import bot_settings
from tests.flows import configure, start_bot, stop_failing
from tests.outbox.scenarios import (
    COORD,
    POOL,
    Harness,
    checkin_due,
    escalation_due,
    expiry_due,
    intro_expiry_due,
    offer_lapse_due,
    pool_posts,
    prepare,
    repost_due,
    tick_due,
)

CHANGES = (
    "request.escalate",
    "request.pool_repost",
    "request.expire",
    "intro.expire",
    "checkin.ask",
    "relationship.tick",
    "request.offer_lapse",
)
SECRET = "kill-signing-secret"


def outbox(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def all_changed(db: Path) -> bool:
    """Each changing kind has a row whose change is recorded, and no row is mid-send."""
    applied = {
        kind for (kind,) in outbox(db, "SELECT kind FROM outbox WHERE applied_at IS NOT NULL")
    }
    sending = outbox(db, "SELECT id FROM outbox WHERE status = 'sending'")
    return applied >= set(CHANGES) and not sending


async def wait_for(check: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.2)
    raise AssertionError("timed out")


@pytest.mark.slow
async def test_a_process_killed_after_the_changes_sends_each_message_once(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake = fake_slack
    data = tmp_path / "data"
    data.mkdir()
    now = datetime.now(UTC).replace(microsecond=0)
    clock = FrozenClock(now)
    # The state, made in-process with the features' own functions, then the process runs it.
    async with running(bot_settings(fake, data, MENTORBOT_TICK_SECONDS="3600"), clock=clock) as bot:
        await prepare(bot, fake, clock)
        # Any hour of any day is working time, so quiet hours hold nothing back.
        await configure(bot, clock, work_days=(1, 2, 3, 4, 5, 6, 7), work_start_minute=0,
                        work_end_minute=1439)  # fmt: skip
        h = Harness(bot, fake, clock)
        for setup in (
            escalation_due,
            repost_due,
            expiry_due,
            intro_expiry_due,
            checkin_due,
            tick_due,
            offer_lapse_due,
        ):
            await setup(h, 0)
        escalated, reposted, expired, intro_id, checkin_id, relationship_id, lapsed = h.subjects
        db = bot.settings.db_path
    fake.clear()

    for method in ("chat.postMessage", "chat.update"):
        fake.fail_next(method, status=500, times=10_000)
    env = {"SLACK_SIGNING_SECRET": SECRET, "MENTORBOT_TICK_SECONDS": "1"}
    async with start_bot(fake, tmp_path, **env) as first:
        await wait_for(lambda: all_changed(db), 15)
        first.process.kill()  # SIGKILL: no shutdown, no flush
        await first.process.wait()
    assert h.posts(ALICE, "hasn't answered your request") == []
    assert [call for call in fake.calls if call.method == "chat.postMessage" and call.ok] == []

    stop_failing(fake)
    # It was down past the first backoff: the retries are due as it comes back.
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE outbox SET due_at = ? WHERE status = 'pending' AND due_at <= ?",
            (format_time(datetime.now(UTC)), format_time(datetime.now(UTC) + timedelta(hours=1))),
        )

    def expected() -> dict[str, int]:
        return {
            "pool post": len(pool_posts(h)),
            "re-post": len(h.posts(POOL, "Still looking")),
            "escalated to mentee": len(h.posts(ALICE, "hasn't answered your request")),
            "coordinator": len(h.posts(COORD, "Could you help find someone")),
            "expiry note": len(h.posts(ALICE, "didn't find a mentor in time")),
            "intro expiry": len(h.posts(BOB, "didn't answer within a week")),
            "intro rewrite": len(h.updates()),
            "check-in": len(h.posts(ALICE, "How is your action plan")),
            "1:1 to mentee": len(h.posts(ALICE, "Time for your monthly 1:1")),
            "1:1 to mentor": len(h.posts(BOB, "Time for your monthly 1:1")),
            "offer lapsed": len(h.posts(BOB, "hasn't answered yet")),
        }

    want = dict.fromkeys(expected(), 1) | {"coordinator": 2}  # escalated + unclaimed
    async with start_bot(fake, tmp_path, **env):
        await wait_for(lambda: expected() == want, 20)
        await asyncio.sleep(2)  # a few more ticks: nothing else may go out
    assert expected() == want

    async with await Store.open(db) as store:
        escalated_request = await store.get_request(TEAM_ID, escalated)
        assert escalated_request is not None
        assert escalated_request.mentor_id is None
        expired_request = await store.get_request(TEAM_ID, expired)
        assert expired_request is not None
        assert expired_request.status is RequestStatus.EXPIRED
        intro = await store.get_intro(TEAM_ID, intro_id)
        assert intro is not None
        assert intro.status is IntroStatus.EXPIRED
        checkin = await store.get_checkin(TEAM_ID, checkin_id)
        assert checkin is not None
        assert checkin.asked_at is not None
        relationship = await store.get_relationship(TEAM_ID, relationship_id)
        assert relationship is not None
        assert relationship.next_at == next_tick(now, Cadence.MONTHLY)
        lapsed_request = await store.get_request(TEAM_ID, lapsed)
        assert lapsed_request is not None
        assert lapsed_request.offered_by is None
    applied = outbox(
        db, "SELECT kind, count(*) FROM outbox WHERE applied_at IS NOT NULL GROUP BY kind"
    )
    assert dict(applied) == dict.fromkeys(CHANGES, 1)
    assert reposted
    assert outbox(db, "SELECT count(*) FROM outbox WHERE kind = 'request.escalated'") == [(1,)]
    assert outbox(db, "SELECT count(*) FROM outbox WHERE kind = 'request.pool_post'") == [(1,)]
