"""SecretStr: a token or password never shows its value, however it is printed or logged."""

from __future__ import annotations

import logging

import pytest

from bot.secret import SecretStr
from bot.settings import Settings, SlackCredentials, StorageSettings

TOKEN = "xoxb-very-secret-token"
MASK = "**********"


def test_the_value_comes_out_only_when_asked_for() -> None:
    secret = SecretStr(TOKEN)
    assert secret.get_secret_value() == TOKEN
    assert repr(secret) == f"SecretStr('{MASK}')"
    assert str(secret) == MASK
    assert f"{secret}" == MASK
    assert "{}".format(secret) == MASK  # noqa: UP032 - the format() path, on purpose
    assert "%s %r" % (secret, secret) == f"{MASK} SecretStr('{MASK}')"  # noqa: UP031
    assert TOKEN not in repr([secret, {"token": secret}])


def test_a_log_line_shows_stars(caplog: pytest.LogCaptureFixture) -> None:
    secret = SecretStr(TOKEN)
    with caplog.at_level(logging.INFO):
        logging.getLogger("test.secret").info("token %s, again %r", secret, secret)
    assert TOKEN not in caplog.text
    assert MASK in caplog.text


def test_secrets_compare_by_value() -> None:
    assert SecretStr("a") == SecretStr("a")
    assert SecretStr("a") != SecretStr("b")
    assert SecretStr("a") != "a"  # a secret is not its text
    assert len({SecretStr("a"), SecretStr("a"), SecretStr("b")}) == 2


def test_settings_never_show_their_secrets(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(
        _env_file=None,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET="signing-secret-value",
        SLACK_APP_TOKEN="xapp-app-secret-value",
        MENTORBOT_DB="postgresql://bot:url-password@db/mentorbot",
        MENTORBOT_DB_PASSWORD="db-password-value",
    )
    with caplog.at_level(logging.INFO):
        logging.getLogger("test.secret").info("settings %s %r", settings, settings)
    shown = f"{settings} {settings!r} {caplog.text}"
    for value in (TOKEN, "signing-secret", "xapp-app", "url-password", "db-password"):
        assert value not in shown
    assert "bot_token=SecretStr('**********')" in shown


def test_storage_settings_and_credentials_never_show_their_secrets() -> None:
    storage = StorageSettings(_env_file=None, MENTORBOT_DB_PASSWORD="db-password-value")
    credentials = SlackCredentials(_env_file=None, SLACK_BOT_TOKEN=TOKEN, SLACK_CLIENT_SECRET="cs")
    assert "db-password" not in repr(storage)
    assert credentials.any_set()
    assert repr(credentials) == "SlackCredentials()"
