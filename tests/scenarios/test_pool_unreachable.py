"""A request Slack can never deliver is never dropped silently. A pool channel that is
archived, or that the bot was removed from: submit (or the outbox, for a later post) gives up
at once, tells the mentee what to do instead, and tells the coordinators and admins (once a
day per channel) how to fix the channel. A named mentor who was deactivated: the mentee is told
once, with Send to the mentor pool and Cancel. Temporary refusals still retry.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.lifecycle import Runtime, running
from playground.fakeslack import (
    ALICE,
    BOB,
    BOT_USER_ID,
    FakeSlack,
    SlackSender,
    block_texts,
    button_labels,
    find_button,
)
from storage.models import RequestStatus
from tests.conftest import SIGNING_SECRET, bot_settings, deliver_due, replies_sent
from tests.flows import configure, dms_to, stored_requests, submit_ask

POOL = "C0POOL"
COORDINATOR = "U5"
ADMIN = "U0ADMIN"  # an admin by MENTORBOT_ADMINS


@pytest.fixture
async def pool_bot(
    fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[Runtime]:
    """The bot on a frozen clock, with a coordinator and a MENTORBOT_ADMINS admin."""
    fake_slack.add_user(COORDINATOR, "cora")
    fake_slack.add_user(ADMIN, "ada")
    settings = bot_settings(
        fake_slack, tmp_path, MENTORBOT_ADMINS=ADMIN, MENTORBOT_TICK_SECONDS="3600"
    )
    async with running(settings, clock=clock) as runtime:
        await configure(runtime, clock, pool_channel_id=POOL, coordinators=(COORDINATOR,))
        yield runtime


@pytest.fixture
def pool_slack(pool_bot: Runtime, fake_slack: FakeSlack) -> SlackSender:
    return SlackSender(
        f"http://127.0.0.1:{pool_bot.port}",
        SIGNING_SECRET,
        response_url_base=fake_slack.response_url_base,
        settle=replies_sent,
    )


def rows(bot: Runtime, kind: str) -> list[tuple[str, int, str | None]]:
    with sqlite3.connect(bot.settings.db_path) as conn:
        found = conn.execute(
            "SELECT status, attempts, last_error FROM outbox WHERE kind = ? ORDER BY id", (kind,)
        ).fetchall()
    return [(str(status), int(attempts), error) for status, attempts, error in found]


def unreachable(fake: FakeSlack, user_id: str) -> list[Any]:
    return [c for c in dms_to(fake, user_id) if "couldn't reach" in block_texts(c)]


def broken(fake: FakeSlack, user_id: str) -> list[Any]:
    return [c for c in dms_to(fake, user_id) if "can't post in the mentor pool" in block_texts(c)]


async def test_an_archived_pool_channel_fails_at_once_and_everyone_is_told(
    pool_slack: SlackSender, fake_slack: FakeSlack, pool_bot: Runtime, clock: FrozenClock
) -> None:
    fake_slack.add_channel(POOL, "pool", is_archived=True)
    await submit_ask(pool_slack, fake_slack, pool_bot, None)
    # Slack's first answer is final: the mentee's one DM says so; the planned retry is off.
    [told] = dms_to(fake_slack, ALICE)
    assert "keep trying" not in block_texts(told)
    assert rows(pool_bot, "request.deliver") == [("cancelled", 0, None)]  # never tried again
    await deliver_due(pool_bot)  # the admins' DMs go through the outbox
    assert unreachable(fake_slack, ALICE) == [told]
    assert f"<#{POOL}>" in block_texts(told)
    assert "/mentor ask @name" in block_texts(told)
    assert "told the workspace's coordinators" in block_texts(told)
    assert button_labels(told) == ["Cancel request"]
    for person in (COORDINATOR, ADMIN):
        [heads_up] = broken(fake_slack, person)
        assert f"<#{POOL}>" in block_texts(heads_up)
        assert "archived" in block_texts(heads_up)
        assert "unarchive it" in block_texts(heads_up)

    # A second request the same day: its mentee is told too, the admins not again.
    await submit_ask(pool_slack, fake_slack, pool_bot, None)
    clock.advance(minutes=1)
    await deliver_due(pool_bot)
    assert len(unreachable(fake_slack, ALICE)) == 2
    assert len(broken(fake_slack, COORDINATOR)) == len(broken(fake_slack, ADMIN)) == 1

    # The 24 h re-post fails the same way, and tells nobody a second time.
    clock.advance(hours=24)
    await deliver_due(pool_bot)
    clock.advance(seconds=2)  # one post a second per channel
    await deliver_due(pool_bot)
    assert [status for status, _, _ in rows(pool_bot, "request.pool_repost")] == ["failed"] * 2
    assert len(unreachable(fake_slack, ALICE)) == 2

    # The mentee's Cancel request works from the new message.
    await pool_slack.click(find_button(told, "Cancel request"), told, user_id=ALICE)
    statuses = sorted(str(r.status) for r in await stored_requests(pool_bot))
    assert statuses == sorted([str(RequestStatus.CANCELLED), str(RequestStatus.OPEN)])


async def test_a_bot_removed_from_the_pool_fails_the_escalation_and_a_fix_recovers(
    pool_slack: SlackSender, fake_slack: FakeSlack, pool_bot: Runtime, clock: FrozenClock
) -> None:
    fake_slack.add_channel(POOL, "pool")
    await submit_ask(pool_slack, fake_slack, pool_bot, BOB)  # Bob never answers
    fake_slack.remove_member(POOL, BOT_USER_ID)

    clock.advance(hours=48)
    await deliver_due(pool_bot)
    # The escalation is made once; the pool post it planned is what Slack refuses.
    assert [status for status, _, _ in rows(pool_bot, "request.escalate")] == ["sent"]
    [(status, attempts, error)] = rows(pool_bot, "request.pool_post")
    assert (status, attempts, error) == ("failed", 1, "chat.postMessage 200 not_in_channel")
    clock.advance(seconds=2)  # Alice just heard it went wider: one DM a second
    await deliver_due(pool_bot)
    [told] = unreachable(fake_slack, ALICE)
    assert "/mentor ask @name" in block_texts(told)
    [heads_up] = broken(fake_slack, ADMIN)
    assert "not a member" in block_texts(heads_up)
    assert "/invite @mentorbot" in block_texts(heads_up)

    # An admin invites the bot back: the planned re-post puts the request in front of mentors.
    fake_slack.add_channel(POOL, "pool")
    clock.advance(hours=24)
    await deliver_due(pool_bot)
    [post] = fake_slack.messages(POOL)
    assert button_labels(post) == ["I can help"]
    [request] = await stored_requests(pool_bot)
    assert request.pool_channel_id == POOL
    assert request.pool_ts == post["ts"]


async def test_temporary_refusals_still_retry_and_tell_nobody(
    pool_slack: SlackSender, fake_slack: FakeSlack, pool_bot: Runtime, clock: FrozenClock
) -> None:
    fake_slack.add_channel(POOL, "pool")
    fake_slack.fail_next("chat.postMessage", status=500, times=100)  # Slack has a bad spell
    await submit_ask(pool_slack, fake_slack, pool_bot, None)
    for _ in range(3):
        clock.advance(minutes=5)
        await deliver_due(pool_bot)
    # The late delivery planned the pool post once; the post is what keeps retrying.
    assert [status for status, _, _ in rows(pool_bot, "request.deliver")] == ["sent"]
    [(status, attempts, error)] = rows(pool_bot, "request.pool_post")
    assert (status, attempts) == ("pending", 3)
    assert error == "chat.postMessage 500 internal_error"
    assert rows(pool_bot, "request.pool_unreachable") == []
    assert rows(pool_bot, "request.pool_channel_broken") == []

    fake_slack.clear()  # Slack is back
    clock.advance(minutes=10)
    await deliver_due(pool_bot)
    assert [status for status, _, _ in rows(pool_bot, "request.pool_post")] == ["sent"]
    [post] = fake_slack.messages(POOL)
    assert button_labels(post) == ["I can help"]
    assert unreachable(fake_slack, ALICE) == []


def gone(fake: FakeSlack) -> list[Any]:
    return [c for c in dms_to(fake, ALICE) if f"couldn't reach <@{BOB}>" in block_texts(c)]


async def test_an_archived_pool_at_submit_is_said_at_once_and_once(
    pool_slack: SlackSender, fake_slack: FakeSlack, pool_bot: Runtime, clock: FrozenClock
) -> None:
    fake_slack.add_channel(POOL, "pool", is_archived=True)
    await submit_ask(pool_slack, fake_slack, pool_bot, None)
    [told] = dms_to(fake_slack, ALICE)
    assert "couldn't reach the mentor pool channel" in block_texts(told)
    assert "told the workspace's coordinators" in block_texts(told)
    assert button_labels(told) == ["Cancel request"]
    assert rows(pool_bot, "request.deliver") == [("cancelled", 0, None)]  # never tried again
    await deliver_due(pool_bot)
    for person in (COORDINATOR, ADMIN):
        assert len(broken(fake_slack, person)) == 1
    # The 24 h re-post fails too, and doesn't tell the mentee a second time.
    clock.advance(hours=24)
    await deliver_due(pool_bot)
    assert [s for s, _, _ in rows(pool_bot, "request.pool_repost")] == ["failed"]
    assert dms_to(fake_slack, ALICE) == [told]
    [request] = await stored_requests(pool_bot)
    assert request.mentee_dm_ts is not None  # a later Cancel rewrites this message


async def test_a_temporary_pool_refusal_at_submit_still_keeps_trying(
    pool_slack: SlackSender, fake_slack: FakeSlack, pool_bot: Runtime
) -> None:
    fake_slack.add_channel(POOL, "pool")
    fake_slack.fail_next("chat.postMessage", error="fatal_error")  # not a final answer
    await submit_ask(pool_slack, fake_slack, pool_bot, None)
    [promise] = dms_to(fake_slack, ALICE)
    assert "keep trying" in block_texts(promise)
    assert [s for s, _, _ in rows(pool_bot, "request.deliver")] == ["pending"]


async def test_a_deactivated_mentor_at_submit_is_said_at_once(
    pool_slack: SlackSender, fake_slack: FakeSlack, pool_bot: Runtime
) -> None:
    fake_slack.add_channel(POOL, "pool")
    # users.info still shows Bob active when the form is checked; the DM then finds him gone.
    fake_slack.fail_next("conversations.open", error="user_disabled")
    await submit_ask(pool_slack, fake_slack, pool_bot, BOB)
    [told] = dms_to(fake_slack, ALICE)
    assert gone(fake_slack) == [told]
    assert "/mentor ask @name" in block_texts(told)
    assert button_labels(told) == ["Send to the mentor pool", "Cancel request"]
    assert rows(pool_bot, "request.deliver") == [("cancelled", 0, None)]  # never tried again

    # Only the mentee may send it on: Bob's click changes nothing.
    await pool_slack.click(find_button(told, "Send to the mentor pool"), told, user_id=BOB)
    await pool_bot.background.drain(5)
    assert fake_slack.messages(POOL) == []
    [request] = await stored_requests(pool_bot)
    assert request.mentor_id == BOB


async def test_a_mentor_deactivated_before_the_retry_and_the_mentee_sends_it_to_the_pool(
    pool_slack: SlackSender, fake_slack: FakeSlack, pool_bot: Runtime, clock: FrozenClock
) -> None:
    fake_slack.add_channel(POOL, "pool")
    fake_slack.fail_next("conversations.open", status=500, times=3)  # Slack has a bad moment
    await submit_ask(pool_slack, fake_slack, pool_bot, BOB)
    [promise] = dms_to(fake_slack, ALICE)
    assert "keep trying" in block_texts(promise)

    fake_slack.deactivate_user(BOB)
    clock.advance(minutes=1)
    await deliver_due(pool_bot)
    [(status, attempts, error)] = rows(pool_bot, "request.deliver")
    assert (status, attempts, error) == ("failed", 1, "conversations.open 200 user_disabled")
    [told] = gone(fake_slack)
    assert button_labels(told) == ["Send to the mentor pool", "Cancel request"]
    clock.advance(hours=1)
    await deliver_due(pool_bot)
    assert len(gone(fake_slack)) == 1  # once per request

    await pool_slack.click(find_button(told, "Send to the mentor pool"), told, user_id=ALICE)
    await pool_bot.background.drain(5)
    [post] = fake_slack.messages(POOL)
    assert button_labels(post) == ["I can help"]
    [request] = await stored_requests(pool_bot)
    assert request.mentor_id is None
    assert request.pool_ts == post["ts"]
    # The named mentor's escalation is off: nothing tells Alice it "went wider" later.
    assert [s for s, _, _ in rows(pool_bot, "request.escalate")] == ["cancelled"]
    clock.advance(hours=48)
    await deliver_due(pool_bot)
    assert rows(pool_bot, "request.escalated") == []


async def test_a_deactivated_mentor_is_said_later_when_the_mentees_own_dm_fails(
    pool_slack: SlackSender, fake_slack: FakeSlack, pool_bot: Runtime, clock: FrozenClock
) -> None:
    fake_slack.add_channel(POOL, "pool")
    fake_slack.fail_next("conversations.open", error="user_disabled", user=BOB, times=10)
    fake_slack.fail_next("conversations.open", status=500, user=ALICE, times=3)
    await submit_ask(pool_slack, fake_slack, pool_bot, BOB)
    assert gone(fake_slack) == []  # Slack had a bad moment for Alice's DM too

    clock.advance(minutes=1)
    await deliver_due(pool_bot)
    [told] = gone(fake_slack)
    assert button_labels(told) == ["Send to the mentor pool", "Cancel request"]
    [request] = await stored_requests(pool_bot)
    assert request.mentee_dm_ts == told.response["ts"]  # a later change rewrites this one
    clock.advance(hours=1)
    await deliver_due(pool_bot)
    assert len(gone(fake_slack)) == 1


async def test_a_word_said_at_once_is_not_said_again_by_the_outbox(
    pool_slack: SlackSender, fake_slack: FakeSlack, pool_bot: Runtime, clock: FrozenClock
) -> None:
    fake_slack.add_channel(POOL, "pool")
    fake_slack.fail_next("conversations.open", error="user_disabled", user=BOB, times=10)
    await submit_ask(pool_slack, fake_slack, pool_bot, BOB)
    assert len(gone(fake_slack)) == 1
    clock.advance(hours=1)
    await deliver_due(pool_bot)
    assert len(gone(fake_slack)) == 1
    assert rows(pool_bot, "request.mentor_unreachable") == [("cancelled", 0, None)]
