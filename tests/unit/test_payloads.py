"""A channel message's shape is read by hand, not by Pydantic (issue 25): the verdicts and
the named field must stay exactly Pydantic's."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pydantic import ValidationError

from bench.load import Requests
from bot.logs import log_name
from bot.payloads import _adapter, _plain_message, kind_of, shape_problem

WRONG = (None, 7, 1.5, True, [], {}, ["x"], {"a": 1})


def _message() -> dict[str, Any]:
    return {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event_id": "Ev1",
        "event_time": 1700000000,
        "enterprise_id": None,
        "authorizations": [{"team_id": "T1", "user_id": "UB", "is_bot": True}],
        "event": {
            "type": "message",
            "user": "U1",
            "text": "got a minute?",
            "channel": "C1",
            "channel_type": "channel",
            "ts": "1.1",
            "event_ts": "1.1",
            "thread_ts": "1.0",
            "parent_user_id": "U2",
            "hidden": False,
            "blocks": [{"type": "rich_text"}],
        },
    }


def _pydantic(body: dict[str, Any]) -> tuple[str, str] | None:
    """shape_problem as it was: Pydantic for every payload."""
    adapter = _adapter(kind_of(body), body)
    if adapter is None:
        return None
    try:
        adapter.validate_python(body)
    except ValidationError as error:
        first = error.errors(include_url=False, include_context=False, include_input=False)[0]
        return ".".join(log_name(str(step)) for step in first["loc"]) or "?", first["type"]
    return None


def _variants() -> list[dict[str, Any]]:
    """The message, and the message with each field it declares missing or of each wrong type."""
    found = [_message()]
    base = _message()
    for key in [*base, *(f"event.{k}" for k in base["event"]), "event.subtype", "event.tab"]:
        for value in (*WRONG, "s", "missing"):
            body = copy.deepcopy(base)
            node, leaf = (body["event"], key[6:]) if key.startswith("event.") else (body, key)
            if value == "missing":
                node.pop(leaf, None)
            else:
                node[leaf] = value
            found.append(body)
    return found


@pytest.mark.parametrize("body", _variants())
def test_the_hand_check_passes_only_what_pydantic_passes(body: dict[str, Any]) -> None:
    expected = _pydantic(body)
    if _plain_message(body):
        assert expected is None
    assert shape_problem(body) == expected


def test_the_hand_check_takes_the_messages_slack_sends() -> None:
    assert _plain_message(_message())
    mention = _message()
    mention["event"]["type"] = "app_mention"
    assert _plain_message(mention)
    edited = _message()
    edited["event"]["message"] = {"text": "x"}  # Pydantic reads that one
    assert not _plain_message(edited)
    assert shape_problem(edited) is None


def test_an_event_type_that_is_not_a_string_is_named_not_a_crash() -> None:
    body = _message()
    body["event"]["type"] = ["message"]
    assert shape_problem(body) == ("event.type", "string_type")


@pytest.mark.parametrize("kind", ["message", "ask"])
async def test_the_messages_slack_sends_take_the_hand_check(kind: str) -> None:
    body, _ = await Requests("secret", 1, ["U1"]).body(kind)  # shaped as Slack sends them
    assert _plain_message(json.loads(body))
