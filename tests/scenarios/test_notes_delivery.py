"""The plan DM and the check-in's request form when Slack says no: the author hears that the
plan wasn't delivered and can send it again; "Could use another chat" stays open until the
request it opens is sent."""

from __future__ import annotations

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers import ids
from playground.fakeslack import ALICE, BOB, CAROL, FakeSlack, SlackSender, block_texts, find_button
from tests.conftest import deliver_due
from tests.flows import (
    PLAN,
    dm_with,
    dms_to,
    log_notes,
    log_notes_refused,
    met,
    notes_about,
    opened_modal,
    rows,
    told,
    told_replaced,
)


def plans_delivered(fake: FakeSlack) -> list[str]:
    """The plan DMs Slack accepted for Alice."""
    return [block_texts(c) for c in dms_to(fake, ALICE) if c.ok and "action plan" in block_texts(c)]


PLAN_ROWS = "SELECT status FROM outbox WHERE kind IN ('plan.share', 'plan.copy')"


async def test_a_plan_dm_slack_fails_on_is_retried_by_the_outbox_and_arrives_once(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    # Slack answers 500 to the first try of both plan DMs (Alice's and Bob's copy).
    reply = await log_notes_refused(slack, fake, bot, status=500, times=2)
    assert not reply.body
    assert plans_delivered(fake) == []
    assert {status for (status,) in rows(bot, PLAN_ROWS)} == {"pending"}
    clock.advance(minutes=2)  # past the outbox's first backoff
    await deliver_due(bot)
    [plan] = plans_delivered(fake)
    assert "Write the abstract" in plan
    assert f"I'll check in with <@{ALICE}> in 1 week" in plan
    assert len([c for c in dms_to(fake, BOB) if c.ok and "action plan" in block_texts(c)]) == 1
    assert [c for c in dms_to(fake, BOB) if "couldn't deliver" in block_texts(c)] == []
    assert {status for (status,) in rows(bot, PLAN_ROWS)} == {"sent"}


async def test_a_plan_dm_refused_for_good_is_told_to_the_author_who_can_send_it_again(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await met(bot, mentor=BOB, mentee=ALICE)
    listed = await slack.command(f"notes <@{ALICE}>", user_id=BOB)
    await slack.click(find_button(listed.body, "Log notes"), listed.body, user_id=BOB)
    fake.deactivate_user(ALICE)  # Slack refuses her DM for good (user_disabled)
    reply = await log_notes(slack, fake, bot, PLAN, user_id=BOB)
    assert not reply.body
    clock.advance(seconds=2)  # Bob's copy came first: one DM a second
    await deliver_due(bot)
    assert plans_delivered(fake) == []
    notice = dm_with(fake, BOB, "couldn't deliver your action plan")
    assert f"to <@{ALICE}>" in block_texts(notice)
    assert "user_disabled" in block_texts(notice)
    # The note and its check-in are kept: only the DM failed.
    assert rows(bot, "SELECT count(*) FROM checkins") == [(1,)]

    again = find_button(notice, "Send again")
    assert again["action_id"] == ids.PLAN_RESEND
    await slack.click(again, notice, user_id=CAROL)
    assert "can't find those notes" in told(fake)[-1]
    assert plans_delivered(fake) == []

    fake.users[ALICE]["deleted"] = False  # reactivated
    for channel in fake.channels.values():
        channel.pop("is_user_deleted", None)
    await slack.click(again, notice, user_id=BOB)
    plan = dm_with(fake, ALICE, "shared an action plan")
    assert "Write the abstract" in block_texts(plan)
    assert f"I'll check in with <@{ALICE}> in 1 week" in block_texts(plan)
    assert f"Sent your action plan to <@{ALICE}>" in told_replaced(fake)


async def test_send_again_refused_again_says_so(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await log_notes_refused(slack, fake, bot, error="is_archived")
    notice = dm_with(fake, BOB, "couldn't deliver your action plan")
    fake.fail_next("chat.postMessage", error="is_archived")
    await slack.click(find_button(notice, "Send again"), notice, user_id=BOB)
    assert "couldn't deliver your action plan" in told(fake)[-1]
    assert plans_delivered(fake) == []


async def test_another_chat_leaves_the_check_in_open_when_the_form_fails(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await notes_about(slack, fake, bot, PLAN, author=BOB, other=ALICE)
    clock.advance(weeks=1)
    await deliver_due(bot)
    ask = dm_with(fake, ALICE, "How is your action plan")
    another = find_button(ask, "Could use another chat")
    opened_before = len(fake.calls_to("views.open"))

    fake.fail_next("views.open", error="expired_trigger_id")
    await slack.click(another, ask, user_id=ALICE)
    assert "couldn't open the request form" in told(fake)[-1]
    assert "still open" in told(fake)[-1]
    assert rows(bot, "SELECT answer FROM checkins") == [(None,)]
    assert "could use another chat" not in block_texts(dms_to(fake, BOB)[-1])

    # Pressed again, the form opens; closed unsent, the check-in stays open and the mentor
    # untold. Only the request sent answers it.
    await slack.click(another, ask, user_id=ALICE)
    assert len(fake.calls_to("views.open")) == opened_before + 2
    view = opened_modal(fake)
    assert view["callback_id"] == ids.REQUEST_MODAL
    assert rows(bot, "SELECT answer FROM checkins") == [(None,)]
    assert "could use another chat" not in block_texts(dms_to(fake, BOB)[-1])
    await slack.view_submission(view, {"What's on your mind?": "A second look?"}, user_id=ALICE)
    await bot.background.drain(5)
    assert rows(bot, "SELECT answer FROM checkins") == [("another_chat",)]
    assert any("could use another chat" in block_texts(c) for c in dms_to(fake, BOB))
