"""App Home end to end: what each person sees, its buttons, and its limits at scale."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from bot.lifecycle import Runtime
from handlers import ids
from handlers.blocks.home import VIEW_BLOCKS_MAX
from playground.fakeslack import (
    ALICE,
    BOB,
    CAROL,
    TEAM_ID,
    FakeSlack,
    SlackSender,
    block_texts,
    button_labels,
    find_button,
)
from storage.models import RequestStatus, Topic
from storage.requests import NewRequest
from storage.timefmt import format_time
from tests.conftest import deliver_due
from tests.flows import all_posted, ask, dms_to, home_of, met, open_home, the_request


async def test_a_first_visit_gets_a_welcome_once(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    first = await open_home(slack, fake_slack, ALICE)
    assert "Welcome to mentorbot" in block_texts(first)
    assert "/mentor optout" in block_texts(first)
    assert button_labels(first)[:4] == [
        "Ask for mentoring",
        "Introduce people",
        "Log notes",
        "Edit mentor profile",
    ]
    for empty in ("Nothing booked", "No one is waiting on you", "None open", "Nothing to do"):
        assert empty in block_texts(first)
    again = await open_home(slack, fake_slack, ALICE)
    assert "Welcome to mentorbot" not in block_texts(again)
    assert "Your upcoming sessions" in block_texts(again)


async def test_a_mentor_accepts_from_home_and_it_re_renders(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await ask(slack, fake_slack, bot, BOB)
    home = await open_home(slack, fake_slack, BOB)
    assert f"<@{ALICE}> · *Career path*" in block_texts(home)

    # Someone else pressing Bob's Accept (a forged click) changes nothing and is told why.
    await slack.click(find_button(home, "Accept"), home, user_id=CAROL)
    await bot.background.drain(5)
    assert (await the_request(bot)).status is RequestStatus.OPEN
    assert "This isn't yours" in block_texts(home_of(fake_slack, CAROL))

    await slack.click(find_button(home, "Accept"), home, user_id=BOB)
    await bot.background.drain(5)  # the DM and the message rewrites go after the ack
    assert (await the_request(bot)).status is RequestStatus.ACCEPTED
    after = home_of(fake_slack, BOB)
    assert "You accepted" in block_texts(after)
    assert "Offer times" in button_labels(after)
    assert "accepted your request" in str(dms_to(fake_slack, ALICE)[-1].args)

    # A second press, from the stale tab: nothing changes, and it says why.
    await slack.click(find_button(home, "Accept"), home, user_id=BOB)
    await bot.background.drain(5)
    assert "You already have this request" in block_texts(home_of(fake_slack, BOB))

    await slack.click(find_button(after, "Offer times"), after, user_id=BOB)
    opened = fake_slack.calls_to("views.open")[-1]
    assert opened.ok
    assert opened.response["view"]["callback_id"] == ids.OFFER_MODAL


async def test_a_mentee_cancels_from_home(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await ask(slack, fake_slack, bot, BOB)
    home = await open_home(slack, fake_slack, ALICE)
    assert f"to <@{BOB}> · waiting for an answer" in block_texts(home)
    await slack.click(find_button(home, "Cancel"), home, user_id=BOB)  # not Bob's to cancel
    await bot.background.drain(5)
    assert (await the_request(bot)).status is RequestStatus.OPEN
    await slack.click(find_button(home, "Cancel"), home, user_id=ALICE)
    await bot.background.drain(5)
    assert (await the_request(bot)).status is RequestStatus.CANCELLED
    after = home_of(fake_slack, ALICE)
    assert "Request cancelled" in block_texts(after)
    assert "None open" in block_texts(after)


async def test_the_ask_and_profile_buttons_open_their_forms(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    home = await open_home(slack, fake_slack, ALICE)
    await slack.click(find_button(home, "Ask for mentoring"), home, user_id=ALICE)
    assert fake_slack.calls_to("views.open")[-1].response["view"]["callback_id"] == (
        ids.REQUEST_MODAL
    )
    await slack.click(find_button(home, "Edit mentor profile"), home, user_id=ALICE)
    assert fake_slack.calls_to("views.open")[-1].response["view"]["callback_id"] == (
        ids.PROFILE_MODAL
    )


async def test_a_busy_home_stays_within_slacks_limits(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    now = datetime.now(UTC)
    for number in range(40):
        draft = NewRequest(
            team_id=TEAM_ID,
            mentee_id=f"U9{number:04d}",
            mentor_id=BOB,
            topic=Topic.SKILLS,
            details=f"<!channel> question number {number}",
            source="command",
        )
        await bot.store.create_request(draft, now - timedelta(minutes=number))
    at = format_time(now)
    with sqlite3.connect(bot.settings.db_path) as conn:
        conn.executemany(
            "INSERT INTO sessions (team_id, mentor_id, mentee_id, starts_at, duration_minutes, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, 30, ?, ?)",
            [
                (TEAM_ID, BOB, f"U9{n:04d}", format_time(now + timedelta(days=n + 1)), at, at)
                for n in range(20)
            ],
        )
    home = await open_home(slack, fake_slack, BOB)
    assert len(home["blocks"]) <= VIEW_BLOCKS_MAX
    texts = block_texts(home)
    assert "…and 32 more" in texts  # 40 waiting, 8 shown
    assert "…and 12 more. See `/mentor sessions`." in texts
    assert "<!channel>" not in texts


async def test_log_notes_from_home_asks_whom_then_opens_the_form_for_them(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await met(bot, mentor=ALICE, mentee=BOB)
    home = await open_home(slack, fake_slack, ALICE)
    await slack.click(find_button(home, "Log notes"), home, user_id=ALICE)
    picker = fake_slack.calls_to("views.open")[-1].response["view"]
    assert picker["callback_id"] == ids.NOTES_PICK_MODAL

    # Someone she never met, or herself: told inline, and the picker stays.
    for wrong, says in ((CAROL, "can't find a request"), (ALICE, "someone else")):
        state = {ids.NOTES_PICK_BLOCK: {ids.NOTES_PICK_ACTION: {"selected_user": wrong}}}
        reply = await slack.view_submission(picker, user_id=ALICE, state=state)
        assert reply.body["response_action"] == "errors"
        assert says in reply.body["errors"][ids.NOTES_PICK_BLOCK]

    state = {ids.NOTES_PICK_BLOCK: {ids.NOTES_PICK_ACTION: {"selected_user": BOB}}}
    reply = await slack.view_submission(picker, user_id=ALICE, state=state)
    assert reply.body["response_action"] == "update"
    form = reply.body["view"]
    assert form["callback_id"] == ids.NOTES_MODAL
    assert f"<@{BOB}>" in block_texts(form)

    # The form it opens saves like any other Log notes, plan DM to Bob included.
    answers = {"Private notes": "Promo case", "Step 1": "Draft the case", "Step 1: who": "Them"}
    saved = await slack.view_submission(form, answers, user_id=ALICE)
    assert saved.status == 200, saved.body
    assert not saved.body, saved.body
    await deliver_due(bot)  # the plan DMs go through the outbox
    with sqlite3.connect(bot.settings.db_path) as conn:
        rows = conn.execute("SELECT author_id, subject_id FROM notes").fetchall()
    assert rows == [(ALICE, BOB)]
    assert "Draft the case" in all_posted(fake_slack)


async def test_a_log_notes_picker_that_slack_refuses_is_told_on_home(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    home = await open_home(slack, fake_slack, ALICE)
    fake_slack.fail_next("views.open", error="expired_trigger_id")
    await slack.click(find_button(home, "Log notes"), home, user_id=ALICE)
    await bot.background.drain(5)
    assert "couldn't open the notes form" in block_texts(home_of(fake_slack, ALICE))
