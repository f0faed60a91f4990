"""Logging setup: one plain line per record, ids only, level from MENTORBOT_LOG_LEVEL."""

from __future__ import annotations

import logging
import re
import sys
from functools import lru_cache
from typing import Any

from bot.internals import skip_caller_lookup

# Libraries log request bodies at DEBUG; those hold message text, so they stay at WARNING.
# slack_sdk's Web API client decides whether to build its debug text (the whole request and
# response) from its own logger's level, not the effective one: unset, it builds it for every
# call only to drop it. So that logger gets a level of its own.
QUIET_LIBRARIES = (
    "slack_bolt",
    "slack_sdk",
    "slack_sdk.web.async_base_client",
    "aiohttp",
    "apscheduler",
    # At DEBUG these log every statement with its parameters: notes, messages, tokens.
    "aiosqlite",
    "sqlalchemy",
    "psycopg",
    "alembic",
    "mentorbot.bolt",
)


FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
INVALID = "?"
# Slack's ids: T… teams, E… enterprises, U…/W… users, C…/G…/D… conversations, B… bots,
# A… apps, V… views; event ids are Ev… in mixed case.
_SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{0,31}|Ev[A-Za-z0-9]{1,32}")
_NAME = re.compile(r"[A-Za-z0-9_./:-]{1,100}")
# Log keys whose value is an id taken from a payload.
ID_KEYS = frozenset({"team", "user", "channel", "event_id", "by", "author", "view", "bot_user"})
_ID_ARG = re.compile(r"(\w+)=%[sr]|%[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def log_name(value: object) -> str:
    """`value` if it looks like an action or callback id, event type or command, else "?"."""
    if isinstance(value, str) and _NAME.fullmatch(value):
        return value
    return INVALID


def slack_id(value: object) -> str:
    """`value` if it looks like a Slack id, else "?": fuzzed text never reaches a log line."""
    if isinstance(value, str) and _SLACK_ID.fullmatch(value):
        return value
    return INVALID


@lru_cache(maxsize=1024)
def _id_positions(msg: str) -> tuple[int, ...]:
    """Which %-arguments of a log message follow an id key, as in "user=%s"."""
    positions, index = [], 0
    for match in _ID_ARG.finditer(msg):
        if match.group() == "%%":
            continue
        if match.group(1) in ID_KEYS:
            positions.append(index)
        index += 1
    return tuple(positions)


_TOKEN = re.compile(r"xox[a-z]-[A-Za-z0-9-]+")


class OneLineFormatter(logging.Formatter):
    """One record, one line: "user=%s" style ids that aren't ids print as "?", and control
    characters in the message are escaped, so a payload's text can't forge a log line."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        if isinstance(record.msg, str) and isinstance(record.args, tuple) and record.args:
            positions = _id_positions(record.msg)
            if positions:
                args: list[Any] = list(record.args)
                for index in positions:
                    if index < len(args):
                        args[index] = slack_id(args[index])
                record.message = record.msg % tuple(args)
        line = super().formatMessage(record)
        if _CONTROL.search(line):
            line = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), line)
        return line

    def format(self, record: logging.LogRecord) -> str:
        # The last guard for "no token in a log": a library's debug text or an exception's
        # message may quote one (oauth.v2.access answers with the bot token).
        line = super().format(record)
        return _TOKEN.sub(lambda m: m.group()[:5] + "(redacted)", line) if "xox" in line else line


def configure(level: str) -> None:
    """Send logs to stderr in a greppable format."""
    # Every request logs a line, so skip what our format never prints (the logging HOWTO's
    # "Optimization" section): thread and process names, and the caller's file and line.
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    skip_caller_lookup()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    hold_libraries(level)


def hold_libraries(level: str = "INFO") -> None:
    """Keep the libraries' loggers at WARNING or above."""
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
