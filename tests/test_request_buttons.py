"""The request lifecycle, clicked through the way people click it: Accept, Decline, Suggest,
I can help, Release, Cancel and Send to the pool, including clicks by the wrong person."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from bot.lifecycle import Runtime
from storage.models import RequestStatus
from tests.fakeslack import (
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
from tests.test_request_flow import DETAILS, dms_to, opened_modal, stored_requests, submit_request

POOL = "C0POOL"
DAVE = "U4"


async def ask(slack: SlackSender, fake: FakeSlack, bot: Runtime, mentor: str | None) -> Any:
    """Alice asks `mentor` (or the pool) through /mentor ask; returns the message to click."""
    await slack.command(f"ask <@{mentor}>" if mentor else "ask", user_id=ALICE)
    await submit_request(
        slack, fake, {"What is it about?": "Career path", "What's on your mind?": DETAILS}
    )
    await bot.background.drain(5)
    if mentor:
        return dms_to(fake, mentor)[-1]
    return [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == POOL][-1]


async def set_pool(bot: Runtime) -> None:
    workspace = await bot.store.get_workspace_settings(TEAM_ID)
    changed = workspace.model_copy(update={"pool_channel_id": POOL})
    await bot.store.save_workspace_settings(changed, "U0ADMIN", datetime.now(UTC))


def told(fake: FakeSlack) -> list[str]:
    """What people were told privately through response_urls."""
    return [str(c.args.get("text")) for c in fake.calls_to("response_url")]


def last_update(fake: FakeSlack, channel: str) -> Any:
    return [c for c in fake.calls_to("chat.update") if c.args["channel"] == channel][-1]


async def status_of(bot: Runtime) -> RequestStatus:
    [request] = await stored_requests(bot)
    return request.status


async def test_accept_by_the_mentor_updates_both_sides(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    dm = await ask(slack, fake_slack, bot, BOB)
    accept = find_button(dm, "Accept")
    await slack.click(accept, dm, user_id=BOB)
    assert await status_of(bot) is RequestStatus.ACCEPTED
    updated = last_update(fake_slack, fake_slack.dm_channel(BOB))
    assert "Accept" not in button_labels(updated)
    assert "accepted your request" in str(dms_to(fake_slack, ALICE)[-1].args)

    await slack.click(accept, dm, user_id=BOB)  # a double click, from the stale message
    assert await status_of(bot) is RequestStatus.ACCEPTED
    assert "didn't change anything" in told(fake_slack)[-1] or "Already" in told(fake_slack)[-1]


async def test_someone_elses_buttons_change_nothing(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    dm = await ask(slack, fake_slack, bot, BOB)
    mentee_dm = dms_to(fake_slack, ALICE)[-1]
    for label, source in (("Accept", dm), ("Decline", dm), ("Cancel request", mentee_dm)):
        await slack.click(find_button(source, label), source, user_id=CAROL)
        assert told(fake_slack)[-1] == "This isn't yours, so I didn't change anything."
    assert await status_of(bot) is RequestStatus.OPEN
    assert fake_slack.calls_to("views.open")[-1].args["view"]["callback_id"] == "request_modal"


async def test_decline_is_kind_keeps_the_reason_private_and_offers_the_pool(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await set_pool(bot)
    dm = await ask(slack, fake_slack, bot, BOB)
    await slack.click(find_button(dm, "Decline"), dm, user_id=BOB)
    modal = opened_modal(fake_slack)
    await slack.view_submission(modal, {"decline_reason": "Swamped with the launch"}, user_id=BOB)
    assert await status_of(bot) is RequestStatus.DECLINED
    kind = dms_to(fake_slack, ALICE)[-1]
    assert "Swamped" not in str(kind.args)
    assert "not your question" in block_texts(kind)

    await slack.click(find_button(kind, "Send to the mentor pool"), kind, user_id=ALICE)
    assert await status_of(bot) is RequestStatus.OPEN
    pool_posts = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == POOL]
    assert button_labels(pool_posts[-1]) == ["I can help"]


async def test_a_shared_reason_reaches_the_mentee_escaped(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    dm = await ask(slack, fake_slack, bot, BOB)
    await slack.click(find_button(dm, "Decline"), dm, user_id=BOB)
    modal = opened_modal(fake_slack)
    share = next(b for b in modal["blocks"] if b.get("block_id") == "decline_share")
    option = share["element"]["options"][0]["value"]
    await slack.view_submission(
        modal,
        {"decline_reason": "Out <!here> this month", "decline_share": [option]},
        user_id=BOB,
    )
    kind = str(dms_to(fake_slack, ALICE)[-1].args)
    assert "this month" in kind
    assert "<!here>" not in kind


async def test_two_mentors_race_for_a_pool_request_and_one_wins(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await set_pool(bot)
    post = await ask(slack, fake_slack, bot, None)
    button = find_button(post, "I can help")
    await asyncio.gather(
        slack.click(button, post, user_id=BOB), slack.click(button, post, user_id=CAROL)
    )
    [request] = await stored_requests(bot)
    assert request.status is RequestStatus.CLAIMED
    assert request.claimed_by in (BOB, CAROL)
    loser = CAROL if request.claimed_by == BOB else BOB
    assert told(fake_slack) == [f"Already taken by <@{request.claimed_by}>."]
    assert loser not in str(last_update(fake_slack, POOL).args)

    await slack.click(button, post, user_id=ALICE)  # her own, from a stale copy
    assert "your own request" in told(fake_slack)[-1]

    released = last_update(fake_slack, POOL)
    await slack.click(find_button(released, "Release"), released, user_id=loser)
    assert told(fake_slack)[-1] == "This isn't yours, so I didn't change anything."
    await slack.click(find_button(released, "Release"), released, user_id=request.claimed_by)
    assert await status_of(bot) is RequestStatus.OPEN
    assert "I can help" in button_labels(last_update(fake_slack, POOL))


async def test_the_mentee_can_cancel(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    dm = await ask(slack, fake_slack, bot, BOB)
    await slack.click(find_button(dm, "Accept"), dm, user_id=BOB)
    mentee_dm = dms_to(fake_slack, ALICE)[0]
    await slack.click(find_button(mentee_dm, "Cancel request"), mentee_dm, user_id=ALICE)
    assert await status_of(bot) is RequestStatus.CANCELLED
    assert "cancelled their request" in str(dms_to(fake_slack, BOB)[-1].args)


async def test_suggest_someone_else_passes_the_request_on(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    fake_slack.add_user(DAVE, "dave")
    dm = await ask(slack, fake_slack, bot, BOB)
    await slack.click(find_button(dm, "Suggest someone else"), dm, user_id=BOB)
    modal = opened_modal(fake_slack)
    answer = await slack.view_submission(modal, {"suggest_user": ALICE}, user_id=BOB)
    assert answer.body["response_action"] == "errors"  # the mentee can't mentor herself
    await slack.view_submission(modal, {"suggest_user": DAVE}, user_id=BOB)
    [request] = await stored_requests(bot)
    assert request.mentor_id == DAVE
    assert button_labels(dms_to(fake_slack, DAVE)[-1]) == [
        "Accept",
        "Suggest someone else",
        "Decline",
    ]
    assert "passed it on" in str(dms_to(fake_slack, ALICE)[-1].args)


async def test_a_failed_update_keeps_the_transition(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    dm = await ask(slack, fake_slack, bot, BOB)
    fake_slack.fail_next("chat.update", status=500, times=10)
    reply = await slack.click(find_button(dm, "Accept"), dm, user_id=BOB)
    assert reply.status == 200
    assert await status_of(bot) is RequestStatus.ACCEPTED
