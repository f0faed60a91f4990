"""After `/mentor forget`, the bot's own messages that showed the person's requests (to the named
mentor, in the pool channel, the pool invites, their own copy) say only that it was withdrawn."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.lifecycle import Runtime
from handlers.blocks.privacy import REQUEST_WITHDRAWN
from playground.fakeslack import (
    ALICE,
    BOB,
    CAROL,
    TEAM_ID,
    FakeSlack,
    SlackSender,
    all_buttons,
    block_texts,
)
from storage.directory import ProfileDraft
from tests.flows import DETAILS, POOL, ask, forget, set_pool, submit_request


def showing(fake: FakeSlack, channels: list[str | None]) -> list[dict[str, Any]]:
    """The bot's messages in these channels, as people see them now."""
    return [m for channel in channels if channel for m in fake.messages(channel)]


async def test_forget_withdraws_the_request_in_the_pool_and_the_mentors_dm(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    fake = fake_slack
    await set_pool(bot)
    await ask(slack, fake, bot, None)
    await ask(slack, fake, bot, BOB)
    channels = [POOL, fake.dm_channel(BOB), fake.dm_channel(ALICE)]
    before = showing(fake, channels)
    assert sum(DETAILS in block_texts(m) for m in before) >= 3  # pool, Bob, Alice's copies
    await forget(slack, fake, bot, ALICE)

    after = showing(fake, channels)
    assert len(after) == len(before)
    for message in after:
        assert block_texts(message) == REQUEST_WITHDRAWN
        assert all_buttons(message) == []
        assert ALICE not in str(message)


async def test_slack_errors_while_withdrawing_are_logged_and_the_rest_carries_on(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    """No pool channel: Bob and Carol get DM invites; Bob is also asked by name. Slack loses
    one message, one channel and fails a third time (after retries): the others still go
    blank, and the rest of forget (Alice's fresh Home tab) happens."""
    fake = fake_slack
    for mentor in (BOB, CAROL):
        await bot.store.save_profile(
            ProfileDraft(team_id=TEAM_ID, user_id=mentor, tags=("career",)), datetime.now(UTC)
        )
    await slack.command("ask", user_id=ALICE)
    await submit_request(
        slack, fake, {"What is it about?": "Career path", "What's on your mind?": DETAILS}
    )
    await ask(slack, fake, bot, BOB)
    channels = [fake.dm_channel(BOB), fake.dm_channel(CAROL), fake.dm_channel(ALICE)]
    before = showing(fake, channels)
    shown_details = sum(DETAILS in block_texts(m) for m in before)
    assert shown_details >= 4  # Bob's two, Carol's invite, Alice's copy
    fake.fail_next("chat.update", error="message_not_found")
    fake.fail_next("chat.update", error="channel_not_found")
    fake.fail_next("chat.update", status=500, times=3)  # the client retries a 500 twice
    updates_before = len(fake.calls_to("chat.update"))
    publishes_before = len(fake.calls_to("views.publish"))

    await forget(slack, fake, bot, ALICE)

    assert len(fake.calls_to("chat.update")) - updates_before == shown_details + 2
    after = showing(fake, channels)
    withdrawn = [m for m in after if block_texts(m) == REQUEST_WITHDRAWN]
    assert len(withdrawn) == shown_details - 3
    assert all(all_buttons(m) == [] for m in withdrawn)
    published = fake.calls_to("views.publish")[publishes_before:]
    assert ALICE in {call.args["user_id"] for call in published}
