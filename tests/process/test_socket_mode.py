"""Socket Mode: with SLACK_APP_TOKEN set, the bot connects out over a WebSocket (to the fake)
and still serves /healthz on its port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.lifecycle import Runtime, StartupError, running
from bot.settings import Settings
from playground.fakeslack import ALICE, BOB, GENERAL, TEAM_ID, FakeSlack, SlackSender, block_texts
from playground.fakeslack.socket import APP_TOKEN


def socket_settings(fake: FakeSlack, tmp_path: Path, app_token: str = APP_TOKEN) -> Settings:
    return Settings(
        _env_file=None,
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_APP_TOKEN=app_token,
        SLACK_API_URL=fake.url,
        MENTORBOT_DB=str(tmp_path / "bot.db"),
        MENTORBOT_HOST="127.0.0.1",
        MENTORBOT_PORT="0",
    )


@pytest.fixture
async def socket_bot(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Runtime]:
    async with running(socket_settings(fake_slack, tmp_path)) as runtime:
        yield runtime


def command_payload(text: str) -> dict[str, str]:
    return {
        "token": "legacy",
        "team_id": TEAM_ID,
        "team_domain": "mentorbot-test",
        "channel_id": GENERAL,
        "channel_name": "general",
        "user_id": ALICE,
        "user_name": "alice",
        "command": "/mentor",
        "text": text,
        "api_app_id": "A0MENTOR",
        "response_url": "https://hooks.slack.com/commands/T0001/1/x",
        "trigger_id": "1.2.3",
    }


async def test_socket_mode_answers_commands_and_serves_healthz(
    socket_bot: Runtime, fake_slack: FakeSlack
) -> None:
    assert socket_bot.mode == "socket"
    ack = await fake_slack.socket.send("slash_commands", command_payload("help"))
    assert "/mentor help" in block_texts(ack["payload"]["blocks"])

    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{socket_bot.port}/healthz") as response,
    ):
        health = await response.json()
        assert response.status == 200
    assert health["mode"] == "socket"

    # The Slack endpoint is not served in Socket Mode: nothing unsigned can get in that way.
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://127.0.0.1:{socket_bot.port}/slack/events", json={}) as response,
    ):
        assert response.status in (404, 405)


async def test_socket_mode_events_are_deduplicated(
    socket_bot: Runtime, fake_slack: FakeSlack
) -> None:
    envelope = {
        "token": "legacy",
        "team_id": TEAM_ID,
        "api_app_id": "A0MENTOR",
        "type": "event_callback",
        "event_id": "EvSock1",
        "event_time": 1700000000,
        "event": {"type": "app_home_opened", "user": ALICE, "channel": "D1", "tab": "home"},
    }
    await fake_slack.socket.send("events_api", envelope)
    await fake_slack.socket.send("events_api", envelope, retry_attempt=1)
    await socket_bot.background.drain(5)
    assert len(fake_slack.calls_to("views.publish")) == 1


async def test_socket_mode_messages_take_the_short_way_too(
    socket_bot: Runtime, fake_slack: FakeSlack
) -> None:
    """A channel message over the socket is handled without Bolt, as over HTTP (bot/app.py):
    an ask prompts its asker once, chat is only counted."""
    seen: list[object] = []

    async def through_bolt(body: dict[str, object], next: Any) -> None:  # Bolt's names
        seen.append(body.get("type"))
        await next()

    socket_bot.app.middleware(through_bolt)
    before = socket_bot.app.quiet.count
    for number, text in enumerate(
        ("do you have a few minutes to talk about my promotion case?", "lunch is here")
    ):
        envelope = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "api_app_id": "A0MENTOR",
            "type": "event_callback",
            "event_id": f"EvSockMsg{number}",
            "event_time": 1700000000,
            "event": {
                "type": "message",
                "user": ALICE,
                "text": text,
                "channel": GENERAL,
                "ts": f"1700000000.00010{number}",
                "channel_type": "channel",
            },
        }
        await fake_slack.socket.send("events_api", envelope)
    [prompt] = fake_slack.calls_to("chat.postEphemeral")
    assert (prompt.args["user"], prompt.args["channel"]) == (ALICE, GENERAL)
    assert socket_bot.app.quiet.count - before == 1
    assert seen == []


async def test_socket_mode_runs_a_workflow_step_once(
    socket_bot: Runtime, fake_slack: FakeSlack
) -> None:
    inputs = {"mentee_id": ALICE, "topic": "Career path", "details": "Advice on my promotion case."}
    run = fake_slack.start_function("request_mentoring", {**inputs, "mentor_id": BOB})
    event = SlackSender("http://unused", "unused").function_executed_event(run)
    envelope = {
        "token": "legacy",
        "team_id": TEAM_ID,
        "api_app_id": "A0MENTOR",
        "type": "event_callback",
        "event_id": "EvStep1",
        "event_time": 1700000000,
        "event": event,
    }
    await fake_slack.socket.send("events_api", envelope)
    await socket_bot.background.drain(5)
    await fake_slack.socket.send("events_api", envelope, retry_attempt=1)
    await socket_bot.background.drain(5)
    assert run.state == "completed", run.error
    assert run.outputs is not None
    assert run.outputs["status"] == "open"
    assert run.completions == ["success", "success"]  # the retry repeats the same outputs
    asks = [
        c
        for c in fake_slack.calls_to("chat.postMessage")
        if c.args["channel"] == fake_slack.dm_channel(BOB)
    ]
    assert len(asks) == 1


async def test_a_refused_app_token_stops_the_start(fake_slack: FakeSlack, tmp_path: Path) -> None:
    settings = socket_settings(fake_slack, tmp_path, app_token="xapp-1-not-known")
    with pytest.raises(StartupError, match="SLACK_APP_TOKEN"):
        async with running(settings):
            pass
