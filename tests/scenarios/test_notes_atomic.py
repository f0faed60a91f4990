"""Saving notes stores everything they schedule in one transaction: the note, its steps, the
due-step reminders, the check-in and the 1:1 ticks land together before the reply, or none do
and the author is told in the form. A pair has one check-in chain at most, and editing a note
never restarts its count. A due date moved and moved back still reminds."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers import ids
from playground.fakeslack import ALICE, BOB, FakeSlack, SlackSender, block_texts, find_button
from tests.conftest import SIGNING_SECRET, deliver_due, replies_sent
from tests.flows import (
    dm_with,
    dms_to,
    latest_dm,
    log_notes,
    met,
    notes_about,
    opened_modal,
    rows,
    told_replaced,
)

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


# -- one check-in chain per pair -------------------------------------------------------------


async def test_a_new_note_replaces_the_pairs_pending_check_in(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    plan = {"Step 1": "Write the abstract", "Step 1: who": "Them"}
    await notes_about(
        slack, fake, bot, {**plan, "What next?": "checkin_1w"}, author=BOB, other=ALICE
    )
    clock.advance(weeks=1)
    await deliver_due(bot)
    unanswered = dm_with(fake, ALICE, "How is your action plan")
    # Alice, Bob's mentee, logs her own notes: still the pair (Bob, Alice), so hers replace his.
    await notes_about(
        slack, fake, bot, {**plan, "What next?": "checkin_2w"}, author=ALICE, other=BOB, mentor=BOB
    )
    # Bob's question was asked, so it stays answerable; the pair's next one is Alice's.
    assert rows(bot, "SELECT note_id, sequence, answer FROM checkins ORDER BY id") == [
        (1, 1, None),
        (2, 1, None),
    ]
    await slack.click(find_button(unanswered, "Still working on it"), unanswered, user_id=ALICE)
    assert f"<@{ALICE}> is still working" in block_texts(latest_dm(fake, BOB))
    # The answer is kept, but Bob's chain starts no second question beside Alice's.
    assert rows(bot, "SELECT note_id, sequence, answer FROM checkins ORDER BY id") == [
        (1, 1, "still_working"),
        (2, 1, None),
    ]
    for _ in range(5):
        clock.advance(weeks=1)
        await deliver_due(bot)
    # Bob's question, then Alice's: never two chains at once.
    assert rows(bot, "SELECT status FROM outbox WHERE kind = 'checkin.ask' ORDER BY id") == [
        ("sent",),
        ("sent",),
    ]


async def test_a_new_note_replaces_a_check_in_not_yet_asked(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    plan = {"Step 1": "Write the abstract", "Step 1: who": "Them"}
    await notes_about(
        slack, fake, bot, {**plan, "What next?": "checkin_2w"}, author=BOB, other=ALICE
    )
    await notes_about(
        slack, fake, bot, {**plan, "What next?": "checkin_1w"}, author=BOB, other=ALICE
    )
    assert rows(bot, "SELECT note_id, sequence FROM checkins") == [(2, 1)]
    assert rows(bot, "SELECT status FROM outbox WHERE kind = 'checkin.ask' ORDER BY id") == [
        ("cancelled",),
        ("pending",),
    ]
    for _ in range(4):
        clock.advance(weeks=1)
        await deliver_due(bot)
    assert rows(bot, "SELECT status FROM outbox WHERE kind = 'checkin.ask' ORDER BY id") == [
        ("cancelled",),
        ("sent",),
    ]


async def test_editing_a_note_carries_on_its_count_of_check_ins(
    two_checkins_bot: Runtime, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    """MENTORBOT_MAX_CHECKINS=2: an edit after the first answer asks once more, not twice."""
    bot, fake = two_checkins_bot, fake_slack
    slack = SlackSender(
        f"http://127.0.0.1:{bot.port}",
        SIGNING_SECRET,
        response_url_base=fake.response_url_base,
        settle=replies_sent,
    )
    plan = {"Step 1": "Read the book", "Step 1: who": "Them"}
    await notes_about(
        slack, fake, bot, {**plan, "What next?": "checkin_1w"}, author=BOB, other=ALICE
    )
    clock.advance(weeks=1)
    await deliver_due(bot)
    first = dm_with(fake, ALICE, "How is your action plan")
    await slack.click(find_button(first, "Still working on it"), first, user_id=ALICE)
    assert [(s, a) for s, a in rows(bot, "SELECT sequence, answer FROM checkins")] == [
        (1, "still_working"),
        (2, None),
    ]

    # Bob changes the rhythm: the pending second check-in is replaced, still the second.
    listed = (await slack.command(f"notes <@{ALICE}>", user_id=BOB)).body
    await slack.click(find_button(listed, "Edit"), listed, user_id=BOB)
    await log_notes(slack, fake, bot, {"What next?": "checkin_2w"}, user_id=BOB)
    assert rows(bot, "SELECT sequence, answer FROM checkins ORDER BY id") == [
        (1, "still_working"),
        (2, None),
    ]
    clock.advance(weeks=2)
    await deliver_due(bot)
    second = dm_with(fake, ALICE, "How is your action plan")
    assert second is not first
    await slack.click(find_button(second, "Still working on it"), second, user_id=ALICE)
    assert "last check-in" in told_replaced(fake)

    # Editing again to another rhythm starts nothing: the plan had both its check-ins.
    listed = (await slack.command(f"notes <@{ALICE}>", user_id=BOB)).body
    await slack.click(find_button(listed, "Edit"), listed, user_id=BOB)
    await log_notes(slack, fake, bot, {"What next?": "checkin_4w"}, user_id=BOB)
    assert "all its check-ins" in block_texts(dms_to(fake, ALICE)[-1])
    before = len(dms_to(fake, ALICE))
    clock.advance(weeks=6)
    await deliver_due(bot)
    assert len(dms_to(fake, ALICE)) == before
    assert len(rows(bot, "SELECT id FROM checkins")) == 2


# -- a due-step reminder whose date moves and moves back ---------------------------------------


async def test_a_due_date_changed_and_changed_back_still_reminds(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    """Each edit cancels the step's reminder and plans a new one; the key carries the edit
    time, so going back to the first date is not swallowed by its cancelled row."""
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    thursday, friday = date(2026, 3, 12), date(2026, 3, 13)
    step = {"Step 1": "Send the draft", "Step 1: who": "Them"}
    await notes_about(slack, fake, bot, {**step, "Step 1: due": thursday}, author=BOB, other=ALICE)
    for due in (friday, thursday):
        clock.advance(minutes=5)
        listed = (await slack.command(f"notes <@{ALICE}>", user_id=BOB)).body
        await slack.click(find_button(listed, "Edit"), listed, user_id=BOB)
        reply = await log_notes(slack, fake, bot, {"Step 1: due": due}, user_id=BOB)
        assert not reply.body
    reminders = "SELECT status, due_at FROM outbox WHERE kind = 'action_item.due' ORDER BY id"
    assert [status for status, _ in rows(bot, reminders)] == ["cancelled", "cancelled", "pending"]
    assert rows(bot, reminders)[-1][1].startswith("2026-03-11T23:00")  # Thursday, Berlin

    clock.advance(days=2)  # Thursday afternoon
    await deliver_due(bot)
    nudge = dm_with(fake, ALICE, "is due")
    assert "Send the draft" in block_texts(nudge)
    assert "2026-03-12" in block_texts(nudge)
