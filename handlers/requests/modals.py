"""Submissions of the Decline and "Suggest someone else" modals opened from a mentor's DM.

Bad input comes back as inline errors; a request that is no longer the submitter's to answer
closes the modal with a short explanation instead, and nothing changes.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.matching import mentor_availability
from bot.requests import Blocker, MentorFacts, mentor_blocker
from handlers import ids
from handlers.blocks.request_messages import (
    build_already_taken,
    build_declined_for_mentee,
    build_not_yours,
)
from handlers.blocks.request_modal import parse_decline_submission, parse_suggest_submission
from handlers.blocks.text import MODAL_TITLE_MAX, blockquote, plain, section, user_mention
from handlers.requests.delivery import refresh_request_messages, send_to_mentor, try_dm
from handlers.requests.submit import mentor_facts
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


def _who(body: dict[str, Any]) -> tuple[str, str]:
    user = body.get("user") or {}
    team_id = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    return str(user.get("id") or ""), str(team_id)


async def _why_not(store: Store, team_id: str, request_id: int, user_id: str) -> str:
    current = await store.get_request(team_id, request_id)
    if current is None or current.mentor_id != user_id:
        return build_not_yours()
    return explain(current, user_id)


async def decline_submitted(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, store: Store, clock: Clock
) -> None:
    """Store the decline, then tell the mentee kindly and offer the pool."""
    user_id, team_id = _who(body)
    try:
        request_id, reason, share = parse_decline_submission(body.get("view") or {})
    except ValueError:
        log.warning("decline form with broken metadata user=%s", user_id)
        await ack(response_action="update", view=_notice("Decline request", BROKEN_FORM))
        return
    now = clock.now()
    # The store re-checks that the submitter is still the named mentor of an open request.
    done = await store.decline_request(
        team_id, request_id, user_id, now, reason=reason, share_reason=share
    )
    if done is None:
        why = await _why_not(store, team_id, request_id, user_id)
        await ack(response_action="update", view=_notice("Decline request", why))
        return
    await ack()
    await refresh_request_messages(client, done, actor_id=user_id, at=now)
    shared = done.decline_reason if done.decline_reason_shared else None
    await try_dm(client, done.mentee_id, build_declined_for_mentee(done, reason=shared))


# Worded for the mentor who suggests someone; {who} is the suggested person's name.
_TO_SUGGESTER: dict[Blocker, str] = {
    "self": "That's the person asking. Pick someone who could help them.",
    "bot": "{who} is a bot. Pick a person who could help.",
    "deleted": "{who} has left the workspace or is deactivated. Pick someone else.",
    "paused": "{who} has paused mentoring for now. Pick someone else.",
    "full": "{who} is at capacity right now. Pick someone else.",
}


def suggestion_problem(mentee_id: str, facts: MentorFacts) -> str | None:
    """Why the suggested person can't take the request, worded for the suggesting mentor."""
    blocker = mentor_blocker(mentee_id, facts)
    if blocker is None:
        return None
    return _TO_SUGGESTER[blocker].format(who=facts.name.strip() or "That person")


async def suggest_submitted(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, store: Store, clock: Clock
) -> None:
    """Pass the request to the suggested person, after checking they can take it."""
    user_id, team_id = _who(body)
    try:
        form, errors = parse_suggest_submission(body.get("view") or {}, submitter_id=user_id)
    except ValueError:
        log.warning("suggest form with broken metadata user=%s", user_id)
        await ack(response_action="update", view=_notice("Suggest someone else", BROKEN_FORM))
        return
    if form is None:
        await ack(response_action="errors", errors=errors)
        return
    current = await store.get_request(team_id, form.request_id)
    if current is None or current.mentor_id != user_id or current.status is not RequestStatus.OPEN:
        why = await _why_not(store, team_id, form.request_id, user_id)
        await ack(response_action="update", view=_notice("Suggest someone else", why))
        return
    now = clock.now()
    facts = await mentor_facts(client, form.suggested_id)
    paused, full = await mentor_availability(store, team_id, form.suggested_id, now)
    problem = suggestion_problem(current.mentee_id, replace(facts, paused=paused, at_capacity=full))
    if problem:
        await ack(response_action="errors", errors={ids.SUGGEST_USER_BLOCK: problem})
        return
    new_id = form.suggested_id
    done = await store.reassign_request(team_id, form.request_id, user_id, new_id, now)
    if done is None:
        why = await _why_not(store, team_id, form.request_id, user_id)
        await ack(response_action="update", view=_notice("Suggest someone else", why))
        return
    await ack()
    # No actor: for the mentee an open request with an actor reads as "released".
    await refresh_request_messages(client, done, actor_id=None, at=now, passed_to=new_id)
    if await send_to_mentor(client, store, done):
        if form.note:
            note = f"{user_mention(user_id)} passed this request to you and added:\n"
            note += blockquote(form.note, _NOTE_QUOTE_MAX)
            await try_dm(client, new_id, {"text": note})
    else:
        text = (
            f":warning: I passed the request to {user_mention(new_id)}, but Slack wouldn't "
            "let me message them just now. You may want to give them a nudge yourself."
        )
        await try_dm(client, user_id, {"text": text})
    text = (
        f"{user_mention(user_id)} suggested {user_mention(new_id)} for your request, so I've "
        "passed it on. I'll tell you when they answer."
    )
    await try_dm(client, done.mentee_id, {"text": text})
