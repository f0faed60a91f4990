"""The one entry into booking, for every "Book time" and "Offer times" button.

CONTRACT (other features call this; keep the signature): the booking helper fills in the body.
"""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.settings import Settings
from storage.store import Store


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
    raise NotImplementedError("issue 6 in progress")
