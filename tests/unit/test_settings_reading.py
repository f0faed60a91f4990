"""How settings are read: conversions, the exact error line, and where each value comes from.

The error lines are the ones operators saw when pydantic checked the settings; they must not
change under scripts that match them.
"""

from __future__ import annotations

import dataclasses
import socket
from datetime import timedelta
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, SlackCredentials, StorageSettings, parse_hours
from bot.settings_reading import Problem

BASE = {"SLACK_BOT_TOKEN": "xoxb-1-2-3", "SLACK_SIGNING_SECRET": "shh"}
OAUTH = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "shh"}
RANGE = "input should be less than or equal to"
NOT_AN_INTEGER = "input should be a valid integer, unable to parse string as an integer"


def make(**env: object) -> Settings:
    return Settings(_env_file=None, **{**BASE, **env})


def error_line(**env: object) -> str:
    with pytest.raises(SettingsError) as caught:
        Settings(_env_file=None, **env)
    return str(caught.value)


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"MENTORBOT_PORT": "70000"}, f"MENTORBOT_PORT: {RANGE} 65535"),
        ({"MENTORBOT_PORT": "-1"}, "MENTORBOT_PORT: input should be greater than or equal to 0"),
        ({"MENTORBOT_PORT": "http"}, f"MENTORBOT_PORT: {NOT_AN_INTEGER}"),
        ({"MENTORBOT_PORT": ""}, f"MENTORBOT_PORT: {NOT_AN_INTEGER}"),
        ({"MENTORBOT_PORT": "80.5"}, f"MENTORBOT_PORT: {NOT_AN_INTEGER}"),
        ({"MENTORBOT_PORT": "0x10"}, f"MENTORBOT_PORT: {NOT_AN_INTEGER}"),
        ({"MENTORBOT_PORT": "١٢"}, f"MENTORBOT_PORT: {NOT_AN_INTEGER}"),
        (
            {"MENTORBOT_PORT": 80.5},
            "MENTORBOT_PORT: input should be a valid integer, got a number with a fractional part",
        ),
        ({"MENTORBOT_PORT": None}, "MENTORBOT_PORT: input should be a valid integer"),
        ({"MENTORBOT_TICK_SECONDS": "0"}, "MENTORBOT_TICK_SECONDS: input should be greater than 0"),
        ({"MENTORBOT_TICK_SECONDS": "3601"}, f"MENTORBOT_TICK_SECONDS: {RANGE} 3600"),
        ({"MENTORBOT_TICK_SECONDS": "nan"}, f"MENTORBOT_TICK_SECONDS: {RANGE} 3600"),
        (
            {"MENTORBOT_TICK_SECONDS": "fast"},
            "MENTORBOT_TICK_SECONDS: input should be a valid number, unable to parse string as a "
            "number",
        ),
        (
            {"MENTORBOT_TICK_SECONDS": None},
            "MENTORBOT_TICK_SECONDS: input should be a valid number",
        ),
        (
            {"MENTORBOT_LOG_LEVEL": "LOUD"},
            "MENTORBOT_LOG_LEVEL: input should be 'DEBUG', 'INFO', 'WARNING' or 'ERROR'",
        ),
        (
            {"MENTORBOT_WORKER_ID": "x" * 201},
            "MENTORBOT_WORKER_ID: string should have at most 200 characters",
        ),
        ({"MENTORBOT_WORKER_ID": 5}, "MENTORBOT_WORKER_ID: input should be a valid string"),
        ({"MENTORBOT_HOST": 5}, "MENTORBOT_HOST: input should be a valid string"),
        (
            {"SLACK_BOT_TOKEN": "xoxp-user-token"},
            "SLACK_BOT_TOKEN: must be a bot token starting with xoxb-",
        ),
        ({"SLACK_BOT_TOKEN": 5}, "SLACK_BOT_TOKEN: input should be a valid string"),
        (
            {"SLACK_APP_TOKEN": "xoxb-wrong"},
            "SLACK_APP_TOKEN: must be an app-level token starting with xapp-",
        ),
        (
            {"SLACK_API_URL": "slack.com"},
            "SLACK_API_URL: must be an http(s) URL such as https://slack.com/api/",
        ),
        (
            {"MENTORBOT_ADMINS": "U01,bob"},
            "MENTORBOT_ADMINS: must be comma-separated Slack user IDs (bad: bob)",
        ),
        ({"MENTORBOT_ADMINS": 5}, "MENTORBOT_ADMINS: input should be a valid frozenset"),
        (
            {"MENTORBOT_POOL_CHANNEL": "#general"},
            "MENTORBOT_POOL_CHANNEL: must be a channel ID such as C0123ABCD",
        ),
        (
            {"MENTORBOT_NUDGE_AFTER": "soon"},
            "MENTORBOT_NUDGE_AFTER: must be a number of hours or days, like 24h or 14d",
        ),
        ({"MENTORBOT_EXPIRE_AFTER": "91d"}, "MENTORBOT_EXPIRE_AFTER: must be between 1h and 90d"),
        (
            {"MENTORBOT_RETENTION_DAYS": "0"},
            "MENTORBOT_RETENTION_DAYS: input should be greater than or equal to 1",
        ),
        (
            {"MENTORBOT_DB": "oracle://bot:pw@db/x"},
            "MENTORBOT_DB: uses 'oracle'; mentorbot speaks sqlite:// and postgresql://",
        ),
        ({"MENTORBOT_DB": ""}, "MENTORBOT_DB: is empty; give a file path or a URL"),
        ({"MENTORBOT_DB_PASSWORD": 5}, "MENTORBOT_DB_PASSWORD: input should be a valid string"),
        (
            {"MENTORBOT_DB_POOL_SIZE": "0"},
            "MENTORBOT_DB_POOL_SIZE: input should be greater than or equal to 1",
        ),
        (
            {"MENTORBOT_NUDGE_AFTER": "3d"},
            "MENTORBOT_ESCALATE_AFTER must be later than MENTORBOT_NUDGE_AFTER",
        ),
    ],
)
def test_each_bad_value_has_its_exact_line(env: dict[str, object], line: str) -> None:
    assert error_line(**{**BASE, **env}) == line


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {},
            "SLACK_BOT_TOKEN is required (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install "
            "by OAuth)",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1"},
            "SLACK_SIGNING_SECRET is required in HTTP mode (set it, or set SLACK_APP_TOKEN for "
            "Socket Mode)",
        ),
        (
            {**BASE, "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c"},
            "set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET (installs by OAuth), not both",
        ),
        (
            {"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "s"},
            "SLACK_CLIENT_SECRET is required to install by OAuth",
        ),
        (
            {"SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "s"},
            "SLACK_CLIENT_ID is required to install by OAuth",
        ),
        (
            {**OAUTH, "SLACK_APP_TOKEN": "xapp-1"},
            "installs by OAuth need HTTP mode (Slack sends the browser back to "
            "/slack/oauth_redirect): unset SLACK_APP_TOKEN",
        ),
        # Only the first rule across variables that fails is told.
        (
            {"MENTORBOT_NUDGE_AFTER": "3d"},
            "MENTORBOT_ESCALATE_AFTER must be later than MENTORBOT_NUDGE_AFTER",
        ),
        # A bad value is told alone: the rules across variables wait for valid values.
        ({"MENTORBOT_PORT": "x"}, f"MENTORBOT_PORT: {NOT_AN_INTEGER}"),
    ],
)
def test_rules_across_variables_have_their_exact_line(env: dict[str, object], line: str) -> None:
    assert error_line(**env) == line


def test_every_bad_value_is_told_at_once_in_field_order() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings(
            _env_file=None,
            **BASE,
            MENTORBOT_ADMINS="bob",
            MENTORBOT_TICK_SECONDS="0",
            MENTORBOT_PORT="x",
            MENTORBOT_DB_POOL_SIZE="abc",
        )
    assert caught.value.problems == (
        Problem("MENTORBOT_DB_POOL_SIZE", NOT_AN_INTEGER),
        Problem("MENTORBOT_PORT", NOT_AN_INTEGER),
        Problem("MENTORBOT_TICK_SECONDS", "input should be greater than 0"),
        Problem("MENTORBOT_ADMINS", "must be comma-separated Slack user IDs (bad: bob)"),
    )
    assert str(caught.value) == "; ".join(str(problem) for problem in caught.value.problems)
    assert isinstance(caught.value, ValueError)


def test_a_rule_across_variables_names_no_single_variable() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings(_env_file=None)
    (problem,) = caught.value.problems
    assert problem.variable is None
    assert str(problem) == problem.message


@pytest.mark.parametrize(
    ("value", "port"),
    [(" 80 ", 80), ("+80", 80), ("1_000", 1000), ("080", 80), ("80.0", 80), (80.0, 80), (81, 81)],
)
def test_a_whole_number_is_taken_as_before(value: object, port: int) -> None:
    assert make(MENTORBOT_PORT=value).port == port


@pytest.mark.parametrize(("value", "seconds"), [(" 2.5 ", 2.5), ("1e1", 10.0), (3, 3.0)])
def test_a_number_is_taken_as_before(value: object, seconds: float) -> None:
    assert make(MENTORBOT_TICK_SECONDS=value).tick_seconds == seconds


def test_typed_values_from_the_constructor_are_taken() -> None:
    settings = make(
        MENTORBOT_ADMINS=["U01", "W02"],
        MENTORBOT_NUDGE_AFTER=timedelta(hours=2),
        MENTORBOT_ESCALATE_AFTER=12,  # a bare number of hours, as in the environment
        MENTORBOT_DB=Path("/srv/bot.db"),
        MENTORBOT_LOG_LEVEL=" warning ",
    )
    assert settings.admins == frozenset({"U01", "W02"})
    assert (settings.nudge_after, settings.escalate_after) == (
        timedelta(hours=2),
        timedelta(hours=12),
    )
    assert settings.db == "/srv/bot.db"
    assert settings.log_level == "WARNING"


def test_parse_hours_takes_hours_or_days() -> None:
    assert parse_hours("36h") == timedelta(hours=36)
    assert parse_hours(" 2 D ") == timedelta(days=2)
    assert parse_hours("90d") == timedelta(days=90)
    for bad in ("0h", "2161h", "2.5", "", "soon"):
        with pytest.raises(ValueError, match="must be"):
            parse_hours(bad)


def test_blank_means_unset_where_it_did() -> None:
    blank = dict.fromkeys(
        (
            "SLACK_CLIENT_ID",
            "SLACK_CLIENT_SECRET",
            "SLACK_REDIRECT_URI",
            "SLACK_APP_TOKEN",
            "MENTORBOT_POOL_CHANNEL",
            "MENTORBOT_RETENTION_DAYS",
        ),
        " ",
    )
    settings = make(**blank, MENTORBOT_DB_PASSWORD="", MENTORBOT_ADMINS="", MENTORBOT_WORKER_ID="")
    assert (settings.client_id, settings.client_secret, settings.redirect_uri) == (None,) * 3
    assert (settings.app_token, settings.pool_channel, settings.retention_days) == (None,) * 3
    assert settings.db_password is None
    assert settings.admins == frozenset()
    assert settings.worker_id == socket.gethostname()
    # A password of spaces is still a password; a blank host is taken as given.
    spaces = make(MENTORBOT_DB_PASSWORD=" ", MENTORBOT_HOST="")
    assert spaces.db_password is not None
    assert spaces.db_password.get_secret_value() == " "
    assert spaces.host == ""


def test_env_file_names_match_in_any_case_and_blank_lines_count_as_unset(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "slack_bot_token=xoxb-lower\nSlack_Signing_Secret=s\nSLACK_APP_TOKEN=\n"
        'export MENTORBOT_PORT=4100\nMENTORBOT_ADMINS="U01, U02"\n'
    )
    settings = Settings(_env_file=env_file)
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == "xoxb-lower"
    assert settings.app_token is None
    assert settings.port == 4100
    assert settings.admins == frozenset({"U01", "U02"})


def test_the_constructor_wins_even_with_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTORBOT_RETENTION_DAYS", "30")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-from-env")
    assert make().retention_days == 30
    settings = make(MENTORBOT_RETENTION_DAYS=None, SLACK_APP_TOKEN=None)
    assert (settings.retention_days, settings.app_token) == (None, None)


def test_names_that_are_not_variables_are_ignored() -> None:
    # As before: keyword arguments are variables' exact names; anything else is not read.
    settings = make(port="1", mentorbot_port="2", NOT_OURS="x")
    assert settings.port == 3000


def test_settings_are_frozen_and_compare_by_value() -> None:
    settings = make()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]
    assert settings == make()
    assert hash(settings) == hash(make())
    assert settings != make(MENTORBOT_PORT="1")


def test_storage_settings_and_credentials_read_only_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MENTORBOT_PORT", "not a port")
    assert StorageSettings(_env_file=None).db_pool_size == 5
    assert not SlackCredentials(_env_file=None).any_set()
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert SlackCredentials(_env_file=None).any_set()
