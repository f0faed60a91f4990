"""Listeners: each is a function of one `Click`, `HomeClick` or `Submission`, made a Bolt
listener by `on_click`, `on_home_click` or `on_submit`, so no listener repeats the ack, the
reading of the press or the broken-button answer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import Background
from bot.clock import Clock
from bot.settings import Settings
from handlers.home.publish import publish_home
from handlers.kit.org import click_home, form_home
from handlers.kit.payloads import Pressed, interaction_of, pressed_or_tell, read_pressed, submitter
from handlers.kit.replies import tell
from storage.store import Store

log = logging.getLogger(__name__)

FORM_FAILED = "I couldn't open the form just now ({reason}). Please try again."


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

    async def open_form(self, view: dict[str, Any]) -> bool:
        """Open a modal for the presser. When Slack refuses (a trigger that expired while the
        bot waited, say), tell them what happened rather than blame the bot."""
        try:
            await self.client.views_open(trigger_id=self.pressed.trigger_id, view=view)
        except SlackApiError as error:
            reason = error.response.get("error")
            log.warning("could not open a form action=%s error=%s", self.action_id, reason)
            await self.tell(FORM_FAILED.format(reason=reason))
            return False
        return True

    @property
    def action_id(self) -> str:
        """Which button: one listener may serve several."""
        read = interaction_of(self.body)
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

    async def pressed(self, surface: str) -> Pressed | None:
        """The row the button carries; None when the button is broken. On Grid, a row of a
        peer workspace (a mentor's part in its request) is served in that workspace."""
        pressed = read_pressed(self.body, surface)
        return None if pressed is None else await click_home(self.store, pressed, self.body)


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
                # On Grid, a mentor's click may come from another workspace of the org.
                pressed = await click_home(services[1], pressed, body)
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
                settings=click.settings,
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
        user_id, team_id = submitter(body)
        team_id = await form_home(services[1], body, user_id, team_id)
        await handle(Submission(*services, ack, body, user_id, team_id))

    return _listener(run, handle)
