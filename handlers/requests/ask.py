"""Ways into the request modal: `/mentor ask`, the message shortcut and the prompt's buttons."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import replace
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.slack_client import display_name
from handlers.blocks.prompt import (
    build_opted_out_notice,
    build_prompt_dismissed,
    build_prompt_opened,
    parse_prompt_value,
)
from handlers.blocks.request_modal import RequestPrefill, build_request_modal
from handlers.blocks.text import plain_text_of
from handlers.kit import SubcommandCall, leading_mention, mentor_facts
from storage.models import RequestSource
from storage.store import Store

log = logging.getLogger(__name__)

_ANY_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
MODAL_FAILED = (
    "I couldn't open the request form just now (Slack said: {error}). Please try again in a moment."
)


def first_mention(text: str) -> str | None:
    """The first user mentioned in a message, if any."""
    match = _ANY_MENTION.search(text)
    return match.group(1) if match else None


async def with_workspace_choices(
    store: Store, team_id: str, prefill: RequestPrefill
) -> RequestPrefill:
    """The prefill with what this workspace allows: the "without my name" box if it's on."""
    workspace = await store.get_workspace_settings(team_id)
    return replace(prefill, anonymous_allowed=workspace.anonymous_asks_enabled)


async def open_request_modal(
    client: AsyncWebClient,
    trigger_id: str,
    prefill: RequestPrefill,
    respond: AsyncRespond,
    failed: str = MODAL_FAILED,
    *,
    store: Store,
    team_id: str,
) -> bool:
    """views.open straight after ack, with the workspace's choices; True if it opened. A
    refusal is told to the person (`failed`, with {error}), never dropped."""
    prefill = await with_workspace_choices(store, team_id, prefill)
    try:
        await client.views_open(trigger_id=trigger_id, view=build_request_modal(prefill))
    except SlackApiError as error:
        log.warning("could not open the request modal error=%s", error.response.get("error"))
        await respond(
            text=failed.format(error=error.response.get("error")),
            response_type="ephemeral",
            replace_original=False,
        )
        return False
    return True


async def ask_command(call: SubcommandCall) -> None:
    """`/mentor ask [@someone] [text]`: the request modal, prefilled."""
    await call.ack()
    mentor_id, details = leading_mention(call.args)
    prefill = RequestPrefill(
        mentor_id=mentor_id if mentor_id != call.user_id else None,
        details=details,
        source=RequestSource.COMMAND,
    )
    await open_request_modal(
        call.client,
        str(call.command.get("trigger_id")),
        prefill,
        call.respond,
        store=call.store,
        team_id=call.team_id,
    )


async def optout_command(call: SubcommandCall) -> None:
    """`/mentor optout`: no more "turn this into a request?" prompts."""
    await call.store.set_opted_out(call.team_id, call.user_id, True, call.clock.now())
    await call.ack(
        text="OK, I won't offer to turn your messages into requests. `/mentor optin` turns "
        "that back on. `/mentor ask` still works any time."
    )


async def optin_command(call: SubcommandCall) -> None:
    """`/mentor optin`: prompts are back on."""
    await call.store.set_opted_out(call.team_id, call.user_id, False, call.clock.now())
    await call.ack(text="OK, I'll offer again when you ask someone for a few minutes.")


def _team_of(body: dict[str, Any]) -> str:
    user = body.get("user") or {}
    return str((body.get("team") or {}).get("id") or user.get("team_id") or "")


async def message_shortcut(
    ack: AsyncAck,
    shortcut: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    store: Store,
) -> None:
    """ "Ask for mentoring" on any message: its text, its first mention and a link back."""
    await ack()
    message = shortcut.get("message") or {}
    text = str(message.get("text") or "")
    clicker = (shortcut.get("user") or {}).get("id")
    mentor_id = first_mention(text)
    prefill = RequestPrefill(
        mentor_id=mentor_id if mentor_id != clicker else None,
        details=await _details_from(client, text, mentor_id),
        origin_channel_id=(shortcut.get("channel") or {}).get("id"),
        origin_ts=message.get("ts"),
        source=RequestSource.SHORTCUT,
    )
    trigger_id = str(shortcut.get("trigger_id"))
    team_id = _team_of(shortcut)
    await open_request_modal(client, trigger_id, prefill, respond, store=store, team_id=team_id)


async def _details_from(client: AsyncWebClient, text: str, mentor_id: str | None) -> str:
    """A message as the form's details: plain text, without the leading mention of the person
    already chosen as mentor (the form names them), and other people by name ("@bob")."""
    leading, rest = leading_mention(text)
    kept = rest if leading is not None and leading == mentor_id else text
    return plain_text_of(await _with_names(client, kept))


# A message event names people only by id (<@U2>); a form shows them by name. The names are
# looked up before the form opens, so briefly: past this, an id stays as Slack sent it.
NAMES_SECONDS = 1.0
NAMES_MAX = 5
_BARE_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")


async def _with_names(client: AsyncWebClient, text: str) -> str:
    """`text` with each bare <@U…> given its person's name (<@U…|bob>), where Slack says it."""
    ids = list(dict.fromkeys(_BARE_MENTION.findall(text)))[:NAMES_MAX]
    if not ids:
        return text
    names: dict[str, str] = {}

    async def look_up(user_id: str) -> None:
        # No markup characters: the name goes inside <@U…|name>.
        shown = re.sub(r"[<>|]", "", await display_name(client, user_id)).strip()
        if shown:
            names[user_id] = shown

    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(NAMES_SECONDS):
            await asyncio.gather(*(look_up(user_id) for user_id in ids))

    def named(match: re.Match[str]) -> str:
        name = names.get(match.group(1))
        return f"<@{match.group(1)}|{name}>" if name else match.group(0)

    return _BARE_MENTION.sub(named, text)


async def _bookable(client: AsyncWebClient, user_id: str | None) -> str | None:
    """The prompt's person, unless Slack says they can't mentor: an app (the starter of a
    thread under an app's post) or an account that is gone. Unknown in time: kept, for the
    form's own check on submit."""
    if user_id is None:
        return None
    try:
        async with asyncio.timeout(NAMES_SECONDS):
            facts = await mentor_facts(client, user_id)
    except (TimeoutError, SlackApiError):
        return user_id
    return None if facts.is_bot or facts.deleted else user_id


def _prompt_of(body: dict[str, Any]) -> Any:
    actions = body.get("actions") or [{}]
    return parse_prompt_value(actions[0].get("value"))


async def prompt_create(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    store: Store,
) -> None:
    """Create request: the modal, prefilled with the message, its target and where it was."""
    await ack()
    prompt = _prompt_of(body)
    if prompt is None:
        await respond(
            text="That button is broken; try `/mentor ask` instead.", replace_original=False
        )
        return
    mentor_id, details = await asyncio.gather(
        _bookable(client, prompt.target_id), _details_from(client, prompt.text, prompt.target_id)
    )
    prefill = RequestPrefill(
        mentor_id=mentor_id,
        details=details,
        origin_channel_id=prompt.channel_id,
        origin_ts=prompt.message_ts,
        source=RequestSource.DETECTED,
    )
    trigger_id = str(body.get("trigger_id"))
    team_id = _team_of(body)
    # A form that didn't open was said so; the prompt keeps its buttons to try again.
    if await open_request_modal(client, trigger_id, prefill, respond, store=store, team_id=team_id):
        await respond(**build_prompt_opened())


async def prompt_dismiss(ack: AsyncAck, respond: AsyncRespond) -> None:
    """Not now: the prompt shrinks to one quiet line."""
    await ack()
    await respond(**build_prompt_dismissed())


async def prompt_opt_out(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, store: Store, clock: Clock
) -> None:
    """Don't ask again: opt the clicker out of prompts."""
    await ack()
    user = body.get("user") or {}
    await store.set_opted_out(_team_of(body), str(user.get("id")), True, clock.now())
    await respond(**build_opted_out_notice())
