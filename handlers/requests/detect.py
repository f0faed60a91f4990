"""Catching "do you have a few minutes?": classify every message, prompt the asker privately."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.detection import Detection, classify
from bot.request_log import FACTS, QUIET
from bot.slack_client import post_once_fast
from handlers.blocks.prompt import build_ask_prompt
from storage.store import Store

log = logging.getLogger(__name__)


def detect_ask(event: dict[str, Any], bot_user_id: str | None) -> Detection | None:
    """The classifier's verdict on a person's new message; None for anything else.

    Pure and cheap: a message that isn't an ask costs no database write and no Web API call.
    """
    if event.get("subtype") or event.get("bot_id") or event.get("hidden"):
        return None
    user, text = event.get("user"), event.get("text")
    if not isinstance(user, str) or not isinstance(text, str) or user == bot_user_id:
        return None
    detection = classify(
        text, thread_parent_user=event.get("parent_user_id"), bot_user_id=bot_user_id
    )
    return detection if detection.is_ask else None


async def prompt_asker(
    event: dict[str, Any],
    team_id: str,
    detection: Detection,
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    facts: dict[str, str] | None = None,
) -> bool:
    """Offer the asker, privately and once, to turn their message into a request. A prompt
    posted is logged in its own line, or put in `facts` for the request's line."""
    user, channel, ts = str(event["user"]), str(event.get("channel")), str(event.get("ts"))
    workspace = await store.get_workspace_settings(team_id)
    if not workspace.detection_enabled or channel in workspace.detection_off_channels:
        return False
    cooldown = timedelta(minutes=workspace.prompt_cooldown_minutes)
    # One prompt per message (retries, app_mention + message) and per cooldown, atomically,
    # and none for someone who opted out.
    now = clock.now()
    if not await store.claim_prompt(team_id, user, channel, ts, cooldown, now):
        return False
    target = detection.target if detection.target != user else None
    try:
        await post_once_fast(
            client,
            "chat.postEphemeral",
            channel=channel,
            user=user,
            thread_ts=event.get("thread_ts"),
            **build_ask_prompt(
                target_id=target,
                channel_id=channel,
                message_ts=ts,
                thread_ts=event.get("thread_ts"),
                asked_text=str(event.get("text") or ""),
            ),
        )
    except SlackApiError as error:
        # Nobody saw it: it mustn't count as the prompt of this message or start a cooldown.
        await store.release_prompt(team_id, user, channel, ts)
        log.warning(
            "prompt not posted user=%s channel=%s error=%s",
            user,
            channel,
            error.response.get("error") or error.response.status_code,
        )
        return False
    if facts is None:
        log.info("prompted asker user=%s channel=%s score=%.2f", user, channel, detection.score)
    else:
        facts.update(prompted="asker", score=f"{detection.score:.2f}")
    return True


async def prompt_if_ask(
    event: dict[str, Any],
    body: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
) -> bool:
    """Prompt the asker if the message is an ask; True if it was one (prompted or not)."""
    detection = detect_ask(event, context.bot_user_id)
    if detection is None:
        return False
    await prompt_asker(event, str(body.get("team_id")), detection, client, store, clock)
    return True


async def on_message(
    event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext
) -> None:
    """Every message in channels the bot is in, and in its DMs.

    Takes the rest from `context` itself: Bolt's argument injection costs more the more
    arguments a listener names, and this one runs for every channel message.
    """
    detection = detect_ask(event, context.bot_user_id)
    if detection is None:
        context[QUIET] = True  # most of the traffic: counted, not logged one by one
        return
    team_id = str(body.get("team_id"))
    facts: dict[str, str] = {}
    context[FACTS] = facts  # the request's log line says whether the asker was prompted
    await prompt_asker(
        event, team_id, detection, context.client, context["store"], context["clock"], facts
    )
