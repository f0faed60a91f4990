"""Booking time end to end: ask, accept, offer times, pick, confirmations, reminders and
"did you meet?", on a frozen clock with signed requests and the fake Slack."""

from __future__ import annotations

import copy
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers import ids
from storage.models import Request, RequestStatus, Session, SessionStatus
from tests.conftest import deliver_due
from tests.fakeslack import (
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
from tests.test_request_flow import DETAILS, dms_to, opened_modal, submit_request

NOT_YOURS = "This isn't yours, so I didn't change anything."
# CLOCK_START is Tue 2026-03-10 15:00 UTC; New York is on EDT (UTC-4) from March 8.
WED_10_NY = datetime(2026, 3, 11, 14, 0, tzinfo=UTC)
THU_11_NY = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)


def token(at: datetime) -> str:
    """How a time appears in a DM: Slack localises it for every reader."""
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|"


def told(fake: FakeSlack) -> list[str]:
    return [str(c.args.get("text")) for c in fake.calls_to("response_url")]


def first_message(fake: FakeSlack, user_id: str) -> dict[str, Any]:
    """The bot's first DM to someone as it looks now (updates applied)."""
    channel = fake.dm_channel(user_id)
    assert channel is not None
    message = copy.deepcopy(fake.messages(channel)[0])
    message["channel"] = channel
    return message


def latest_dm(fake: FakeSlack, user_id: str) -> Any:
    return dms_to(fake, user_id)[-1]


def pick_buttons(source: Any) -> list[dict[str, Any]]:
    return [b for b in all_buttons(source) if b.get("action_id") == ids.SLOT_PICK]


async def the_request(bot: Runtime) -> Request:
    with sqlite3.connect(bot.settings.db_path) as conn:
        [(request_id,)] = conn.execute("SELECT id FROM requests").fetchall()
    request = await bot.store.get_request(TEAM_ID, request_id)
    assert request is not None
    return request


async def sessions(bot: Runtime) -> list[Session]:
    with sqlite3.connect(bot.settings.db_path) as conn:
        found = conn.execute("SELECT id FROM sessions ORDER BY id").fetchall()
    loaded = [await bot.store.get_session(TEAM_ID, row[0]) for row in found]
    return [s for s in loaded if s is not None]


def outbox(bot: Runtime, kind_prefix: str = "session.") -> list[tuple[str, str, str, str]]:
    """(kind, recipient, due_at, status) of the session rows, oldest first."""
    with sqlite3.connect(bot.settings.db_path) as conn:
        return conn.execute(
            "SELECT kind, recipient, due_at, status FROM outbox WHERE kind LIKE ? ORDER BY id",
            (kind_prefix + "%",),
        ).fetchall()


async def accepted_request(
    slack: SlackSender, fake: FakeSlack, bot: Runtime, *, mentee: str = ALICE, mentor: str = BOB
) -> dict[str, Any]:
    """`mentee` asks `mentor`, who accepts; returns the mentor's DM as it looks now."""
    await slack.command(f"ask <@{mentor}>", user_id=mentee)
    await submit_request(
        slack,
        fake,
        {"What is it about?": "Career path", "What's on your mind?": DETAILS},
        user_id=mentee,
    )
    await bot.background.drain(5)
    dm = dms_to(fake, mentor)[-1]
    await slack.click(find_button(dm, "Accept"), dm, user_id=mentor)
    channel = str(dm.response["channel"])
    now = copy.deepcopy(fake.message(channel, str(dm.response["ts"])))
    assert now is not None
    return {**now, "channel": channel}


async def offer(
    slack: SlackSender,
    fake: FakeSlack,
    bot: Runtime,
    answers: dict[str, Any],
    *,
    mentor: str = BOB,
    source: Any = None,
) -> Any:
    """The mentor clicks Offer times and submits the modal; returns the submission reply."""
    where = source or first_message(fake, mentor)
    await slack.click(find_button(where, "Offer times"), where, user_id=mentor)
    view = opened_modal(fake)
    assert view["callback_id"] == ids.OFFER_MODAL
    reply = await slack.view_submission(view, answers, user_id=mentor)
    await bot.background.drain(5)
    return reply


async def booked(
    slack: SlackSender, fake: FakeSlack, bot: Runtime, at: datetime = WED_10_NY
) -> Session:
    """Alice asks Bob, Bob offers one time, Alice picks it."""
    await accepted_request(slack, fake, bot)
    await offer(slack, fake, bot, {"Time 1": at})
    slots = latest_dm(fake, ALICE)
    await slack.click(pick_buttons(slots)[0], slots, user_id=ALICE)
    await bot.background.drain(5)
    [session] = await sessions(bot)
    return session


def errors_of(reply: Any) -> dict[str, str]:
    assert isinstance(reply.body, dict), reply.body
    assert reply.body.get("response_action") == "errors"
    return dict(reply.body["errors"])


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
