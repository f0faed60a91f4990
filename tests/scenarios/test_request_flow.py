"""Asking for help end to end: a message, the prompt, the modal, the mentor's DM, the pool."""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.lifecycle import Runtime, running
from handlers import ids
from playground.fakeslack import (
    ALICE,
    BOB,
    CAROL,
    GENERAL,
    TEAM_ID,
    FakeSlack,
    SlackSender,
    block_texts,
    button_labels,
    find_button,
)
from storage.models import RequestSource, RequestStatus, Topic
from storage.requests import NewRequest
from tests.conftest import SIGNING_SECRET, bot_settings, replies_sent
from tests.flows import DETAILS, dms_to, opened_modal, stored_requests, submit_request

ASK = "<@U2> do you have a few minutes to talk about my promotion case?"


def bot_now() -> datetime:
    return datetime.now(UTC)


def prompts(fake: FakeSlack) -> list[Any]:
    return [c for c in fake.calls_to("chat.postEphemeral") if "mentoring request" in str(c.args)]


async def test_a_detected_ask_becomes_a_request_in_the_mentors_dm(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    reply = await slack.message(ASK, user_id=ALICE, channel_id=GENERAL)
    assert reply.status == 200
    [prompt] = prompts(fake_slack)
    assert prompt.args["user"] == ALICE
    assert prompt.args["channel"] == GENERAL
    assert button_labels(prompt) == ["Create request", "Not now", "Don't ask again"]

    await slack.click(find_button(prompt, "Create request"), prompt, user_id=ALICE)
    modal = opened_modal(fake_slack)
    assert modal["callback_id"] == ids.REQUEST_MODAL
    assert "promotion case" in str(modal)  # the message text is prefilled
    assert "U2" in str(modal)  # and so is the person asked
    [details] = [b for b in modal["blocks"] if b.get("block_id") == ids.REQUEST_DETAILS_BLOCK]
    # As a person reads it: the mentor is in their own field, not as Slack's <@U2> markup.
    assert details["element"]["initial_value"] == (
        "do you have a few minutes to talk about my promotion case?"
    )

    answer = await submit_request(
        slack,
        fake_slack,
        {"What is it about?": "Getting promoted", "What's on your mind?": DETAILS},
    )
    assert answer.status == 200
    assert answer.body in ("", None) or "errors" not in str(answer.body)
    await bot.background.drain(5)

    [mentor_dm] = dms_to(fake_slack, BOB)
    assert f"<@{ALICE}>" in block_texts(mentor_dm)
    assert button_labels(mentor_dm) == ["Accept", "Suggest someone else", "Decline"]
    [mentee_dm] = dms_to(fake_slack, ALICE)
    assert "Cancel request" in button_labels(mentee_dm)

    [request] = await stored_requests(bot)
    assert request.source is RequestSource.DETECTED
    assert request.status is RequestStatus.OPEN
    assert request.mentor_id == BOB
    assert request.origin_permalink


async def test_people_named_in_an_ask_are_shown_by_name_in_the_form(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    text = f"hi <@{BOB}>, <@{CAROL}> said you could spare 20 minutes to talk about my promotion?"
    await slack.message(text, user_id=ALICE, channel_id=GENERAL)
    [prompt] = prompts(fake_slack)
    await slack.click(find_button(prompt, "Create request"), prompt, user_id=ALICE)
    modal = opened_modal(fake_slack)
    [details] = [b for b in modal["blocks"] if b.get("block_id") == ids.REQUEST_DETAILS_BLOCK]
    # A message event names people by id only; the form shows them as a person reads them.
    shown = details["element"]["initial_value"]
    assert f"<@{BOB}>" not in shown
    assert f"<@{CAROL}>" not in shown
    assert shown.startswith("hi @bob, @carol said you could spare 20 minutes")

    # When Slack won't say, the id stays as sent rather than the form waiting.
    fake_slack.fail_next("users.info", error="user_not_found", times=5)
    await slack.message(text.replace("hi", "hey"), user_id=ALICE, channel_id=GENERAL)
    prompt = prompts(fake_slack)[-1]
    await slack.click(find_button(prompt, "Create request"), prompt, user_id=ALICE)
    modal = opened_modal(fake_slack)
    [details] = [b for b in modal["blocks"] if b.get("block_id") == ids.REQUEST_DETAILS_BLOCK]
    assert f"<@{CAROL}>" in details["element"]["initial_value"]


async def test_a_message_that_is_not_an_ask_costs_nothing(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    for text in (
        "Do you have the minutes from the meeting?",
        "the build takes a few minutes",
        "I have a few minutes if you need me",
    ):
        assert (await slack.message(text)).status == 200
    assert [c.method for c in fake_slack.calls] == ["auth.test"]  # once, at start
    with sqlite3.connect(bot.settings.db_path) as conn:
        for table in ("prompted_messages", "processed_events", "people"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0  # noqa: S608


async def test_one_prompt_per_message_and_per_cooldown(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    first = await slack.message(ASK, event_id="EvAsk1")
    ts = first.sent["event"]["ts"]
    await slack.message(ASK, ts=ts, event_id="EvAsk1", retry_num=1)  # Slack's retry
    await slack.app_mention(ASK, ts=ts)  # the same message, delivered as a mention too
    assert len(prompts(fake_slack)) == 1
    await slack.message("<@U3> got a minute to chat about my career?")  # same channel: cooldown
    assert len(prompts(fake_slack)) == 1
    await slack.message("<@U3> got a minute to chat about my career?", channel_id="C2")
    assert len(prompts(fake_slack)) == 2


async def test_a_prompted_ask_is_one_log_line_that_says_so(
    slack: SlackSender, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        assert (await slack.message(ASK, user_id=ALICE, channel_id=GENERAL)).status == 200
        assert (
            await slack.app_mention("<@U3> got a minute to chat?", channel_id="C2")
        ).status == 200
    assert len(prompts(fake_slack)) == 2
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    [message] = [line for line in lines if "name=message " in line]
    assert message.startswith("handled kind=event name=message ")
    assert f"user={ALICE} channel={GENERAL} " in message
    assert re.search(r" status=200 ms=[0-9.]+ mode=http prompted=asker score=0\.[0-9]{2}$", message)
    # Other paths that prompt (a mention) still log their own line.
    assert [line for line in lines if line.startswith("prompted asker ")] != []
    assert len([line for line in lines if line.startswith("handled ")]) == 2


async def test_a_prompt_slack_refused_does_not_start_the_cooldown(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.postEphemeral", status=500, times=3)  # a try and both retries
    assert (await slack.message(ASK)).status == 200
    assert [c.ok for c in prompts(fake_slack)] == [False, False, False]
    # The asker asks again a moment later, in the same channel: this time they are offered.
    await slack.message("<@U3> got a minute to chat about my career?")
    assert [c.ok for c in prompts(fake_slack)] == [False, False, False, True]


async def test_edits_deletions_and_bots_are_skipped(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    edited = {
        "type": "message",
        "subtype": "message_changed",
        "channel": GENERAL,
        "message": {"type": "message", "user": ALICE, "text": ASK, "ts": "1.1"},
    }
    assert (await slack.event(edited)).status == 200
    bot_post = {"type": "message", "bot_id": "B9", "text": ASK, "channel": GENERAL, "ts": "1.2"}
    assert (await slack.event(bot_post)).status == 200
    assert prompts(fake_slack) == []


async def test_dont_ask_again_opts_out_until_optin(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    await slack.message(ASK)
    [prompt] = prompts(fake_slack)
    await slack.click(find_button(prompt, "Don't ask again"), prompt, user_id=ALICE)
    await slack.message(ASK, channel_id="C2")
    assert len(prompts(fake_slack)) == 1

    reply = await slack.command("optin", user_id=ALICE)
    assert "offer again" in str(reply.body)
    await slack.message(ASK, channel_id="C3")
    assert len(prompts(fake_slack)) == 2


async def test_detection_can_be_turned_off_for_a_channel(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    workspace = await bot.store.get_workspace_settings(TEAM_ID)
    changed = replace(workspace, detection_off_channels=(GENERAL,))
    await bot.store.save_workspace_settings(changed, "U0ADMIN", bot_now())
    await slack.message(ASK, channel_id=GENERAL)
    assert prompts(fake_slack) == []
    await slack.message(ASK, channel_id="C2")
    assert len(prompts(fake_slack)) == 1


async def test_mentor_ask_prefills_and_refuses_bad_mentors(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U9GONE", deleted=True)
    fake_slack.add_user("U9BOT", is_bot=True)
    reply = await slack.command("ask <@U2|bob> can we talk about my career path?", user_id=ALICE)
    assert reply.status == 200
    modal = opened_modal(fake_slack)
    assert "can we talk about my career path?" in str(modal)

    for mentor, words in ((ALICE, "yourself"), ("U9BOT", "bot"), ("U9GONE", "deactivated")):
        answer = await submit_request(
            slack,
            fake_slack,
            {"Who would you like to talk to?": mentor, "What is it about?": "Career path"},
        )
        assert answer.body["response_action"] == "errors"
        assert words in answer.body["errors"][ids.REQUEST_MENTOR_BLOCK].lower()


async def test_too_short_details_get_an_inline_error(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    await slack.command("ask <@U2>", user_id=ALICE)
    view = opened_modal(fake_slack)
    state = {
        ids.REQUEST_MENTOR_BLOCK: {
            ids.REQUEST_MENTOR_ACTION: {"type": "users_select", "selected_user": BOB}
        },
        ids.REQUEST_TOPIC_BLOCK: {
            ids.REQUEST_TOPIC_ACTION: {
                "type": "static_select",
                "selected_option": {"value": "career_path"},
            }
        },
        ids.REQUEST_DETAILS_BLOCK: {
            ids.REQUEST_DETAILS_ACTION: {"type": "plain_text_input", "value": "hi"}
        },
    }
    answer = await slack.view_submission(view, state=state, user_id=ALICE)
    assert answer.body["response_action"] == "errors"
    assert ids.REQUEST_DETAILS_BLOCK in answer.body["errors"]


async def test_injection_reaches_the_mentor_as_plain_text(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    evil = "Hey <!channel> see <@U3|x> and <http://evil.example|trusted> please help me"
    await slack.command("ask <@U2>", user_id=ALICE)
    await submit_request(
        slack, fake_slack, {"What is it about?": "Something else", "What's on your mind?": evil}
    )
    await bot.background.drain(5)
    [mentor_dm] = dms_to(fake_slack, BOB)
    shown = str(mentor_dm.args)
    assert "<!channel>" not in shown
    assert "<http://evil.example|trusted>" not in shown
    assert "<@U3|x>" not in shown
    assert "&lt;!channel&gt;" in shown


async def test_no_mentor_goes_to_the_pool(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    workspace = await bot.store.get_workspace_settings(TEAM_ID)
    await bot.store.save_workspace_settings(
        replace(workspace, pool_channel_id="C0POOL"), "U0ADMIN", bot_now()
    )
    await slack.command("ask", user_id=ALICE)
    await submit_request(
        slack,
        fake_slack,
        {"What is it about?": "Skills and expertise", "What's on your mind?": DETAILS},
    )
    await bot.background.drain(5)
    [post] = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "C0POOL"]
    assert button_labels(post) == ["I can help"]
    [mentee_dm] = dms_to(fake_slack, ALICE)
    assert "C0POOL" in block_texts(mentee_dm)


async def test_the_message_shortcut_prefills_text_and_mentor(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    reply = await slack.shortcut_message(
        ids.MESSAGE_SHORTCUT, "<@U3> could you mentor me on public speaking?", user_id=ALICE
    )
    assert reply.status == 200
    modal = opened_modal(fake_slack)
    assert "public speaking" in str(modal)
    assert "'initial_user': 'U3'" in str(modal)


async def test_a_slack_outage_keeps_the_request_and_tells_the_mentee(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await slack.command("ask <@U2>", user_id=ALICE)
    mentor_channel = fake_slack.dm_channel(BOB)
    fake_slack.fail_next("conversations.open", status=500, times=3)  # past the client's retries
    await submit_request(
        slack, fake_slack, {"What is it about?": "Career path", "What's on your mind?": DETAILS}
    )
    await bot.background.drain(10)
    assert [
        c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == mentor_channel
    ] == []
    [request] = await stored_requests(bot)
    assert request.status is RequestStatus.OPEN
    [mentee_dm] = dms_to(fake_slack, ALICE)
    assert "saved your request" in block_texts(mentee_dm)


async def test_eleven_open_requests_are_too_many(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    for n in range(10):
        await bot.store.create_request(
            NewRequest(
                team_id=TEAM_ID,
                mentee_id=ALICE,
                mentor_id=CAROL,
                topic=Topic.SKILLS,
                details=f"request number {n} with enough words",
                source=RequestSource.COMMAND,
            ),
            bot_now(),
        )
    await slack.command("ask <@U2>", user_id=ALICE)
    answer = await submit_request(
        slack, fake_slack, {"What is it about?": "Career path", "What's on your mind?": DETAILS}
    )
    assert "10 open requests" in answer.body["errors"][ids.REQUEST_DETAILS_BLOCK]


async def test_a_stop_waits_for_work_in_flight(fake_slack: FakeSlack, tmp_path: Path) -> None:
    async with running(bot_settings(fake_slack, tmp_path)) as runtime:
        slack = SlackSender(
            f"http://127.0.0.1:{runtime.port}",
            SIGNING_SECRET,
            response_url_base=fake_slack.response_url_base,
            settle=replies_sent,
        )
        await slack.command("ask <@U2>", user_id=ALICE)
        fake_slack.delay("conversations.open", 0.5)
        await submit_request(
            slack, fake_slack, {"What is it about?": "Career path", "What's on your mind?": DETAILS}
        )
        assert dms_to(fake_slack, BOB) == []  # still on its way when the stop begins
    # Leaving the block is the SIGTERM path: in-flight delivery finished before the close.
    assert len(dms_to(fake_slack, BOB)) == 1
    assert len(dms_to(fake_slack, ALICE)) == 1


async def test_a_rate_limited_dm_is_retried_after_retry_after(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await slack.command("ask <@U2>", user_id=ALICE)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, times=1)
    await submit_request(
        slack, fake_slack, {"What is it about?": "Career path", "What's on your mind?": DETAILS}
    )
    await bot.background.drain(10)
    statuses = [c.status for c in fake_slack.calls_to("chat.postMessage")]
    assert statuses[0] == 429
    assert len(dms_to(fake_slack, BOB)) == 2  # the refused try, then the delivered one
    assert dms_to(fake_slack, BOB)[-1].ok
