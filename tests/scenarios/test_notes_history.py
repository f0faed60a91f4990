"""`/mentor notes @someone`: each person sees only their own private notes (both participants
and a third user are checked), shared items with status, pages, editing, and App Home Done."""

from __future__ import annotations

from datetime import date, timedelta

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers import ids
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
from storage.notes import ItemDraft, NoteDraft
from tests.conftest import deliver_due, deliver_soon
from tests.flows import (
    NASTY,
    NASTY_SHOWN,
    NOT_YOURS,
    all_posted,
    dms_to,
    home_of,
    log_notes,
    notes_about,
    open_home,
    opened_modal,
    told,
)

BOB_SECRET = f"Bob private {NASTY}"
ALICE_SECRET = "Alice private: I was nervous"


async def both_logged(slack: SlackSender, fake: FakeSlack, bot: Runtime) -> None:
    """Bob and Alice each log their own notes about the other, each with one step."""
    await notes_about(
        slack,
        fake,
        bot,
        {"Private notes": BOB_SECRET, "Step 1": "Alice: write the doc", "Step 1: who": "Them"},
        author=BOB,
        other=ALICE,
    )
    await notes_about(
        slack,
        fake,
        bot,
        {"Private notes": ALICE_SECRET, "Step 1": "Bob: send the link", "Step 1: who": "Them"},
        author=ALICE,
        other=BOB,
    )


async def test_each_person_sees_only_their_own_notes_and_a_third_sees_none(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await both_logged(slack, fake, bot)

    bobs = block_texts((await slack.command(f"notes <@{ALICE}>", user_id=BOB)).body)
    assert f"Bob private {NASTY_SHOWN}" in bobs
    assert "nervous" not in bobs
    assert "Alice: write the doc" in bobs
    assert "Bob: send the link" in bobs

    alices = block_texts((await slack.command(f"notes <@{BOB}>", user_id=ALICE)).body)
    assert "nervous" in alices
    assert "Bob private" not in alices
    assert "Alice: write the doc" in alices

    for about in (ALICE, BOB):
        carols = block_texts((await slack.command(f"notes <@{about}>", user_id=CAROL)).body)
        assert "private" not in carols.replace("Your private notes", "")
        assert "nervous" not in carols
        assert "write the doc" not in carols
        assert "No sessions" in carols

    # Neither private text was ever posted anywhere (the replies above are ack bodies).
    assert "nervous" not in all_posted(fake)
    assert "Bob private" not in all_posted(fake)


async def test_arguments_help_and_paging(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, bot = clocked_slack, clocked_bot
    assert "Name the person" in (await slack.command("notes", user_id=BOB)).body["text"]
    assert "someone else" in (await slack.command(f"notes <@{BOB}>", user_id=BOB)).body["text"]
    bad_page = await slack.command(f"notes <@{ALICE}> lots", user_id=BOB)
    assert "page number from 1" in bad_page.body["text"]
    assert "/mentor notes @someone" in block_texts((await slack.command("help")).body)

    for n in range(12):
        items = (ItemDraft(position=1, text=f"step {n}", owner_id=ALICE),)
        draft = NoteDraft(
            team_id=TEAM_ID, author_id=BOB, subject_id=ALICE, body=f"note {n:02d}", items=items
        )
        await bot.store.save_note(draft, clock.now() + timedelta(minutes=n))
    first = await slack.command(f"notes <@{ALICE}>", user_id=BOB)
    assert len(first.body["blocks"]) <= 50
    shown = block_texts(first.body)
    assert "page 1 of 3" in shown
    assert "note 11" in shown  # newest first
    assert "note 06" not in shown
    assert button_labels(first.body).count("Edit") == 5
    assert "Next page" in button_labels(first.body)
    await slack.click(find_button(first.body, "Next page"), first.body, user_id=BOB)
    page_two = fake_slack.calls_to("response_url")[-1].args
    assert page_two["replace_original"]
    assert "note 06" in block_texts(page_two)
    assert "page 2 of 3" in block_texts(page_two)
    third = await slack.command(f"notes <@{ALICE}> 3", user_id=BOB)
    assert "note 00" in block_texts(third.body)
    assert "First page" in button_labels(third.body)
    assert "Next page" not in button_labels(third.body)
    too_far = await slack.command(f"notes <@{ALICE}> 4", user_id=BOB)
    assert "only 3 page" in too_far.body["text"]
    # Alice's view of Bob has 12 shared items over two pages, and none of his notes.
    alices = await slack.command(f"notes <@{BOB}>", user_id=ALICE)
    assert "page 1 of 2" in block_texts(alices.body)
    assert "note 0" not in block_texts(alices.body)


async def test_the_author_edits_notes_and_the_other_gets_the_updated_plan(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await both_logged(slack, fake, bot)
    clock.advance(minutes=5)  # the edit comes later (a plan's words are keyed by when saved)
    listed = (await slack.command(f"notes <@{ALICE}>", user_id=BOB)).body
    edit = find_button(listed, "Edit")
    await slack.click(edit, listed, user_id=ALICE)  # Bob's note is not hers to open
    assert "can't find" in told(fake)[-1]
    await slack.click(edit, listed, user_id=BOB)
    view = opened_modal(fake)
    assert view["title"]["text"] == "Edit notes"
    body = next(b for b in view["blocks"] if b.get("block_id") == ids.NOTES_BODY_BLOCK)
    assert body["element"]["initial_value"] == BOB_SECRET
    due = date(2026, 3, 13)
    reply = await log_notes(
        slack,
        fake,
        bot,
        {"Step 1": "Alice: write the doc, short", "Step 1: due": due, "Step 2": "Bob: intro"},
        user_id=BOB,
    )
    assert reply.body["errors"] == {ids.ITEM_OWNER_BLOCK.format(2): "Pick who will do this step."}
    reply = await slack.view_submission(
        view,
        {
            "Step 1": "Alice: write the doc, short",
            "Step 1: due": due,
            "Step 2": "Bob: intro",
            "Step 2: who": "Me",
        },
        user_id=BOB,
    )
    assert not reply.body
    await deliver_soon(bot)  # the plan DMs go through the outbox
    updated = dms_to(fake, ALICE)[-1]
    assert f"<@{BOB}> updated your shared action plan" in block_texts(updated)
    assert "write the doc, short" in block_texts(updated)
    _, total = await bot.store.items_between(TEAM_ID, BOB, ALICE, 10)
    assert total == 3  # Bob's two (edited in place) and Alice's one
    listed = block_texts((await slack.command(f"notes <@{ALICE}>", user_id=BOB)).body)
    assert "nervous" not in listed
    assert listed.count("Bob private") == 1  # edited, not duplicated

    # The edited due date nudges on Friday.
    clock.advance(days=3)
    await deliver_due(bot)
    assert "is due" in block_texts(dms_to(fake, ALICE)[-1])


async def test_app_home_done_is_for_the_owner_only(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await both_logged(slack, fake, bot)
    home = await open_home(slack, fake, ALICE)
    assert "Alice: write the doc" in block_texts(home)
    done = next(b for b in all_buttons(home) if b["action_id"] == ids.HOME_ITEM_DONE)
    await slack.click(done, home, user_id=BOB)
    await bot.background.drain(5)
    assert NOT_YOURS in block_texts(home_of(fake, BOB))
    [open_item], _ = await bot.store.items_between(TEAM_ID, ALICE, BOB, 1)
    assert open_item.done_at is None
    await slack.click(done, home, user_id=ALICE)
    await bot.background.drain(5)
    after = block_texts(home_of(fake, ALICE))
    assert "Done: Alice: write the doc" in after
    items, _ = await bot.store.items_between(TEAM_ID, ALICE, BOB, 10)
    assert [i.done_at is not None for i in items if i.owner_id == ALICE] == [True]
    await slack.click(done, home, user_id=ALICE)
    await bot.background.drain(5)
    assert "already done" in block_texts(home_of(fake, ALICE))
