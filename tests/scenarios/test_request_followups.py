"""Timed messages about requests, end to end: nudge, escalation, re-post, expiry, snooze, stop.

The bot runs on a frozen clock; a test moves it and runs the outbox as the scheduler would.
Starting point: Tuesday 15:00 UTC, which is 16:00 for Alice (Berlin), 11:00 for Bob (New York)
and 20:30 for Carol (Kolkata).
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

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
    block_texts,
    button_labels,
    find_button,
)
from storage.directory import ProfileDraft
from storage.models import OutboxStatus, RequestStatus, SessionStatus
from tests.conftest import deliver_due
from tests.flows import (
    NOT_YOURS,
    POOL,
    WED_10_NY,
    accepted_request,
    booked,
    configure,
    dms_to,
    offer,
    open_home,
    opened_modal,
    stored_requests,
    submit_ask,
    told,
)

COORDINATOR = "U5"
SNOOZE = ["Snooze 1 day", "Snooze 1 week", "Stop these"]


def outbox(bot: Runtime) -> list[tuple[str, str, str]]:
    with sqlite3.connect(bot.settings.db_path) as conn:
        rows = conn.execute("SELECT kind, recipient, status FROM outbox ORDER BY id").fetchall()
    return [(str(kind), str(recipient), str(status)) for kind, recipient, status in rows]


def nudges(fake: FakeSlack, user_id: str) -> list[Any]:
    """The "still waiting" nudges sent so far that still show their buttons."""
    return [
        c
        for c in dms_to(fake, user_id)
        if "Stop these" in button_labels(c) and "still waiting" in str(c.args.get("text"))
    ]


def sent_nudges(bot: Runtime) -> int:
    """Nudges sent so far (a Snooze or Stop click replaces the message people see)."""
    return sum(1 for kind, _, status in outbox(bot) if (kind, status) == ("request.nudge", "sent"))


async def test_an_unanswered_request_nudges_the_mentor_once(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    clock.advance(hours=23, minutes=59)
    await deliver_due(clocked_bot)
    assert nudges(fake_slack, BOB) == []

    clock.advance(minutes=1)
    await deliver_due(clocked_bot)
    await deliver_due(clocked_bot)
    [nudge] = nudges(fake_slack, BOB)
    assert "still waiting" in block_texts(nudge)
    assert f"<@{ALICE}>" in block_texts(nudge)
    assert button_labels(nudge) == ["Accept", "Suggest someone else", "Decline", *SNOOZE]

    # The nudge's own Accept works like the original's.
    await clocked_slack.click(find_button(nudge, "Accept"), nudge, user_id=BOB)
    [request] = await stored_requests(clocked_bot)
    assert request.status is RequestStatus.ACCEPTED

    # Answered: the escalation due tomorrow renders nothing.
    clock.advance(days=1)
    await deliver_due(clocked_bot)
    assert [m for m in fake_slack.calls_to("chat.postMessage") if "hasn't answered" in str(m)] == []


async def test_no_nudge_once_the_mentor_answered(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    [dm] = dms_to(fake_slack, BOB)
    await clocked_slack.click(find_button(dm, "Accept"), dm, user_id=BOB)
    clock.advance(days=15)
    await deliver_due(clocked_bot)
    assert nudges(fake_slack, BOB) == []
    [request] = await stored_requests(clocked_bot)
    assert request.status is RequestStatus.ACCEPTED  # an accepted request never expires


async def test_escalation_posts_to_the_pool_and_tells_mentee_and_coordinators(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    fake_slack.add_user(COORDINATOR, "cora", tz="America/New_York")
    await configure(clocked_bot, clock, pool_channel_id=POOL, coordinators=(COORDINATOR,))
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)

    clock.advance(hours=48)
    await deliver_due(clocked_bot)

    [request] = await stored_requests(clocked_bot)
    assert request.status is RequestStatus.OPEN
    assert request.mentor_id is None  # open to the pool now
    [post] = fake_slack.messages(POOL)[:1]
    assert button_labels(post) == ["I can help"]
    # Bob's original DM says so, and he can still take it.
    bob_dm = fake_slack.messages(str(fake_slack.dm_channel(BOB)))[0]
    assert "open to other mentors" in block_texts(bob_dm)
    assert button_labels(bob_dm) == ["I can help"]
    # Alice hears where it went, kindly; the coordinator gets a heads-up with snooze controls.
    told_alice = [c for c in dms_to(fake_slack, ALICE) if "hasn't answered" in block_texts(c)]
    assert len(told_alice) == 1
    assert f"<#{POOL}>" in block_texts(told_alice[0])
    [heads_up] = dms_to(fake_slack, COORDINATOR)
    assert "no answer" in block_texts(heads_up)
    assert button_labels(heads_up) == SNOOZE

    # Bob takes it from his rewritten DM: the claim works, nobody else is told again.
    await clocked_slack.click(find_button(bob_dm, "I can help"), bob_dm, user_id=BOB)
    await clocked_bot.background.drain(5)
    [request] = await stored_requests(clocked_bot)
    assert request.status is RequestStatus.CLAIMED
    assert request.claimed_by == BOB
    clock.advance(days=2)
    before = len(fake_slack.calls_to("chat.postMessage"))
    await deliver_due(clocked_bot)
    assert len(fake_slack.calls_to("chat.postMessage")) == before  # no re-post: it's taken


async def test_an_unclaimed_pool_request_is_reposted_once(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    fake_slack.add_user(COORDINATOR, "cora", tz="America/New_York")
    await configure(clocked_bot, clock, pool_channel_id=POOL, coordinators=(COORDINATOR,))
    await submit_ask(clocked_slack, fake_slack, clocked_bot, None)
    [first] = fake_slack.messages(POOL)

    clock.advance(hours=24)
    await deliver_due(clocked_bot)
    repost = fake_slack.messages(POOL)
    assert len(repost) == 1  # the first post made way for the re-post
    assert repost[0]["ts"] != first["ts"]
    assert "Still looking for someone" in block_texts(repost[0])
    [request] = await stored_requests(clocked_bot)
    assert request.pool_ts == repost[0]["ts"]
    [heads_up] = dms_to(fake_slack, COORDINATOR)
    assert "hasn't been picked up" in block_texts(heads_up)

    clock.advance(hours=48)
    await deliver_due(clocked_bot)
    assert len([p for p in fake_slack.messages(POOL) if "Still looking" in block_texts(p)]) == 1

    # A claim on the re-post updates the re-post.
    await clocked_slack.click(find_button(repost[0], "I can help"), repost[0], user_id=CAROL)
    [request] = await stored_requests(clocked_bot)
    assert request.claimed_by == CAROL


async def test_an_unanswered_request_expires_kindly_and_nothing_else_is_sent(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await configure(clocked_bot, clock, pool_channel_id=POOL)
    await submit_ask(clocked_slack, fake_slack, clocked_bot, None)
    clock.advance(days=14)
    await deliver_due(clocked_bot)

    [request] = await stored_requests(clocked_bot)
    assert request.status is RequestStatus.EXPIRED
    [kind_word] = [c for c in dms_to(fake_slack, ALICE) if "didn't find a mentor" in str(c.args)]
    assert "not about your question" in block_texts(kind_word)
    clock.advance(seconds=2)  # the pool post's rewrite waits its turn: one a second per channel
    await deliver_due(clocked_bot)
    post = fake_slack.messages(POOL)[-1]
    assert "Expired" in block_texts(post)
    assert button_labels(post) == []
    statuses = {kind: status for kind, _, status in outbox(clocked_bot)}
    assert statuses["request.expire"] == OutboxStatus.SENT
    assert statuses["request.pool_repost"] == OutboxStatus.SENT


async def test_a_cancelled_request_cancels_its_timed_messages(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    confirmation = dms_to(fake_slack, ALICE)[-1]
    await clocked_slack.click(find_button(confirmation, "Cancel request"), confirmation)
    assert {status for _, _, status in outbox(clocked_bot)} == {OutboxStatus.CANCELLED}
    sent = len(fake_slack.calls_to("chat.postMessage"))
    clock.advance(days=15)
    await deliver_due(clocked_bot)
    assert len(fake_slack.calls_to("chat.postMessage")) == sent


async def test_nudges_wait_for_the_mentors_own_office_hours(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    # Bob (New York) takes requests only on Fridays, 14:00-15:00 his time.
    draft = ProfileDraft(
        team_id=TEAM_ID,
        user_id=BOB,
        tags=("career",),
        office_days=(5,),
        office_start_minute=14 * 60,
        office_end_minute=15 * 60,
    )
    await clocked_bot.store.save_profile(draft, clock.now())
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    clock.advance(hours=24)  # Wednesday 11:00 in New York
    await deliver_due(clocked_bot)
    assert nudges(fake_slack, BOB) == []
    clock.advance(days=2, hours=3)  # Friday 14:00 in New York
    await deliver_due(clocked_bot)
    assert len(nudges(fake_slack, BOB)) == 1


async def test_a_request_made_late_on_friday_goes_wider_only_after_the_mentor_was_nudged(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await configure(clocked_bot, clock, pool_channel_id=POOL)
    clock.advance(days=3, hours=5)  # Friday 16:00 for Bob
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    # The nudge (Saturday) waits for Monday 09:00; the escalation (Sunday) must not go first.
    clock.advance(days=2)
    await deliver_due(clocked_bot)
    [request] = await stored_requests(clocked_bot)
    assert request.mentor_id == BOB
    assert fake_slack.messages(POOL) == []

    clock.advance(hours=17)  # Monday 09:00 for Bob
    await deliver_due(clocked_bot)
    assert len(nudges(fake_slack, BOB)) == 1
    clock.advance(hours=23)
    await deliver_due(clocked_bot)
    assert fake_slack.messages(POOL) == []
    # A day after the nudge, as a day after the request would have been.
    clock.advance(hours=1)
    await deliver_due(clocked_bot)
    [request] = await stored_requests(clocked_bot)
    assert request.mentor_id is None
    assert button_labels(fake_slack.messages(POOL)[0]) == ["I can help"]


async def test_a_snoozing_mentor_does_not_hold_the_request_back(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await configure(clocked_bot, clock, pool_channel_id=POOL)
    await clocked_slack.command("snooze 30", user_id=BOB)
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    clock.advance(hours=48)
    await deliver_due(clocked_bot)
    [request] = await stored_requests(clocked_bot)
    assert request.mentor_id is None  # went wider on time
    assert nudges(fake_slack, BOB) == []


async def test_a_confirmation_slack_refused_comes_from_the_outbox(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    fake_slack.fail_next("conversations.open", status=500, user=ALICE, times=3)
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    assert dms_to(fake_slack, ALICE) == []
    assert len(dms_to(fake_slack, BOB)) == 1

    clock.advance(minutes=2)  # planned with the request, a minute after its delivery's row
    await deliver_due(clocked_bot)
    [confirmation] = dms_to(fake_slack, ALICE)
    assert f"<@{BOB}>" in block_texts(confirmation)
    assert button_labels(confirmation) == ["Cancel request"]
    [request] = await stored_requests(clocked_bot)
    assert request.mentee_dm_ts == confirmation.response["ts"]
    clock.advance(hours=1)
    await deliver_due(clocked_bot)
    assert len(dms_to(fake_slack, ALICE)) == 1

    await clocked_slack.click(
        find_button(confirmation, "Cancel request"), confirmation, user_id=ALICE
    )
    [request] = await stored_requests(clocked_bot)
    assert request.status is RequestStatus.CANCELLED


def book_nudges(fake: FakeSlack, user_id: str) -> list[Any]:
    return [c for c in dms_to(fake, user_id) if "no time is booked yet" in block_texts(c)]


async def test_a_taken_request_with_no_time_booked_nudges_whoever_took_it(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await accepted_request(clocked_slack, fake_slack, clocked_bot)
    clock.advance(hours=23, minutes=59)
    await deliver_due(clocked_bot)
    assert book_nudges(fake_slack, BOB) == []
    clock.advance(minutes=1)
    await deliver_due(clocked_bot)
    [nudge] = book_nudges(fake_slack, BOB)
    assert f"<@{ALICE}>" in block_texts(nudge)
    assert button_labels(nudge) == ["Offer times", *SNOOZE]
    await clocked_slack.click(find_button(nudge, "Offer times"), nudge, user_id=BOB)
    assert opened_modal(fake_slack)["callback_id"] == ids.OFFER_MODAL


async def test_no_book_nudge_once_times_are_offered(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await accepted_request(clocked_slack, fake_slack, clocked_bot)
    await offer(clocked_slack, fake_slack, clocked_bot, {"Time 1": WED_10_NY})
    clock.advance(days=2)
    await deliver_due(clocked_bot)
    assert book_nudges(fake_slack, BOB) == []


async def test_a_claimed_pool_request_with_no_time_booked_nudges_the_claimer(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await configure(clocked_bot, clock, pool_channel_id=POOL)
    await submit_ask(clocked_slack, fake_slack, clocked_bot, None)
    [post] = fake_slack.messages(POOL)[:1]
    await clocked_slack.click(find_button(post, "I can help"), post, user_id=CAROL)
    await clocked_bot.background.drain(5)
    clock.advance(days=2, hours=14)  # Friday 10:30 for Carol, in her working hours
    await deliver_due(clocked_bot)
    assert len(book_nudges(fake_slack, CAROL)) == 1
    assert book_nudges(fake_slack, BOB) == []


async def test_snooze_holds_nudges_and_brings_this_one_back(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    clock.advance(hours=24)
    await deliver_due(clocked_bot)
    [nudge] = nudges(fake_slack, BOB)

    # Only the person nudged can snooze it.
    await clocked_slack.click(find_button(nudge, "Snooze 1 day"), nudge, user_id=CAROL)
    assert told(fake_slack)[-1] == NOT_YOURS
    person = await clocked_bot.store.get_person(TEAM_ID, BOB)
    assert person is not None
    assert person.snoozed_until is None

    await clocked_slack.click(find_button(nudge, "Snooze 1 day"), nudge, user_id=BOB)
    person = await clocked_bot.store.get_person(TEAM_ID, BOB)
    assert person is not None
    assert person.snoozed_until == clock.now() + timedelta(days=1)
    answer = fake_slack.calls_to("response_url")[-1]
    assert "Snoozed" in str(answer.args.get("text"))

    clock.advance(hours=23)
    await deliver_due(clocked_bot)
    assert sent_nudges(clocked_bot) == 1
    clock.advance(hours=1)
    await deliver_due(clocked_bot)
    assert sent_nudges(clocked_bot) == 2  # the snoozed nudge came back


async def test_stop_these_mutes_that_kind_until_snooze_off(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    clock.advance(hours=24)
    await deliver_due(clocked_bot)
    [nudge] = nudges(fake_slack, BOB)
    await clocked_slack.click(find_button(nudge, "Stop these"), nudge, user_id=BOB)
    assert await clocked_bot.store.muted_kinds(TEAM_ID, BOB) == {"request.nudge"}

    # A second request to Bob: its nudge is cancelled, not sent.
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    clock.advance(hours=24)
    await deliver_due(clocked_bot)
    assert sent_nudges(clocked_bot) == 1
    assert ("request.nudge", BOB, OutboxStatus.CANCELLED) in outbox(clocked_bot)

    reply = await clocked_slack.command("snooze off", user_id=BOB)
    assert "on again" in str(reply.body)
    assert await clocked_bot.store.muted_kinds(TEAM_ID, BOB) == frozenset()


async def test_mentor_snooze_command(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    reply = await clocked_slack.command("snooze 3", user_id=BOB)
    assert "Snoozed" in str(reply.body)
    person = await clocked_bot.store.get_person(TEAM_ID, BOB)
    assert person is not None
    assert person.snoozed_until == clock.now() + timedelta(days=3)

    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    clock.advance(hours=24)
    await deliver_due(clocked_bot)
    assert nudges(fake_slack, BOB) == []  # held until the snooze ends
    clock.advance(days=2)
    await deliver_due(clocked_bot)
    assert sent_nudges(clocked_bot) == 1

    for bad in ("snooze forever", "snooze 0.5", "snooze 91"):
        reply = await clocked_slack.command(bad, user_id=BOB)
        assert "from 1 to 90" in str(reply.body)
    reply = await clocked_slack.command("snooze", user_id=CAROL)
    carol = await clocked_bot.store.get_person(TEAM_ID, CAROL)
    assert carol is not None
    assert carol.snoozed_until == clock.now() + timedelta(days=7)


async def test_with_no_pool_channel_escalation_invites_matched_mentors(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    draft = ProfileDraft(team_id=TEAM_ID, user_id=CAROL, tags=("career path",))
    await clocked_bot.store.save_profile(draft, clock.now())
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    clock.advance(hours=48)
    await deliver_due(clocked_bot)
    [invite] = dms_to(fake_slack, CAROL)
    assert button_labels(invite) == ["I can help"]
    [told_alice] = [c for c in dms_to(fake_slack, ALICE) if "hasn't answered" in block_texts(c)]
    assert f"a few mentors who know this topic (<@{CAROL}>)" in block_texts(told_alice)
    await clocked_slack.click(find_button(invite, "I can help"), invite, user_id=CAROL)
    [request] = await stored_requests(clocked_bot)
    assert request.claimed_by == CAROL


async def test_with_nowhere_else_to_go_the_request_stays_with_the_mentor(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    clock.advance(hours=48)
    await deliver_due(clocked_bot)
    [request] = await stored_requests(clocked_bot)
    assert request.mentor_id == BOB
    assert request.status is RequestStatus.OPEN
    [told_alice] = [c for c in dms_to(fake_slack, ALICE) if "hasn't answered" in block_texts(c)]
    assert "no mentor pool here yet" in block_texts(told_alice)
    assert button_labels(told_alice) == ["Cancel request"]
    # Bob can still accept from his original DM.
    dm = dms_to(fake_slack, BOB)[0]
    await clocked_slack.click(find_button(dm, "Accept"), dm, user_id=BOB)
    [request] = await stored_requests(clocked_bot)
    assert request.status is RequestStatus.ACCEPTED


async def test_cancelling_a_booked_request_cancels_its_session_and_reminders(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    session = await booked(clocked_slack, fake_slack, clocked_bot)
    [request] = await stored_requests(clocked_bot)
    assert request.status is RequestStatus.SCHEDULED
    # App Home lists the booked request with Cancel.
    home = await open_home(clocked_slack, fake_slack, ALICE)
    await clocked_slack.click(find_button(home, "Cancel"), home, user_id=ALICE)
    # Stored before the answer; only the messages wait for the background.
    cancelled = await clocked_bot.store.get_session(TEAM_ID, session.id)
    assert cancelled is not None
    assert cancelled.status is SessionStatus.CANCELLED
    pending = [row for row in outbox(clocked_bot) if row[2] == OutboxStatus.PENDING]
    assert pending == []
    await clocked_bot.background.drain(5)
    before = len(fake_slack.calls_to("chat.postMessage"))
    clock.advance(days=3)
    await deliver_due(clocked_bot)
    assert len(fake_slack.calls_to("chat.postMessage")) == before


async def test_a_request_slack_refused_is_delivered_later_from_the_outbox(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    fake_slack.fail_next("conversations.open", status=500, times=3)  # past the client's retries
    await submit_ask(clocked_slack, fake_slack, clocked_bot, BOB)
    assert dms_to(fake_slack, BOB) == []
    [told_mentee] = dms_to(fake_slack, ALICE)
    assert "keep trying" in block_texts(told_mentee)
    assert ("request.deliver", BOB, "pending") in outbox(clocked_bot)

    # Slack is still down at the first retry: the row backs off and stays pending.
    clock.advance(minutes=1)
    fake_slack.fail_next("conversations.open", status=500)
    await deliver_due(clocked_bot)
    assert dms_to(fake_slack, BOB) == []
    assert ("request.deliver", BOB, "pending") in outbox(clocked_bot)

    clock.advance(minutes=5)
    await deliver_due(clocked_bot)
    [dm] = dms_to(fake_slack, BOB)
    assert button_labels(dm) == ["Accept", "Suggest someone else", "Decline"]
    [request] = await stored_requests(clocked_bot)
    assert request.mentor_dm_ts is not None  # remembered, so its buttons update later
    assert ("request.deliver", BOB, "sent") in outbox(clocked_bot)
    await clocked_slack.click(find_button(dm, "Accept"), dm, user_id=BOB)
    [request] = await stored_requests(clocked_bot)
    assert request.status is RequestStatus.ACCEPTED


async def test_a_pool_post_slack_refused_is_posted_later(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await configure(clocked_bot, clock, pool_channel_id=POOL)
    # A passing refusal (a final one, like not_in_channel, is said at once: no retry).
    fake_slack.fail_next("chat.postMessage", status=200, error="fatal_error")
    await submit_ask(clocked_slack, fake_slack, clocked_bot, None)
    assert fake_slack.messages(POOL) == []
    clock.advance(minutes=1)
    await deliver_due(clocked_bot)
    [post] = fake_slack.messages(POOL)
    assert "I can help" in button_labels(post)
    clock.advance(minutes=5)
    await deliver_due(clocked_bot)
    assert len(fake_slack.messages(POOL)) == 1  # once only


async def test_an_expiry_note_slack_fails_on_is_sent_after_the_retry_and_the_request_expires_once(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    """The expiry is made once with its row; the note that a 500 lost is still sent."""
    await configure(clocked_bot, clock, pool_channel_id=POOL)
    await submit_ask(clocked_slack, fake_slack, clocked_bot, None)
    clock.advance(days=1)
    await deliver_due(clocked_bot)  # the 24 h re-post
    clock.advance(days=13)
    fake_slack.fail_next("chat.postMessage", status=500)
    await deliver_due(clocked_bot)
    [request] = await stored_requests(clocked_bot)
    assert request.status is RequestStatus.EXPIRED
    notes = [c for c in dms_to(fake_slack, ALICE) if "didn't find a mentor" in str(c.args)]
    assert [note.status for note in notes] == [500]
    with sqlite3.connect(clocked_bot.settings.db_path) as conn:
        [(status, applied)] = conn.execute(
            "SELECT status, applied_at IS NOT NULL FROM outbox WHERE kind = 'request.expire'"
        ).fetchall()
    assert (status, applied) == ("pending", 1)  # the change is recorded; the note waits

    clock.advance(minutes=2)  # past the first backoff
    await deliver_due(clocked_bot)
    notes = [c for c in dms_to(fake_slack, ALICE) if "didn't find a mentor" in str(c.args)]
    assert [note.status for note in notes] == [500, 200]
    assert [status for kind, _, status in outbox(clocked_bot) if kind == "request.expire"] == [
        OutboxStatus.SENT
    ]
