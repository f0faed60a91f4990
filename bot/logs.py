"""Logging setup: one plain line per record, ids only, level from MENTORBOT_LOG_LEVEL."""

from __future__ import annotations

import logging
import sys

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
    "mentorbot.bolt",
)


def configure(level: str) -> None:
    """Send logs to stderr in a greppable format."""
    # Every request logs a line, so skip what our format never prints (the logging HOWTO's
    # "Optimization" section): thread and process names, and the caller's file and line.
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None
    logging.basicConfig(
        stream=sys.stderr,
        level=level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        force=True,
    )
    hold_libraries(level)


def hold_libraries(level: str = "INFO") -> None:
    """Keep the libraries' loggers at WARNING or above."""
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
