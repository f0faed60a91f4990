"""The short way: channel messages handled without Bolt once the workspace's bot is known
(bot/app.py). With installs by OAuth, tests/scenarios/test_installs.py.

Each test counts what reaches Bolt with a global middleware, which runs for every request Bolt
dispatches and for none that the short way answers.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.lifecycle import Runtime
from handlers.requests import detect
from playground.fakeslack import ALICE, BOB, GENERAL, TEAM_ID, FakeSlack, SlackSender
from storage import StorageError

ASK = f"<@{BOB}> do you have a few minutes to talk about my promotion case?"
CHAT = ["lunch is in the kitchen today", "deploy finished, all green", "thanks all!"]


def through_bolt(bot: Runtime) -> list[str]:
    """Every request Bolt dispatches from now on: its event type, command or payload type."""
    seen: list[str] = []

    async def count(body: dict[str, Any], next: Any) -> None:  # Bolt passes by these names
        event = body.get("event")
        name = event.get("type") if isinstance(event, dict) else body.get("command")
        seen.append(str(name or body.get("type")))
        await next()

    bot.app.middleware(count)
    return seen


def prompts(fake: FakeSlack) -> list[Any]:
    return [c for c in fake.calls_to("chat.postEphemeral") if "mentoring request" in str(c.args)]


async def test_chat_is_counted_without_bolt(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    seen = through_bolt(bot)
    before = bot.app.quiet.count
    for text in CHAT:
        reply = await slack.message(text, user_id=ALICE, channel_id=GENERAL)
        assert reply.status == 200
        assert reply.body in ("", None)
    # SLACK_BOT_TOKEN's bot is known from auth.test at start: no message needs Bolt.
    assert seen == []
    assert bot.app.quiet.count - before == len(CHAT)
    assert prompts(fake_slack) == []


async def test_an_ask_prompts_the_asker_without_bolt_and_is_classified_once(
    slack: SlackSender,
    fake_slack: FakeSlack,
    bot: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = through_bolt(bot)
    verdicts: list[str] = []
    classify = detect.classify

    def counted(text: str, **kwargs: Any) -> Any:
        verdicts.append(text)
        return classify(text, **kwargs)

    monkeypatch.setattr(detect, "classify", counted)
    reply = await slack.message(ASK, user_id=ALICE, channel_id=GENERAL)
    assert reply.status == 200
    [prompt] = prompts(fake_slack)
    assert (prompt.args["user"], prompt.args["channel"]) == (ALICE, GENERAL)
    assert prompt.team_id == TEAM_ID  # spoken with the bot token
    assert seen == []
    assert verdicts == [ASK]
    # Other requests still go through Bolt.
    await slack.command("help", user_id=ALICE)
    assert seen == ["/mentor"]


async def test_after_an_install_event_bolt_authorizes_the_next_message_again(
    slack: SlackSender, bot: Runtime
) -> None:
    seen = through_bolt(bot)
    await slack.message(CHAT[0], user_id=ALICE, channel_id=GENERAL)
    assert seen == []
    await slack.tokens_revoked({"oauth": [ALICE], "bot": []})  # a user's token, not the bot's
    for text in CHAT[1:]:
        await slack.message(text, user_id=ALICE, channel_id=GENERAL)
    # What Bolt's authorize finds for the first message serves the next.
    assert seen == ["tokens_revoked", "message"]


async def test_a_listener_failing_on_the_short_way_is_answered_as_bolt_would(
    slack: SlackSender,
    fake_slack: FakeSlack,
    bot: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen = through_bolt(bot)

    async def broken(*args: Any, **kwargs: Any) -> bool:
        raise StorageError("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(bot.store, "claim_prompt", broken)
        with caplog.at_level(logging.INFO):
            reply = await slack.message(ASK, user_id=ALICE, channel_id=GENERAL)
    assert reply.status == 200
    assert reply.body in ("", None)  # never a stack trace to Slack
    assert seen == []
    assert prompts(fake_slack) == []
    [failed] = [r for r in caplog.records if r.getMessage().startswith("listener failed")]
    assert failed.exc_info is not None  # the traceback, in our log only
    assert "the database went away" in caplog.text
    assert "status=200" in caplog.records[-1].getMessage()  # and the request's own line

    await slack.message(ASK, user_id=ALICE, channel_id=GENERAL, ts="1700000000.000900")
    [prompt] = prompts(fake_slack)
    assert prompt.args["user"] == ALICE
