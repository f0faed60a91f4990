"""The Home tab's buttons. A Home click has no response_url, so every outcome (done, refused,
broken) is shown as one line on top of the re-published tab, published after the ack. A modal
opens inline: its trigger_id lives only 3 s."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import Background
from bot.clock import Clock
from bot.settings import Settings
from handlers.blocks.request_modal import RequestPrefill, build_request_modal
from handlers.blocks.text import user_mention
from handlers.booking.start import start_booking
from handlers.directory.profile import open_profile_modal
from handlers.home.publish import publish_home_later
from handlers.kit import BROKEN, read_pressed, submitter
from handlers.requests.ask import MODAL_FAILED
from handlers.requests.moves import accept_request, cancel_request
from storage.store import Store


async def home_accept(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    background: Background,
) -> None:
    """Accept from Home: the same rule as the DM's button (only the named mentor, only open)."""
    await ack()
    user_id, team_id = submitter(body)
    click = read_pressed(body, "request")
    notice = BROKEN
    if click is not None:
        moved = await accept_request(click, client, store, clock, background)
        notice = moved if isinstance(moved, str) else _accepted(moved.mentee_id)
    publish_home_later(
        background, client, store, clock, team_id=team_id, user_id=user_id, notice=notice
    )


def _accepted(mentee_id: str) -> str:
    return (
        f":white_check_mark: You accepted {user_mention(mentee_id)}'s request. "
        "Use *Offer times* when you're ready."
    )


async def home_cancel(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    background: Background,
) -> None:
    """Cancel one of your requests from Home (only the mentee)."""
    await ack()
    user_id, team_id = submitter(body)
    click = read_pressed(body, "request")
    notice = BROKEN
    if click is not None:
        moved = await cancel_request(click, client, store, clock, background)
        cancelled = ":no_entry_sign: Request cancelled. Whoever had it has been told."
        notice = moved if isinstance(moved, str) else cancelled
    publish_home_later(
        background, client, store, clock, team_id=team_id, user_id=user_id, notice=notice
    )


async def home_offer_times(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    settings: Settings,
    background: Background,
) -> None:
    """Offer times from Home: the booking flow's first step."""
    await ack()
    user_id, team_id = submitter(body)
    click = read_pressed(body, "request")
    if click is None:
        publish_home_later(
            background, client, store, clock, team_id=team_id, user_id=user_id, notice=BROKEN
        )
        return
    problem = await start_booking(
        client,
        store,
        clock,
        settings,
        team_id=click.team_id,
        request_id=click.target_id,
        user_id=click.user_id,
        trigger_id=str(body.get("trigger_id") or ""),
    )
    if problem:
        publish_home_later(
            background, client, store, clock, team_id=team_id, user_id=user_id, notice=problem
        )


async def home_ask(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    background: Background,
) -> None:
    """Ask for mentoring: the request form, empty."""
    await ack()
    view = build_request_modal(RequestPrefill())
    try:
        await client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=view)
    except SlackApiError as error:
        user_id, team_id = submitter(body)
        notice = MODAL_FAILED.format(error=error.response.get("error"))
        publish_home_later(
            background, client, store, clock, team_id=team_id, user_id=user_id, notice=notice
        )


async def home_profile(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    background: Background,
) -> None:
    """Edit mentor profile: the profile form, prefilled."""
    await ack()
    user_id, team_id = submitter(body)
    problem = await open_profile_modal(
        client,
        store,
        clock,
        team_id=team_id,
        user_id=user_id,
        trigger_id=str(body.get("trigger_id") or ""),
    )
    if problem:
        publish_home_later(
            background, client, store, clock, team_id=team_id, user_id=user_id, notice=problem
        )
