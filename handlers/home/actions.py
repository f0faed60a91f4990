"""The Home tab's buttons. A Home click has no response_url, so every outcome (done, refused,
broken) is shown as one line on top of the re-published tab, published after the ack. A modal
opens inline: its trigger_id lives only 3 s."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk.errors import SlackApiError

from handlers.blocks.request_modal import RequestPrefill, build_request_modal
from handlers.blocks.text import user_mention
from handlers.booking.start import start_booking
from handlers.directory.profile import open_profile_modal
from handlers.kit import BROKEN, HomeClick, on_home_click
from handlers.requests.ask import MODAL_FAILED, with_workspace_choices
from handlers.requests.moves import Move, accept_request, cancel_request
from storage.models import Request

CANCELLED = ":no_entry_sign: Request cancelled. Whoever had it has been told."


@on_home_click
async def home_accept(click: HomeClick) -> str:
    """Accept from Home: the same rule as the DM's button (only the named mentor, only open)."""
    return await _move(click, accept_request, lambda done: _accepted(done.mentee_id))


@on_home_click
async def home_cancel(click: HomeClick) -> str:
    """Cancel one of your requests from Home (only the mentee)."""
    return await _move(click, cancel_request, lambda _: CANCELLED)


async def _move(click: HomeClick, move: Move, done: Callable[[Request], str]) -> str:
    """A request's move from Home, as the notice on top of the tab: what was done, or why not."""
    pressed = await click.pressed("request")
    if pressed is None:
        return BROKEN
    moved = await move(pressed, click)
    return moved if isinstance(moved, str) else done(moved)


def _accepted(mentee_id: str) -> str:
    return (
        f":white_check_mark: You accepted {user_mention(mentee_id)}'s request. "
        "Use *Offer times* when you're ready."
    )


@on_home_click
async def home_offer_times(click: HomeClick) -> str | None:
    """Offer times from Home: the booking flow's first step."""
    pressed = await click.pressed("request")
    if pressed is None:
        return BROKEN
    return await start_booking(click.client, click.store, pressed, pressed.target_id)


@on_home_click
async def home_ask(click: HomeClick) -> str | None:
    """Ask for mentoring: the request form, empty."""
    prefill = await with_workspace_choices(click.store, click.team_id, RequestPrefill())
    view = build_request_modal(prefill)
    try:
        await click.client.views_open(trigger_id=click.trigger_id, view=view)
    except SlackApiError as error:
        return MODAL_FAILED.format(error=error.response.get("error"))
    return None


@on_home_click
async def home_profile(click: HomeClick) -> str | None:
    """Edit mentor profile: the profile form, prefilled."""
    return await open_profile_modal(
        click.client,
        click.store,
        click.clock,
        team_id=click.team_id,
        user_id=click.user_id,
        trigger_id=click.trigger_id,
    )
