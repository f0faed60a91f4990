"""Building and opening the intro modal, for every way in.

Kept free of handlers.requests and handlers.home imports: the request DM's "Suggest someone
else" (handlers/requests/actions.py) opens this modal, so importing them here would be a cycle.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.blocks.intro_modal import IntroPrefill, build_intro_modal
from storage.models import RequestStatus
from storage.store import Store

log = logging.getLogger(__name__)

MODAL_FAILED = (
    "I couldn't open the introduction form just now (Slack said: {error}). Please try again."
)


async def intro_prefill(
    store: Store,
    team_id: str,
    viewer_id: str,
    *,
    mentee_id: str | None = None,
    expert_id: str | None = None,
    why: str = "",
    note: str = "",
    from_request_id: int | None = None,
    warned_pair: tuple[str, str] | None = None,
    warning: str | None = None,
) -> IntroPrefill:
    """What the modal shows: the expert's tags, and a passed-on request only to its mentor."""
    request = None
    if from_request_id is not None:
        found = await store.get_request(team_id, from_request_id)
        # Its details are private to the people on it: only its mentor may pass it on.
        mine = found is not None and found.mentor_id == viewer_id
        if mine and found is not None and found.status is RequestStatus.OPEN:
            request = found
    tags = None
    if expert_id:
        profile = await store.get_profile(team_id, expert_id)
        tags = profile.tags if profile is not None else None
    return IntroPrefill(
        mentee_id=mentee_id or (request.mentee_id if request else None),
        expert_id=expert_id,
        why=why,
        note=note,
        from_request=request,
        expert_tags=tags,
        warned_pair=warned_pair,
        warning=warning,
    )


async def open_intro_modal(
    client: AsyncWebClient, trigger_id: str, prefill: IntroPrefill
) -> str | None:
    """views.open the intro modal; returns what to tell the person if Slack refused."""
    try:
        await client.views_open(trigger_id=trigger_id, view=build_intro_modal(prefill))
    except SlackApiError as error:
        reason = error.response.get("error")
        log.warning("could not open the intro modal error=%s", reason)
        return MODAL_FAILED.format(error=reason)
    return None
