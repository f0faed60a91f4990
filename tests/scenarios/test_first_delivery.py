"""A new request's first delivery, and the outbox rows stored with the request that finish it
when the process stopped first (a SIGKILL, or a SIGTERM whose drain gave up on a slow Slack);
once the first delivery got there, they send nothing.

Each case asks Bob by name, the pool channel, or (no pool channel) Carol as the matched mentor.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.lifecycle import Runtime, running
from bot.settings import Settings
from handlers.requests import submit
from handlers.requests.followups import REDELIVER_AFTER, plan_new_request
from handlers.requests.submit import CONFIRM_SECONDS, FIRST_TRY_SECONDS, PERMALINK_SECONDS
from playground.fakeslack import ALICE, BOB, CAROL, TEAM_ID, FakeSlack, SlackSender
from storage.directory import ProfileDraft
from storage.models import RequestSource, Topic
from storage.requests import NewRequest
from tests.conftest import SIGNING_SECRET, bot_settings, deliver_due
from tests.flows import DETAILS, POOL, configure, dms_to, submit_ask

WAYS = ["named", "pool", "invite"]


@asynccontextmanager
async def bot_for(fake: FakeSlack, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[Runtime]:
    """The bot on a frozen clock; started again on the same database, it is a restart."""
    async with running(settings(fake, tmp_path), clock=clock) as bot:
        yield bot


def sender(bot: Runtime, fake: FakeSlack) -> SlackSender:
    """Signed requests to this run of the bot, as Slack sends them."""
    return SlackSender(
        f"http://127.0.0.1:{bot.port}", SIGNING_SECRET, response_url_base=fake.response_url_base
    )


def settings(fake: FakeSlack, tmp_path: Path) -> Settings:
    return bot_settings(fake, tmp_path, MENTORBOT_TICK_SECONDS="3600")


async def prepare(bot: Runtime, fake: FakeSlack, clock: FrozenClock, way: str) -> str | None:
    """The workspace for `way`; returns the mentor Alice names."""
    if way == "pool":
        fake.add_channel(POOL, "pool")
        await configure(bot, clock, pool_channel_id=POOL)
    if way == "invite":
        draft = ProfileDraft(team_id=TEAM_ID, user_id=CAROL, tags=("career path",))
        await bot.store.save_profile(draft, clock.now())
    return BOB if way == "named" else None


def deliveries(fake: FakeSlack, way: str) -> list[Any]:
    """The request as its mentor, the pool or the invited mentor got it."""
    if way == "pool":
        posts = fake.calls_to("chat.postMessage")
        return [c for c in posts if c.args["channel"] == POOL and "thread_ts" not in c.args]
    return dms_to(fake, BOB if way == "named" else CAROL)


def safety_net(bot: Runtime) -> list[tuple[str, str]]:
    with sqlite3.connect(bot.settings.db_path) as conn:
        rows = conn.execute(
            "SELECT kind, status FROM outbox WHERE kind IN ('request.deliver', 'request.confirm')"
            " ORDER BY kind"
        ).fetchall()
    return [(str(kind), str(status)) for kind, status in rows]


async def a_minute_later(bot: Runtime, clock: FrozenClock) -> None:
    """The outbox's turn, then another hour of ticks (nothing more may come)."""
    clock.advance(seconds=REDELIVER_AFTER.total_seconds())
    await deliver_due(bot)
    clock.advance(hours=1)
    await deliver_due(bot)


def test_the_first_delivery_and_confirmation_end_before_their_rows_are_due() -> None:
    # The delivery's row is due a minute after the request, the confirmation's a minute later.
    delivered_by = PERMALINK_SECONDS + FIRST_TRY_SECONDS
    assert delivered_by < REDELIVER_AFTER.total_seconds()
    assert delivered_by + CONFIRM_SECONDS < 2 * REDELIVER_AFTER.total_seconds()


async def test_dms_slack_took_but_never_answered_are_found_not_sent_again(
    fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Slack posts at once and answers after the first tries gave up (shortened here from
    # 42 s and 45 s): each DM carries its row's tag, and the row finds it instead of posting.
    monkeypatch.setattr(submit, "FIRST_TRY_SECONDS", 0.5)
    monkeypatch.setattr(submit, "CONFIRM_SECONDS", 0.5)
    async with bot_for(fake_slack, tmp_path, clock) as bot:
        slack = sender(bot, fake_slack)
        fake_slack.delay("chat.postMessage", 2, answer_only=True)
        await submit_ask(slack, fake_slack, bot, BOB)
        await bot.background.drain(5)
        fake_slack.delay("chat.postMessage", 0)
        assert len(dms_to(fake_slack, BOB)) == 1
        assert len(dms_to(fake_slack, ALICE)) == 1
        await a_minute_later(bot, clock)
        clock.advance(seconds=REDELIVER_AFTER.total_seconds())
        await deliver_due(bot)
        assert len(dms_to(fake_slack, BOB)) == 1
        assert len(dms_to(fake_slack, ALICE)) == 1
        assert safety_net(bot) == [("request.confirm", "sent"), ("request.deliver", "sent")]


@pytest.mark.parametrize("way", WAYS)
async def test_killed_right_after_storing_the_outbox_delivers_it_once(
    fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock, way: str
) -> None:
    async with bot_for(fake_slack, tmp_path, clock) as bot:
        mentor = await prepare(bot, fake_slack, clock, way)
        # What a SIGKILL right after the submission's commit leaves: the request and its rows.
        plan = await plan_new_request(bot.store, bot.settings, TEAM_ID)
        asked = NewRequest(
            team_id=TEAM_ID, mentee_id=ALICE, mentor_id=mentor, topic=Topic.CAREER_PATH,
            details=DETAILS, source=RequestSource.COMMAND,
        )  # fmt: skip
        await bot.store.create_request(asked, clock.now(), plan)
    async with bot_for(fake_slack, tmp_path, clock) as bot:
        await a_minute_later(bot, clock)
        assert len(deliveries(fake_slack, way)) == 1
        [confirmation] = dms_to(fake_slack, ALICE)
        assert "keep trying" not in str(confirmation.args)


async def test_stopped_while_slack_opens_the_dm_the_request_still_arrives_once(
    fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock
) -> None:
    async with bot_for(fake_slack, tmp_path, clock) as bot:
        slack = sender(bot, fake_slack)
        fake_slack.delay("conversations.open", 2)
        await slack.command(f"ask <@{BOB}>", user_id=ALICE)
        view = fake_slack.calls_to("views.open")[-1].response["view"]
        answers = {"What is it about?": "Career path", "What's on your mind?": DETAILS}
        reply = await slack.view_submission(view, answers, user_id=ALICE)
        assert reply.status == 200
        await asyncio.sleep(0.5)
        # The stop: a drain that gave up, or SIGKILL, ends the delivery mid-call.
        [delivery] = [t for t in asyncio.all_tasks() if t.get_name().startswith("deliver-")]
        delivery.cancel()
    fake_slack.delay("conversations.open", 0)
    assert dms_to(fake_slack, BOB) == []
    async with bot_for(fake_slack, tmp_path, clock) as bot:
        await a_minute_later(bot, clock)
        assert len(dms_to(fake_slack, BOB)) == 1
        assert len(dms_to(fake_slack, ALICE)) == 1


@pytest.mark.parametrize("way", WAYS)
async def test_a_first_delivery_that_got_there_calls_off_the_outbox_rows(
    fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock, way: str
) -> None:
    async with bot_for(fake_slack, tmp_path, clock) as bot:
        mentor = await prepare(bot, fake_slack, clock, way)
        slack = sender(bot, fake_slack)
        await submit_ask(slack, fake_slack, bot, mentor)
        assert safety_net(bot) == [
            ("request.confirm", "cancelled"),
            ("request.deliver", "cancelled"),
        ]
        await a_minute_later(bot, clock)
        assert len(deliveries(fake_slack, way)) == 1
        assert len(dms_to(fake_slack, ALICE)) == 1


async def test_rows_left_by_a_delivery_that_got_there_send_nothing(
    fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock
) -> None:
    # Killed after Slack took both DMs and they were recorded, before the rows were called off.
    async with bot_for(fake_slack, tmp_path, clock) as bot:
        slack = sender(bot, fake_slack)
        await submit_ask(slack, fake_slack, bot, BOB)
        with sqlite3.connect(bot.settings.db_path) as conn:
            conn.execute("UPDATE outbox SET status = 'pending' WHERE status = 'cancelled'")
        await a_minute_later(bot, clock)
        assert safety_net(bot) == [("request.confirm", "sent"), ("request.deliver", "sent")]
        assert len(dms_to(fake_slack, BOB)) == 1
        assert len(dms_to(fake_slack, ALICE)) == 1
