"""Outbox faults: every outbox kind, driven through the real dispatcher against the fake Slack
over HTTP, survives a failed first send (HTTP 500, or 429 with Retry-After) and channel pacing:
each message arrives exactly once, and the change a kind stands for is made once.

The scenarios (tests/outbox/scenarios.py) make each kind's row due with the real Store and
the features' own schedule functions; a kind without a scenario fails the first test.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers import outbox_kinds
from playground.fakeslack import FakeSlack
from tests.conftest import deliver_due
from tests.flows import stop_failing
from tests.outbox.scenarios import SCENARIOS, Harness, Scenario, prepare

SENDS = ("chat.postMessage", "chat.update")


async def settle(h: Harness) -> None:
    """Past the first backoff (at most 30 s) and any Retry-After, then a few paced rounds."""
    h.clock.advance(seconds=31)
    for _ in range(8):
        await deliver_due(h.bot)
        h.clock.advance(seconds=2)


async def start(scenario: Scenario, bot: Runtime, fake: FakeSlack, clock: FrozenClock) -> Harness:
    await prepare(bot, fake, clock)
    return Harness(bot, fake, clock)


def no_message_twice(fake: FakeSlack) -> None:
    posted = Counter(
        (call.response.get("channel"), call.args.get("thread_ts"), call.args.get("text"))
        for call in fake.calls
        if call.method == "chat.postMessage" and call.ok
    )
    assert [key for key, count in posted.items() if count > 1] == []


def test_every_kind_has_a_scenario() -> None:
    assert set(outbox_kinds()) - {scenario.kind for scenario in SCENARIOS} == set()


@pytest.mark.parametrize("status", [500, 429])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.name)
async def test_a_refused_first_send_is_retried_and_delivered_once(
    scenario: Scenario,
    status: int,
    clocked_bot: Runtime,
    fake_slack: FakeSlack,
    clock: FrozenClock,
) -> None:
    h = await start(scenario, clocked_bot, fake_slack, clock)
    await scenario.setup(h, 0)
    clock.advance(seconds=scenario.advance.total_seconds())
    if scenario.warmup:
        # The earlier send goes, and plans this row, which the next tick takes.
        for _ in range(5):
            if h.rows(scenario.kind):
                break
            assert clocked_bot.dispatcher is not None
            await clocked_bot.dispatcher.tick()
            await clocked_bot.background.drain(5)
        clock.advance(seconds=2)
    first_try = clock.now()
    for method in SENDS:
        fake_slack.fail_next(method, status=status, retry_after=5, times=100)

    await deliver_due(clocked_bot)
    assert scenario.delivered(h) == []
    assert any(call.status == status for call in fake_slack.calls)
    rows = h.rows(scenario.kind)
    assert rows
    if scenario.silent:
        assert {(row["status"], row["applied_at"] is not None) for row in rows} == {("sent", True)}
    else:
        # Rows with nothing to say (a rewrite of a message that was never posted) are done.
        waiting = [row for row in rows if row["status"] == "pending"]
        assert waiting
        assert {row["status"] for row in rows} <= {"pending", "sent"}
        if status == 500:
            assert all("500" in str(row["last_error"]) for row in waiting)

    stop_failing(fake_slack)
    await settle(h)
    assert len(scenario.delivered(h)) == 1
    no_message_twice(fake_slack)
    assert {row["status"] for row in h.rows(scenario.kind)} == {"sent"}
    if scenario.changed is not None:
        # The change is recorded on the row that made it (a 1:1's second row finds it made).
        assert any(row["applied_at"] is not None for row in h.rows(scenario.kind))
        await scenario.changed(h, first_try)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.name)
async def test_two_messages_to_one_person_in_one_second_both_arrive_once(
    scenario: Scenario, clocked_bot: Runtime, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    h = await start(scenario, clocked_bot, fake_slack, clock)
    await scenario.setup(h, 0)
    await scenario.setup(h, 1)
    clock.advance(seconds=scenario.advance.total_seconds())
    first_try = clock.now()

    await deliver_due(clocked_bot)  # the second waits its turn, a second, in the same tick
    await settle(h)
    assert len(scenario.delivered(h)) == scenario.pair
    if scenario.changed is not None:
        await scenario.changed(h, first_try)
