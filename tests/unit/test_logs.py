"""Logging set-up: library loggers never log, or even format, request bodies."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from bot import logs
from bot.settings import Settings
from bot.slack_client import make_client


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """configure() replaces the root handlers and sets levels: put everything back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logs.QUIET_LIBRARIES}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_the_web_api_client_logger_is_held_at_warning_by_its_own_level(level: str) -> None:
    settings = Settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="s")
    logs.configure(level)
    client_log = make_client(settings).logger
    # slack_sdk reads the logger's own level (not the effective one) to decide whether to
    # format each request and response for a debug line.
    assert client_log.level >= logging.WARNING
    assert not client_log.isEnabledFor(logging.DEBUG)


def test_a_token_quoted_in_a_message_or_a_traceback_is_redacted() -> None:
    formatter = logs.OneLineFormatter(logs.FORMAT)
    answer = {"ok": True, "access_token": "xoxb-1234-5678-abcDEF", "team": {"id": "T1"}}
    record = logging.LogRecord("slack_sdk", logging.DEBUG, __file__, 1, "body: %s", (answer,), None)
    try:
        raise ValueError("refused xoxp-9-9-user and xoxe-refresh-1")
    except ValueError:
        failed = logging.LogRecord("bot", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = formatter.format(record)
    assert "xoxb-1234" not in line
    assert "'access_token': 'xoxb-(redacted)'" in line
    assert "T1" in line
    trace = formatter.format(failed)
    assert "xoxp-9" not in trace
    assert "xoxe-refresh" not in trace
    assert "ValueError" in trace
