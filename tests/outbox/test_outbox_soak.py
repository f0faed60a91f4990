"""The outbox soak: a thousand requests (about 5,000 messages) through the real dispatcher and
the fake over HTTP, with about 10 % of chat.postMessage calls answered 500 and 5 % 429, across
24 h, 48 h, 72 h and 14 days. Every expected message arrives exactly once.
MENTORBOT_SOAK_REQUESTS=5000 runs a longer soak; the suite keeps a thousand so that it stays
well under 20 minutes (2,000 took 3-4 minutes of it).

Each request has its own mentee (and a named one its own mentor), so a message is counted by
request and kind from where it went and whom it names. Channel pacing and the workspace bucket
are widened for the soak: they are tested per kind in test_outbox_faults.py, and at Slack's
real 1 message per second the pool channel alone would need hours of (frozen) time.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
from collections import Counter
from datetime import timedelta

import aiohttp
import pytest

from bot.clock import FrozenClock
from bot.delivery import outbox_client
from bot.kinds import (
    OutboxDeps,
    appliers,
    failure_hooks,
    nudge_kinds,
    quiet_kinds,
    renderers,
)
from bot.lifecycle import Runtime
from bot.outbox import Dispatcher, Pacing
from handlers import outbox_kinds
from handlers.requests.followups import schedule_new_request
from playground.fakeslack import TEAM_ID, FakeSlack
from storage.models import RequestSource, Topic
from storage.requests import NewRequest
from tests.outbox.scenarios import COORD, DETAILS, POOL, prepare

REQUESTS = int(os.environ.get("MENTORBOT_SOAK_REQUESTS", "1000"))
MENTION = re.compile(r"<@(U\d+)>")
# One batch of 100 a tick: after a 429 pauses chat.postMessage, the rest of a tick's claim
# is deferred, and a claim of 1,000 would spend the soak re-claiming them.
WIDE = Pacing(
    channel_interval=timedelta(0),
    workspace_per_second=1e6,
    workspace_burst=1e6,
    concurrency=32,
    max_batches_per_tick=1,
)


def mentee(i: int) -> str:
    return f"U{10000 + i}"


def mentor(i: int) -> str:
    return f"U{50000 + i}"


def due_now(bot: Runtime, clock: FrozenClock) -> int:
    with sqlite3.connect(bot.settings.db_path) as conn:
        [(count,)] = conn.execute(
            "SELECT count(*) FROM outbox WHERE status = 'pending' AND due_at <= ?",
            (clock.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),),
        )
    return int(count)


def label(text: str, channel: str, thread: bool, dms: dict[str, str]) -> tuple[str, str] | None:
    """(kind, the user it's about) for a message of the soak's kinds; None for others."""
    if channel == POOL:
        if thread:
            return None
        kind = "repost" if "Still looking" in text else "pool_post"
        return kind, MENTION.findall(text)[0]
    user = dms.get(channel)
    if user == COORD:
        kind = "coord_escalated" if "no answer after" in text else "coord_unclaimed"
        return kind, MENTION.findall(text)[0]
    if user is None:
        return None
    if "still waiting" in text:
        return "nudge", user
    if "hasn't answered your request" in text:
        return "escalated", user
    if "didn't find a mentor in time" in text:
        return "expire", user
    return None


@pytest.mark.slow
async def test_a_soak_of_requests_under_failures_delivers_each_message_once(
    clocked_bot: Runtime, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    bot, fake = clocked_bot, fake_slack
    # Slack's message times follow the bot's clock, as they do for real: a row whose post may
    # have gone through is looked up from its earlier claim's time.
    fake.clock = lambda: clock.now().timestamp()
    await prepare(bot, fake, clock)
    # Slack fails 10 % of posts with a 500 and 5 % with a 429, the same calls each run.
    fake.fail_randomly("chat.postMessage", rate_500=0.10, rate_429=0.05, seed=17)
    named = REQUESTS // 2
    for i in range(REQUESTS):
        fake.add_user(mentee(i), tz="Europe/London")
        if i < named:
            fake.add_user(mentor(i), tz="Europe/London")
        draft = NewRequest(
            team_id=TEAM_ID,
            mentee_id=mentee(i),
            mentor_id=mentor(i) if i < named else None,
            topic=Topic.CAREER_PATH,
            details=DETAILS,
            source=RequestSource.COMMAND,
        )
        made = await bot.store.create_request(draft, clock.now())
        await schedule_new_request(bot.store, bot.settings, made, clock.now())

    async with aiohttp.ClientSession() as session:
        deps = OutboxDeps(bot.store, bot.settings, clock, bot.client)
        kinds = outbox_kinds()
        dispatcher = Dispatcher(
            bot.store,
            outbox_client("xoxb-test-token", bot.settings.api_url, session),
            renderers(kinds, deps),
            clock,
            max_attempts=bot.settings.outbox_max_attempts,
            quiet_kinds=quiet_kinds(kinds),
            nudge_kinds=nudge_kinds(kinds),
            on_failed=failure_hooks(kinds, deps),
            appliers=appliers(kinds, deps),
            pacing=WIDE,
            rng=random.Random(1),
        )
        start = clock.now()
        for phase in (
            timedelta(hours=24),
            timedelta(hours=48),
            timedelta(hours=72),
            timedelta(days=14),
        ):
            clock.advance(seconds=(start + phase - clock.now()).total_seconds())
            for _ in range(400):
                due = due_now(bot, clock)
                if not due:
                    if not due_now_at(bot, clock, minutes=90):
                        break
                    clock.advance(seconds=30)
                    continue
                await dispatcher.tick()
                await bot.background.drain(5)
                clock.advance(seconds=2)
            else:
                raise AssertionError(f"the outbox did not drain in phase {phase}")

    posts = fake.calls_to("chat.postMessage")
    refused = Counter(call.status for call in posts if not call.ok)
    dms = {
        fake.dm_channel(user): user
        for user in [*map(mentee, range(REQUESTS)), *map(mentor, range(named)), COORD]
    }
    delivered = Counter[tuple[str, str]]()
    for call in (call for call in posts if call.ok):
        found = label(
            str(call.args.get("text")),
            str(call.response.get("channel")),
            bool(call.args.get("thread_ts")),
            dms,
        )
        if found is not None:
            delivered[found] += 1
    by_kind = Counter(kind for kind, _ in delivered.elements())
    print(f"\nsoak: {REQUESTS} requests, refused {dict(refused)}, delivered {dict(by_kind)}")
    assert [key for key, count in delivered.items() if count > 1] == []
    pool = REQUESTS - named
    assert by_kind == {
        "nudge": named,
        "pool_post": named,
        "escalated": named,
        "coord_escalated": named,
        "repost": REQUESTS,
        "coord_unclaimed": REQUESTS,
        "expire": REQUESTS,
    }
    assert pool == REQUESTS - named
    assert refused[500] > 0
    assert refused[429] > 0
    with sqlite3.connect(bot.settings.db_path) as conn:
        statuses = dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status"))
    assert "failed" not in statuses


def due_now_at(bot: Runtime, clock: FrozenClock, *, minutes: int) -> int:
    """Pending rows due within the next `minutes` (retries waiting out their backoff)."""
    with sqlite3.connect(bot.settings.db_path) as conn:
        [(count,)] = conn.execute(
            "SELECT count(*) FROM outbox WHERE status = 'pending' AND due_at <= ?",
            ((clock.now() + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),),
        )
    return int(count)
