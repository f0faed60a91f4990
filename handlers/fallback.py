"""Catch-all listeners, registered last, so nothing Slack sends goes unanswered.

Bolt answers 404 to a request no listener matched, and Slack retries such events and shows
an error to people who click. These listeners ack instead, and tell a person when what they
clicked or typed no longer works.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from handlers.blocks.errors import STALE_BUTTON, build_unavailable_modal

log = logging.getLogger(__name__)

ANYTHING = re.compile(".*")


async def ignore_event(body: dict[str, Any]) -> None:
    """Events nobody listens for (edits, deletions, other subtypes) are acked and dropped."""
    event = body.get("event") or {}
    log.debug("ignored event type=%s subtype=%s", event.get("type"), event.get("subtype"))


async def stale_action(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
    """A click on an action that no listener knows, e.g. from an older version's message."""
    await ack()
    action_ids = [a.get("action_id") for a in body.get("actions") or [] if isinstance(a, dict)]
    log.warning("unhandled action action_ids=%s", action_ids)
    if body.get("response_url"):
        await respond(text=STALE_BUTTON, response_type="ephemeral", replace_original=False)


async def stale_view(ack: AsyncAck, body: dict[str, Any]) -> None:
    """A submitted modal whose callback_id no listener knows: keep the input, say why."""
    log.warning("unhandled view callback_id=%s", (body.get("view") or {}).get("callback_id"))
    await ack(response_action="push", view=build_unavailable_modal())


async def just_ack(ack: AsyncAck, body: dict[str, Any]) -> None:
    """Shortcuts, options and commands we do not know: acknowledge and log the id only."""
    log.warning("unhandled %s callback_id=%s", body.get("type"), body.get("callback_id"))
    await ack()
