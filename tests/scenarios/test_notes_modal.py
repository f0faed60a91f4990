"""The Log notes and End modals reject bad input inline, whatever a client sends; the builders
stay within Block Kit's limits."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers import ids
from handlers.blocks.notes import (
    NotesTarget,
    build_notes_modal,
    notes_metadata,
    parse_notes_submission,
)
from handlers.blocks.plans import build_checkin_ask
from playground.fakeslack import (
    ALICE,
    BOB,
    CAROL,
    FakeSlack,
    SlackSender,
    check_message,
    find_button,
)
from storage.models import ActionItem, Checkin
from tests.flows import booked, dm_with, errors_of, met, opened_modal

# CLOCK_START is Tue 2026-03-10 15:00 UTC: 11:00 that day in New York, where Bob is.
YESTERDAY = date(2026, 3, 9)
TODAY = date(2026, 3, 10)


def text(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def picked(value: str | None) -> dict[str, Any]:
    option = (
        None if value is None else {"value": value, "text": {"type": "plain_text", "text": value}}
    )
    return {"type": "static_select", "selected_option": option}


def when(day: date | str | None) -> dict[str, Any]:
    raw = day.isoformat() if isinstance(day, date) else day
    return {"type": "datepicker", "selected_date": raw}


def state(
    body: str = "",
    items: dict[int, tuple[str | None, str | None, Any]] | None = None,
    what_next: str | None = "done",
) -> dict[str, Any]:
    """view.state.values as a (possibly hostile) client could send them."""
    values: dict[str, Any] = {ids.NOTES_BODY_BLOCK: {ids.NOTES_BODY_ACTION: text(body)}}
    for position, (item_text, owner, due) in (items or {}).items():
        values[ids.ITEM_TEXT_BLOCK.format(position)] = {ids.ITEM_TEXT_ACTION: text(item_text)}
        values[ids.ITEM_OWNER_BLOCK.format(position)] = {ids.ITEM_OWNER_ACTION: picked(owner)}
        values[ids.ITEM_DUE_BLOCK.format(position)] = {ids.ITEM_DUE_ACTION: when(due)}
    radio = None if what_next is None else {"value": what_next}
    values[ids.WHAT_NEXT_BLOCK] = {
        ids.WHAT_NEXT_ACTION: {"type": "radio_buttons", "selected_option": radio}
    }
    return values


async def opened_notes(slack: SlackSender, fake: FakeSlack, bot: Runtime) -> dict[str, Any]:
    await met(bot, mentor=BOB, mentee=ALICE)
    listed = await slack.command(f"notes <@{ALICE}>", user_id=BOB)
    await slack.click(find_button(listed.body, "Log notes"), listed.body, user_id=BOB)
    view = opened_modal(fake)
    assert view["callback_id"] == ids.NOTES_MODAL
    return view


async def test_every_field_rejects_bad_input_inline(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    view = await opened_notes(slack, fake, bot)
    item = ids.ITEM_TEXT_BLOCK.format
    owner = ids.ITEM_OWNER_BLOCK.format
    due = ids.ITEM_DUE_BLOCK.format
    cases: list[tuple[dict[str, Any], dict[str, str]]] = [
        (state(body="x" * 3001), {ids.NOTES_BODY_BLOCK: "at most 3000"}),
        (state(items={1: ("y" * 301, "them", None)}), {item(1): "at most 300"}),
        (state(items={2: ("Ship it", "them", YESTERDAY)}), {due(2): "has passed"}),
        (state(items={3: (None, "me", None)}), {owner(3): "Write the step first"}),
        (state(items={4: ("", None, TODAY)}), {due(4): "Write the step first"}),
        (state(items={5: ("Ship it", None, None)}), {owner(5): "Pick who"}),
        (state(items={1: ("Ship it", "boss", None)}), {owner(1): "Pick who"}),
        (state(items={1: ("Ship it", "me", "not-a-date")}), {due(1): "I can read"}),
        (state(what_next="forever"), {ids.WHAT_NEXT_BLOCK: "Pick what happens next"}),
    ]
    for values, expected in cases:
        errors = errors_of(await slack.view_submission(view, state=values, user_id=BOB))
        assert errors.keys() == expected.keys(), (expected, errors)
        for block_id, words in expected.items():
            assert words in errors[block_id]
    broken = await slack.view_submission(view, state=state(), user_id=BOB, private_metadata="{")
    assert "broken" in errors_of(broken)[ids.NOTES_BODY_BLOCK]
    to_self = notes_metadata(NotesTarget(BOB))
    reply = await slack.view_submission(view, state=state(), user_id=BOB, private_metadata=to_self)
    assert "someone else" in errors_of(reply)[ids.NOTES_BODY_BLOCK]
    # Due today is fine, in the author's own time zone; nothing was stored before this.
    assert await bot.store.items_between("T0001", BOB, ALICE, 5) == ([], 0)
    good = state(items={1: ("Ship it", "them", TODAY)})
    assert not (await slack.view_submission(view, state=good, user_id=BOB)).body


async def test_a_session_note_is_only_for_its_participants(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    session = await booked(slack, fake, bot)
    clock.advance(days=1)
    confirmation = dm_with(fake, BOB, "You're booked")
    log_button = find_button(confirmation, "Log notes")
    await slack.click(log_button, confirmation, user_id=BOB)
    view = opened_modal(fake)
    # Carol replays Bob's form with the session's ids: refused, nothing stored.
    reply = await slack.view_submission(view, state=state(body="hi"), user_id=CAROL)
    assert "isn't yours" in errors_of(reply)[ids.NOTES_BODY_BLOCK]
    assert not await bot.store.session_has_notes("T0001", session.id)
    assert not (await slack.view_submission(view, state=state(body="hi"), user_id=BOB)).body
    assert await bot.store.session_has_notes("T0001", session.id)
    # Log notes again on the same session reopens the same notes for editing.
    await slack.click(log_button, confirmation, user_id=BOB)
    assert opened_modal(fake)["title"]["text"] == "Edit notes"


async def test_the_end_note_is_bounded(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    view = await opened_notes(slack, fake, bot)
    await slack.view_submission(view, {"What next?": "ongoing_weekly"}, user_id=BOB)
    await bot.background.drain(5)
    listed = await slack.command(f"notes <@{ALICE}>", user_id=BOB)
    await slack.click(find_button(listed.body, "End"), listed.body, user_id=BOB)
    end = opened_modal(fake)
    long_note = {ids.END_NOTE_BLOCK: {ids.END_NOTE_ACTION: text("z" * 1001)}}
    reply = await slack.view_submission(end, state=long_note, user_id=BOB)
    assert "at most 1000" in errors_of(reply)[ids.END_NOTE_BLOCK]
    reply = await slack.view_submission(end, state={}, user_id=CAROL)
    assert "isn't yours" in errors_of(reply)[ids.END_NOTE_BLOCK]


def test_the_modal_fits_block_kit() -> None:
    view = build_notes_modal(NotesTarget(ALICE, session_id=7, note_id=9), author_id=BOB)
    assert len(view["blocks"]) <= 100
    assert len(view["title"]["text"]) <= 24
    assert len(view["private_metadata"]) < 100
    assert "body" not in view["private_metadata"]


def test_an_overdue_step_keeps_its_date_when_the_notes_are_edited() -> None:
    due_block = ids.ITEM_DUE_BLOCK.format(1)
    datepicker = {"type": "datepicker", "action_id": ids.ITEM_DUE_ACTION}
    blocks = [{"type": "input", "block_id": due_block, "element": {**datepicker}}]
    blocks[0]["element"]["initial_date"] = YESTERDAY.isoformat()  # saved before it went overdue
    kept = {"blocks": blocks, "state": {"values": state(items={1: ("Step", "me", YESTERDAY)})}}
    form, errors = parse_notes_submission(kept, TODAY)
    assert errors == {}
    assert form is not None
    earlier = date(2026, 3, 1)  # a different date in the past is still refused
    moved = {"blocks": blocks, "state": {"values": state(items={1: ("Step", "me", earlier)})}}
    assert due_block in parse_notes_submission(moved, TODAY)[1]


def test_a_check_in_shows_every_open_step_however_long() -> None:
    steps = [
        ActionItem.from_row(
            {
                "id": n,
                "team_id": "T1",
                "mentor_id": BOB,
                "mentee_id": ALICE,
                "owner_id": ALICE,
                "position": n,
                "text": "<&>" * 100,
                "created_at": "2026-03-10T15:00:00.000000Z",
                "updated_at": "2026-03-10T15:00:00.000000Z",
            }
        )
        for n in range(1, 6)
    ]
    checkin = Checkin.from_row(
        {"id": 1, "team_id": "T1", "mentor_id": BOB, "mentee_id": ALICE,
         "due_at": "2026-03-24T15:00:00.000000Z", "created_at": "2026-03-10T15:00:00.000000Z"}
    )  # fmt: skip
    message = build_checkin_ask(checkin, steps, outbox_id=7)
    check_message(message["text"], message["blocks"])
    shown = [b for b in message["blocks"] if b["type"] == "section" and "&lt;&amp;&gt;" in str(b)]
    assert len(shown) == 5
