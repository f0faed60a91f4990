"""The one entry into booking, for every "Book time" and "Offer times" button.

CONTRACT (other features call this; keep the signature).
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.blocks.booking import build_offer_modal, build_propose_modal
from handlers.booking.common import BOOKABLE, helper_of, not_bookable
from handlers.kit import NOT_YOURS, Click, Pressed, topic_of
from storage.models import RequestStatus
from storage.store import Store

log = logging.getLogger(__name__)


async def start_booking(
    client: AsyncWebClient, store: Store, pressed: Pressed, request_id: int
) -> str | None:
    """Open the next booking step for whoever pressed, on an accepted (or claimed) request.

    The mentor gets the Offer times modal; the mentee gets the modal to propose times.
    Returns a refusal to show the clicker privately (not a participant, request not bookable),
    or None when a modal was opened.
    """
    user_id = pressed.user_id
    request = await store.get_request(pressed.team_id, request_id)
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
        await client.views_open(trigger_id=pressed.trigger_id, view=view)
    except SlackApiError as error:
        reason = error.response.get("error")
        log.warning("could not open a booking modal request=%d error=%s", request.id, reason)
        return f"I couldn't open the form just now ({reason}). Please try again."
    return None


async def book_or_tell(click: Click, request_id: int) -> None:
    """Start booking for whoever pressed a button; tell them privately if they can't."""
    refusal = await start_booking(click.client, click.store, click.pressed, request_id)
    if refusal:
        await click.tell(refusal)
