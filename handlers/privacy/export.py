"""`/mentor export`: DM the caller their own data, as a JSON file or, failing that, as messages."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.blocks.privacy import build_export_messages
from handlers.kit import SubcommandCall
from storage.privacy import export_json

log = logging.getLogger(__name__)

GATHERING = ":package: I'm putting your data together; it will arrive in a DM from me."
NO_DM = "I couldn't open a DM with you ({error}), so I sent nothing. Please try again later."
TOO_BIG = (
    "Your data is too big to send as messages, and I may not upload files here. Ask whoever "
    "runs mentorbot to give the app the `files:write` scope, then try again."
)
SEND_FAILED = "I couldn't send all of your data ({error}). Please try again later."
FILE_COMMENT = (
    "Here is everything mentorbot holds that is yours to see: your profile, requests, sessions, "
    "your own private notes, action items, check-ins and intros."
)


async def _upload(client: AsyncWebClient, channel: str, text: str, filename: str) -> bool:
    try:
        await client.files_upload_v2(
            channel=channel,
            content=text,
            filename=filename,
            title="Your mentorbot data",
            initial_comment=FILE_COMMENT,
        )
    except SlackApiError as error:
        log.info("export upload refused error=%s; sending messages", error.response.get("error"))
        return False
    except (SlackClientError, aiohttp.ClientError) as error:
        log.info("export upload failed error=%s; sending messages", type(error).__name__)
        return False
    return True


async def _send_as_messages(client: AsyncWebClient, channel: str, text: str) -> str | None:
    """Post the export as code-block messages; a problem to tell the caller, or None."""
    messages = build_export_messages(text)
    if messages is None:
        return TOO_BIG
    try:
        for message in messages:
            await client.chat_postMessage(channel=channel, **message)
    except SlackApiError as error:
        return SEND_FAILED.format(error=error.response.get("error"))
    return None


def _holds_anything(data: dict[str, Any]) -> bool:
    return any(value for key, value in data.items() if key not in ("team_id", "user_id"))


async def export_command(call: SubcommandCall) -> None:
    """`/mentor export`: your own data only, never what others wrote privately."""
    await call.ack(text=GATHERING)
    now = call.clock.now()
    data = await call.store.export_person(call.team_id, call.user_id)
    # On Grid, what they did in the org's other workspaces served by the same install.
    elsewhere = [
        there
        for peer in await call.store.org_peers(call.team_id)
        if _holds_anything(there := await call.store.export_person(peer, call.user_id))
    ]
    if elsewhere:
        data["other_workspaces"] = elsewhere
    text = export_json(data, now)
    try:
        opened = await call.client.conversations_open(users=call.user_id)
    except SlackApiError as error:
        await call.respond(text=NO_DM.format(error=error.response.get("error")))
        return
    channel = str(opened["channel"]["id"])
    filename = f"mentorbot-export-{now.date().isoformat()}.json"
    problem = None
    if not await _upload(call.client, channel, text, filename):
        problem = await _send_as_messages(call.client, channel, text)
    log.info("export sent user=%s file=%s", call.user_id, problem is None)
    if problem:
        await call.respond(text=problem, response_type="ephemeral")
