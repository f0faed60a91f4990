"""Catching "do you have a few minutes?": classify every message, prompt the asker privately."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import Background
from bot.clock import Clock
from bot.detection import Detection, classify
from bot.request_log import FACTS, QUIET
from bot.slack_client import SlowDown, post_once_fast
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
        text, thread_parent_user=event.get("parent_user_id"), bot_user_id=bot_user_id, author=user
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
    background: Background | None = None,
) -> bool:
    """Offer the asker, privately and once, to turn their message into a request; True if the
    message is prompted (or will be, once Slack's rate limit allows). A prompt posted is
    logged in its own line, or put in `facts` for the request's line."""
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
    prompt = {
        "channel": channel,
        "user": user,
        "thread_ts": event.get("thread_ts"),
        **build_ask_prompt(
            target_id=detection.target,
            channel_id=channel,
            message_ts=ts,
            thread_ts=event.get("thread_ts"),
            asked_text=str(event.get("text") or ""),
        ),
    }
    unposted = Unposted(store, team_id, user, channel, ts)
    try:
        await post_once_fast(client, "chat.postEphemeral", **prompt)
    except SlowDown as slow:
        if background is None:
            return await unposted.release(slow)
        # Slack answers the event now, and the asker sees the prompt once the wait is over.
        background.spawn(_post_later(client, prompt, slow.seconds, unposted), name=f"prompt-{ts}")
        log.info("prompt waits %.1f s for Slack user=%s channel=%s", slow.seconds, user, channel)
        return True
    except NOT_POSTED as error:
        return await unposted.release(error)
    if facts is None:
        log.info("prompted asker user=%s channel=%s score=%.2f", user, channel, detection.score)
    else:
        facts.update(prompted="asker", score=f"{detection.score:.2f}")
    return True


# What a post that never reached the asker raises: Slack's refusal, or a connection lost on
# every try (the client's retries end with aiohttp's own error).
NOT_POSTED = (SlackApiError, SlowDown, aiohttp.ClientError, TimeoutError)


@dataclass(frozen=True)
class Unposted:
    """A claimed prompt that may never reach its asker."""

    store: Store
    team_id: str
    user: str
    channel: str
    ts: str

    async def release(self, error: BaseException) -> bool:
        """Nobody saw it: it mustn't count as the prompt of this message or start a cooldown."""
        await self.store.release_prompt(self.team_id, self.user, self.channel, self.ts)
        log.warning(
            "prompt not posted user=%s channel=%s error=%s",
            self.user,
            self.channel,
            _reason(error),
        )
        return False


def _reason(error: BaseException) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or error.response.status_code)
    return type(error).__name__


async def _post_later(
    client: AsyncWebClient, prompt: dict[str, Any], seconds: float, unposted: Unposted
) -> None:
    await asyncio.sleep(seconds)
    try:
        await post_once_fast(client, "chat.postEphemeral", **prompt)
    except NOT_POSTED as error:
        await unposted.release(error)
        return
    log.info("prompted asker after a wait user=%s channel=%s", unposted.user, unposted.channel)


async def prompt_if_ask(
    event: dict[str, Any],
    body: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
) -> bool | None:
    """Prompt the asker if the message is an ask: None if it isn't one, else whether this
    message has its prompt (now, or by its other event: app_mention + message). False is an
    ask left unprompted: the cooldown, an opt-out, or detection off."""
    detection = detect_ask(event, context.bot_user_id)
    if detection is None:
        return None
    team_id = str(body.get("team_id"))
    background = context.get("background")
    if await prompt_asker(event, team_id, detection, client, store, clock, None, background):
        return True
    user, channel, ts = str(event["user"]), str(event.get("channel")), str(event.get("ts"))
    return await store.was_prompted(team_id, user, channel, ts)


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
    store, clock, background = context["store"], context["clock"], context["background"]
    await prompt_asker(event, team_id, detection, context.client, store, clock, facts, background)
