"""The one entry into booking, for every "Book time" and "Offer times" button.

CONTRACT (other features call this; keep the signature).
"""

from __future__ import annotations

import logging

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.settings import Settings
from handlers.blocks.booking import build_offer_modal, build_propose_modal
from handlers.booking.common import BOOKABLE, helper_of, not_bookable
from handlers.kit import NOT_YOURS, Pressed, tell, topic_of
from storage.models import RequestStatus
from storage.store import Store

log = logging.getLogger(__name__)


async def start_booking(
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    settings: Settings,
    *,
    team_id: str,
    request_id: int,
    user_id: str,
    trigger_id: str,
) -> str | None:
    """Open the next booking step for `user_id` on an accepted (or claimed) request.

    The mentor gets the Offer times modal; the mentee gets the modal to propose times.
    Returns a refusal to show the clicker privately (not a participant, request not bookable),
    or None when a modal was opened.
    """
    request = await store.get_request(team_id, request_id)
    if request is None:
        return NOT_YOURS
    mentor_id = helper_of(request)
    if user_id not in (mentor_id, request.mentee_id):
        return NOT_YOURS
    if request.status not in BOOKABLE or mentor_id is None:
        return not_bookable(request)
    topic = topic_of(request)
    if user_id == mentor_id:
        view = build_offer_modal(
            request.id,
            mentee_id=request.mentee_id,
            topic=topic,
            duration_minutes=request.duration_minutes,
            moving=request.status is RequestStatus.SCHEDULED,
        )
    else:
        view = build_propose_modal(request.id, mentor_id=mentor_id, topic=topic)
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        reason = error.response.get("error")
        log.warning("could not open a booking modal request=%d error=%s", request.id, reason)
        return f"I couldn't open the form just now ({reason}). Please try again."
    return None


async def book_or_tell(
    respond: AsyncRespond,
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    settings: Settings,
    pressed: Pressed,
    request_id: int,
) -> None:
    """Start booking for whoever pressed a button; tell them privately if they can't."""
    refusal = await start_booking(
        client,
        store,
        clock,
        settings,
        team_id=pressed.team_id,
        request_id=request_id,
        user_id=pressed.user_id,
        trigger_id=pressed.trigger_id,
    )
    if refusal:
        await tell(respond, refusal)
