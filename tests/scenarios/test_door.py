"""What POST /slack/events answers to what Slack would never send, before any listener runs."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from urllib.parse import quote

import pytest

from bot.door import MAX_DEPTH, too_deep
from bot.lifecycle import Runtime
from handlers.blocks.errors import STALE_BUTTON
from playground.fakeslack import FakeSlack, SlackSender
from tests.conftest import SIGNING_SECRET

FORM = "application/x-www-form-urlencoded"
SORRY = "went wrong"


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


def _signature(body: bytes, stamp: str) -> str:
    base = b"v0:" + stamp.encode() + b":" + body
    return "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "stamp", ["abc", "", "NaN", "1e9", "inf", "-1", " 1", "\uff11\uff12\uff13"]
)  # fullwidth digits
async def test_a_timestamp_that_is_not_a_number_gets_401(
    slack: SlackSender, caplog: pytest.LogCaptureFixture, stamp: str
) -> None:
    body = b"command=%2Fmentor&text=help&user_id=U1&team_id=T0001&channel_id=C1"
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": _signature(body, stamp)}
    reply = await slack.raw(body, headers, content_type=FORM, signed=False)
    assert reply.status == 401
    assert SORRY not in str(reply.body)
    assert _tracebacks(caplog) == []


@pytest.mark.parametrize("signature", ["v0=é" + "0" * 63, "v0=" + "ü" * 64, "ÿ", "v0=" + "A" * 64])
async def test_a_signature_with_other_characters_gets_401(
    slack: SlackSender, caplog: pytest.LogCaptureFixture, signature: str
) -> None:
    body = json.dumps({"type": "event_callback", "event": {"type": "app_mention"}}).encode()
    headers = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": signature}
    reply = await slack.raw(body, headers, signed=False)
    assert reply.status == 401
    assert SORRY not in str(reply.body)
    assert _tracebacks(caplog) == []


async def test_an_unsigned_malformed_body_gets_401_before_it_is_read(slack: SlackSender) -> None:
    reply = await slack.raw(b"[" * 5000, signed=False)
    assert reply.status == 401


def _nested(depth: int) -> str:
    return '{"type": "event_callback", "x": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 3000, 100_000])
async def test_a_deeply_nested_json_body_gets_400(
    slack: SlackSender, caplog: pytest.LogCaptureFixture, depth: int
) -> None:
    reply = await slack.raw(_nested(depth).encode())
    assert reply.status == 400
    assert _tracebacks(caplog) == []


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 3000])
async def test_a_deeply_nested_form_payload_gets_400(
    slack: SlackSender, caplog: pytest.LogCaptureFixture, depth: int
) -> None:
    body = ("payload=" + quote(_nested(depth).replace("event_callback", "block_actions"))).encode()
    reply = await slack.raw(body, content_type=FORM)
    assert reply.status == 400
    assert _tracebacks(caplog) == []


async def test_a_deep_body_is_refused_cheaply(slack: SlackSender) -> None:
    body = b"[" * (1024 * 1024 - 10)
    began = time.monotonic()
    reply = await slack.raw(body)
    assert reply.status == 400
    assert time.monotonic() - began < 1.0  # the scan stops at the limit; nothing recurses


def test_nesting_is_measured_outside_strings() -> None:
    assert not too_deep(json.dumps({"text": "[" * 500, "a": [[[{"b": [1]}]]]}))
    assert not too_deep(json.dumps({"text": '\\"[' * 500}))
    assert too_deep(json.dumps({"a": [[[[1]]]]}), limit=4)
    assert not too_deep(json.dumps({"a": [[[1]]]}), limit=4)


async def test_app_rate_limited_is_answered_200_with_one_warning(
    slack: SlackSender, caplog: pytest.LogCaptureFixture
) -> None:
    envelope = {
        "token": "fake-verification-token",
        "type": "app_rate_limited",
        "team_id": "T0001",
        "minute_rate_limited": 1518467820,
        "api_app_id": "A0MENTOR",
    }
    reply = await slack.raw(json.dumps(envelope).encode())
    assert reply.status == 200
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "1518467820" in warnings[0].getMessage()


async def test_a_slow_response_url_never_holds_the_answer(
    bot: Runtime, fake_slack: FakeSlack
) -> None:
    fake_slack.delay("response_url", 2.0)
    slack = SlackSender(  # no settle=: this test times the answer alone
        f"http://127.0.0.1:{bot.port}",
        SIGNING_SECRET,
        response_url_base=fake_slack.response_url_base,
    )
    began = time.monotonic()
    reply = await slack.block_action("retired_button_v0", "1")  # answered on its response_url
    assert reply.status == 200
    assert time.monotonic() - began < 1.0
    await bot.background.drain(5)
    [hook] = fake_slack.calls_to("response_url")
    assert hook.status == 200
    assert hook.args["text"] == STALE_BUTTON


async def test_an_unreachable_response_url_is_a_warning(
    bot: Runtime, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    slack = SlackSender(
        f"http://127.0.0.1:{bot.port}", SIGNING_SECRET, response_url_base="http://127.0.0.1:9/"
    )
    reply = await slack.block_action("retired_button_v0", "1")
    assert reply.status == 200
    await bot.background.drain(10)
    assert any(
        "response_url" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
    )
    assert _tracebacks(caplog) == []


@pytest.mark.parametrize("kind", [["message"], {"t": "message"}])
async def test_an_event_whose_type_is_not_a_string_is_named_not_a_crash(
    slack: SlackSender, kind: object, caplog: pytest.LogCaptureFixture
) -> None:
    envelope = {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": "Ev1",
        "event": {"type": kind},
    }
    with caplog.at_level(logging.WARNING):
        reply = await slack.raw(json.dumps(envelope).encode())
    assert reply.status == 200  # was a 500: a list or object can't be looked up in a set
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "field=event.type problem=string_type" in warning


@pytest.mark.parametrize(
    "body", [b"token=x&team_id=T0001", b"payload=", b"", b"{}", b'{"event": {}}']
)
async def test_a_signed_body_that_is_no_kind_of_slack_request_gets_400(
    slack: SlackSender, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    content_type = "application/json" if body.startswith(b"{") else FORM
    reply = await slack.raw(body, content_type=content_type)
    assert reply.status == 400
    assert _tracebacks(caplog) == []


async def test_slacks_ssl_check_is_answered_200(slack: SlackSender) -> None:
    reply = await slack.raw(b"ssl_check=1&token=x", content_type=FORM)
    assert reply.status == 200
