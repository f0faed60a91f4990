"""Settings: every contract variable, validated once, with one clear line on error."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, StorageSettings
from bot.workspace import default_workspace_settings

BASE = {"SLACK_BOT_TOKEN": "xoxb-1-2-3", "SLACK_SIGNING_SECRET": "shh"}
OAUTH = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "shh"}


def make(**env: str) -> Settings:
    return Settings(_env_file=None, **{**BASE, **env})


def error_line(**env: str) -> str:
    with pytest.raises(SettingsError) as caught:
        Settings(_env_file=None, **env)
    return str(caught.value)


def test_defaults_follow_the_contract() -> None:
    settings = make()
    assert settings.api_url == "https://slack.com/api/"
    assert settings.db_path == Path("data/mentorbot.db")
    assert (settings.host, settings.port) == ("0.0.0.0", 3000)  # noqa: S104 - the contract
    assert settings.log_level == "INFO"
    assert settings.tick_seconds == 10
    assert settings.admins == frozenset()
    assert settings.pool_channel is None
    assert settings.socket_mode is False


def test_app_token_turns_on_socket_mode_without_a_signing_secret() -> None:
    settings = Settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1")
    assert settings.socket_mode is True
    assert settings.signing_secret is None


def test_admins_are_split_and_checked() -> None:
    assert make(MENTORBOT_ADMINS=" U01, W02 ,").admins == frozenset({"U01", "W02"})
    assert "MENTORBOT_ADMINS" in error_line(**BASE, MENTORBOT_ADMINS="U01,bob")


def test_blank_optional_values_mean_unset() -> None:
    settings = make(SLACK_APP_TOKEN="", MENTORBOT_POOL_CHANNEL=" ")
    assert settings.app_token is None
    assert settings.pool_channel is None


def test_api_url_gets_a_trailing_slash() -> None:
    assert make(SLACK_API_URL="http://127.0.0.1:9/api").api_url == "http://127.0.0.1:9/api/"


def test_log_level_is_case_insensitive() -> None:
    assert make(MENTORBOT_LOG_LEVEL="debug").log_level == "DEBUG"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "SLACK_BOT_TOKEN is required"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN: must be a bot token"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is required in HTTP mode"),
        ({**BASE, "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN: must be an app-level"),
        ({**BASE, "MENTORBOT_PORT": "70000"}, "MENTORBOT_PORT: "),
        ({**BASE, "MENTORBOT_PORT": "http"}, "MENTORBOT_PORT: "),
        ({**BASE, "MENTORBOT_TICK_SECONDS": "0"}, "MENTORBOT_TICK_SECONDS: "),
        ({**BASE, "MENTORBOT_LOG_LEVEL": "LOUD"}, "MENTORBOT_LOG_LEVEL: "),
        ({**BASE, "MENTORBOT_POOL_CHANNEL": "#general"}, "MENTORBOT_POOL_CHANNEL: "),
        ({**BASE, "SLACK_API_URL": "slack.com"}, "SLACK_API_URL: "),
        ({**BASE, "MENTORBOT_NUDGE_AFTER": "soon"}, "MENTORBOT_NUDGE_AFTER: "),
        ({**BASE, "MENTORBOT_EXPIRE_AFTER": "91d"}, "MENTORBOT_EXPIRE_AFTER: "),
        ({**BASE, "MENTORBOT_ESCALATE_AFTER": "0h"}, "MENTORBOT_ESCALATE_AFTER: "),
        ({**BASE, "MENTORBOT_REMINDER_MINUTES": "-5"}, "MENTORBOT_REMINDER_MINUTES: "),
        ({**BASE, "MENTORBOT_NUDGE_AFTER": "3d"}, "later than MENTORBOT_NUDGE_AFTER"),
        (
            {**BASE, "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c"},
            "set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID",
        ),
        (
            {"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "s"},
            "SLACK_CLIENT_SECRET is required",
        ),
        ({"SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "s"}, "SLACK_CLIENT_ID is required"),
        ({**OAUTH, "SLACK_APP_TOKEN": "xapp-1"}, "installs by OAuth need HTTP mode"),
        (
            {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c"},
            "SLACK_SIGNING_SECRET is required",
        ),
        (
            {**OAUTH, "MENTORBOT_UNINSTALL_RETENTION_DAYS": "-1"},
            "MENTORBOT_UNINSTALL_RETENTION_DAYS",
        ),
    ],
)
def test_a_bad_value_is_named_in_one_line(env: dict[str, str], variable: str) -> None:
    line = error_line(**env)
    assert variable in line
    assert "\n" not in line


def test_oauth_installs_need_the_client_and_no_token() -> None:
    settings = Settings(_env_file=None, **OAUTH)
    assert settings.oauth
    assert settings.bot_token is None
    assert settings.uninstall_retention_days == 30
    assert not make(**BASE).oauth
    # Blank, as .env.example leaves them, is unset.
    assert not make(**BASE, SLACK_CLIENT_ID="", SLACK_CLIENT_SECRET=" ").oauth


def test_errors_never_echo_secret_values() -> None:
    line = error_line(SLACK_BOT_TOKEN="xoxp-supersecret")
    assert "supersecret" not in line


def test_env_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_SIGNING_SECRET=s\n")
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    settings = Settings(_env_file=env_file)
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == "xoxb-from-file"


def test_the_environment_wins_over_env_file_and_arguments_over_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comment\nSLACK_BOT_TOKEN=xoxb-file\nMENTORBOT_PORT=4000\nMENTORBOT_HOST='file-host'\n"
        "SLACK_SIGNING_SECRET=s\nNOT_OURS=1\n"
    )
    monkeypatch.setenv("MENTORBOT_PORT", "5000")
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("MENTORBOT_HOST", raising=False)
    settings = Settings(_env_file=env_file, MENTORBOT_TICK_SECONDS=2)
    assert (settings.port, settings.host, settings.tick_seconds) == (5000, "file-host", 2)
    assert Settings(_env_file=env_file, MENTORBOT_PORT=6000).port == 6000


def test_variables_are_read_whatever_their_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("mentorbot_log_level", "warning")
    assert make().log_level == "WARNING"


def test_a_missing_env_file_is_no_error(tmp_path: Path) -> None:
    assert Settings(_env_file=tmp_path / "absent.env", **BASE).port == 3000


def test_storage_settings_need_no_slack_tokens() -> None:
    settings = StorageSettings(_env_file=None, MENTORBOT_DB="/srv/mentorbot/x.db")
    assert settings.db_path == Path("/srv/mentorbot/x.db")


def test_request_timings_take_hours_or_days() -> None:
    settings = make()
    assert (settings.nudge_after, settings.escalate_after) == (
        timedelta(hours=24),
        timedelta(days=2),
    )
    assert settings.expire_after == timedelta(days=14)
    assert settings.reminder_minutes == 15
    tuned = make(MENTORBOT_NUDGE_AFTER="36", MENTORBOT_ESCALATE_AFTER="3D")
    assert (tuned.nudge_after, tuned.escalate_after) == (timedelta(hours=36), timedelta(days=3))


def test_workspace_defaults_come_from_the_environment() -> None:
    workspace = default_workspace_settings(make(MENTORBOT_EXPIRE_AFTER="10d"), "T1")
    assert (workspace.nudge_after_hours, workspace.escalate_after_hours) == (24, 48)
    assert workspace.expire_after_hours == 240


def test_the_worker_id_defaults_to_the_host_name() -> None:
    host = socket.gethostname()
    assert make().worker_id == host
    assert make(MENTORBOT_WORKER_ID="  ").worker_id == host
    assert make(MENTORBOT_WORKER_ID=" replica-b ").worker_id == "replica-b"
    assert "MENTORBOT_WORKER_ID" in error_line(**BASE, MENTORBOT_WORKER_ID="x" * 201)
