"""Logging setup: one plain line per record, ids only, level from MENTORBOT_LOG_LEVEL."""

from __future__ import annotations

import logging
import sys

# Libraries log request bodies at DEBUG; those hold message text, so they stay at WARNING.
_QUIET_LIBRARIES = ("slack_bolt", "slack_sdk", "aiohttp", "apscheduler", "mentorbot.bolt")


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
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
