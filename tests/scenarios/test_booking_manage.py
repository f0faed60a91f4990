"""After booking: reschedule, cancel by either side, Slack failures on the confirmation,
"did you meet?" answers, /mentor sessions, pool claims, wrong clickers and start_booking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers import ids
from handlers.booking.start import start_booking
from handlers.kit import Pressed
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
from storage.models import RequestStatus, SessionStatus
from storage.requests import NewRequest
from tests.conftest import deliver_due
from tests.flows import (
    DETAILS,
    NOT_YOURS,
    THU_11_NY,
    WED_10_NY,
    accepted_request,
    booked,
    dms_to,
    latest_dm,
    offer,
    opened_modal,
    outbox,
    pick_buttons,
    sessions,
    set_pool,
    submit_request,
    the_request,
    token,
    told,
)


async def test_reschedule_keeps_the_old_time_then_moves_it_and_its_reminders(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    session = await booked(slack, fake, bot, WED_10_NY)
    old_confirmation = latest_dm(fake, ALICE)
    await slack.click(find_button(old_confirmation, "Reschedule"), old_confirmation, user_id=ALICE)
    view = opened_modal(fake)
    assert view["callback_id"] == ids.PROPOSE_MODAL
    assert not (await slack.view_submission(view, {"Time 1": THU_11_NY}, user_id=ALICE)).body
    await bot.background.drain(5)
    # Until Bob picks, the old time stands, reminders included.
    [still] = await sessions(bot)
    assert still.starts_at == WED_10_NY
    assert still.status is SessionStatus.CONFIRMED
    proposal = latest_dm(fake, BOB)
    assert "would like to move your session" in block_texts(proposal)
    assert token(WED_10_NY) in block_texts(proposal)

    await slack.click(pick_buttons(proposal)[0], proposal, user_id=BOB)
    await bot.background.drain(5)
    [moved] = await sessions(bot)
    assert moved.id == session.id
    assert moved.starts_at == THU_11_NY
    assert (await the_request(bot)).status is RequestStatus.SCHEDULED
    for person in (ALICE, BOB):
        assert "moved from" in block_texts(latest_dm(fake, person))
    channel = fake.dm_channel(ALICE)
    assert channel is not None
    rewritten = fake.message(channel, old_confirmation.response["ts"])
    assert rewritten is not None
    assert "Moved to" in block_texts(rewritten)
    assert button_labels(rewritten) == []

    rows = outbox(bot)
    cancelled = [r for r in rows if r[3] == "cancelled"]
    pending = [r for r in rows if r[3] == "pending"]
    assert len(cancelled) == 3
    assert len(pending) == 3
    assert {r[2][:16] for r in pending if r[0] == "session.reminder"} == {"2026-03-12T14:45"}

    before = len(fake.calls_to("chat.postMessage"))
    clock.advance(hours=23, minutes=50)  # past the old reminder time
    await deliver_due(bot)
    assert len(fake.calls_to("chat.postMessage")) == before
    clock.advance(days=1)
    await deliver_due(bot)
    assert "In " in block_texts(latest_dm(fake, ALICE))


async def test_the_mentor_cancels_with_a_reason_and_no_reminder_follows(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await booked(slack, fake, bot)
    confirmation = latest_dm(fake, BOB)
    await slack.click(find_button(confirmation, "Cancel"), confirmation, user_id=CAROL)
    assert told(fake)[-1] == NOT_YOURS
    await slack.click(find_button(confirmation, "Cancel"), confirmation, user_id=BOB)
    view = opened_modal(fake)
    assert view["callback_id"] == ids.SESSION_CANCEL_MODAL
    reason = "Sorry, <!channel> a clash came up"
    reply = await slack.view_submission(
        view, {"Anything you'd like to tell them?": reason}, user_id=BOB
    )
    assert not reply.body
    await bot.background.drain(5)
    [session] = await sessions(bot)
    assert session.status is SessionStatus.CANCELLED
    assert session.cancelled_by == BOB
    assert (await the_request(bot)).status is RequestStatus.ACCEPTED
    notice = block_texts(latest_dm(fake, ALICE))
    assert f"<@{BOB}> cancelled your session" in notice
    assert "&lt;!channel&gt; a clash came up" in notice
    assert "<!channel>" not in notice
    assert {r[3] for r in outbox(bot)} == {"cancelled"}
    # The request offers booking again; a second cancel changes nothing.
    reply = await slack.view_submission(view, {}, user_id=BOB)
    assert "cancelled" in reply.body["errors"][ids.CANCEL_REASON_BLOCK]

    before = len(fake.calls_to("chat.postMessage"))
    clock.advance(days=2)
    await deliver_due(bot)
    assert len(fake.calls_to("chat.postMessage")) == before


async def test_the_mentee_cancels_and_the_mentor_can_offer_again(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await booked(slack, fake, bot)
    confirmation = latest_dm(fake, ALICE)
    await slack.click(find_button(confirmation, "Cancel"), confirmation, user_id=ALICE)
    await slack.view_submission(opened_modal(fake), {}, user_id=ALICE)
    await bot.background.drain(5)
    notice = latest_dm(fake, BOB)
    assert f"<@{ALICE}> cancelled" in block_texts(notice)
    assert button_labels(notice) == ["Offer new times"]
    await slack.click(find_button(notice, "Offer new times"), notice, user_id=BOB)
    reply = await slack.view_submission(opened_modal(fake), {"Time 1": THU_11_NY}, user_id=BOB)
    assert not reply.body
    await bot.background.drain(5)
    assert token(THU_11_NY) in block_texts(latest_dm(fake, ALICE))


async def test_a_refused_confirmation_is_retried_through_the_outbox(
    clocked_slack: SlackSender,
    fake_slack: FakeSlack,
    clocked_bot: Runtime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await accepted_request(slack, fake, bot)
    await offer(slack, fake, bot, {"Time 1": WED_10_NY})
    slots = latest_dm(fake, ALICE)
    # The first confirmation (Bob's) meets a 500 on every try; the .ics upload has no scope.
    fake.fail_next("chat.postMessage", status=500, times=3)
    fake.fail_next("files.getUploadURLExternal", error="missing_scope", times=5)
    await slack.click(pick_buttons(slots)[0], slots, user_id=ALICE)
    await bot.background.drain(10)
    [session] = await sessions(bot)
    assert session.status is SessionStatus.CONFIRMED
    assert "You're booked" in block_texts(latest_dm(fake, ALICE))  # the link alone is enough
    assert "could not upload the .ics" in caplog.text
    assert session.mentor_dm_ts is None
    assert [(r[0], r[1], r[3]) for r in outbox(bot) if r[0] == "session.confirmation"] == [
        ("session.confirmation", BOB, "pending")
    ]

    await deliver_due(bot)
    assert "You're booked" in block_texts(latest_dm(fake, BOB))
    [session] = await sessions(bot)
    assert session.mentor_dm_ts is not None

    fake.fail_next("chat.postMessage", status=429, times=3)
    await deliver_due(bot)  # nothing left to send: no error, no duplicate
    assert len([c for c in dms_to(fake, BOB) if c.ok and "booked" in str(c.args["text"])]) == 1


async def did_you_meet(
    slack: SlackSender, fake: FakeSlack, bot: Runtime, clock: FrozenClock
) -> dict[str, Any]:
    """A session booked, held and over: the mentor's "Did you meet?" DM."""
    await booked(slack, fake, bot)
    clock.advance(days=1, hours=1)
    await deliver_due(bot)
    ask = latest_dm(fake, BOB)
    assert "Did you meet" in block_texts(ask)
    return ask


async def test_did_not_happen_and_we_rescheduled(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    ask = await did_you_meet(slack, fake, bot, clock)
    held, moved = find_button(ask, "Yes — log notes"), find_button(ask, "We rescheduled")
    for label in ("We rescheduled", "It didn't happen"):
        await slack.click(find_button(ask, label), ask, user_id=CAROL)
        assert told(fake)[-1] == NOT_YOURS
    await slack.click(find_button(ask, "It didn't happen"), ask, user_id=BOB)
    await bot.background.drain(5)
    [session] = await sessions(bot)
    assert session.status is SessionStatus.DID_NOT_HAPPEN
    assert (await the_request(bot)).status is RequestStatus.ACCEPTED
    replaced = [c for c in fake.calls_to("response_url") if c.args.get("replace_original")]
    assert "it didn't happen" in str(replaced[-1].args["text"])
    await slack.click(held, ask, user_id=BOB)
    assert "marked as not having happened" in told(fake)[-1]
    await slack.click(moved, ask, user_id=BOB)
    assert "marked as not having happened" in told(fake)[-1]


async def test_we_rescheduled_after_the_session_leaves_no_booking_in_the_past(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    ask = await did_you_meet(slack, fake, bot, clock)
    await slack.click(find_button(ask, "We rescheduled"), ask, user_id=BOB)
    assert opened_modal(fake)["callback_id"] == ids.OFFER_MODAL
    await bot.background.drain(5)
    # The old time is gone: the request waits for the new one, and Bob's Home offers times
    # even if he closes the form now.
    [session] = await sessions(bot)
    assert session.status is SessionStatus.DID_NOT_HAPPEN
    assert (await the_request(bot)).status is RequestStatus.ACCEPTED
    replaced = [c for c in fake.calls_to("response_url") if c.args.get("replace_original")]
    assert "you rescheduled" in str(replaced[-1].args["text"])
    assert button_labels(replaced[-1].args) == ["Offer times"]


async def test_log_notes_on_the_confirmation_is_the_mentors(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await booked(slack, fake, bot)
    confirmation = latest_dm(fake, BOB)
    button = find_button(confirmation, "Log notes")
    await slack.click(button, confirmation, user_id=ALICE)
    assert told(fake)[-1] == NOT_YOURS
    await slack.click(button, confirmation, user_id=BOB)  # before it starts: not held
    [session] = await sessions(bot)
    assert session.status is SessionStatus.CONFIRMED
    clock.advance(days=1)
    await slack.click(button, confirmation, user_id=BOB)
    await bot.background.drain(5)
    [session] = await sessions(bot)
    assert session.status is SessionStatus.COMPLETED
    clock.advance(hours=2)
    before = len(fake.calls_to("chat.postMessage"))
    await deliver_due(bot)  # no "did you meet?" once it's recorded as held
    assert len(fake.calls_to("chat.postMessage")) == before


async def test_strangers_change_nothing(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await booked(slack, fake, bot)
    opened = len(fake.calls_to("views.open"))
    for person in (ALICE, BOB):
        confirmation = latest_dm(fake, person)
        for label in button_labels(confirmation):
            await slack.click(find_button(confirmation, label), confirmation, user_id=CAROL)
            assert told(fake)[-1] == NOT_YOURS, label
    request_id = str((await the_request(bot)).id)
    for action in (ids.OFFER_TIMES, ids.SLOTS_NONE_WORK, ids.SESSION_HELD, ids.SESSION_MISSED):
        await slack.block_action(action, request_id, user_id=CAROL)
        assert told(fake)[-1] == NOT_YOURS, action
    await slack.block_action(ids.SLOT_PICK, "1", user_id=CAROL)
    assert told(fake)[-1] == NOT_YOURS
    await slack.block_action(ids.SESSION_CANCEL, "not-a-number", user_id=CAROL)
    assert "broken" in told(fake)[-1]
    assert len(fake.calls_to("views.open")) == opened
    [session] = await sessions(bot)
    assert session.status is SessionStatus.CONFIRMED


async def test_mentor_sessions_lists_upcoming_ones_with_their_buttons(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    reply = await slack.command("sessions", user_id=ALICE)
    assert "no upcoming sessions" in reply.body["text"]
    await booked(slack, fake, bot)
    reply = await slack.command("sessions", user_id=ALICE)
    assert token(WED_10_NY) in block_texts(reply.body)
    assert button_labels(reply.body) == ["Reschedule", "Cancel"]
    reply = await slack.command("sessions", user_id=CAROL)
    assert "no upcoming sessions" in reply.body["text"]

    # Many sessions: the list stops at ten and says how many more there are.
    now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    for day in range(1, 13):
        request = await bot.store.create_request(
            NewRequest(
                team_id=TEAM_ID,
                mentee_id=CAROL,
                mentor_id=ALICE,
                topic="skills",
                details=DETAILS,
                source="command",
            ),
            now,
        )
        await bot.store.accept_request(TEAM_ID, request.id, ALICE, now)
        [slot] = await bot.store.offer_slots(
            TEAM_ID, request.id, "mentor", [now + timedelta(days=day)], 30, now
        )
        assert await bot.store.pick_slot(TEAM_ID, slot.id, (ALICE, CAROL), now)
    reply = await slack.command("sessions", user_id=ALICE)
    assert "and 3 more" in block_texts(reply.body)
    assert len(button_labels(reply.body)) == 20
    listed = reply.body
    actions = [listed["blocks"][2]]
    await slack.click(find_button(actions, "Cancel"), listed["blocks"], user_id=ALICE)
    assert opened_modal(fake)["callback_id"] == ids.SESSION_CANCEL_MODAL
    help_text = block_texts((await slack.command("help")).body)
    assert "/mentor sessions" in help_text


async def test_a_claimed_pool_request_is_booked_by_its_claimer(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await set_pool(bot)
    await slack.command("ask", user_id=ALICE)
    await submit_request(
        slack, fake, {"What is it about?": "Career path", "What's on your mind?": DETAILS}
    )
    await bot.background.drain(5)
    post = next(c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == "C0POOL")
    await slack.click(find_button(post, "I can help"), post, user_id=CAROL)
    shown = {**fake.messages("C0POOL")[0], "channel": "C0POOL"}
    assert button_labels(shown) == ["Offer times", "Release"]
    await slack.click(find_button(shown, "Offer times"), shown, user_id=BOB)
    assert told(fake)[-1] == NOT_YOURS
    anyway = {"Time 1": WED_10_NY, "Outside your office hours?": ids.OUTSIDE_HOURS_VALUE}
    reply = await offer(slack, fake, bot, anyway, mentor=CAROL, source=shown)
    assert not reply.body
    slots = latest_dm(fake, ALICE)
    await slack.click(pick_buttons(slots)[0], slots, user_id=ALICE)
    await bot.background.drain(5)
    [session] = await sessions(bot)
    assert (session.mentor_id, session.mentee_id) == (CAROL, ALICE)
    assert (await the_request(bot)).status is RequestStatus.SCHEDULED


async def test_start_booking_opens_the_right_modal_or_refuses(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    bot = clocked_bot
    now = clock.now()
    request = await bot.store.create_request(
        NewRequest(
            team_id=TEAM_ID,
            mentee_id=ALICE,
            mentor_id=BOB,
            topic="skills",
            details=DETAILS,
            source="intro",
        ),
        now,
    )

    async def start(user_id: str) -> str | None:
        trigger_id = clocked_slack.new_trigger_id()
        pressed = Pressed(
            user_id=user_id, team_id=TEAM_ID, target_id=request.id, trigger_id=trigger_id
        )
        return await start_booking(bot.client, bot.store, pressed, request.id)

    assert "hasn't been accepted" in str(await start(BOB))
    await bot.store.accept_request(TEAM_ID, request.id, BOB, now)
    assert await start(CAROL) == NOT_YOURS
    assert await start(BOB) is None
    assert opened_modal(fake_slack)["callback_id"] == ids.OFFER_MODAL
    assert await start(ALICE) is None
    assert opened_modal(fake_slack)["callback_id"] == ids.PROPOSE_MODAL
    await bot.store.cancel_request(TEAM_ID, request.id, ALICE, now)
    assert "cancelled" in str(await start(BOB))
