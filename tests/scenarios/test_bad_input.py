"""Signed payloads with fields of the wrong type, or missing: answered, and one warning each.

The payloads are the real ones a flow sends (a message that asks, the prompt's button, the
request form, the mentor's Accept, a shortcut, a command); each field is then swapped for a
value of another type, or deleted, and sent again, signed as Slack signs.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.lifecycle import Runtime
from handlers import ids
from playground.fakeslack import ALICE, BOB, FakeSlack, Reply, SlackSender, find_button

ASK = "<@U2> do you have a few minutes to talk about my promotion case?"
ANSWERS = {
    "What is it about?": "Getting promoted",
    "What's on your mind?": "I'd like your advice on my promotion case before the review.",
}
FORM = "application/x-www-form-urlencoded"
# Under these keys Slack sends Block Kit the bot itself built; listeners never read into them.
OPAQUE = frozenset({"blocks", "title", "close", "submit", "text", "authorizations"})

Path = tuple[str | int, ...]


def _wrong(value: Any) -> Any:
    """A value of another JSON type than `value`."""
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, str):
        return 7
    if isinstance(value, dict):
        return ["x"]
    if isinstance(value, list):
        return {"x": 1}
    if isinstance(value, int | float):
        return "7"
    return ["x"]


def _paths(node: Any, at: Path = ()) -> Iterator[Path]:
    if isinstance(node, dict):
        items: list[tuple[str | int, Any]] = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node[:2]))
    else:
        return
    for key, child in items:
        yield (*at, key)
        if key not in OPAQUE:
            yield from _paths(child, (*at, key))


def mutations(payload: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each field of `payload` with a value of the wrong type, then deleted."""
    for path in _paths(payload):
        parent_path, key = path[:-1], path[-1]
        for how in ("wrong", "deleted"):
            mutated = copy.deepcopy(payload)
            parent: Any = mutated
            for step in parent_path:
                parent = parent[step]
            if how == "wrong":
                parent[key] = _wrong(parent[key])
            elif isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
            yield f"{'.'.join(map(str, path))} {how}", mutated


async def send_payload(slack: SlackSender, payload: dict[str, Any]) -> Reply:
    """Send `payload` the way Slack sends its kind: events as JSON, the rest as a form."""
    if payload.get("type") in ("event_callback", "app_rate_limited", "url_verification"):
        return await slack.raw(json.dumps(payload).encode(), sent=payload)
    return await slack.signed_json_payload(payload)


async def real_payloads(slack: SlackSender, fake: FakeSlack, bot: Runtime) -> list[dict[str, Any]]:
    """The payloads of one ask, from the channel message to the mentor's Accept."""
    sent: list[dict[str, Any]] = []
    asked = await slack.message(ASK, user_id=ALICE)
    sent.append(asked.sent)
    [prompt] = [c for c in fake.calls_to("chat.postEphemeral") if "mentoring" in str(c.args)]
    sent.append((await slack.click(find_button(prompt, "Create request"), prompt)).sent)
    modal = fake.calls_to("views.open")[-1].response["view"]
    sent.append((await slack.view_submission(modal, ANSWERS)).sent)
    await bot.background.drain(5)  # the mentor's DM goes out after the answer
    dm = [c for c in fake.calls_to("chat.postMessage") if "Accept" in str(c.args)][-1]
    sent.append((await slack.click(find_button(dm, "Accept"), dm, user_id=BOB)).sent)
    sent.append((await slack.shortcut_message(ids.MESSAGE_SHORTCUT, ASK, author_id=BOB)).sent)
    sent.append((await slack.shortcut("some_global_shortcut")).sent)
    sent.append((await slack.app_mention("do you have a minute?")).sent)
    sent.append((await slack.app_home_opened()).sent)
    sent.append((await slack.view_closed(modal)).sent)
    return sent


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.name}: {r.getMessage()[:120]}"
        for r in caplog.records
        if r.exc_info or "Traceback" in r.getMessage()
    ]


async def test_fields_of_the_wrong_type_are_answered_without_a_traceback(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    payloads = await real_payloads(slack, fake_slack, bot)
    caplog.clear()
    answers: dict[str, int] = {}
    with caplog.at_level(logging.INFO):
        for payload in payloads:
            kind = payload.get("type")
            for name, mutated in mutations(payload):
                reply = await send_payload(slack, mutated)
                answers[f"{kind} {name}"] = reply.status
        await bot.background.drain(5)
    assert {k: v for k, v in answers.items() if not 200 <= v < 500} == {}
    assert _no_tracebacks(caplog) == []


async def test_a_command_missing_a_field_is_answered_without_a_traceback(
    slack: SlackSender, bot: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    fields = (await slack.command("ask <@U2> my promotion")).sent
    with caplog.at_level(logging.INFO):
        for name in fields:
            form = {k: v for k, v in fields.items() if k != name}
            reply = await slack.raw(urlencode(form).encode(), content_type=FORM)
            assert 200 <= reply.status < 500, name
        await bot.background.drain(5)
    assert _no_tracebacks(caplog) == []


def _set(payload: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `payload` with the field at dotted `path` set to `value`, or deleted (...)."""
    changed = copy.deepcopy(payload)
    *parents, last = path.split(".")
    node: Any = changed
    for step in parents:
        node = node[int(step)] if isinstance(node, list) else node[step]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return changed


async def _sent(slack: SlackSender, kind: str) -> dict[str, Any]:
    if kind == "block_actions":
        return (await slack.block_action("retired_button_v0", "1")).sent
    if kind == "view_submission":
        view = {"id": "V1", "type": "modal", "callback_id": "retired_modal_v0", "blocks": []}
        return (await slack.view_submission(view, {})).sent
    if kind == "message_action":
        return (await slack.shortcut_message(ids.MESSAGE_SHORTCUT, "hi", author_id=BOB)).sent
    return (await slack.app_home_opened()).sent


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    [
        ("block_actions", "user", ["U1"]),
        ("block_actions", "user.id", 7),
        ("block_actions", "team", 7),
        ("block_actions", "actions", ...),
        ("block_actions", "actions.0.action_id", None),
        ("block_actions", "container", "x"),
        ("block_actions", "state", []),
        ("view_submission", "view", ...),
        ("view_submission", "view.state.values", []),
        ("message_action", "message", "hi"),
        ("message_action", "channel", ...),
        ("event_callback", "event", [1]),
        ("event_callback", "event.user", {"id": "U1"}),
        ("event_callback", "team_id", ...),
    ],
)
async def test_a_broken_field_is_named_in_one_warning(
    slack: SlackSender,
    bot: Runtime,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    path: str,
    value: Any,
) -> None:
    payload = _set(await _sent(slack, kind), path, value)
    caplog.clear()
    reply = await send_payload(slack, payload)
    await bot.background.drain(5)
    assert reply.status == 200
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings
    assert f"kind={kind} field={path} " in warnings[0]
    assert _no_tracebacks(caplog) == []


async def test_a_command_missing_its_user_is_named_in_one_warning(
    slack: SlackSender, caplog: pytest.LogCaptureFixture
) -> None:
    fields = (await slack.command("help")).sent
    caplog.clear()
    form = {k: v for k, v in fields.items() if k != "user_id"}
    reply = await slack.raw(urlencode(form).encode(), content_type=FORM)
    assert reply.status == 200
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "kind=command field=user_id problem=missing" in warning
    # The person still hears that nothing happened.
    assert "something went wrong on my side" in str(reply.body)


async def test_a_broken_form_stays_open_under_a_word(slack: SlackSender) -> None:
    payload = _set(await _sent(slack, "view_submission"), "view.state.values", [])
    reply = await send_payload(slack, payload)
    assert reply.status == 200
    # Not an empty 200, which would close the form and lose what was typed.
    assert reply.body["response_action"] == "push"
    assert reply.body["view"]["title"]["text"] == "Not available"
