"""Moving a request, shared by its DM and pool buttons and App Home.

Each move is one conditional update in the store, so a double click or a race has exactly one
winner; the loser learns why nothing changed (`refusal`). What the move rewrites and the DMs it
sends run after the ack, in the background.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.requests import TOPIC_LABELS
from bot.workspace import workspace_settings
from handlers.blocks.anonymous import build_offer_ended, build_offer_withdrawn_for_mentor
from handlers.blocks.request_messages import build_request_update
from handlers.blocks.text import slack_date, user_mention
from handlers.booking.confirm import update_confirmations
from handlers.kit import (
    NOT_YOURS,
    Pressed,
    Services,
    refresh_request_messages,
    session_topic,
    try_dm,
    try_update,
)
from handlers.requests.followups import book_nudge_row
from handlers.requests.modals import explain
from storage.models import Request, Session, SubjectType
from storage.outbox import Planned
from storage.store import Store

log = logging.getLogger(__name__)

Transition = Callable[[str, int, str, datetime], Awaitable[Request | None]]
# A move made by a click (the DM's button or Home's): the moved request, or why nothing moved.
Move = Callable[[Pressed, Services], Awaitable[Request | str]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """A click's result: the moved request, or (when nothing moved) the request as it is."""

    click: Pressed
    at: datetime
    done: Request | None
    current: Request | None


async def try_move(click: Pressed, store: Store, clock: Clock, move: Transition) -> Outcome:
    """The one conditional update for a click already read; the request as it is if refused."""
    now = clock.now()
    done = await move(click.team_id, click.target_id, click.user_id, now)
    current = None if done else await store.get_request(click.team_id, click.target_id)
    return Outcome(click, now, done, current)


async def book_nudge(app: Services, click: Pressed) -> list[Planned]:
    """The "no time booked yet" nudge an accept or a claim plans with itself."""
    workspace = await workspace_settings(app.store, app.settings, click.team_id)
    now = app.clock.now()
    return [book_nudge_row(workspace, click.team_id, click.target_id, click.user_id, now)]


def refusal(current: Request | None, clicker: str, allowed: str | None) -> str:
    """Why a click changed nothing: someone else's request, or it already moved on."""
    if current is None or allowed != clicker:
        return NOT_YOURS
    return explain(current, clicker)


async def settle(
    client: AsyncWebClient, store: Store, request: Request, actor_id: str | None, at: datetime
) -> None:
    """Rewrite the request's messages, and for a pool request the mentors' DM invites too
    (and an anonymous ask's DM to the mentee about an offer that ended unanswered)."""
    await refresh_request_messages(client, request, actor_id=actor_id, at=at)
    if request.mentor_id is not None:
        return
    ended = build_offer_ended(request) if request.anonymous else None
    if ended is not None and request.offer_dm_channel_id and request.offer_dm_ts:
        dm = (request.offer_dm_channel_id, request.offer_dm_ts)
        await try_update(client, *dm, ended, log, "offer DM not rewritten request=%d", request.id)
    update = build_request_update(request, audience="pool", actor_id=actor_id, at=at)
    for invite in await store.list_request_invites(request.team_id, request.id):
        if not (invite.dm_channel_id and invite.dm_ts):
            continue
        failed = "could not update an invite request=%d"
        await try_update(
            client, invite.dm_channel_id, invite.dm_ts, update, log, failed, request.id
        )


async def accept_request(click: Pressed, app: Services) -> Request | str:
    """The named mentor accepts an open request (the DM's button or Home's): the accepted
    request, its messages and the mentee's DM left to the background; or why nothing changed."""
    then = await book_nudge(app, click)
    outcome = await try_move(
        click, app.store, app.clock, partial(app.store.accept_request, then=then)
    )
    done, current = outcome.done, outcome.current
    if done is None:
        return refusal(current, click.user_id, current.mentor_id if current else None)
    work = after_accept(app.client, app.store, done, click.user_id, outcome.at)
    app.background.spawn(work, name=f"accept-{done.id}")
    return done


async def cancel_request(click: Pressed, app: Services) -> Request | str:
    """The mentee cancels their request (the DM's button or Home's): its timed messages and
    booked session go before the ack, the rewrites and the helper's DM after; or why nothing
    changed."""
    outcome = await try_move(click, app.store, app.clock, app.store.cancel_request)
    done, current = outcome.done, outcome.current
    if done is None:
        return refusal(current, click.user_id, current.mentee_id if current else None)
    session = await close_cancelled(app.store, done, outcome.at)
    work = after_cancel(app.client, app.store, done, session, outcome.at)
    app.background.spawn(work, name=f"cancel-request-{done.id}")
    return done


async def after_accept(
    client: AsyncWebClient, store: Store, done: Request, mentor_id: str, now: datetime
) -> None:
    """Once accepted (from the DM or App Home): update its messages and tell the mentee."""
    text = (
        f"Good news: {user_mention(mentor_id)} accepted your request. "
        "They'll be in touch to find a time that works for you both."
    )
    await settle_and_tell(client, store, done, mentor_id, now, text)


async def settle_and_tell(
    client: AsyncWebClient, store: Store, done: Request, actor_id: str, at: datetime, text: str
) -> None:
    """Rewrite the request's messages, then tell the mentee by DM (run after the ack)."""
    await settle(client, store, done, actor_id, at)
    await try_dm(client, done.mentee_id, {"text": text})


async def close_cancelled(store: Store, done: Request, now: datetime) -> Session | None:
    """Before the ack, once the mentee cancelled: no more timed messages, and a booked session
    cancelled with it (returned, for after_cancel to rewrite its confirmations)."""
    await store.cancel_for_subject(done.team_id, SubjectType.REQUEST, done.id)
    booked = await store.confirmed_session_for_request(done.team_id, done.id)
    if booked is None:
        return None
    reason = "The request was cancelled."
    return await store.cancel_session(done.team_id, booked.id, done.mentee_id, reason, now)


async def after_cancel(
    client: AsyncWebClient, store: Store, done: Request, session: Session | None, now: datetime
) -> None:
    """After the ack: the cancelled session's confirmations, the request's messages, and the
    helper told."""
    if session is not None:
        line = f"🚫 Cancelled by {user_mention(done.mentee_id)} {slack_date(now)}."
        await update_confirmations(client, session, await session_topic(store, session), line)
    await settle(client, store, done, done.mentee_id, now)
    if done.offered_by:
        # An anonymous ask's waiting offer: that mentor hears it, still without the name.
        await try_dm(client, done.offered_by, build_offer_withdrawn_for_mentor(done))
    # accepted_at survives the cancel, so it tells whether a named mentor had said yes.
    helper = done.claimed_by or (done.mentor_id if done.accepted_at else None)
    if helper:
        topic = TOPIC_LABELS.get(done.topic, done.topic.value)
        text = (
            f"{user_mention(done.mentee_id)} cancelled their request about *{topic}*, so "
            "there's nothing more to do. Thanks for making time."
        )
        await try_dm(client, helper, {"text": text})
