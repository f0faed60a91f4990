"""After `/mentor forget`: forms, messages and 1:1s opened before it can't bring the person back.

Each test drives it as users do: someone opens something, the other person forgets, then the
first one carries on.
"""

from __future__ import annotations

import copy
import sqlite3
from typing import Any

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers import ids
from handlers.notes.entry import STRANGER
from handlers.notes.share import GONE
from playground.fakeslack import (
    ALICE,
    BOB,
    CAROL,
    TEAM_ID,
    FakeSlack,
    SlackSender,
    all_buttons,
    block_texts,
    button_labels,
    find_button,
)
from storage.timefmt import format_time
from tests.conftest import deliver_due, deliver_soon
from tests.flows import (
    DAVE,
    add_dave,
    dm_with,
    dms_to,
    forget,
    group_posts,
    introduce,
    log_notes_refused,
    met,
    notes_about,
    open_home,
    opened_modal,
    rows,
    shown,
    told,
    told_replaced,
)

PLAN = {"Step 1": "Send me your CV", "Step 1: who": "Them", "What next?": "ongoing_weekly"}


def rows_naming(bot: Runtime, user_id: str) -> dict[str, int]:
    """How many rows of the tables a note's save writes still name the person."""
    with sqlite3.connect(bot.settings.db_path) as conn:
        return {
            "people": conn.execute(
                # The bare marker that they forgot (people.forgotten_at) isn't a record of them.
                "SELECT count(*) FROM people WHERE team_id = ? AND user_id = ? "
                "AND forgotten_at IS NULL",
                (TEAM_ID, user_id),
            ).fetchone()[0],
            "relationships": conn.execute(
                "SELECT count(*) FROM relationships WHERE ? IN (mentor_id, mentee_id)", (user_id,)
            ).fetchone()[0],
            "action_items": conn.execute(
                "SELECT count(*) FROM action_items WHERE owner_id = ?", (user_id,)
            ).fetchone()[0],
            "outbox": conn.execute(
                "SELECT count(*) FROM outbox WHERE recipient = ?", (user_id,)
            ).fetchone()[0],
        }


async def refused_after_forget(
    slack: SlackSender, fake: FakeSlack, bot: Runtime, form: dict[str, Any]
) -> None:
    """Bob forgets while Alice's Log notes form about him is open; her Save is refused inline
    and nothing about Bob is stored again, nor is he DMed."""
    await forget(slack, fake, bot, BOB)
    before = len(dms_to(fake, BOB))
    reply = await slack.view_submission(form, PLAN, user_id=ALICE)
    await bot.background.drain(5)
    assert reply.body == {
        "response_action": "errors",
        "errors": {ids.NOTES_BODY_BLOCK: STRANGER},
    }
    assert rows_naming(bot, BOB) == {
        "people": 0,
        "relationships": 0,
        "action_items": 0,
        "outbox": 0,
    }
    assert len(dms_to(fake, BOB)) == before


async def test_a_notes_form_opened_before_the_other_forgot_is_refused(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await met(bot, mentor=ALICE, mentee=BOB)
    listed = await slack.command(f"notes <@{BOB}>", user_id=ALICE)
    await slack.click(find_button(listed.body, "Log notes"), listed.body, user_id=ALICE)
    form = opened_modal(fake)
    assert form["callback_id"] == ids.NOTES_MODAL
    await refused_after_forget(slack, fake, bot, form)


async def test_a_notes_form_from_the_home_picker_is_refused_after_forget(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await met(bot, mentor=ALICE, mentee=BOB)
    home = await open_home(slack, fake, ALICE)
    await slack.click(find_button(home, "Log notes"), home, user_id=ALICE)
    picker = opened_modal(fake)
    state = {ids.NOTES_PICK_BLOCK: {ids.NOTES_PICK_ACTION: {"selected_user": BOB}}}
    picked = await slack.view_submission(picker, user_id=ALICE, state=state)
    form = picked.body["view"]
    assert form["callback_id"] == ids.NOTES_MODAL
    await refused_after_forget(slack, fake, bot, form)


async def test_forget_ends_the_1_1_so_the_other_gets_no_ticks_naming_a_tombstone(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await notes_about(slack, fake, bot, PLAN, author=ALICE, other=BOB)
    assert rows(bot, "SELECT count(*) FROM outbox WHERE kind = 'relationship.tick'") == [(2,)]
    await forget(slack, fake, bot, BOB)
    [(ended, next_at)] = rows(bot, "SELECT ended_at, next_at FROM relationships")
    assert (ended, next_at) == (format_time(clock.now()), None)
    assert rows(bot, "SELECT count(*) FROM outbox WHERE status = 'pending'") == [(0,)]

    before = len(dms_to(fake, ALICE))
    for _ in range(3):
        clock.advance(weeks=1)
        await deliver_due(bot)
    assert dms_to(fake, ALICE)[before:] == []
    # Nothing was queued to the tombstone either (it would fail with channel_not_found).
    assert rows(bot, "SELECT count(*) FROM outbox WHERE recipient LIKE 'forgotten-%'") == [(0,)]
    assert rows(bot, "SELECT count(*) FROM outbox WHERE status = 'failed'") == [(0,)]


async def test_a_mentor_who_forgets_leaves_no_check_in_question_naming_a_tombstone(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    plan = {"Step 1": "Read the book", "Step 1: who": "Them", "What next?": "checkin_1w"}
    await notes_about(slack, fake, bot, plan, author=ALICE, other=BOB)
    assert rows(bot, "SELECT count(*) FROM outbox WHERE kind LIKE 'checkin%'") == [(1,)]
    await forget(slack, fake, bot, ALICE)  # the mentor of the pair: the question was to Bob
    assert rows(bot, "SELECT count(*) FROM outbox WHERE status = 'pending'") == [(0,)]

    before = len(dms_to(fake, BOB))
    clock.advance(weeks=2)
    await deliver_due(bot)
    assert dms_to(fake, BOB)[before:] == []


async def test_editing_notes_about_someone_who_forgot_sends_them_nothing(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    """Alice opens Edit on her notes about Bob; Bob forgets; she saves, choosing a check-in.
    Her notes stay about the tombstone (never Bob again), nothing is sent or scheduled for
    it, and her copy says why, with no Send again."""
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await notes_about(slack, fake, bot, {"Private notes": "First chat"}, author=ALICE, other=BOB)
    listed = (await slack.command(f"notes <@{BOB}>", user_id=ALICE)).body
    await slack.click(find_button(listed, "Edit"), listed, user_id=ALICE)
    form = opened_modal(fake)
    await forget(slack, fake, bot, BOB)
    posts_before = len(fake.calls_to("chat.postMessage"))

    edited = {"Private notes": "Second chat", "Step 1": "Read the book", "Step 1: who": "Them"}
    reply = await slack.view_submission(form, {**edited, "What next?": "checkin_1w"}, user_id=ALICE)
    await deliver_soon(bot)  # her copy goes through the outbox
    assert not reply.body, reply.body
    [(subject, body)] = rows(bot, "SELECT subject_id, body FROM notes")
    assert subject.startswith("forgotten-")
    assert body == "Second chat"
    assert rows_naming(bot, BOB) == {
        "people": 0,
        "relationships": 0,
        "action_items": 0,
        "outbox": 0,
    }
    assert rows(bot, "SELECT count(*) FROM checkins") == [(0,)]
    assert rows(bot, "SELECT count(*) FROM outbox WHERE status = 'pending'") == [(0,)]
    posted = fake.calls_to("chat.postMessage")[posts_before:]
    assert [call.args["channel"] for call in posted] == [fake.dm_channel(ALICE)]
    assert all(call.args["user"] != subject for call in fake.calls_to("users.info"))
    copy = posted[0]
    assert GONE in block_texts(copy)
    assert "Read the book" in block_texts(copy)
    assert not [b for b in all_buttons(copy) if b["action_id"] == ids.PLAN_RESEND]


async def test_send_again_after_the_other_forgot_sends_nothing(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await log_notes_refused(slack, fake, bot, error="is_archived")  # Bob's plan for Alice
    notice = dm_with(fake, BOB, "couldn't deliver your action plan")
    await forget(slack, fake, bot, ALICE)
    posts_before = len(fake.calls_to("chat.postMessage"))
    await slack.click(find_button(notice, "Send again"), notice, user_id=BOB)
    assert GONE in told_replaced(fake)
    assert fake.calls_to("chat.postMessage")[posts_before:] == []


async def test_a_pending_intro_of_someone_who_forgot_is_withdrawn(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    """Carol introduced Alice to Dave, then Alice forgot: Dave's ask loses its buttons and a
    late yes introduces nobody; Carol is told kindly, and nobody reads a tombstone's name."""
    fake = fake_slack
    add_dave(fake)
    await introduce(slack, fake, bot)
    ask = dms_to(fake, DAVE)[-1]
    stale_yes = copy.deepcopy(find_button(ask, "Happy to help"))
    await forget(slack, fake, bot, ALICE)
    await deliver_soon(bot)

    assert rows(bot, "SELECT status FROM intros") == [("expired",)]
    dave_sees = shown(fake, fake.dm_channel(DAVE))
    assert button_labels(dave_sees) == []
    assert "withdrawn" in block_texts(dave_sees)
    [notice] = [c for c in dms_to(fake, CAROL) if "withdrawn" in block_texts(c)]
    assert f"Your introduction to <@{DAVE}> was withdrawn" in block_texts(notice)
    assert button_labels(notice) == []
    assert "forgotten-" not in str([c.args for c in fake.calls_to("chat.postMessage")])
    assert "forgotten-" not in str([c.args for c in fake.calls_to("chat.update")])

    posts = len(fake.calls_to("chat.postMessage"))
    await slack.click(stale_yes, ask, user_id=DAVE)
    await bot.background.drain(5)
    await deliver_soon(bot)
    assert told(fake)[-1] == "This introduction was withdrawn, so I didn't change anything."
    assert len(fake.calls_to("chat.postMessage")) == posts
    assert group_posts(fake) == []


async def test_an_expert_who_forgets_withdraws_the_intro_they_were_asked_about(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    """Dave forgot while Carol's intro of Alice waited for him: Carol may pick someone else,
    Alice never hears of it, and no reminder or expiry follows."""
    fake = fake_slack
    add_dave(fake)
    await introduce(slack, fake, bot)
    await forget(slack, fake, bot, DAVE)
    await deliver_soon(bot)

    [notice] = [c for c in dms_to(fake, CAROL) if "withdrawn" in block_texts(c)]
    assert f"Your introduction of <@{ALICE}> was withdrawn" in block_texts(notice)
    assert button_labels(notice) == ["Suggest someone else"]
    assert fake.dm_channel(ALICE) is None
    assert rows(bot, "SELECT kind FROM outbox WHERE status = 'pending'") == []
