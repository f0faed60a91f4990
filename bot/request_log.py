"""One log line per request Slack sends, with ids only: never message text or secrets.

Channel messages that aren't asks are the exception: in a busy workspace they are most of the
traffic and say nothing, so each one is logged at DEBUG and, at INFO, counted in one line a
minute.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from bot.logs import log_name, slack_id

log = logging.getLogger("mentorbot.request")

QUIET_SUMMARY_SECONDS = 60.0
# A listener sets this context key when the request needed nothing (a message not an ask).
QUIET = "quiet_request"
# A listener may put "key=value" facts under this context key (a dict) for the request's line:
# one line per ask rather than two saves ~25 µs of an ask's CPU (bench/findings.md).
FACTS = "log_facts"


def _first_action_id(body: dict[str, Any]) -> str | None:
    actions = body.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], dict):
        value = actions[0].get("action_id")
        return value if isinstance(value, str) else None
    return None


def _dig(body: dict[str, Any], *path: str) -> Any:
    node: Any = body
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def describe(body: dict[str, Any]) -> dict[str, str]:
    """The ids that say what a request was and whom it concerned, for a log line; a value
    that doesn't look like what Slack sends there is shown as "?"."""
    event = body.get("event") if isinstance(body.get("event"), dict) else None
    if body.get("command"):
        kind, name = "command", body.get("command")
    elif event is not None:
        kind, name = "event", event.get("type")
        if event.get("subtype"):
            name = f"{name}/{event.get('subtype')}"
    else:
        kind = str(body.get("type") or "unknown")
        name = (
            _first_action_id(body)
            or _dig(body, "view", "callback_id")
            or body.get("callback_id")
            or body.get("action_id")
        )
    found = {"kind": log_name(kind)}
    if name:
        found["name"] = log_name(name)
    ids: dict[str, Any] = {
        "team": body.get("team_id") or _dig(body, "team", "id"),
        "user": body.get("user_id")
        or _dig(body, "user", "id")
        or (event.get("user") if event else None),
        "channel": body.get("channel_id")
        or _dig(body, "channel", "id")
        or (event.get("channel") if event else None),
        "event_id": body.get("event_id"),
    }
    found.update((key, slack_id(value)) for key, value in ids.items() if value)
    return found


class QuietCount:
    """Requests that needed nothing from the bot, summed into a line every so often."""

    def __init__(self, every: float = QUIET_SUMMARY_SECONDS) -> None:
        self.every = every
        self.count = 0
        self.since = time.monotonic()

    def add(self) -> None:
        """Count one; log the sum once `every` seconds have passed since the last line."""
        self.count += 1
        if time.monotonic() - self.since >= self.every:
            self.flush()

    def flush(self) -> None:
        """Log the sum so far, if there is one, and start a new period (also at shutdown)."""
        now = time.monotonic()
        if self.count:
            log.info(
                "handled %d channel messages that were not asks in the last %.0f s",
                self.count,
                now - self.since,
            )
        self.count, self.since = 0, now


def log_request(
    body: dict[str, Any],
    status: int,
    millis: float,
    mode: str,
    quiet: QuietCount | None = None,
    facts: dict[str, str] | None = None,
) -> None:
    """Write the one line for a handled request, with a listener's `facts` at its end; with
    `quiet`, only count it (DEBUG shows it)."""
    level = logging.INFO
    if quiet is not None:
        quiet.add()
        level = logging.DEBUG
    if log.isEnabledFor(level):
        ids = " ".join(f"{k}={v}" for k, v in describe(body).items())
        extra = "".join(f" {k}={v}" for k, v in facts.items()) if facts else ""
        log.log(level, "handled %s status=%d ms=%.1f mode=%s%s", ids, status, millis, mode, extra)
