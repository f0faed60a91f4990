"""A snoozed nudge comes back once, whatever it is and however often it is snoozed, and
`/mentor snooze off` (or a shorter snooze) lets go of what the old snooze held.

Starting point (tests/conftest.py): Tuesday 15:00 UTC, 11:00 for Bob (New York).
"""

from __future__ import annotations

import copy
import sqlite3
from typing import Any

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from playground.fakeslack import ALICE, BOB, FakeSlack, SlackSender, button_labels, find_button
from tests.conftest import deliver_due, deliver_soon
from tests.flows import booked, configure, dm_with, dms_to, log_notes, submit_ask

CHECKIN = "How is your action plan"
FEEDBACK = "How was your mentoring session"


def nudges(fake: FakeSlack, user_id: str) -> list[Any]:
    """The "still waiting" nudges sent so far that still show their buttons."""
    return [
        c
        for c in dms_to(fake, user_id)
        if "Stop these" in button_labels(c) and "still waiting" in str(c.args.get("text"))
    ]


def asked(fake: FakeSlack, user_id: str, words: str) -> int:
    return sum(1 for c in dms_to(fake, user_id) if words in str(c.args))


def pending_nudges(bot: Runtime) -> list[str]:
    with sqlite3.connect(bot.settings.db_path) as conn:
        rows = conn.execute(
            "SELECT due_at FROM outbox WHERE kind = 'request.nudge' AND status = 'pending'"
        ).fetchall()
    return [str(due) for (due,) in rows]


async def _met_and_planned(
    slack: SlackSender, fake: FakeSlack, bot: Runtime, clock: FrozenClock, plan: dict[str, str]
) -> None:
    """Alice and Bob met; Bob logs notes (with a check-in in a week when `plan` asks one)."""
    await booked(slack, fake, bot)
    clock.advance(days=1)
    await deliver_soon(bot)
    met = dm_with(fake, BOB, "Did you meet")
    await slack.click(find_button(met, "Yes — log notes"), met, user_id=BOB)
    await log_notes(slack, fake, bot, plan, user_id=BOB)


async def test_a_snoozed_check_in_comes_back(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    plan = {"Step 1": "Write the abstract", "Step 1: who": "Them", "What next?": "checkin_1w"}
    await _met_and_planned(clocked_slack, fake_slack, clocked_bot, clock, plan)
    clock.advance(days=7)
    await deliver_soon(clocked_bot)
    checkin = dm_with(fake_slack, ALICE, CHECKIN)
    await clocked_slack.click(find_button(checkin, "Snooze 1 day"), checkin, user_id=ALICE)

    clock.advance(hours=23)
    await deliver_soon(clocked_bot)
    assert asked(fake_slack, ALICE, CHECKIN) == 1
    clock.advance(hours=2)
    await deliver_soon(clocked_bot)
    # Asked again, with its buttons: the check-in was already marked asked, so its return
    # only sends (it used to be dropped as "already asked").
    assert asked(fake_slack, ALICE, CHECKIN) == 2
    again = dm_with(fake_slack, ALICE, CHECKIN)
    assert "Snooze 1 day" in button_labels(again)


async def test_a_snoozed_feedback_question_comes_back(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await _met_and_planned(clocked_slack, fake_slack, clocked_bot, clock, {})
    question = dm_with(fake_slack, ALICE, FEEDBACK)
    await clocked_slack.click(find_button(question, "Snooze 1 day"), question, user_id=ALICE)
    clock.advance(days=2)
    await deliver_soon(clocked_bot)
    assert asked(fake_slack, ALICE, FEEDBACK) == 2


async def test_a_double_click_on_snooze_brings_the_nudge_back_once(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await configure(clocked_bot, clock, escalate_after_hours=96)  # not before the return
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    clock.advance(hours=24)
    await deliver_due(clocked_bot)
    [nudge] = nudges(fake_slack, BOB)
    # Both clicks come from the message as Bob saw it, before the first answer replaced it.
    seen = copy.deepcopy(fake_slack.message(nudge.response["channel"], nudge.response["ts"]))
    seen["channel"] = nudge.response["channel"]
    await clocked_slack.click(find_button(seen, "Snooze 1 day"), seen, user_id=BOB)
    clock.advance(seconds=1)
    await clocked_slack.click(find_button(seen, "Snooze 1 day"), seen, user_id=BOB)

    clock.advance(days=1, minutes=1)
    await deliver_due(clocked_bot)
    clock.advance(minutes=5)  # the outbox paces one person's messages: let both copies go
    await deliver_due(clocked_bot)
    # The first, and its one return (the first's buttons were replaced by "Snoozed").
    assert asked(fake_slack, BOB, "A reminder") == 2


async def _held_by_a_long_snooze(
    slack: SlackSender, fake: FakeSlack, bot: Runtime, clock: FrozenClock
) -> None:
    """Bob snoozes for 30 days, then a request's nudge to him comes due and is held."""
    await slack.command("snooze 30", user_id=BOB)
    await submit_ask(slack, fake, bot, BOB)
    clock.advance(hours=24)
    await deliver_due(bot)
    assert nudges(fake, BOB) == []
    assert len(pending_nudges(bot)) == 1


async def test_snooze_off_lets_go_of_the_nudges_it_held(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await _held_by_a_long_snooze(clocked_slack, fake_slack, clocked_bot, clock)

    reply = await clocked_slack.command("snooze off", user_id=BOB)
    assert "on again" in str(reply.body)
    await deliver_due(clocked_bot)
    assert len(nudges(fake_slack, BOB)) == 1


async def test_a_shorter_snooze_moves_what_the_longer_one_held(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await _held_by_a_long_snooze(clocked_slack, fake_slack, clocked_bot, clock)

    await clocked_slack.command("snooze 2", user_id=BOB)
    clock.advance(days=2, minutes=1)
    await deliver_due(clocked_bot)
    assert len(nudges(fake_slack, BOB)) == 1
    assert pending_nudges(clocked_bot) == []
