"""Scenarios: the real bot (lifecycle, HTTP server, Bolt, SQLite) driven the way Slack drives it.

Requests are signed exactly as Slack signs them and go over HTTP to the running app; the bot's
Web API calls go to the fake Slack on 127.0.0.1.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.lifecycle import Runtime, StartupError, running
from bot.request_log import QuietCount
from playground.fakeslack.find import block_texts
from playground.fakeslack.sender import SlackSender
from playground.fakeslack.server import FakeSlack
from tests.conftest import SIGNING_SECRET, bot_settings


async def test_healthz_reports_the_database(bot: Runtime) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{bot.port}/healthz") as response,
    ):
        body = await response.json()
    assert response.status == 200
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["schema_version"] == body["database"]["latest"]


async def test_healthz_is_503_when_the_database_is_gone(bot: Runtime) -> None:
    await bot.store.close()
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{bot.port}/healthz") as response,
    ):
        body = await response.json()
    assert response.status == 503
    assert body["database"]["ok"] is False


async def test_mentor_help_is_private_and_lists_help(slack: SlackSender) -> None:
    for text in ("", "help", "HELP"):
        reply = await slack.command(text)
        assert reply.status == 200
        assert reply.body["response_type"] == "ephemeral"
        assert "/mentor help" in block_texts(reply.body["blocks"])


async def test_unknown_subcommand_gets_an_error_then_the_help(slack: SlackSender) -> None:
    reply = await slack.command("frobnicate <!channel>")
    shown = block_texts(reply.body["blocks"])
    assert reply.status == 200
    assert "I don't know `/mentor frobnicate`" in shown
    assert "/mentor help" in shown
    assert "<!channel>" not in str(reply.body)


async def test_unsigned_and_stale_requests_are_refused(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    assert (await slack.command("help", signed=False)).status == 401
    assert (await slack.command("help", timestamp_offset=-360)).status == 401
    assert [c.method for c in fake_slack.calls] == ["auth.test"]  # only the start-up check


async def test_a_retried_event_has_one_effect(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    event = {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}
    first = await slack.event(event, event_id="Ev0001")
    retry = await slack.event(event, event_id="Ev0001", retry_num=1, retry_reason="timeout")
    assert (first.status, retry.status) == (200, 200)
    await bot.background.drain(5)  # the tab is published after the answer
    published = fake_slack.calls_to("views.publish")
    assert len(published) == 1
    assert published[0].args["user_id"] == "U1"
    assert "Welcome to mentorbot" in block_texts(published[0].args["view"])


async def test_a_mention_gets_a_private_pointer_once(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    event = {
        "type": "app_mention",
        "user": "U1",
        "channel": "C1",
        "text": "<@U0BOT> hello",
        "ts": "1700000000.000100",
    }
    await slack.event(event, event_id="Ev0002")
    await slack.event(event, event_id="Ev0002", retry_num=1)
    ephemeral = fake_slack.calls_to("chat.postEphemeral")
    assert [(c.args["channel"], c.args["user"]) for c in ephemeral] == [("C1", "U1")]
    assert fake_slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    "event",
    [
        {"type": "message", "subtype": "message_changed", "channel": "C1", "hidden": True},
        {"type": "message", "subtype": "message_deleted", "channel": "C1", "hidden": True},
        {"type": "message", "subtype": "channel_join", "user": "U1", "channel": "C1"},
        {"type": "reaction_added", "user": "U1", "reaction": "tada"},
        {"type": "something_slack_adds_next_year"},
    ],
)
async def test_events_nobody_handles_still_get_a_2xx(
    slack: SlackSender, fake_slack: FakeSlack, event: dict[str, object]
) -> None:
    reply = await slack.event(event)
    assert reply.status == 200
    assert fake_slack.calls_to("chat.postMessage") == []


async def test_a_stale_button_is_acked(slack: SlackSender) -> None:
    reply = await slack.block_action(user_id="U1", action_id="retired_button_v0", value="1")
    assert reply.status == 200


async def test_a_form_for_nobody_keeps_the_input(slack: SlackSender) -> None:
    view = {"id": "V1", "callback_id": "retired_modal_v0", "type": "modal"}
    reply = await slack.view_submission(user_id="U1", view=view, values={})
    assert reply.status == 200
    assert reply.body["response_action"] == "push"


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("text/plain", b"hello", 400),
        ("application/json", b"{not json", 400),
        ("application/json", b"[1, 2]", 400),
        ("application/x-www-form-urlencoded", b"payload=%7Bnot-json", 400),
        ("application/json", b"{" + b" " * (1024 * 1024) + b"}", 413),
    ],
)
async def test_malformed_bodies_are_refused(
    slack: SlackSender, content_type: str, body: bytes, status: int
) -> None:
    reply = await slack.raw(body, {"Content-Type": content_type})
    assert reply.status == status


async def test_payloads_missing_fields_are_answered(slack: SlackSender) -> None:
    for payload in (
        {"type": "block_actions"},
        {"type": "view_submission", "view": {}},
        {"type": "event_callback"},
        {"type": "shortcut"},
    ):
        reply = await slack.signed_json_payload(payload)
        assert reply.status < 500


async def test_a_slack_500_is_retried(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    fake_slack.fail_next("views.publish", status=500, times=1)
    event = {"type": "app_home_opened", "user": "U2", "channel": "D2", "tab": "home"}
    assert (await slack.event(event)).status == 200
    await bot.background.drain(5)
    answers = [c.status for c in fake_slack.calls_to("views.publish")]
    assert answers == [500, 200]


async def test_a_refused_bot_token_stops_the_start(fake_slack: FakeSlack, tmp_path: Path) -> None:
    settings = bot_settings(fake_slack, tmp_path, SLACK_BOT_TOKEN="xoxb-revoked")
    with pytest.raises(StartupError, match="SLACK_BOT_TOKEN"):
        async with running(settings):
            pass


async def test_url_verification_echoes_the_challenge(slack: SlackSender) -> None:
    reply = await slack.url_verification("c-123")
    assert reply.status == 200
    assert "c-123" in str(reply.body)


async def test_channel_messages_that_are_not_asks_are_counted_not_logged_one_by_one(
    slack: SlackSender, caplog: pytest.LogCaptureFixture
) -> None:
    chatter = {"type": "message", "user": "U1", "channel": "C1", "ts": "1700000000.000300"}
    ask = {**chatter, "ts": "1700000000.000400", "text": "do you have a few minutes to talk?"}
    with caplog.at_level(logging.DEBUG, logger="mentorbot.request"):
        await slack.event({**chatter, "text": "the build is green again"}, event_id="EvQuiet1")
        await slack.event(ask, event_id="EvAsk1")
        await slack.command("help")
    lines = {(r.levelno, r.getMessage().split(" status=")[0]) for r in caplog.records}
    assert (logging.DEBUG, "handled kind=event name=message team=T0001 user=U1 channel=C1 "
            "event_id=EvQuiet1") in lines  # fmt: skip
    assert (logging.INFO, "handled kind=event name=message team=T0001 user=U1 channel=C1 "
            "event_id=EvAsk1") in lines  # fmt: skip
    assert any(lvl == logging.INFO and "name=/mentor" in line for lvl, line in lines)
    assert "the build is green" not in caplog.text


def test_quiet_requests_are_summed_into_one_line_per_period(
    caplog: pytest.LogCaptureFixture,
) -> None:
    quiet = QuietCount(every=3600)
    with caplog.at_level(logging.INFO, logger="mentorbot.request"):
        for _ in range(5):
            quiet.add()
        assert caplog.records == []  # the period has not passed
        quiet.every = 0
        quiet.add()
    assert [r.getMessage().split(" in the last")[0] for r in caplog.records] == [
        "handled 6 channel messages that were not asks"
    ]
    assert quiet.count == 0


async def test_the_last_count_of_quiet_messages_is_logged_at_shutdown(
    fake_slack: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chatter = {"type": "message", "user": "U1", "channel": "C1", "text": "the build is green"}
    with caplog.at_level(logging.INFO, logger="mentorbot.request"):
        async with running(bot_settings(fake_slack, tmp_path)) as runtime:
            slack = SlackSender(f"http://127.0.0.1:{runtime.port}", SIGNING_SECRET)
            for n in range(3):
                await slack.event({**chatter, "ts": f"1700000000.00010{n}"}, event_id=f"EvQ{n}")
            assert "not asks" not in caplog.text  # a minute has not passed
    summaries = [r.getMessage() for r in caplog.records if "not asks" in r.getMessage()]
    assert [s.split(" in the last")[0] for s in summaries] == [
        "handled 3 channel messages that were not asks"
    ]


# Shapes Slack never sends, each of which once crashed Bolt's request parsing with a 500.
ODD_SHAPES = [
    {"type": "block_actions", "user": 5},
    {"type": "block_actions", "channel": 5},
    {"type": "block_actions", "container": 5},
    {"type": "block_actions", "authorizations": 5},
    {"type": "block_actions", "actions": "x", "user": {"id": "U1"}},
    {"type": "view_submission", "view": "x"},
    {"type": "shortcut", "user": []},
    {"type": "event_callback", "event": {"type": "message", "channel": 7}},
    {"type": "event_callback", "event": {"type": "message", "user": {"x": 1}}},
    {"type": "event_callback", "authorizations": [5]},
    {"type": "event_callback", "team_id": {"a": 1}},
]


@pytest.mark.parametrize("signed", [True, False])
@pytest.mark.parametrize("shape", ODD_SHAPES)
async def test_odd_shapes_are_refused_or_answered_never_a_500(
    slack: SlackSender, shape: dict[str, Any], signed: bool
) -> None:
    as_form = await slack.signed_json_payload(shape, signed=signed)
    as_json = await slack.raw(json.dumps(shape).encode(), signed=signed)
    assert as_form.status < 500
    assert as_json.status < 500


@pytest.mark.parametrize("event", [{}, {"type": None}, {"type": ""}])
async def test_an_event_without_a_type_is_acknowledged_so_slack_does_not_retry(
    slack: SlackSender, event: dict[str, Any]
) -> None:
    reply = await slack.signed_json_payload({"type": "event_callback", "event": event})
    as_json = await slack.raw(
        json.dumps({"type": "event_callback", "team_id": "T0001", "event": event}).encode()
    )
    assert reply.status < 500
    assert as_json.status == 200


@pytest.mark.parametrize("name", ["forget", "export", "optout", "resume", "sessions"])
async def test_a_subcommand_that_takes_nothing_refuses_extra_text_and_runs_nothing(
    slack: SlackSender, fake_slack: FakeSlack, name: str
) -> None:
    # "/mentor forget @bob" must not open "delete *your* data" as if it were about Bob.
    reply = await slack.command(f"{name} <@U2>", user_id="U1")
    assert f"/mentor {name} takes nothing after it" in block_texts(reply.body)
    assert fake_slack.calls_to("views.open") == []
    assert fake_slack.calls_to("chat.postMessage") == []
    assert "takes nothing" not in block_texts((await slack.command("help me")).body)
