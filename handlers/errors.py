"""The one error handler: log with the traceback, answer Slack, tell the person kindly."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse

from bot.request_log import describe
from handlers.blocks.errors import OOPS, build_unavailable_modal

log = logging.getLogger("mentorbot.errors")


async def on_error(
    error: Exception, body: dict[str, Any], respond: AsyncRespond | None
) -> BoltResponse:
    """Never a stack trace in Slack, never a retry storm: a 200 with a human answer."""
    ids = describe(body)
    log.exception("listener failed %s", " ".join(f"{k}={v}" for k, v in ids.items()))
    kind = body.get("type")
    if kind == "view_submission":
        # Pushing a modal keeps the person's half-filled form underneath it.
        view = build_unavailable_modal()
        return BoltResponse(status=200, body={"response_action": "push", "view": view})
    if body.get("command"):
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": OOPS})
    if kind == "block_actions" and body.get("response_url") and respond is not None:
        try:
            await respond(text=OOPS, response_type="ephemeral", replace_original=False)
        except Exception:
            log.exception("could not tell the user about the failure")
    return BoltResponse(status=200, body="")
