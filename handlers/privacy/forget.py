"""`/mentor forget`: a confirmation modal, then delete the caller's data and say what went."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError

from bot.clock import Clock
from handlers.blocks.privacy import build_forget_done, build_forget_modal
from storage.store import Store

if TYPE_CHECKING:
    # Type-only: importing handlers.commands at run time would import this module back.
    from handlers.commands.call import SubcommandCall

log = logging.getLogger(__name__)


async def forget_command(call: SubcommandCall) -> None:
    """`/mentor forget`: nothing is deleted until the caller confirms in the modal."""
    await call.ack()
    try:
        await call.client.views_open(
            trigger_id=str(call.command.get("trigger_id") or ""), view=build_forget_modal()
        )
    except SlackApiError as error:
        await call.respond(
            text=f"I couldn't open the confirmation ({error.response.get('error')}), so nothing "
            "was deleted. Please try again.",
            response_type="ephemeral",
        )


async def forget_confirmed(ack: AsyncAck, body: dict[str, Any], store: Store, clock: Clock) -> None:
    """Forget whoever submitted the modal (never anyone else), and show what was removed."""
    user = body.get("user") or {}
    user_id = str(user.get("id") or "")
    team_id = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
    if not user_id or not team_id:
        await ack()
        return
    removed = await store.forget_person(team_id, user_id, clock.now())
    log.info("forgot user=%s counts=%s", user_id, removed)
    await ack(response_action="update", view=build_forget_done(removed))
