"""Send the bot signed requests shaped exactly like Slack's: commands, events, interactions.

`SlackSender(bot_url, signing_secret)` posts to `{bot_url}/slack/events`. Every send takes
`signed=False` (no signature headers), `timestamp_offset=-360` (signed six minutes ago),
`secret=` (signed with another secret) and `extra_headers=`.
Give `response_url_base=fake.response_url_base` so response_url posts reach the FakeSlack,
and `settle=` a coroutine function to await after each answer (the bot posts its response_url
replies after answering; conftest's `replies_sent` waits for them).
"""

from __future__ import annotations

import base64
import copy
import io
import itertools
import json
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack
from urllib.parse import urlencode

import aiohttp

from playground.fakeslack.find import block_of, surface_of
from playground.fakeslack.functions import FunctionRun
from playground.fakeslack.signing import sign
from playground.fakeslack.state import state_values
from playground.fakeslack.workspace import (
    ALICE,
    APP_ID,
    BOB,
    BOT_USER_ID,
    CAROL,
    GENERAL,
    TEAM_DOMAIN,
    TEAM_ID,
    Workspace,
)

VERIFICATION_TOKEN = "fake-verification-token"  # noqa: S105 - the fake's, never a secret
_NAMES = {ALICE: "alice", BOB: "bob", CAROL: "carol", BOT_USER_ID: "mentorbot"}


class SendOptions(TypedDict, total=False):
    """How a request is signed; by default as Slack signs it, now."""

    signed: bool
    timestamp_offset: int
    secret: str
    extra_headers: Mapping[str, str]


@dataclass
class Reply:
    """The bot's HTTP answer, and the payload it was answering."""

    status: int
    body: Any
    headers: dict[str, str]
    sent: dict[str, Any]


def _name(user_id: str) -> str:
    return _NAMES.get(user_id, user_id.lower())


def _channel_name(channel_id: str) -> str:
    if channel_id == GENERAL or channel_id.endswith("GENERAL"):
        return "general"
    return "directmessage" if channel_id.startswith("D") else channel_id.lower()


class SlackSender:
    """Signs and posts Slack's requests to the bot under test."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        team_id: str = TEAM_ID,
        api_app_id: str = APP_ID,
        bot_user_id: str = BOT_USER_ID,
        response_url_base: str = "https://hooks.slack.com/",
        path: str = "/slack/events",
        clock: Callable[[], float] = time.time,
        session: aiohttp.ClientSession | None = None,
        settle: Callable[[], Awaitable[None]] | None = None,
        team_domain: str = TEAM_DOMAIN,
        general: str = GENERAL,
        enterprise_id: str | None = None,
        enterprise_name: str | None = None,
        is_enterprise_install: bool = False,
        app_installed_team_id: str | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + path
        self.team_domain = team_domain
        self.general = general
        self.enterprise_id = enterprise_id
        self.enterprise_name = enterprise_name
        self.is_enterprise_install = is_enterprise_install
        # Views are sent as the fake stored them (app_installed_team_id: the workspace whose
        # install opened them; another one for a modal used from a Slack Connect channel).
        # Set, every view this sender submits or clicks in says so instead: a second team
        # served with the fake's one token, whose views the fake stores as its own team's.
        self.app_installed_team_id = app_installed_team_id
        self.settle = settle
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self.response_url_base = response_url_base
        self.clock = clock
        self.session = session
        self._serial = itertools.count(1)
        self._last_ts = 0

    def for_team(self, team: Workspace, *, org_wide: bool = False) -> SlackSender:
        """A sender that speaks for another workspace of the fake (fake.team(team_id)): its
        team_id, domain, #general, bot user and org in every payload; org_wide marks the
        requests as coming to an org-wide install (is_enterprise_install true)."""
        other = copy.copy(self)
        other.team_id = team.team_id
        other.team_domain = team.domain
        other.general = team.general
        other.bot_user_id = team.bot_user_id
        other.enterprise_id = team.enterprise_id
        other.enterprise_name = team.enterprise_name
        other.is_enterprise_install = org_wide
        other.app_installed_team_id = None  # the fake stores this team's views as its own
        return other

    # -- ids Slack makes up ----------------------------------------------------------------

    def new_ts(self) -> str:
        """A fresh message/action ts from the clock, strictly increasing."""
        micros = max(int(self.clock() * 1_000_000), self._last_ts + 1)
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def new_trigger_id(self) -> str:
        """A fresh trigger_id in Slack's shape (digits.digits.hex)."""
        return f"{int(self.clock() * 1000)}.{next(self._serial)}.{secrets.token_hex(8)}"

    def response_url(self, kind: str, channel_id: str, message_ts: str = "0") -> str:
        """A response_url FakeSlack can map back to the message it came from."""
        return f"{self.response_url_base}{kind}/{channel_id}/{message_ts}/{next(self._serial)}"

    def _user(self, user_id: str) -> dict[str, Any]:
        name = _name(user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _team(self) -> dict[str, Any]:
        team: dict[str, Any] = {"id": self.team_id, "domain": self.team_domain}
        if self.enterprise_id:
            team |= {"enterprise_id": self.enterprise_id, "enterprise_name": self.enterprise_name}
        return team

    def _enterprise(self) -> dict[str, Any] | None:
        if self.enterprise_id is None:
            return None
        return {"id": self.enterprise_id, "name": self.enterprise_name}

    # -- sending ---------------------------------------------------------------------------

    async def raw(
        self,
        body: bytes,
        headers: Mapping[str, str] | None = None,
        *,
        content_type: str = "application/json",
        sent: dict[str, Any] | None = None,
        **opts: Unpack[SendOptions],
    ) -> Reply:
        """Post any body, signed like Slack unless told otherwise."""
        final = {"Content-Type": content_type, **(headers or {}), **opts.get("extra_headers", {})}
        if opts.get("signed", True):
            stamp = int(self.clock()) + opts.get("timestamp_offset", 0)
            final.update(sign(body, opts.get("secret", self.signing_secret), stamp))
        if self.session is not None:
            reply = await self._post(self.session, body, final, sent or {})
        else:
            async with aiohttp.ClientSession() as session:
                reply = await self._post(session, body, final, sent or {})
        if self.settle is not None:
            await self.settle()
        return reply

    async def _post(
        self,
        session: aiohttp.ClientSession,
        body: bytes,
        headers: dict[str, str],
        sent: dict[str, Any],
    ) -> Reply:
        # A BytesIO body: aiohttp warns (an error under pytest) about large raw bytes bodies.
        async with session.post(self.url, data=io.BytesIO(body), headers=headers) as response:
            text = await response.text()
            parsed: Any = text
            if response.content_type == "application/json" and text:
                parsed = json.loads(text)
            return Reply(response.status, parsed, dict(response.headers), sent)

    async def _form(self, fields: dict[str, Any], **opts: Unpack[SendOptions]) -> Reply:
        body = urlencode(fields).encode()
        form = "application/x-www-form-urlencoded"
        return await self.raw(body, content_type=form, sent=fields, **opts)

    async def signed_json_payload(
        self, payload: dict[str, Any], **opts: Unpack[SendOptions]
    ) -> Reply:
        """Any interactivity payload, sent as Slack sends them: form field `payload=<json>`."""
        return await self._interaction(payload, **opts)

    async def _interaction(self, payload: dict[str, Any], **opts: Unpack[SendOptions]) -> Reply:
        view = payload.get("view")
        if self.app_installed_team_id and isinstance(view, dict):
            payload["view"] = {**view, "app_installed_team_id": self.app_installed_team_id}
        body = urlencode({"payload": json.dumps(payload)}).encode()
        form = "application/x-www-form-urlencoded"
        return await self.raw(body, content_type=form, sent=payload, **opts)

    # -- slash commands and events ---------------------------------------------------------

    async def command(
        self,
        text: str = "",
        *,
        command: str = "/mentor",
        user_id: str = ALICE,
        channel_id: str | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        **opts: Unpack[SendOptions],
    ) -> Reply:
        """A slash command, form-encoded as Slack sends it."""
        channel_id = channel_id or self.general
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": _channel_name(channel_id),
            "user_id": user_id,
            "user_name": _name(user_id),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "true" if self.is_enterprise_install else "false",
            "response_url": response_url or self.response_url("commands", channel_id),
            "trigger_id": trigger_id or self.new_trigger_id(),
        }
        if self.enterprise_id:
            fields["enterprise_id"] = self.enterprise_id
            fields["enterprise_name"] = self.enterprise_name or ""
        return await self._form(fields, **opts)

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        **opts: Unpack[SendOptions],
    ) -> Reply:
        """An Events API `event_callback` envelope around `event`."""
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": self.enterprise_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
            "event_time": int(self.clock()),
            "authorizations": [
                {
                    "enterprise_id": self.enterprise_id,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": self.is_enterprise_install,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + base64.b64encode(secrets.token_bytes(24)).decode(),
        }
        if self.enterprise_id:
            envelope["enterprise_id"] = self.enterprise_id
        headers = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        body = json.dumps(envelope).encode()
        return await self.raw(body, headers, sent=envelope, **opts)

    async def message(
        self,
        text: str,
        *,
        user_id: str = ALICE,
        channel_id: str | None = None,
        thread_ts: str | None = None,
        ts: str | None = None,
        **opts: Unpack[SendOptions],
    ) -> Reply:
        """A person's `message` event; reply.sent["event"]["ts"] is its ts."""
        channel_id = channel_id or self.general
        ts = ts or self.new_ts()
        kinds = {"C": "channel", "G": "group", "D": "im"}
        event: dict[str, Any] = {
            "type": "message",
            "user": user_id,
            "text": text,
            "ts": ts,
            "team": self.team_id,
            "channel": channel_id,
            "event_ts": ts,
            "channel_type": kinds.get(channel_id[:1], "channel"),
            "client_msg_id": str(uuid.uuid4()),
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return await self.event(event, **opts)

    async def app_mention(
        self,
        text: str,
        *,
        user_id: str = ALICE,
        channel_id: str | None = None,
        thread_ts: str | None = None,
        **opts: Unpack[SendOptions],
    ) -> Reply:
        """An `app_mention` event; the bot's mention is put in front unless `text` has it."""
        channel_id = channel_id or self.general
        mention = f"<@{self.bot_user_id}>"
        ts = self.new_ts()
        event: dict[str, Any] = {
            "type": "app_mention",
            "user": user_id,
            "text": text if mention in text else f"{mention} {text}",
            "ts": ts,
            "team": self.team_id,
            "channel": channel_id,
            "event_ts": ts,
            "client_msg_id": str(uuid.uuid4()),
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return await self.event(event, **opts)

    async def app_home_opened(
        self, *, user_id: str = ALICE, tab: str = "home", **opts: Unpack[SendOptions]
    ) -> Reply:
        """A person opened the app's Home (or Messages) tab."""
        event = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": "D" + user_id[1:],
            "tab": tab,
            "event_ts": self.new_ts(),
        }
        return await self.event(event, **opts)

    async def app_uninstalled(self, **opts: Unpack[SendOptions]) -> Reply:
        """The app was removed from this sender's team (or org): pair it with fake.uninstall."""
        return await self.event({"type": "app_uninstalled", "event_ts": self.new_ts()}, **opts)

    def function_executed_event(self, run: FunctionRun) -> dict[str, Any]:
        """The `function_executed` event Workflow Builder sends when it runs one of the app's
        steps: the execution's inputs and its own bot token (see `fake.start_function`)."""
        return {
            "type": "function_executed",
            "function": {
                "id": "Fn" + run.callback_id.upper()[:8],
                "callback_id": run.callback_id,
                "title": run.callback_id.replace("_", " ").capitalize(),
                "type": "app",
                "app_id": self.api_app_id,
                "date_created": int(self.clock()),
                "date_updated": 0,
                "date_deleted": 0,
            },
            "inputs": run.inputs,
            "function_execution_id": run.execution_id,
            "workflow_execution_id": run.workflow_execution_id,
            "event_ts": self.new_ts(),
            "bot_access_token": run.token,
        }

    async def function_executed(
        self,
        run: FunctionRun,
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        **opts: Unpack[SendOptions],
    ) -> Reply:
        """Send `function_executed_event(run)` over the Events API."""
        event = self.function_executed_event(run)
        return await self.event(event, event_id=event_id, retry_num=retry_num, **opts)

    async def tokens_revoked(
        self, tokens: Mapping[str, list[str]], **opts: Unpack[SendOptions]
    ) -> Reply:
        """Tokens were revoked; `tokens` is what fake.revoke_tokens or fake.uninstall returned:
        {"oauth": [user ids], "bot": [bot user ids]}: ids, never token strings, as Slack sends."""
        revoked = {"oauth": list(tokens.get("oauth", [])), "bot": list(tokens.get("bot", []))}
        event = {"type": "tokens_revoked", "tokens": revoked, "event_ts": self.new_ts()}
        return await self.event(event, **opts)

    async def url_verification(self, challenge: str, **opts: Unpack[SendOptions]) -> Reply:
        """The handshake Slack sends when the Request URL is saved."""
        payload = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return await self.raw(json.dumps(payload).encode(), sent=payload, **opts)

    # -- interactivity ---------------------------------------------------------------------

    def _base_payload(self, kind: str, user_id: str) -> dict[str, Any]:
        return {
            "type": kind,
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "team": self._team(),
            "enterprise": self._enterprise(),
            "is_enterprise_install": self.is_enterprise_install,
        }

    async def block_action(
        self,
        action_id: str,
        value: str | None = None,
        *,
        user_id: str = ALICE,
        block_id: str = "",
        text: str = "",
        action: Mapping[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        channel_id: str | None = None,
        ephemeral_ts: str | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        **opts: Unpack[SendOptions],
    ) -> Reply:
        """A `block_actions` payload: a button press in a message, ephemeral message or view.

        `action` overrides fields of the action, e.g. `{"type": "static_select",
        "selected_option": {...}}` for other elements.
        """
        channel_id = channel_id or self.general
        pressed: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "text": {"type": "plain_text", "text": text, "emoji": True},
            "type": "button",
            "action_ts": self.new_ts(),
        }
        if value is not None:
            pressed["value"] = value
        pressed.update(action or {})
        payload = self._base_payload("block_actions", user_id)
        payload["trigger_id"] = trigger_id or self.new_trigger_id()
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = view
        else:
            ts = ephemeral_ts or (message or {}).get("ts") or self.new_ts()
            payload["container"] = {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel_id,
                "is_ephemeral": ephemeral_ts is not None,
            }
            payload["channel"] = {"id": channel_id, "name": _channel_name(channel_id)}
            if message is not None:
                payload["message"] = message
            payload["state"] = {"values": {}}
            payload["response_url"] = response_url or self.response_url("actions", channel_id, ts)
        payload["actions"] = [pressed]
        return await self._interaction(payload, **opts)

    async def click(
        self,
        button: dict[str, Any],
        source: Any,
        *,
        user_id: str = ALICE,
        channel_id: str | None = None,
        **opts: Unpack[SendOptions],
    ) -> Reply:
        """Press `button` (from find_button) where it was shown: a Call, message or view."""
        surface = surface_of(source)
        block = block_of(surface, button) or {}
        pressed = {
            "action_id": button.get("action_id", ""),
            "value": button.get("value"),
            "user_id": user_id,
            "block_id": block.get("block_id", ""),
            "text": button.get("text", {}).get("text", ""),
        }
        method = getattr(source, "method", "")
        if surface.get("type") in ("modal", "home"):
            return await self.block_action(**pressed, view=surface, **opts)
        response = getattr(source, "response", None) or {}
        if method in ("chat.postEphemeral", "response_url"):
            # A response_url path is /hooks/{kind}/{channel}/{message_ts}/{n}.
            hooked = str(getattr(source, "path", "")).split("/")[3:4]
            where = channel_id or str(getattr(source, "args", {}).get("channel") or hooked[0])
            ephemeral = str(response.get("message_ts") or self.new_ts())
            return await self.block_action(
                **pressed, channel_id=where, ephemeral_ts=ephemeral, **opts
            )
        where = channel_id or response.get("channel") or surface.get("channel") or self.general
        return await self.block_action(**pressed, message=surface, channel_id=where, **opts)

    async def view_submission(
        self,
        view: Any,
        values: Mapping[str, Any] | None = None,
        *,
        user_id: str = ALICE,
        state: dict[str, Any] | None = None,
        private_metadata: str | None = None,
        **opts: Unpack[SendOptions],
    ) -> Reply:
        """Submit a modal; `values` maps input labels (or block_ids) to what the person chose."""
        submitted = dict(surface_of(view))
        submitted["state"] = {"values": state if state is not None else {}}
        if state is None:
            submitted["state"]["values"] = state_values(submitted, values or {})
        if private_metadata is not None:
            submitted["private_metadata"] = private_metadata
        payload = self._base_payload("view_submission", user_id)
        payload.update(trigger_id=self.new_trigger_id(), view=submitted, response_urls=[])
        return await self._interaction(payload, **opts)

    async def view_closed(
        self, view: Any, *, user_id: str = ALICE, **opts: Unpack[SendOptions]
    ) -> Reply:
        """A person closed a modal opened with notify_on_close."""
        payload = self._base_payload("view_closed", user_id)
        payload.update(view=surface_of(view), is_cleared=False)
        return await self._interaction(payload, **opts)

    async def shortcut_message(
        self,
        callback_id: str,
        text: str = "",
        *,
        user_id: str = ALICE,
        author_id: str = BOB,
        channel_id: str | None = None,
        message: dict[str, Any] | None = None,
        **opts: Unpack[SendOptions],
    ) -> Reply:
        """A message shortcut (`message_action`) run by `user_id` on `author_id`'s message."""
        channel_id = channel_id or self.general
        ts = (message or {}).get("ts") or self.new_ts()
        shown = dict(message or {"type": "message", "user": author_id, "text": text, "ts": ts})
        shown.setdefault("team", self.team_id)
        payload = self._base_payload("message_action", user_id)
        payload.update(
            callback_id=callback_id,
            trigger_id=self.new_trigger_id(),
            action_ts=self.new_ts(),
            channel={"id": channel_id, "name": _channel_name(channel_id)},
            message_ts=ts,
            message=shown,
            response_url=self.response_url("shortcuts", channel_id, ts),
        )
        return await self._interaction(payload, **opts)

    async def shortcut(
        self, callback_id: str, *, user_id: str = ALICE, **opts: Unpack[SendOptions]
    ) -> Reply:
        """A global shortcut."""
        payload = self._base_payload("shortcut", user_id)
        payload.update(callback_id=callback_id, trigger_id=self.new_trigger_id())
        payload["action_ts"] = self.new_ts()
        return await self._interaction(payload, **opts)
