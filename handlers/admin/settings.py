"""`/mentor settings`: the workspace-settings modal, for admins, validated inline and audited."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.settings import Settings
from bot.workspace import workspace_settings
from handlers import ids
from handlers.admin.access import admins_only, is_admin
from handlers.blocks.settings import build_settings_modal, parse_settings_submission
from handlers.booking.common import submitter
from handlers.requests.delivery import try_dm
from storage.store import Store

if TYPE_CHECKING:
    # Type-only: importing handlers.commands at run time would import this module back.
    from handlers.commands.call import SubcommandCall

log = logging.getLogger(__name__)

NOT_A_MEMBER = (
    "I'm not in that channel yet. Open it, type /invite @mentorbot, then save again "
    "(or pick another channel)."
)
ARCHIVED = "That channel is archived. Pick another one."
SAVED = (
    ":gear: Workspace settings saved. They apply from now on: to new requests, and to every "
    "nudge, reminder and prompt still to come."
)


async def settings_command(call: SubcommandCall) -> None:
    """`/mentor settings`: open the modal with the settings in effect now (admins only)."""
    await call.ack()
    if not await admins_only(call, "settings"):
        return
    current = await workspace_settings(call.store, call.settings, call.team_id)
    try:
        await call.client.views_open(
            trigger_id=str(call.command.get("trigger_id") or ""),
            view=build_settings_modal(current),
        )
    except SlackApiError as error:
        await call.respond(
            text=f"I couldn't open the settings ({error.response.get('error')}). Please try again.",
            response_type="ephemeral",
        )


async def _pool_problem(client: AsyncWebClient, channel_id: str) -> str | None:
    """Why the bot can't post in the pool channel, or None if it can."""
    try:
        info = await client.conversations_info(channel=channel_id)
    except SlackApiError as error:
        # A private channel the bot isn't in answers channel_not_found.
        log.info("pool channel check failed error=%s", error.response.get("error"))
        return NOT_A_MEMBER
    channel = info.get("channel") or {}
    if channel.get("is_archived"):
        return ARCHIVED
    return None if channel.get("is_member") else NOT_A_MEMBER


async def settings_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    settings: Settings,
) -> None:
    """Check the submitter is an admin, validate inline, then save (audited) and confirm."""
    user_id, team_id = submitter(body)
    if not await is_admin(client, store, settings, clock, team_id=team_id, user_id=user_id):
        log.warning("settings submission refused user=%s", user_id)
        refusal = "Only workspace admins can change these settings."
        await ack(response_action="errors", errors={ids.SETTINGS_POOL_BLOCK: refusal})
        return
    current = await workspace_settings(store, settings, team_id)
    chosen, errors = parse_settings_submission(body.get("view") or {}, current)
    if chosen is not None and chosen.pool_channel_id:
        problem = await _pool_problem(client, chosen.pool_channel_id)
        if problem:
            errors = {ids.SETTINGS_POOL_BLOCK: problem}
    if chosen is None or errors:
        await ack(response_action="errors", errors=errors)
        return
    await store.save_workspace_settings(chosen, user_id, clock.now())
    await ack()
    log.info("workspace settings saved team=%s by=%s", team_id, user_id)
    await try_dm(client, user_id, {"text": SAVED})
