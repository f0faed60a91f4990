"""The listener kit: what every feature's listeners share, so no feature imports another's helpers.

- Listeners: `on_click`, `on_home_click` and `on_submit` turn a function of one `Click`,
  `HomeClick` or `Submission` into a Bolt listener; the kit acks, reads who pressed what and
  answers a broken button, and the argument carries the services (`click.store`).
- Reading a payload: `read_pressed` and `submitter` (pydantic models of the fields they read),
  `metadata_id`, `parse_id`. Over HTTP a payload's shape is also checked at the door
  (bot/payloads.py); Socket Mode payloads are not, so a reader answers None or "" rather than
  raise.
- Replies and DMs (`tell`, `send_dm`, `try_dm`, `try_update`), the refusals (`NOT_YOURS`,
  `BROKEN`), rewriting a request's own messages after it moves, and what a `/mentor`
  subcommand gets (`SubcommandCall`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import BaseModel, StrictStr, ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import Background
from bot.clock import Clock
from bot.requests import TOPIC_LABELS, MentorFacts
from bot.settings import Settings
from bot.slack_client import user_info
from handlers.blocks.request_messages import Audience, build_not_yours, build_request_update
from handlers.home.publish import publish_home
from storage.models import Request, Session
from storage.store import Store

log = logging.getLogger(__name__)

NOT_YOURS = build_not_yours()
BROKEN = "That button is broken, so I didn't change anything. Try `/mentor help`."
# Ids are SQLite integers; a longer digit string would overflow the binding.
ID_DIGITS_MAX = 18


def parse_id(raw: object) -> int | None:
    """A row id carried by a button or a modal, or None when it isn't a plain digit string."""
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= ID_DIGITS_MAX:
        return int(raw)
    return None


# Replies and DMs.


async def tell(respond: Any, text: str) -> None:
    """An ephemeral answer to whoever clicked, through the click's response_url."""
    await respond(text=text, response_type="ephemeral", replace_original=False)


async def send_dm(client: AsyncWebClient, user_id: str, message: dict[str, Any]) -> tuple[str, str]:
    """Open (or reuse) the bot's DM with `user_id` and post `message`; returns (channel, ts)."""
    opened = await client.conversations_open(users=user_id)
    channel = str(opened["channel"]["id"])
    posted = await client.chat_postMessage(channel=channel, **message)
    return channel, str(posted["ts"])


async def try_dm(client: AsyncWebClient, user_id: str, message: dict[str, Any]) -> bool:
    """Best-effort DM (the client already retried 429 and 5xx); False and a log line if lost."""
    try:
        await send_dm(client, user_id, message)
    except SlackApiError as error:
        log.warning("could not DM user=%s error=%s", user_id, error.response.get("error"))
        return False
    return True


async def try_update(
    client: AsyncWebClient,
    channel: str,
    ts: str,
    message: dict[str, Any],
    logger: logging.Logger,
    failed: str,
    *about: object,
) -> bool:
    """Best-effort chat.update of a message the bot posted, whose state is already stored (a
    stale message's buttons re-check when clicked). If Slack refuses: False, and `failed` logged
    to `logger` with `about` and Slack's error appended as `error=`."""
    try:
        await client.chat_update(channel=channel, ts=ts, **message)
    except SlackApiError as error:
        logger.warning(f"{failed} error=%s", *about, error.response.get("error"))
        return False
    return True


# Reading a pressed button and a submitted view: pydantic models of the fields we read, so a
# Socket Mode payload of the wrong shape is refused here rather than deep in a listener.


class _Who(BaseModel):
    id: StrictStr = ""
    team_id: StrictStr = ""


class _Action(BaseModel):
    action_id: StrictStr = ""
    value: StrictStr | None = None


class _Interaction(BaseModel):
    """The fields of an interactivity payload (a click or a view submission) the kit reads."""

    user: _Who = _Who()
    team: _Who | None = None
    actions: list[_Action] = []
    trigger_id: StrictStr = ""

    @property
    def team_id(self) -> str:
        return (self.team.id if self.team else "") or self.user.team_id


def _interaction(body: dict[str, Any]) -> _Interaction | None:
    try:
        return _Interaction.model_validate(body)
    except ValidationError:
        return None


class Pressed(BaseModel, frozen=True):
    """Who pressed a button, in which workspace, and the row id the button carries."""

    user_id: str
    team_id: str
    target_id: int
    trigger_id: str


def read_pressed(body: dict[str, Any], surface: str = "booking") -> Pressed | None:
    """The presser and the id on the button; None (and a log line naming `surface`) when the
    payload is malformed."""
    read = _interaction(body)
    action = read.actions[0] if read and read.actions else _Action()
    target_id = parse_id(action.value)
    if read is None or target_id is None or not read.user.id or not read.team_id:
        # Ids only: the value is untrusted and may be anything.
        user_id = read.user.id if read else None
        log.warning("broken %s button action=%s user=%s", surface, action.action_id, user_id)
        return None
    return Pressed(
        user_id=read.user.id, team_id=read.team_id, target_id=target_id, trigger_id=read.trigger_id
    )


async def pressed_or_tell(
    body: dict[str, Any], respond: Any, surface: str = "booking"
) -> Pressed | None:
    """read_pressed, telling the presser when the button is broken."""
    pressed = read_pressed(body, surface)
    if pressed is None:
        await tell(respond, BROKEN)
    return pressed


class Submitted(NamedTuple):
    """Who submitted a view (or pressed a Home button), and in which workspace."""

    user_id: str
    team_id: str


def submitter(body: dict[str, Any]) -> Submitted:
    """The submitter of a view submission or Home click; empty strings when absent."""
    read = _interaction(body)
    if read is None:
        return Submitted("", "")
    return Submitted(read.user.id, read.team_id)


def metadata_id(body: dict[str, Any]) -> int | None:
    """The id a modal carries in private_metadata."""
    view = body.get("view")
    return parse_id(view.get("private_metadata") if isinstance(view, dict) else None)


# A request's own messages, rewritten by every feature that moves the request.

AUDIENCES: tuple[Audience, ...] = ("mentor", "pool", "mentee")


def message_of(request: Request, audience: Audience) -> tuple[str | None, str | None]:
    """Where the request's message for `audience` is: (channel, ts), or Nones if not sent."""
    if audience == "mentor":
        return request.mentor_dm_channel_id, request.mentor_dm_ts
    if audience == "pool":
        return request.pool_channel_id, request.pool_ts
    return request.mentee_dm_channel_id, request.mentee_dm_ts


async def refresh_request_messages(
    client: AsyncWebClient,
    request: Request,
    *,
    actor_id: str | None,
    at: datetime,
    passed_to: str | None = None,
) -> None:
    """After a transition, rewrite every message the request already has (chat.update)."""
    for audience in AUDIENCES:
        channel, ts = message_of(request, audience)
        if not channel or not ts:
            continue
        message = build_request_update(
            request,
            audience=audience,
            actor_id=actor_id,
            at=at,
            passed_to=passed_to,
        )
        failed = "could not update request message request=%d audience=%s"
        await try_update(client, channel, ts, message, log, failed, request.id, audience)


def topic_of(request: Request | None) -> str:
    """The request's topic as people read it."""
    if request is None:
        return "mentoring"
    return TOPIC_LABELS.get(request.topic, request.topic.value)


async def session_topic(store: Store, session: Session) -> str:
    """The topic of the request a session books."""
    if session.request_id is None:
        return "mentoring"
    return topic_of(await store.get_request(session.team_id, session.request_id))


# What a `/mentor` subcommand gets, and the people it names.

_LEADING_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>[\s,:]*")


def leading_mention(args: str) -> tuple[str | None, str]:
    """'<@U1|dana> can we talk?' -> ('U1', 'can we talk?'); no leading mention -> (None, args)."""
    match = _LEADING_MENTION.match(args.strip())
    if match is None:
        return None, args.strip()
    return match.group(1), args.strip()[match.end() :].strip()


async def mentor_facts(client: AsyncWebClient, user_id: str) -> MentorFacts:
    """What users.info says about a chosen mentor; someone Slack can't find counts as gone."""
    try:
        user = await user_info(client, user_id)
    except SlackApiError as error:
        if error.response.get("error") in ("user_not_found", "users_not_found"):
            return MentorFacts(user_id=user_id, deleted=True)
        raise
    if user is None:
        return MentorFacts(user_id=user_id)  # Slack is slow: delivery will find out the rest
    name = (user.get("profile") or {}).get("display_name") or user.get("real_name") or ""
    return MentorFacts(
        user_id=user_id,
        name=str(name),
        is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
        deleted=bool(user.get("deleted")),
    )


@dataclass(frozen=True, slots=True)
class SubcommandCall:
    """Everything a subcommand may need: the command payload, its arguments and the services."""

    ack: AsyncAck
    respond: AsyncRespond
    command: dict[str, Any]
    args: str
    client: AsyncWebClient
    store: Store
    clock: Clock
    settings: Settings

    @property
    def user_id(self) -> str:
        return str(self.command.get("user_id") or "")

    @property
    def team_id(self) -> str:
        return str(self.command.get("team_id") or "")


class BadArguments(Exception):
    """A subcommand's arguments are wrong; the message is shown before the help."""


# Listeners: each is a function of one `Click`, `HomeClick` or `Submission`, made a Bolt
# listener by `on_click`, `on_home_click` or `on_submit`, so no listener repeats the ack, the
# reading of the press or the broken-button answer.


@dataclass(frozen=True, slots=True)
class Services:
    """What a listener may use besides the payload; bot/app.py puts these in every context."""

    client: AsyncWebClient
    store: Store
    clock: Clock
    settings: Settings
    background: Background


@dataclass(frozen=True, slots=True)
class Click(Services):
    """A button press, acked and read: the presser, the row and the reply channel, with the
    services (`click.store`)."""

    pressed: Pressed
    body: dict[str, Any]
    respond: AsyncRespond

    async def tell(self, text: str) -> None:
        """An ephemeral answer to the presser."""
        await tell(self.respond, text)

    @property
    def action_id(self) -> str:
        """Which button: one listener may serve several."""
        read = _interaction(self.body)
        return read.actions[0].action_id if read and read.actions else ""


@dataclass(frozen=True, slots=True)
class HomeClick(Services):
    """A press on the Home tab, acked: who, where, and the services. Home has no
    response_url, so a listener's answer is a notice on the re-published tab."""

    user_id: str
    team_id: str
    body: dict[str, Any]

    @property
    def trigger_id(self) -> str:
        return str(self.body.get("trigger_id") or "")

    def pressed(self, surface: str) -> Pressed | None:
        """The row the button carries; None when the button is broken."""
        return read_pressed(self.body, surface)


Listener = Callable[..., Awaitable[None]]
ServiceValues = tuple[AsyncWebClient, Store, Clock, Settings, Background]
Run = Callable[[AsyncAck, dict[str, Any], AsyncRespond, ServiceValues], Awaitable[None]]


def _listener(run: Run, handle: Callable[..., Any]) -> Listener:
    """The one Bolt listener signature (Bolt injects by parameter name, the services from the
    context bot/app.py fills), running `run`, named after `handle`."""

    async def listener(
        ack: AsyncAck,
        body: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
        store: Store,
        clock: Clock,
        settings: Settings,
        background: Background,
    ) -> None:
        await run(ack, body, respond, (client, store, clock, settings, background))

    # Not functools.wraps: Bolt unwraps `__wrapped__` to learn which arguments to inject.
    listener.__name__ = handle.__name__
    listener.__qualname__ = handle.__qualname__
    listener.__doc__ = handle.__doc__
    listener.__module__ = handle.__module__
    return listener


def on_click(
    surface: str = "booking",
) -> Callable[[Callable[[Click], Awaitable[None]]], Listener]:
    """A Bolt listener for a button that carries a row id: ack, read the press (a broken one is
    told so), then `handle(click)`. `surface` names the button in the broken-button log line."""

    def make(handle: Callable[[Click], Awaitable[None]]) -> Listener:
        async def run(
            ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, services: ServiceValues
        ) -> None:
            await ack()
            pressed = await pressed_or_tell(body, respond, surface)
            if pressed is not None:
                await handle(Click(*services, pressed, body, respond))

        return _listener(run, handle)

    return make


def on_home_click(handle: Callable[[HomeClick], Awaitable[str | None]]) -> Listener:
    """A Bolt listener for a Home tab button: ack, `handle(click)`, and when it returns a
    notice, re-publish the presser's tab with it on top."""

    async def run(
        ack: AsyncAck, body: dict[str, Any], _: AsyncRespond, services: ServiceValues
    ) -> None:
        await ack()
        click = HomeClick(*services, *submitter(body), body)
        notice = await handle(click)
        if notice:
            # After the answer to Slack: a rate-limited views.publish can outlast its 3 s.
            work = publish_home(
                click.client,
                click.store,
                click.clock,
                team_id=click.team_id,
                user_id=click.user_id,
                notice=notice,
            )
            click.background.spawn(work, name=f"home-{click.user_id}")

    return _listener(run, handle)


@dataclass(frozen=True, slots=True)
class Submission(Services):
    """A submitted modal, not yet acked: the listener acks it, with inline errors or without."""

    ack: AsyncAck
    body: dict[str, Any]
    user_id: str
    team_id: str

    @property
    def view(self) -> dict[str, Any]:
        view = self.body.get("view")
        return view if isinstance(view, dict) else {}


def on_submit(handle: Callable[[Submission], Awaitable[None]]) -> Listener:
    """A Bolt listener for a modal's submission: `handle(submission)`, which must ack it."""

    async def run(
        ack: AsyncAck, body: dict[str, Any], _: AsyncRespond, services: ServiceValues
    ) -> None:
        await handle(Submission(*services, ack, body, *submitter(body)))

    return _listener(run, handle)
