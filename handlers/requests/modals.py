"""The Decline modal's submission, opened from a mentor's DM.

Bad input comes back as inline errors; a request that is no longer the submitter's to answer
closes the modal with a short explanation instead, and nothing changes.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from handlers.blocks.request_messages import (
    build_already_taken,
    build_declined_for_mentee,
)
from handlers.blocks.request_modal import parse_decline_submission
from handlers.blocks.text import MODAL_TITLE_MAX, plain, section
from handlers.kit import (
    NOT_YOURS,
    Submission,
    on_submit,
    refresh_request_messages,
    try_dm,
)
from storage.models import Request, RequestStatus
from storage.store import Store

log = logging.getLogger(__name__)

BROKEN_FORM = "This form is broken, so I didn't change anything. Try the button again."

# A quoted note: escaping may grow the 1000 typed characters, so clip the result.
_NOTE_QUOTE_MAX = 2500
# The states in which someone has said yes to the request.
_TAKEN = {RequestStatus.ACCEPTED, RequestStatus.CLAIMED, RequestStatus.SCHEDULED}


def explain(current: Request, clicker: str) -> str:
    """Why a rightful click changed nothing, given where the request is now."""
    taker = current.claimed_by or current.mentor_id
    if current.status in _TAKEN and taker == clicker:
        return "You already have this request, so I didn't change anything."
    return build_already_taken(taker, current.status)


def _notice(title: str, text: str) -> dict[str, Any]:
    """A one-message modal that replaces the form when there is nothing left to submit."""
    return {
        "type": "modal",
        "title": plain(title, MODAL_TITLE_MAX),
        "close": plain("Close", MODAL_TITLE_MAX),
        "blocks": [section(text)],
    }


async def _why_not(store: Store, team_id: str, request_id: int, user_id: str) -> str:
    current = await store.get_request(team_id, request_id)
    if current is None or current.mentor_id != user_id:
        return NOT_YOURS
    return explain(current, user_id)


@on_submit
async def decline_submitted(sub: Submission) -> None:
    """Store the decline, then tell the mentee kindly and offer the pool."""
    user_id, team_id = sub.user_id, sub.team_id
    try:
        request_id, reason, share = parse_decline_submission(sub.view)
    except ValueError:
        log.warning("decline form with broken metadata user=%s", user_id)
        await sub.ack(response_action="update", view=_notice("Decline request", BROKEN_FORM))
        return
    now = sub.clock.now()
    # The sub.store re-checks that the submitter is still the named mentor of an open request.
    done = await sub.store.decline_request(
        team_id, request_id, user_id, now, reason=reason, share_reason=share
    )
    if done is None:
        why = await _why_not(sub.store, team_id, request_id, user_id)
        await sub.ack(response_action="update", view=_notice("Decline request", why))
        return
    await sub.ack()
    sub.background.spawn(_after_decline(sub.client, done, user_id, now), name=f"decline-{done.id}")


async def _after_decline(
    client: AsyncWebClient, done: Request, mentor_id: str, at: datetime
) -> None:
    await refresh_request_messages(client, done, actor_id=mentor_id, at=at)
    shared = done.decline_reason if done.decline_reason_shared else None
    await try_dm(client, done.mentee_id, build_declined_for_mentee(done, reason=shared))
