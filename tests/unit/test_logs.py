"""Logging set-up: library loggers never log, or even format, request bodies."""

from __future__ import annotations

import logging
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
