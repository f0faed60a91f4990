"""manifest.yml: valid for Slack's manifest schema, and true to the product contract."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema.validators import validator_for

from bot.oauth import BOT_SCOPES as OAUTH_SCOPES
from handlers import ids

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "manifest.yml"
SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "slack" / "manifest.schema.1.0.0.json"

BOT_SCOPES = {
    "commands",
    "chat:write",
    "channels:history",
    "groups:history",
    "im:history",
    "im:write",
    "mpim:write",
    "users:read",
    "channels:read",
    "groups:read",
    "app_mentions:read",
    "files:write",
    "users.profile:read",
}
BOT_EVENTS = {
    "app_home_opened",
    "app_mention",
    "function_executed",
    "app_uninstalled",
    "tokens_revoked",
    "message.channels",
    "message.groups",
    "message.im",
}
# The /mentor subcommands every user has (DESIGN.md); the usage hint should name each one.
USER_SUBCOMMANDS = [
    "help",
    "ask",
    "intro",
    "profile",
    "find",
    "sessions",
    "notes",
    "pause",
    "resume",
    "snooze",
    "optout",
    "optin",
    "export",
    "forget",
]
EVENTS_ROUTE = "/slack/events"
# A commented-out request URL line, exactly as the manifest's HTTP-mode instructions write it.
_COMMENTED_URL = re.compile(r"^(\s*)# ((?:request_)?url: https://YOUR-HOST/slack/events)\s*$")


def _schema_errors(manifest: dict[str, Any]) -> list[str]:
    if not SCHEMA.parent.is_dir():
        pytest.skip(
            "../shared/slack is absent: cannot validate manifest.yml against Slack's schema"
        )
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = validator_for(schema)  # the schema declares draft-07
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in validator.iter_errors(manifest)
    ]


def _http_mode_text(text: str) -> str:
    """The manifest after following its own HTTP-mode comments."""
    lines = [_COMMENTED_URL.sub(r"\1\2", line) for line in text.splitlines()]
    switched = "\n".join(lines).replace("socket_mode_enabled: true", "socket_mode_enabled: false")
    assert switched.count("socket_mode_enabled: false") == 1
    return switched


@pytest.fixture(scope="module")
def text() -> str:
    return MANIFEST.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def manifest(text: str) -> dict[str, Any]:
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded


def test_manifest_is_valid_for_slacks_schema(manifest: dict[str, Any]) -> None:
    assert _schema_errors(manifest) == []


def test_display_information_is_complete(manifest: dict[str, Any]) -> None:
    info = manifest["display_information"]
    assert info["name"] == "mentorbot"
    assert "\n" not in info["description"]
    # The schema states this pattern under a non-standard "regex" key, which jsonschema ignores.
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", info["background_color"])
    assert len(info["long_description"]) >= 175


def test_bot_scopes_are_exactly_the_smallest_set(manifest: dict[str, Any], text: str) -> None:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes))
    assert set(scopes) == BOT_SCOPES
    assert "user" not in manifest["oauth_config"]["scopes"]
    # An OAuth install asks for exactly these too.
    assert sorted(OAUTH_SCOPES) == sorted(scopes)
    # The manifest says why files:write is there, and what happens without it.
    assert any("files:write" in line and ".ics" in line for line in text.splitlines())


def test_bot_events_are_exactly_the_contract(manifest: dict[str, Any]) -> None:
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert len(events) == len(set(events))
    assert set(events) == BOT_EVENTS


def test_socket_mode_and_interactivity_are_on(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    # Custom workflow steps need an org-ready app whose functions run here.
    assert settings["org_deploy_enabled"] is True
    assert settings["function_runtime"] == "remote"
    assert settings["token_rotation_enabled"] is False
    # In Socket Mode no request URL is used, and a placeholder host must not ship live.
    assert "request_url" not in settings["event_subscriptions"]
    assert "request_url" not in settings["interactivity"]
    assert "YOUR-HOST" not in json.dumps(manifest)


def test_the_oauth_redirect_url_is_a_placeholder_to_uncomment(text: str) -> None:
    lines = [line.strip() for line in text.splitlines()]
    assert "# redirect_urls:" in lines
    assert "#   - https://YOUR-HOST/slack/oauth_redirect".strip() in lines


def test_mentor_command_keeps_mentions_as_ids(manifest: dict[str, Any]) -> None:
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/mentor"]
    mentor = commands[0]
    # Only escaped, a person typed in the command arrives as an id (<@U…|name>).
    assert mentor["should_escape"] is True
    assert "url" not in mentor
    hint_words = set(re.findall(r"[a-z]+", mentor["usage_hint"]))
    assert [word for word in USER_SUBCOMMANDS if word not in hint_words] == []


def test_message_shortcut_asks_for_mentoring(manifest: dict[str, Any]) -> None:
    shortcuts = manifest["features"]["shortcuts"]
    assert shortcuts == [
        {
            "name": "Ask for mentoring",
            "type": "message",
            "callback_id": "ask_for_mentoring",
            "description": shortcuts[0]["description"],
        }
    ]
    assert shortcuts[0]["description"].strip()


def test_home_and_messages_tabs_are_on(manifest: dict[str, Any]) -> None:
    features = manifest["features"]
    assert features["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }
    assert features["bot_user"] == {"display_name": "mentorbot", "always_online": True}


def test_http_mode_instructions_point_every_url_at_slack_events(text: str) -> None:
    http = yaml.safe_load(_http_mode_text(text))
    settings = http["settings"]
    assert settings["socket_mode_enabled"] is False
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        http["features"]["slash_commands"][0]["url"],
    ]
    assert [url.removeprefix("https://YOUR-HOST") for url in urls] == [EVENTS_ROUTE] * 3
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any(EVENTS_ROUTE in line for line in header)


def test_http_mode_manifest_is_valid_for_slacks_schema(text: str) -> None:
    assert _schema_errors(yaml.safe_load(_http_mode_text(text))) == []


def _methods_we_call() -> set[str]:
    """Web API methods called through slack_sdk's client in bot/ and handlers/ (snake names)."""
    calls = re.compile(r"\.([a-z]+_[A-Za-z_]+)\(")
    found: set[str] = set()
    for folder in ("bot", "handlers"):
        for path in (REPO / folder).rglob("*.py"):
            found |= set(calls.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_web_api_method_we_call_has_a_scope_in_the_manifest(
    manifest: dict[str, Any],
) -> None:
    spec_path = SCHEMA.parent / "slack_web_openapi_v2.json"
    if not spec_path.exists():
        pytest.skip("../shared/slack is absent: cannot read the Web API's scopes")
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    # The 2020 spec names bot scopes the old way ("chat:write:bot" is today's "chat:write").
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    missing: dict[str, list[str]] = {}
    called = _methods_we_call()
    for path, operations in spec["paths"].items():
        if path[1:].replace(".", "_") not in called:
            continue
        for operation in operations.values():
            needed = {
                scope.removesuffix(":bot").removesuffix(":user")
                for need in operation.get("security") or []
                for scope in need.get("slackAuth", [])
            } - {"none"}
            if needed and not needed & granted:
                missing[path[1:]] = sorted(needed)
    assert "conversations_info" in called  # the scan sees our calls
    assert missing == {}


def test_workflow_steps_are_the_functions_we_listen_for(manifest: dict[str, Any]) -> None:
    functions = manifest["functions"]
    assert set(functions) == {ids.STEP_REQUEST_MENTORING, ids.STEP_INTRODUCE}
    ask = functions[ids.STEP_REQUEST_MENTORING]
    assert {name: p["type"] for name, p in ask["input_parameters"].items()} == {
        "mentee_id": "slack#/types/user_id",
        "topic": "string",
        "details": "string",
        "mentor_id": "slack#/types/user_id",
        "urgency": "string",
    }
    assert [n for n, p in ask["input_parameters"].items() if p["is_required"]] == [
        "mentee_id",
        "topic",
        "details",
    ]
    assert set(ask["output_parameters"]) == {"request_id", "status"}
    intro = functions[ids.STEP_INTRODUCE]
    assert set(intro["input_parameters"]) == {"mentee_id", "expert_id", "why", "introduced_by"}
    assert all(p["is_required"] for p in intro["input_parameters"].values())
    assert set(intro["output_parameters"]) == {"intro_id", "status"}
