"""Ids copied from a payload into a log line can't split it, or pass for something else."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.lifecycle import Runtime, running
from bot.logs import FORMAT, OneLineFormatter, slack_id
from playground.fakeslack import FakeSlack, SlackSender
from tests.conftest import SIGNING_SECRET, bot_settings

RECORD_START = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ ")


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the bot's stderr handler (bot.logs.configure) would print, at INFO."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(OneLineFormatter(FORMAT))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


async def test_ids_with_newlines_cannot_split_a_log_line(
    slack: SlackSender, bot: Runtime, log_output: io.StringIO
) -> None:
    forged = "U1\n2026-01-01 00:00:00,000 ERROR forged"
    await slack.block_action("retired_button_v0", "1", user_id=forged)
    await slack.app_mention("hello", user_id=forged, channel_id="C1\r\nforged")
    await slack.command("help", user_id=forged)
    await bot.background.drain(5)
    lines = log_output.getvalue().splitlines()
    assert lines
    assert [line for line in lines if not RECORD_START.match(line)] == []
    assert not any(" ERROR forged" in line for line in lines)
    handled = [line for line in lines if " handled " in line]
    assert len(handled) == 3
    assert all("user=? " in line for line in handled)
    assert "channel=? " in handled[1]


def test_the_formatter_keeps_ids_and_escapes_the_rest() -> None:
    formatter = OneLineFormatter("%(message)s")

    def line(msg: str, *args: object) -> str:
        record = logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, None)
        return formatter.format(record)

    assert line("user=%s team=%s", "U0ABC", "T0001") == "user=U0ABC team=T0001"
    assert line("n=%d user=%s", 3, "U1\nX") == "n=3 user=?"
    assert line("reason=%s", "a\nb\x1b[31m") == "reason=a\\nb\\x1b[31m"
    assert line("100%% user=%s", "W1") == "100% user=W1"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("T0001", "T0001"),
        ("U0BOT", "U0BOT"),
        ("EvQuiet1", "EvQuiet1"),
        ("u1", "?"),
        ("U1 ", "?"),
        ("", "?"),
        (7, "?"),
        ("U" * 40, "?"),
    ],
)
def test_slack_ids(value: object, shown: str) -> None:
    assert slack_id(value) == shown


async def test_bolt_leaves_the_level_of_our_loggers_alone(
    fake_slack: FakeSlack, tmp_path: Path, log_output: io.StringIO
) -> None:
    # Bolt gives the logger named after the app the level of the one it is handed (WARNING,
    # from bot.logs.configure). Named "mentorbot", that turned off every mentorbot.* INFO
    # line in the process, the request lines among them.
    handed = logging.getLogger("mentorbot.bolt")
    before = handed.level
    handed.setLevel(logging.WARNING)
    try:
        async with running(bot_settings(fake_slack, tmp_path)) as runtime:
            sender = SlackSender(f"http://127.0.0.1:{runtime.port}", SIGNING_SECRET)
            assert (await sender.command("help")).status == 200
        assert "handled kind=command name=/mentor" in log_output.getvalue()
        assert logging.getLogger("mentorbot").level == logging.NOTSET
    finally:
        handed.setLevel(before)
        logging.getLogger("mentorbot").setLevel(logging.NOTSET)
