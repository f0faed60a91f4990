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
from handlers.requests.actions import (
    after_accept,
    after_cancel,
    close_cancelled,
    refusal,
)
from handlers.requests.ask import MODAL_FAILED
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
        now = clock.now()
        done = await store.accept_request(click.team_id, click.target_id, click.user_id, now)
        if done is not None:
            work = after_accept(client, store, done, click.user_id, now)
            background.spawn(work, name=f"accept-{done.id}")
            notice = (
                f":white_check_mark: You accepted {user_mention(done.mentee_id)}'s request. "
                "Use *Offer times* when you're ready."
            )
        else:
            current = await store.get_request(click.team_id, click.target_id)
            notice = refusal(current, click.user_id, current.mentor_id if current else None)
    publish_home_later(
        background, client, store, clock, team_id=team_id, user_id=user_id, notice=notice
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
        now = clock.now()
        done = await store.cancel_request(click.team_id, click.target_id, click.user_id, now)
        if done is not None:
            session = await close_cancelled(store, done, now)
            work = after_cancel(client, store, done, session, now)
            background.spawn(work, name=f"cancel-request-{done.id}")
            notice = ":no_entry_sign: Request cancelled. Whoever had it has been told."
        else:
            current = await store.get_request(click.team_id, click.target_id)
            notice = refusal(current, click.user_id, current.mentee_id if current else None)
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
