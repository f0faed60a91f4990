"""Saving notes stores everything they schedule in one transaction: the note, its steps, the
due-step reminders, the check-in and the 1:1 ticks land together before the reply, or none do
and the author is told in the form."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from bot.lifecycle import Runtime
from handlers import ids
from tests.fakeslack import ALICE, BOB, FakeSlack, SlackSender, find_button
from tests.test_notes_flow import met
from tests.test_request_flow import opened_modal

PLAN = {
    "Private notes": "Private: nervous about the talk",
    "Step 1": "Write the abstract",
    "Step 1: who": "Them",
    "Step 1: due": date(2026, 3, 20),
    "Step 2": "Send two examples",
    "Step 2: who": "Me",
    "Step 2: due": date(2026, 3, 13),
}


async def submit_without_waiting(
    slack: SlackSender, fake: FakeSlack, bot: Runtime, answers: dict[str, Any]
) -> Any:
    """Bob logs notes about Alice, his mentee; returns the ack with no background drained."""
    await met(bot, mentor=BOB, mentee=ALICE)
    listed = await slack.command(f"notes <@{ALICE}>", user_id=BOB)
    await slack.click(find_button(listed.body, "Log notes"), listed.body, user_id=BOB)
    view = opened_modal(fake)
    assert view["callback_id"] == ids.NOTES_MODAL
    return await slack.view_submission(view, answers, user_id=BOB)


def rows(bot: Runtime, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(bot.settings.db_path) as conn:
        return conn.execute(sql).fetchall()


async def test_the_reminders_and_the_check_in_exist_when_the_save_returns(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    bot = clocked_bot
    reply = await submit_without_waiting(
        clocked_slack, fake_slack, bot, {**PLAN, "What next?": "checkin_2w"}
    )
    assert not reply.body
    # No background work has been waited for: these were written with the note.
    assert rows(bot, "SELECT count(*) FROM notes") == [(1,)]
    assert rows(bot, "SELECT recipient FROM outbox WHERE kind = 'action_item.due' ORDER BY 1") == [
        (ALICE,),
        (BOB,),
    ]
    [(checkin_id, mentor, mentee)] = rows(bot, "SELECT id, mentor_id, mentee_id FROM checkins")
    assert (mentor, mentee) == (BOB, ALICE)
    assert rows(bot, "SELECT recipient, subject_id FROM outbox WHERE kind = 'checkin.ask'") == [
        (ALICE, checkin_id)
    ]


async def test_an_ongoing_choice_has_its_1_1_and_both_ticks_when_the_save_returns(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    bot = clocked_bot
    reply = await submit_without_waiting(
        clocked_slack, fake_slack, bot, {"What next?": "ongoing_monthly"}
    )
    assert not reply.body
    [(relationship_id, cadence)] = rows(bot, "SELECT id, cadence FROM relationships")
    assert cadence == "monthly"
    ticks = rows(bot, "SELECT recipient, subject_id FROM outbox WHERE kind = 'relationship.tick'")
    assert sorted(ticks) == sorted([(ALICE, relationship_id), (BOB, relationship_id)])


async def test_a_failure_while_scheduling_saves_nothing_and_says_so(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    bot = clocked_bot
    # A real SQLite failure at the last write of the save: the check-in's question.
    with sqlite3.connect(bot.settings.db_path) as conn:
        conn.execute(
            "CREATE TRIGGER refuse_checkins BEFORE INSERT ON outbox "
            "WHEN NEW.kind = 'checkin.ask' BEGIN SELECT RAISE(ABORT, 'disk is full'); END"
        )
    reply = await submit_without_waiting(
        clocked_slack, fake_slack, bot, {**PLAN, "What next?": "checkin_1w"}
    )
    assert reply.body["response_action"] == "errors"
    assert "couldn't save your notes" in reply.body["errors"][ids.NOTES_BODY_BLOCK]
    for table in ("notes", "action_items", "checkins", "outbox"):
        assert rows(bot, f"SELECT count(*) FROM {table}") == [(0,)], table  # noqa: S608
    await bot.background.drain(5)
    assert fake_slack.calls_to("chat.postMessage") == []
