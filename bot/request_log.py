"""One log line per request Slack sends, with ids only: never message text or secrets."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("mentorbot.request")


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
    """The ids that say what a request was and whom it concerned, for a log line."""
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
    fields: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "team": body.get("team_id") or _dig(body, "team", "id"),
        "user": body.get("user_id")
        or _dig(body, "user", "id")
        or (event.get("user") if event else None),
        "channel": body.get("channel_id")
        or _dig(body, "channel", "id")
        or (event.get("channel") if event else None),
        "event_id": body.get("event_id"),
    }
    return {k: str(v) for k, v in fields.items() if isinstance(v, str | int) and v != ""}


def log_request(body: dict[str, Any], status: int, millis: float, mode: str) -> None:
    """Write the one line for a handled request."""
    ids = " ".join(f"{k}={v}" for k, v in describe(body).items())
    log.info("handled %s status=%d ms=%.1f mode=%s", ids, status, millis, mode)
