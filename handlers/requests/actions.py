"""The request lifecycle buttons: Accept, Decline, Suggest, I can help, Release, Cancel, Pool.

Each click acks first, re-checks who clicked and moves the request with one conditional
update, so a double click or a race has exactly one winner; everyone else is told privately
why nothing changed. Slack hears the ack only when the listener returns, so the messages a
move rewrites and the DMs it sends go out after it, in the background. The Decline modal's
submission lives in modals.py; Suggest someone else opens the intro modal (handlers/intros).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from functools import partial

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings
from handlers.blocks.request_messages import build_request_update
from handlers.blocks.request_modal import build_decline_modal
from handlers.blocks.text import user_mention
from handlers.intros.modal_open import intro_prefill, open_intro_modal
from handlers.kit import NOT_YOURS, Click, on_click, refresh_request_messages, tell
from handlers.requests import anonymous
from handlers.requests.delivery import deliver_to_pool, pool_channel
from handlers.requests.followups import DELIVER, ESCALATE, schedule_sent_to_pool
from handlers.requests.modals import explain
from handlers.requests.moves import (
    accept_request,
    book_nudge,
    cancel_request,
    refusal,
    settle_and_tell,
    try_move,
)
from storage.models import Request, RequestStatus, SubjectType
from storage.store import Store

log = logging.getLogger(__name__)

OWN_REQUEST = "You can't claim your own request."
NO_POOL = (
    "There's no mentor pool in this workspace yet, so I kept your request as it is. Ask "
    "someone by name with `/mentor ask @someone`, or ask an admin to set a pool channel."
)
POOL_REFUSED = (
    ":warning: Slack wouldn't let me post your request in the pool just now. It's saved and "
    "open; you can cancel it and ask again in a little while."
)


@on_click("request")
async def accept(click: Click) -> None:
    """Accept: only the named mentor, only while open."""
    moved = await accept_request(click.pressed, click)
    if isinstance(moved, str):
        await click.tell(moved)


@on_click("request")
async def claim(click: Click) -> None:
    """I can help: the first mentor to click takes the pool request."""
    user_id = click.pressed.user_id
    claim_it = partial(click.store.claim_request, then=await book_nudge(click, click.pressed))
    outcome = await try_move(click.pressed, click.store, click.clock, claim_it)
    now, done, current = outcome.at, outcome.done, outcome.current
    if done is None:
        if current is not None and current.mentee_id == user_id:
            await click.tell(OWN_REQUEST)
            return
        if current is not None and current.anonymous and current.status is RequestStatus.OPEN:
            await anonymous.offer(click, current)  # asked without a name: an offer first
            return
        # Anyone may claim a pool request, so only a named-mentor request is "not yours".
        pooled = current is not None and current.mentor_id is None
        await click.tell(refusal(current, user_id, user_id if pooled else None))
        return
    text = (
        f"{user_mention(user_id)} can help with your request and will be in touch to find a time."
    )
    work = settle_and_tell(click.client, click.store, done, user_id, now, text)
    click.background.spawn(work, name=f"claim-{done.id}")


@on_click("request")
async def release(click: Click) -> None:
    """Release: only the claimer gives a pool request back."""
    user_id = click.pressed.user_id
    outcome = await try_move(click.pressed, click.store, click.clock, click.store.release_request)
    now, done, current = outcome.at, outcome.done, outcome.current
    if done is None:
        if current is not None and current.status is RequestStatus.OPEN:
            # A second Release, or one from a stale copy: there is nothing left to give back.
            await click.tell(explain(current, user_id))
            return
        await click.tell(refusal(current, user_id, current.claimed_by if current else None))
        return
    text = (
        "The person who offered to help had to let your request go, so it's back in the "
        "mentor pool. I'll tell you when someone else offers."
    )
    work = settle_and_tell(click.client, click.store, done, user_id, now, text)
    click.background.spawn(work, name=f"release-{done.id}")


@on_click("request")
async def cancel(click: Click) -> None:
    """Cancel request: only the mentee; whoever had taken it is told."""
    moved = await cancel_request(click.pressed, click)
    if isinstance(moved, str):
        await click.tell(moved)


@on_click("request")
async def send_to_pool(click: Click) -> None:
    """After a decline (or when the named mentor can't be reached), the mentee sends the
    request on to the mentor pool."""
    pressed = click.pressed
    channel = await pool_channel(click.store, click.settings, pressed.team_id)
    if channel is None:
        await click.tell(NO_POOL)
        return
    now = click.clock.now()
    done = await click.store.send_request_to_pool(
        pressed.team_id, pressed.target_id, pressed.user_id, now
    )
    if done is None:
        current = await click.store.get_request(pressed.team_id, pressed.target_id)
        await click.tell(refusal(current, pressed.user_id, current.mentee_id if current else None))
        return
    # Sent on by the mentee now: retrying the mentor's DM or escalating it would post twice.
    for kind in (DELIVER, ESCALATE):
        await click.store.cancel_kind_for_subject(done.team_id, SubjectType.REQUEST, done.id, kind)
    work = _post_in_pool(click.client, click.store, click.settings, click.respond, done, now)
    click.background.spawn(work, name=f"to-pool-{done.id}")


async def _post_in_pool(
    client: AsyncWebClient,
    store: Store,
    settings: Settings,
    respond: AsyncRespond,
    done: Request,
    now: datetime,
) -> None:
    # The same routing as a new pool request: the post, plus a thread naming matched mentors.
    if not await deliver_to_pool(client, store, settings, done, now):
        await tell(respond, POOL_REFUSED)
        return
    await schedule_sent_to_pool(store, settings, done, now)
    current = await store.get_request(done.team_id, done.id) or done
    # The decline DM becomes "posted in #pool" with Cancel; the old mentor's DM keeps its
    # "you declined" (refreshing it as open would bring back their buttons).
    shown = build_request_update(current, audience="mentee", actor_id=None, at=now)
    await respond(replace_original=True, **shown)
    mentee_only = replace(current, mentor_dm_channel_id=None, mentor_dm_ts=None, pool_ts=None)
    await refresh_request_messages(client, mentee_only, actor_id=None, at=now)


async def _own_open_request(click: Click) -> Request | None:
    """The clicked request if the clicker is its named mentor and it is still open."""
    pressed = click.pressed
    current = await click.store.get_request(pressed.team_id, pressed.target_id)
    if current is None or current.mentor_id != pressed.user_id:
        await click.tell(NOT_YOURS)
        return None
    if current.status is not RequestStatus.OPEN:
        await click.tell(explain(current, pressed.user_id))
        return None
    return current


@on_click("request")
async def decline_clicked(click: Click) -> None:
    """Decline opens a modal for an optional reason (private unless shared)."""
    request = await _own_open_request(click)
    if request is not None:
        await click.open_form(build_decline_modal(request.id, mentee_id=request.mentee_id))


@on_click("request")
async def suggest_clicked(click: Click) -> None:
    """Suggest someone else: the intro modal, with the mentee and the request's context."""
    request = await _own_open_request(click)
    if request is None:
        return
    prefill = await intro_prefill(
        click.store,
        request.team_id,
        str(request.mentor_id),
        mentee_id=request.mentee_id,
        from_request_id=request.id,
    )
    problem = await open_intro_modal(click.client, click.pressed.trigger_id, prefill)
    if problem:
        await click.tell(problem)
