"""Scenarios for the request lifecycle buttons in handlers/requests/actions.py: requests are
made through /mentor ask and the modal, then clicked the way people click them."""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.lifecycle import Runtime
from bot.slack_client import RETRIES
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
from storage.models import RequestStatus
from tests.flows import (
    DETAILS,
    NOT_YOURS,
    POOL,
    ask,
    dms_to,
    opened_modal,
    set_pool,
    submit_request,
    the_request,
    told,
)

DAVE = "U4"


def shown(fake: FakeSlack, channel: str | None) -> dict[str, Any]:
    """A copy of the bot's first message in a channel as people see it now (updates applied)."""
    assert channel is not None
    return copy.deepcopy(fake.messages(channel)[0])


async def test_the_named_mentor_accepts_once(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    dm = await ask(slack, fake_slack, bot, BOB)
    button = find_button(dm, "Accept")
    reply = await slack.click(button, dm, user_id=BOB)
    assert reply.status == 200
    await bot.background.drain(5)  # the messages are rewritten after the ack
    accepted = await the_request(bot)
    assert accepted.status is RequestStatus.ACCEPTED

    mentor_view = shown(fake_slack, fake_slack.dm_channel(BOB))
    assert button_labels(mentor_view) == ["Offer times"]
    assert f"Accepted by <@{BOB}>" in block_texts(mentor_view)
    mentee_dms = dms_to(fake_slack, ALICE)
    assert f"<@{BOB}> accepted your request" in mentee_dms[-1].args["text"]
    assert "accepted your request" in block_texts(shown(fake_slack, fake_slack.dm_channel(ALICE)))

    await slack.click(button, dm, user_id=BOB)  # a double click, from the stale copy
    assert told(fake_slack) == ["You already have this request, so I didn't change anything."]
    assert (await the_request(bot)).accepted_at == accepted.accepted_at
    assert len(dms_to(fake_slack, ALICE)) == len(mentee_dms)


async def test_a_third_person_changes_nothing(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    dm = await ask(slack, fake_slack, bot, BOB)
    mentee_dm = dms_to(fake_slack, ALICE)[-1]
    before = await the_request(bot)
    for label, source in (
        ("Accept", dm),
        ("Decline", dm),
        ("Suggest someone else", dm),
        ("Cancel request", mentee_dm),
    ):
        await slack.click(find_button(source, label), source, user_id=CAROL)
        assert told(fake_slack)[-1] == NOT_YOURS, label
    assert await the_request(bot) == before
    assert fake_slack.calls_to("chat.update") == []
    # Only Alice's own request modal was ever opened: no decline or suggest form for Carol.
    assert [c.args["view"]["callback_id"] for c in fake_slack.calls_to("views.open")] == [
        "request_modal"
    ]


async def test_a_broken_button_is_answered_not_crashed(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    for value in ("not-a-number", "", "9" * 40, None):
        reply = await slack.block_action("request_accept", value, user_id=BOB)
        assert reply.status == 200
    assert all("button is broken" in text for text in told(fake_slack))
    assert len(told(fake_slack)) == 4


async def test_two_mentors_race_for_a_pool_request(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await set_pool(bot)
    post = await ask(slack, fake_slack, bot, None)
    button = find_button(post, "I can help")
    replies = await asyncio.gather(
        slack.click(button, post, user_id=BOB), slack.click(button, post, user_id=CAROL)
    )
    assert [r.status for r in replies] == [200, 200]
    await bot.background.drain(5)
    claimed = await the_request(bot)
    assert claimed.status is RequestStatus.CLAIMED
    winner = claimed.claimed_by
    assert winner in (BOB, CAROL)
    assert told(fake_slack) == [f"Already taken by <@{winner}>."]

    pool_view = shown(fake_slack, POOL)
    assert f"Taken by <@{winner}>" in block_texts(pool_view)
    assert button_labels(pool_view) == ["Offer times", "Release"]
    assert f"<@{winner}> can help" in dms_to(fake_slack, ALICE)[-1].args["text"]

    await slack.click(button, post, user_id=ALICE)  # her own request, from a stale copy
    assert told(fake_slack)[-1] == "You can't claim your own request."
    assert (await the_request(bot)).claimed_by == winner


async def test_release_by_the_claimer_reopens_the_request(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await set_pool(bot)
    post = await ask(slack, fake_slack, bot, None)
    await slack.click(find_button(post, "I can help"), post, user_id=BOB)
    await bot.background.drain(5)
    taken = shown(fake_slack, POOL)

    await slack.click(find_button(taken, "Release"), taken, channel_id=POOL, user_id=CAROL)
    assert told(fake_slack)[-1] == NOT_YOURS
    assert (await the_request(bot)).claimed_by == BOB

    await slack.click(find_button(taken, "Release"), taken, channel_id=POOL, user_id=BOB)
    await bot.background.drain(5)
    reopened = await the_request(bot)
    assert (reopened.status, reopened.claimed_by) == (RequestStatus.OPEN, None)
    pool_view = shown(fake_slack, POOL)
    assert button_labels(pool_view) == ["I can help"]
    assert f"Released by <@{BOB}>" in block_texts(pool_view)
    assert "back in the mentor pool" in dms_to(fake_slack, ALICE)[-1].args["text"]

    await slack.click(find_button(taken, "Release"), taken, channel_id=POOL, user_id=BOB)
    assert told(fake_slack)[-1] == "This request is open again, so I didn't change anything."


async def decline(slack: SlackSender, fake: FakeSlack, dm: Any, reason: str, *, share: bool) -> Any:
    """Bob declines through the modal; returns the bot's answer to the submission."""
    await slack.click(find_button(dm, "Decline"), dm, user_id=BOB)
    modal = opened_modal(fake)
    assert modal["callback_id"] == "request_decline_modal"
    values: dict[str, Any] = {"decline_reason": reason}
    if share:
        checkbox = next(b for b in modal["blocks"] if b.get("block_id") == "decline_share")
        values["decline_share"] = [checkbox["element"]["options"][0]["value"]]
    return await slack.view_submission(modal, values, user_id=BOB)


async def test_a_private_decline_reason_stays_private(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    dm = await ask(slack, fake_slack, bot, BOB)
    answer = await decline(slack, fake_slack, dm, "Swamped with the launch", share=False)
    await bot.background.drain(5)  # the DMs go after the ack
    assert answer.status == 200
    declined = await the_request(bot)
    assert declined.status is RequestStatus.DECLINED
    assert declined.decline_reason == "Swamped with the launch"
    kind = dms_to(fake_slack, ALICE)[-1]
    assert "Swamped" not in str(kind.args)
    assert "not your question" in block_texts(kind)
    assert button_labels(kind) == ["Send to the mentor pool", "Cancel request"]
    mentor_view = shown(fake_slack, fake_slack.dm_channel(BOB))
    assert button_labels(mentor_view) == []
    assert "You declined this" in block_texts(mentor_view)


async def test_a_shared_decline_reason_arrives_escaped(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    dm = await ask(slack, fake_slack, bot, BOB)
    await decline(slack, fake_slack, dm, "Out <!here> this month", share=True)
    await bot.background.drain(5)  # the DMs go after the ack
    kind = str(dms_to(fake_slack, ALICE)[-1].args)
    assert "Out &lt;!here&gt; this month" in kind
    assert "<!here>" not in kind


async def test_a_decline_after_an_accept_closes_the_form(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    dm = await ask(slack, fake_slack, bot, BOB)
    await slack.click(find_button(dm, "Decline"), dm, user_id=BOB)
    modal = opened_modal(fake_slack)
    await slack.click(find_button(dm, "Accept"), dm, user_id=BOB)  # in another window
    answer = await slack.view_submission(modal, {"decline_reason": "busy"}, user_id=BOB)
    assert answer.body["response_action"] == "update"
    assert "You already have this request" in block_texts(answer.body["view"])
    assert (await the_request(bot)).status is RequestStatus.ACCEPTED


async def test_the_mentee_sends_a_declined_request_to_the_pool(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    dm = await ask(slack, fake_slack, bot, BOB)
    await decline(slack, fake_slack, dm, "", share=False)
    await bot.background.drain(5)  # the DMs go after the ack
    kind = dms_to(fake_slack, ALICE)[-1]
    await slack.click(find_button(kind, "Send to the mentor pool"), kind, user_id=ALICE)
    assert "no mentor pool" in told(fake_slack)[-1]
    assert (await the_request(bot)).status is RequestStatus.DECLINED

    await set_pool(bot)
    await slack.click(find_button(kind, "Send to the mentor pool"), kind, user_id=CAROL)
    assert told(fake_slack)[-1] == NOT_YOURS
    await slack.click(find_button(kind, "Send to the mentor pool"), kind, user_id=ALICE)
    await bot.background.drain(5)
    pooled = await the_request(bot)
    assert (pooled.status, pooled.mentor_id, pooled.pool_channel_id) == (
        RequestStatus.OPEN,
        None,
        POOL,
    )
    assert button_labels(shown(fake_slack, POOL)) == ["I can help"]
    # Her decline DM now says where the request went; Bob's DM keeps no buttons.
    alice_now = fake_slack.message(str(fake_slack.dm_channel(ALICE)), kind.response["ts"])
    assert alice_now is not None
    assert f"in <#{POOL}>" in block_texts(alice_now)
    assert button_labels(alice_now) == ["Cancel request"]
    assert button_labels(shown(fake_slack, fake_slack.dm_channel(BOB))) == []


async def test_the_mentee_cancels_and_the_mentor_is_told(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    dm = await ask(slack, fake_slack, bot, BOB)
    await slack.click(find_button(dm, "Accept"), dm, user_id=BOB)
    await bot.background.drain(5)
    confirmation = dms_to(fake_slack, ALICE)[0]
    await slack.click(find_button(confirmation, "Cancel request"), confirmation, user_id=CAROL)
    assert told(fake_slack)[-1] == NOT_YOURS
    assert (await the_request(bot)).status is RequestStatus.ACCEPTED

    await slack.click(find_button(confirmation, "Cancel request"), confirmation, user_id=ALICE)
    await bot.background.drain(5)
    assert (await the_request(bot)).status is RequestStatus.CANCELLED
    mentee_view = shown(fake_slack, fake_slack.dm_channel(ALICE))
    assert "You cancelled this request" in block_texts(mentee_view)
    assert button_labels(mentee_view) == []
    assert f"Cancelled by <@{ALICE}>" in block_texts(shown(fake_slack, fake_slack.dm_channel(BOB)))
    assert f"<@{ALICE}> cancelled their request" in dms_to(fake_slack, BOB)[-1].args["text"]


async def test_release_by_a_third_person_of_a_claimed_request(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await set_pool(bot)
    post = await ask(slack, fake_slack, bot, None)
    await slack.click(find_button(post, "I can help"), post, user_id=BOB)
    before = await the_request(bot)
    taken = shown(fake_slack, POOL)
    await slack.click(find_button(taken, "Release"), taken, channel_id=POOL, user_id=ALICE)
    assert told(fake_slack)[-1] == NOT_YOURS
    assert await the_request(bot) == before


@pytest.mark.parametrize("status", [500, 429])
async def test_a_failing_chat_update_keeps_the_transition(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime, status: int
) -> None:
    dm = await ask(slack, fake_slack, bot, BOB)
    # Every attempt at the first update (the mentor's DM) fails, retries included.
    fake_slack.fail_next("chat.update", status=status, times=RETRIES + 1, retry_after=0)
    reply = await slack.click(find_button(dm, "Accept"), dm, user_id=BOB)
    assert reply.status == 200
    assert (await the_request(bot)).status is RequestStatus.ACCEPTED
    await bot.background.drain(5)
    answers = [c.status for c in fake_slack.calls_to("chat.update")]
    assert answers == [status] * (RETRIES + 1) + [200]
    # The mentor's copy is stale but harmless: its Accept re-checks and changes nothing.
    await slack.click(find_button(dm, "Accept"), dm, user_id=BOB)
    assert told(fake_slack)[-1] == "You already have this request, so I didn't change anything."
    assert "accepted your request" in block_texts(shown(fake_slack, fake_slack.dm_channel(ALICE)))
    assert "accepted your request" in dms_to(fake_slack, ALICE)[-1].args["text"]


async def test_a_claim_from_a_dm_invite_updates_every_invite(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    for mentor in (BOB, CAROL):
        await bot.store.save_profile(
            ProfileDraft(team_id=TEAM_ID, user_id=mentor, tags=("career",)), datetime.now(UTC)
        )
    # No pool channel: the matched mentors are invited by DM instead.
    await slack.command("ask", user_id=ALICE)
    await submit_request(
        slack, fake_slack, {"What is it about?": "Career path", "What's on your mind?": DETAILS}
    )
    await bot.background.drain(5)
    invite = dms_to(fake_slack, BOB)[-1]
    assert button_labels(invite) == ["I can help"]
    await slack.click(find_button(invite, "I can help"), invite, user_id=BOB)
    await bot.background.drain(5)
    assert (await the_request(bot)).claimed_by == BOB
    for mentor in (BOB, CAROL):
        seen = shown(fake_slack, fake_slack.dm_channel(mentor))
        assert f"Taken by <@{BOB}>" in block_texts(seen)
        assert button_labels(seen) == ["Offer times", "Release"]
