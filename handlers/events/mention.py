"""`app_mention`: someone @-mentioned the bot."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.events import first_delivery
from handlers.requests.detect import prompt_if_ask
from storage.store import Store

log = logging.getLogger(__name__)

MENTION_HINT = (
    "Hi! I'm mentorbot. Type `/mentor help` to see what I can do. (Only you can see this message.)"
)
# An ask to the bot that gets no prompt (the cooldown, or its author opted out of prompts).
ASK_HINT = (
    "To ask someone for their time or advice, type `/mentor ask`: it opens the request form."
    " `/mentor help` lists the rest. (Only you can see this message.)"
)


async def app_mention(
    event: dict[str, Any],
    body: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
) -> None:
    """An ask gets the request prompt; anything else a private pointer to the help."""
    user_id, channel = event.get("user"), event.get("channel")
    if event.get("bot_id") or not isinstance(user_id, str) or not isinstance(channel, str):
        return
    if event.get("edited"):
        return  # Slack sends app_mention again on each edit of the message: answered once
    prompted = await prompt_if_ask(event, body, context, client, store, clock)
    if prompted:
        return
    if not await first_delivery(store, clock, body):
        return
    try:
        await client.chat_postEphemeral(
            channel=channel,
            user=user_id,
            text=MENTION_HINT if prompted is None else ASK_HINT,
            thread_ts=event.get("thread_ts"),
        )
    except SlackApiError as error:  # e.g. the bot left the channel since
        log.warning(
            "could not point to the help error=%s user=%s channel=%s",
            error.response.get("error"),
            user_id,
            channel,
        )
