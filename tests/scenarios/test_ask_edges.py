"""Around a detected ask: edits of a mention, a prompt Slack can't take, whom it names, and an
ask to the bot that gets no prompt. (The classifier's wording is tested in tests/unit.)"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from bot.lifecycle import Runtime
from handlers.events.mention import ASK_HINT, MENTION_HINT
from playground.fakeslack import (
    ALICE,
    BOB,
    BOT_USER_ID,
    CAROL,
    GENERAL,
    FakeSlack,
    SlackSender,
    find_button,
)
from tests.flows import forget, opened_modal

DAVE = "U0DAVE"
MENTOR = "request_mentor"
ASK = f"<@{BOB}> do you have a few minutes to talk about my promotion case?"
OPEN_ASK = "can anyone spare a few minutes to talk about my promotion case?"


def prompts(fake: FakeSlack) -> list[Any]:
    return [c for c in fake.calls_to("chat.postEphemeral") if "mentoring request" in str(c.args)]


def shown(fake: FakeSlack) -> list[str]:
    """The texts of the ephemerals Slack took."""
    return [str(c.args.get("text")) for c in fake.calls_to("chat.postEphemeral") if c.ok]


def mention(text: str, ts: str, **extra: Any) -> dict[str, Any]:
    """An app_mention as Slack sends it; an edit sends it again, same ts, with `edited`."""
    return {
        "type": "app_mention",
        "user": ALICE,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "channel": GENERAL,
        "event_ts": ts,
        "client_msg_id": str(uuid.uuid4()),
        **extra,
    }


def thread_reply(slack: SlackSender, user: str, parent_user: str) -> dict[str, Any]:
    ts = slack.new_ts()
    return {
        "type": "message",
        "user": user,
        "text": OPEN_ASK,
        "ts": ts,
        "channel": GENERAL,
        "event_ts": ts,
        "channel_type": "channel",
        "thread_ts": "1700000000.000100",
        "parent_user_id": parent_user,
    }


async def test_editing_a_mention_of_the_bot_is_answered_once(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    ts = slack.new_ts()
    await slack.event(mention("thanks for the reminder yesterday", ts))
    for fixed in ("!", "!!"):
        edited = {"user": ALICE, "ts": slack.new_ts()}
        await slack.event(mention(f"thanks for the reminder yesterday{fixed}", ts, edited=edited))
    assert shown(fake_slack) == [MENTION_HINT]


async def test_an_edit_that_turns_a_mention_into_an_ask_is_not_prompted(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    ts = slack.new_ts()
    await slack.event(mention("hello there", ts))
    await slack.event(mention(ASK, ts, edited={"user": ALICE, "ts": slack.new_ts()}))
    assert prompts(fake_slack) == []


async def test_an_ask_to_the_bot_that_gets_no_prompt_still_gets_an_answer(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await slack.message(ASK, user_id=ALICE, channel_id=GENERAL)
    assert len(prompts(fake_slack)) == 1
    # Within the cooldown: no second prompt, but the bot was spoken to, so it answers.
    await slack.app_mention(
        "can someone spare 15 minutes to help me prepare for my promotion review?",
        user_id=ALICE,
        channel_id=GENERAL,
    )
    assert len(prompts(fake_slack)) == 1
    assert shown(fake_slack)[-1] == ASK_HINT


async def test_one_message_delivered_as_app_mention_and_message_gets_one_answer(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    ts = slack.new_ts()
    text = f"<@{BOT_USER_ID}> can anyone spare a few minutes to talk about my promotion case?"
    message = {"type": "message", "user": ALICE, "text": text, "ts": ts, "channel": GENERAL,
               "event_ts": ts, "channel_type": "channel"}  # fmt: skip
    await slack.event(message)
    await slack.event(mention(OPEN_ASK, ts))
    assert len(shown(fake_slack)) == 1
    assert len(prompts(fake_slack)) == 1


async def test_a_form_that_did_not_open_keeps_the_prompts_buttons(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await slack.message(ASK, user_id=ALICE, channel_id=GENERAL)
    [prompt] = prompts(fake_slack)
    fake_slack.fail_next("views.open", error="expired_trigger_id", times=2)
    await slack.click(find_button(prompt, "Create request"), prompt, user_id=ALICE)
    await bot.background.drain(5)
    said = [dict(c.args) for c in fake_slack.calls_to("response_url")]
    assert any("couldn't open the request form" in str(a.get("text")) for a in said)
    assert not any(a.get("replace_original") is True for a in said), said


async def test_a_prompt_lost_on_the_way_starts_no_cooldown(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    fake_slack.cut("chat.postEphemeral", 3)  # the try and both retries
    await slack.message(ASK, user_id=ALICE, channel_id=GENERAL)
    assert not any(c.ok for c in fake_slack.calls_to("chat.postEphemeral"))
    fake_slack.cut("chat.postEphemeral", 0)
    await slack.message(f"<@{BOB}> got a minute to chat about my career?", user_id=ALICE)
    assert len([c for c in prompts(fake_slack) if c.ok]) == 1


async def test_a_long_rate_limit_answers_slack_first_and_prompts_after_the_wait(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    fake_slack.fail_next("chat.postEphemeral", status=429, retry_after=2)
    began = time.monotonic()
    reply = await slack.message(ASK, user_id=ALICE, channel_id=GENERAL)
    assert reply.status == 200
    assert time.monotonic() - began < 1.5  # Slack gives up on an answer after 3 s
    assert [c.ok for c in prompts(fake_slack)] == [False]
    await asyncio.sleep(3.5)  # Retry-After 2 s and up to 1 s of jitter
    assert [c.ok for c in prompts(fake_slack)] == [False, True]
    # It was one prompt for one message: Slack's retry of the event changes nothing.
    await slack.message(ASK, user_id=ALICE, channel_id=GENERAL)
    assert [c.ok for c in prompts(fake_slack)] == [False, True]


async def test_the_prompt_names_the_person_asked_not_the_asker(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    text = f"<@{ALICE}> here - <@{BOB}> do you have a few minutes to talk about my promotion?"
    await slack.message(text, user_id=ALICE)
    [prompt] = prompts(fake_slack)
    assert f"<@{BOB}>" in str(prompt.args["text"])


async def test_a_thread_under_an_apps_post_prefills_no_mentor(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    fake_slack.add_user("U0JIRA", "jira", real_name="Jira Cloud", is_bot=True)
    fake_slack.add_user("U0GONE", "gone", real_name="Left Company")
    fake_slack.deactivate_user("U0GONE")
    fake_slack.add_user(DAVE, "dave")
    # Three askers, so that no cooldown stands between them; the last thread is Bob's.
    for asker, starter in ((ALICE, "U0JIRA"), (CAROL, "U0GONE"), (DAVE, BOB)):
        await slack.event(thread_reply(slack, asker, starter))
        prompt = prompts(fake_slack)[-1]
        assert prompt.args["user"] == asker
        await slack.click(find_button(prompt, "Create request"), prompt, user_id=asker)
        [mentor] = [b for b in opened_modal(fake_slack)["blocks"] if b["block_id"] == MENTOR]
        assert mentor["element"].get("initial_user") == (BOB if starter == BOB else None)


async def test_dont_ask_again_outlives_forget(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await slack.message(ASK, user_id=ALICE, channel_id=GENERAL)
    [prompt] = prompts(fake_slack)
    await slack.click(find_button(prompt, "Don't ask again"), prompt, user_id=ALICE)
    await forget(slack, fake_slack, bot, ALICE)
    await slack.message(ASK, user_id=ALICE, channel_id="C3")
    assert len(prompts(fake_slack)) == 1
    # Asking for them again brings them back.
    await slack.command("optin", user_id=ALICE)
    await slack.message(ASK, user_id=ALICE, channel_id="C4")
    assert len(prompts(fake_slack)) == 2
