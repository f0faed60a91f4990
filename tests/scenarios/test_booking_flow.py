"""Booking time end to end: ask, accept, offer times, pick, confirmations, reminders and
"did you meet?", on a frozen clock with signed requests and the fake Slack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers import ids
from playground.fakeslack import (
    ALICE,
    BOB,
    CAROL,
    FakeSlack,
    SlackSender,
    block_texts,
    button_labels,
    find_button,
)
from storage.models import RequestStatus, SessionStatus
from tests.conftest import deliver_due
from tests.flows import (
    NOT_YOURS,
    THU_11_NY,
    WED_10_NY,
    accepted_request,
    booked,
    errors_of,
    first_message,
    latest_dm,
    offer,
    opened_modal,
    outbox,
    pick_buttons,
    sessions,
    the_request,
    token,
    told,
)


async def test_ask_accept_offer_pick_confirm_remind_and_follow_up(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    mentor_dm = await accepted_request(slack, fake, bot)
    assert button_labels(mentor_dm) == ["Offer times"]

    reply = await offer(slack, fake, bot, {"Time 1": WED_10_NY, "Time 2": THU_11_NY})
    assert reply.status == 200
    assert not reply.body
    slots = latest_dm(fake, ALICE)
    texts = block_texts(slots)
    assert token(WED_10_NY) in texts
    assert token(THU_11_NY) in texts
    assert "2026-03-11 14:00 UTC" in texts  # the fallback for clients that can't localise
    assert button_labels(slots) == ["Pick this time", "Pick this time", "None of these work"]
    assert "sent" in latest_dm(fake, BOB).args["text"]

    first, second = pick_buttons(slots)
    await slack.click(first, slots, user_id=CAROL)
    assert told(fake)[-1] == NOT_YOURS
    await slack.click(first, slots, user_id=ALICE)
    await bot.background.drain(5)
    assert (await the_request(bot)).status is RequestStatus.SCHEDULED
    [session] = await sessions(bot)
    assert session.status is SessionStatus.CONFIRMED
    assert session.starts_at == WED_10_NY

    for person, other in ((BOB, ALICE), (ALICE, BOB)):
        confirmation = latest_dm(fake, person)
        text = block_texts(confirmation)
        assert "You're booked" in text
        assert token(WED_10_NY) in text
        assert "30 minutes" in text
        assert "Career path" in text
        assert f"<@{other}>" in text
        assert "calendar.google.com/calendar/render?action=TEMPLATE" in str(confirmation.args)
        assert "20260311T140000Z%2F20260311T143000Z" in str(confirmation.args)
    assert button_labels(latest_dm(fake, BOB)) == ["Log notes", "Reschedule", "Cancel"]
    assert button_labels(latest_dm(fake, ALICE)) == ["Reschedule", "Cancel"]
    ics = [u for u in fake.uploads.values() if u.filename.endswith(".ics")]
    assert len(ics) == 2
    assert all(u.data and u.data.startswith(b"BEGIN:VCALENDAR\r\n") for u in ics)
    assert {c for u in ics for c in u.channels} == {fake.dm_channel(ALICE), fake.dm_channel(BOB)}
    # The mentor's request DM now says it's booked, with no Offer times left.
    assert button_labels(first_message(fake, BOB)) == []

    # A second pick, on the other time, changes nothing and says why.
    await slack.click(second, slots, user_id=ALICE)
    assert "already booked" in told(fake)[-1]
    assert [s.starts_at for s in await sessions(bot)] == [WED_10_NY]

    rows = outbox(bot)
    assert sorted((r[0], r[1], r[3]) for r in rows) == [
        ("session.did_you_meet", BOB, "pending"),
        ("session.reminder", ALICE, "pending"),
        ("session.reminder", BOB, "pending"),
    ]
    sent_before = len(fake.calls_to("chat.postMessage"))
    clock.advance(hours=22, minutes=44)  # 14:44 UTC, a minute before the reminder
    await deliver_due(bot)
    assert len(fake.calls_to("chat.postMessage")) == sent_before
    clock.advance(minutes=1)
    await deliver_due(bot)
    for person, other in ((BOB, ALICE), (ALICE, BOB)):
        reminder = block_texts(latest_dm(fake, person))
        assert "In 15 minutes" in reminder
        assert f"<@{other}>" in reminder

    clock.advance(minutes=15 + 30 + 30)  # the end, plus 30 minutes
    await deliver_due(bot)
    ask = latest_dm(fake, BOB)
    assert button_labels(ask) == ["Yes — log notes", "We rescheduled", "It didn't happen"]
    assert f"Did you meet <@{ALICE}>" in block_texts(ask)
    await slack.click(find_button(ask, "Yes — log notes"), ask, user_id=ALICE)
    assert told(fake)[-1] == NOT_YOURS
    await slack.click(find_button(ask, "Yes — log notes"), ask, user_id=BOB)
    await bot.background.drain(5)
    [session] = await sessions(bot)
    assert session.status is SessionStatus.COMPLETED
    assert (await the_request(bot)).status is RequestStatus.COMPLETED
    notes_opened = [c for c in fake.calls_to("views.open") if "notes" in str(c.args).lower()]
    assert notes_opened or "recorded the session as held" in "".join(told(fake))


async def test_times_are_checked_inline(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await booked(slack, fake, bot, WED_10_NY)
    # A second request from Carol to Bob: his first session now blocks overlapping times.
    where = await accepted_request(slack, fake, bot, mentee=CAROL)
    past = clock.now() - timedelta(minutes=5)
    far = clock.now() + timedelta(days=61)
    reply = await offer(slack, fake, bot, {"Time 1": past, "Time 2": far}, source=where)
    errors = errors_of(reply)
    assert "passed" in errors["booking_slot_1"]
    assert "60 days" in errors["booking_slot_2"]

    view = opened_modal(fake)
    overlap = WED_10_NY + timedelta(minutes=20)
    reply = await slack.view_submission(view, {"Time 1": overlap, "Time 2": overlap}, user_id=BOB)
    errors = errors_of(reply)
    assert "overlaps a session you already booked" in errors["booking_slot_1"]
    assert "Wed 11 Mar, 10:00 to 10:30" in errors["booking_slot_1"]  # in Bob's New York time
    assert "twice" in errors["booking_slot_2"]

    reply = await slack.view_submission(view, {}, user_id=BOB)
    assert "at least one time" in errors_of(reply)["booking_slot_1"]
    both = {"Time 1": THU_11_NY, "Or talk now?": ids.TALK_NOW_VALUE}
    reply = await slack.view_submission(view, both, user_id=BOB)
    assert "not both" in errors_of(reply)[ids.TALK_NOW_BLOCK]
    # Right after a session, back to back, is fine.
    reply = await slack.view_submission(
        view, {"Time 1": WED_10_NY + timedelta(minutes=30)}, user_id=BOB
    )
    assert not reply.body
    assert len(await sessions(bot)) == 1


async def test_berlin_mentor_la_mentee_each_see_their_own_time(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    dave = "U4"
    fake.add_user(dave, "dave", real_name="Dave Example", tz="America/Los_Angeles")
    where = await accepted_request(slack, fake, bot, mentee=dave, mentor=ALICE)
    # 17:30 UTC is 18:30 in Berlin (CET in March): outside Alice's hours, 10:30 for Dave.
    evening = datetime(2026, 3, 11, 17, 30, tzinfo=UTC)
    reply = await offer(slack, fake, bot, {"Time 1": evening}, mentor=ALICE, source=where)
    warning = errors_of(reply)["booking_slot_1"]
    assert "office hours (Mon-Fri 09:00-18:00 (Europe/Berlin))" in warning

    again = {"Time 1": evening, "Outside your office hours?": ids.OUTSIDE_HOURS_VALUE}
    reply = await slack.view_submission(opened_modal(fake), again, user_id=ALICE)
    assert not reply.body
    await bot.background.drain(5)
    slots = latest_dm(fake, dave)
    assert token(evening) in block_texts(slots)
    await slack.click(pick_buttons(slots)[0], slots, user_id=dave)
    await bot.background.drain(5)
    mentor_sees, mentee_sees = (
        block_texts(latest_dm(fake, ALICE)),
        block_texts(latest_dm(fake, dave)),
    )
    # No local time is baked in: the same token renders 18:30 for Alice and 10:30 for Dave.
    assert token(evening) in mentor_sees
    assert token(evening) in mentee_sees
    assert "18:30" not in mentor_sees
    assert "10:30" not in mentee_sees
    assert "2026-03-11 17:30 UTC" in mentee_sees


async def test_none_of_these_work_then_the_mentor_picks(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await accepted_request(slack, fake, bot)
    await offer(slack, fake, bot, {"Time 1": WED_10_NY})
    slots = latest_dm(fake, ALICE)
    none = find_button(slots, "None of these work")
    await slack.click(none, slots, user_id=BOB)
    assert told(fake)[-1] == NOT_YOURS
    await slack.click(none, slots, user_id=ALICE)
    view = opened_modal(fake)
    assert view["callback_id"] == ids.PROPOSE_MODAL
    reply = await slack.view_submission(
        view, {"Time 1": WED_10_NY - timedelta(days=2)}, user_id=ALICE
    )
    assert "passed" in errors_of(reply)["booking_slot_1"]
    reply = await slack.view_submission(view, {"Time 1": THU_11_NY}, user_id=ALICE)
    assert not reply.body
    await bot.background.drain(5)

    proposals = latest_dm(fake, BOB)
    assert token(THU_11_NY) in block_texts(proposals)
    assert button_labels(proposals) == ["Pick this time", "Offer other times"]
    [pick] = pick_buttons(proposals)
    await slack.click(pick, proposals, user_id=ALICE)  # her own proposal: Bob's to pick
    assert told(fake)[-1] == NOT_YOURS
    await slack.click(pick_buttons(slots)[0], slots, user_id=ALICE)  # Bob's old time, replaced
    assert "replaced by newer ones" in told(fake)[-1]
    await slack.click(pick, proposals, user_id=BOB)
    await bot.background.drain(5)
    [session] = await sessions(bot)
    assert session.starts_at == THU_11_NY
    assert (await the_request(bot)).status is RequestStatus.SCHEDULED
    assert "You're booked" in block_texts(latest_dm(fake, ALICE))


async def test_talk_now_confirms_at_once(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await accepted_request(slack, fake, bot)
    reply = await offer(slack, fake, bot, {"Or talk now?": ids.TALK_NOW_VALUE})
    assert not reply.body
    [session] = await sessions(bot)
    assert session.talk_now
    assert session.starts_at == clock.now()
    for person in (ALICE, BOB):
        assert "huddle" in block_texts(latest_dm(fake, person))
    assert [r[0] for r in outbox(bot)] == ["session.did_you_meet"]  # no reminder for now
    assert not [u for u in fake.uploads.values() if u.filename.endswith(".ics")]
