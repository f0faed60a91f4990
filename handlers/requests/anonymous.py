"""An anonymous pool ask: a mentor's "I can help" becomes an offer the mentee answers.

The mentee sees who offered and chooses: **Reveal myself** (the request is then claimed by that
mentor, and the flow goes on as for any claim) or **Keep waiting** (the mentor hears kindly,
without the name, and the pool post offers "I can help" again). One offer waits at a time;
each answer is one conditional update naming the offer it answers, so a stale button from an
earlier offer changes nothing. An answer commits with its follow-ups (the rewrites of the
request's messages, the mentor's word, a re-post), which the outbox then sends and retries.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import Delivery
from bot.kinds import Kind, OutboxDeps
from bot.slack_client import display_name
from bot.workspace import workspace_settings
from handlers.blocks.anonymous import (
    OFFER_AGAIN,
    OFFER_GONE,
    OFFER_SENT,
    OFFER_WAITING,
    build_lapsed_for_mentor,
    build_offer_answered,
    build_offer_ended,
    build_offer_for_mentee,
    build_revealed_for_mentor,
    build_turned_down_for_mentor,
    offer_mentor,
)
from handlers.kit import NOT_YOURS, Click, on_click, try_dm, try_update
from handlers.requests.effect_rows import update_rows
from handlers.requests.followups import (
    KEPT_WAITING,
    OFFER_ANSWERED,
    OFFER_LAPSE,
    REVEALED,
    book_nudge_row,
    offer_answered_row,
    offer_lapse_row,
    pending_reposts,
    repost_after_offer_row,
)
from handlers.requests.modals import explain
from handlers.requests.moves import settle
from storage.forget import WITHDRAWN_AT
from storage.models import OutboxMessage, Request, RequestStatus, SubjectType
from storage.outbox import Effects, Planned
from storage.store import Store
from storage.timefmt import format_time, parse_time

log = logging.getLogger(__name__)


async def offer(click: Click, current: Request) -> None:
    """I can help on an anonymous ask (called by the claim listener): one offer at a time."""
    user_id = click.pressed.user_id
    now = click.clock.now()
    lapse = await offer_lapse_row(click.store, click.settings, current, user_id, now)
    done = await click.store.offer_help(current.team_id, current.id, user_id, now, (lapse,))
    if done is None:
        latest = await click.store.get_request(current.team_id, current.id)
        await click.tell(_why_no_offer(latest, user_id))
        return
    log.info("anonymous request offered request=%d mentor=%s", done.id, user_id)
    await click.tell(OFFER_SENT)
    work = _after_offer(click.client, click.store, done, user_id, now)
    click.background.spawn(work, name=f"offer-{done.id}")


def _why_no_offer(latest: Request | None, user_id: str) -> str:
    if latest is None:
        return NOT_YOURS
    if latest.status is RequestStatus.OPEN and latest.offered_by == user_id:
        return OFFER_AGAIN
    if latest.status is RequestStatus.OPEN and latest.offered_by:
        return OFFER_WAITING
    return explain(latest, user_id)


async def _after_offer(
    client: AsyncWebClient, store: Store, done: Request, mentor_id: str, at: datetime
) -> None:
    # The pool post loses "I can help" while the mentee decides; it names nobody.
    await settle(client, store, done, None, at)
    name = await display_name(client, mentor_id)
    dm = await try_dm(client, done.mentee_id, build_offer_for_mentee(done, mentor_id, name))
    if dm is None:
        return
    # Kept so that the DM loses its buttons when the offer ends unanswered (the request's
    # rewrites, handlers/requests/effect_rows.py); if it already ended, now.
    if not await store.set_offer_dm(done.team_id, done.id, mentor_id, dm):
        latest = await store.get_request(done.team_id, done.id)
        ended = build_offer_ended(latest) if latest is not None else None
        if ended is not None:
            await try_update(client, *dm, ended, log, "offer DM not rewritten request=%d", done.id)


async def _answer_offer(click: Click, revealed: bool, now: datetime) -> tuple[Request, str] | None:
    """The mentee's answer to the offer the button names, made once and committed with its
    follow-ups: the request and that mentor, or None (and why, told to the clicker) if it
    isn't theirs or no longer waits."""
    pressed = click.pressed
    mentor_id = _offer_of(click)
    current = await click.store.get_request(pressed.team_id, pressed.target_id)
    done = None
    if mentor_id is not None and current is not None:
        store, ids = click.store, (pressed.team_id, pressed.target_id, pressed.user_id, mentor_id)
        workspace = await workspace_settings(store, click.settings, current.team_id)
        if revealed:
            rows = await _revealed_rows(store, current, mentor_id, now)
            rows.append(book_nudge_row(workspace, current.team_id, current.id, mentor_id, now))
            done = await store.reveal_to(*ids, now, then=rows)
        else:
            rows = await _kept_waiting_rows(store, current, mentor_id, now)
            rows.append(repost_after_offer_row(workspace, current, now))
            stop = pending_reposts(current)
            done = await store.turn_down_offer(*ids, now, then=rows, stop=stop)
    if done is None or mentor_id is None:
        await click.tell(await _why_not(click, mentor_id))
        return None
    return done, mentor_id


async def _revealed_rows(
    store: Store, current: Request, mentor_id: str, at: datetime
) -> list[Planned]:
    """Claimed by the mentor: the request's messages say so, and the mentor learns who asked."""
    claimed = replace(current, claimed_by=mentor_id, offered_by=None)
    rows = await update_rows(store, claimed, mentor_id, at, f"reveal:{format_time(at)}")
    rows.append(offer_answered_row(current, mentor_id, REVEALED, at))
    return rows


async def _kept_waiting_rows(
    store: Store, current: Request, mentor_id: str, at: datetime
) -> list[Planned]:
    """Back in the pool: the post shows "I can help" again, with no word of the offer; the
    mentor hears kindly, without the name."""
    back = replace(current, offered_by=None)
    rows = await update_rows(store, back, None, at, f"keep-waiting:{format_time(at)}")
    rows.append(offer_answered_row(current, mentor_id, KEPT_WAITING, at))
    return rows


@on_click("request")
async def reveal(click: Click) -> None:
    """Reveal myself: only the mentee, only while that offer waits."""
    now = click.clock.now()
    answered = await _answer_offer(click, True, now)
    if answered is None:
        return
    done, mentor_id = answered
    log.info("anonymous request revealed request=%d", done.id)
    click.background.spawn(_show_answer(click, mentor_id, True, now), name=f"reveal-{done.id}")


@on_click("request")
async def keep_waiting(click: Click) -> None:
    """Not them, keep waiting: the offer goes, the request stays in the pool, unnamed."""
    now = click.clock.now()
    answered = await _answer_offer(click, False, now)
    if answered is None:
        return
    done, mentor_id = answered
    log.info("anonymous offer turned down request=%d", done.id)
    work = _show_answer(click, mentor_id, False, now)
    click.background.spawn(work, name=f"keep-waiting-{done.id}")


async def _show_answer(click: Click, mentor_id: str, revealed: bool, at: datetime) -> None:
    """The mentee's offer DM, clicked just now, shows her answer in place of the buttons."""
    await click.respond(replace_original=True, **build_offer_answered(mentor_id, revealed, at))


def _offer_of(click: Click) -> str | None:
    """The mentor named by the clicked block: the offer this button answers."""
    clicked = (click.body.get("actions") or [{}])[0]
    return offer_mentor(clicked.get("block_id") if isinstance(clicked, dict) else None)


async def _why_not(click: Click, mentor_id: str | None) -> str:
    pressed = click.pressed
    current = await click.store.get_request(pressed.team_id, pressed.target_id)
    if current is None or current.mentee_id != pressed.user_id:
        return NOT_YOURS
    if current.status is RequestStatus.OPEN and current.offered_by != mentor_id:
        return OFFER_GONE
    return explain(current, pressed.user_id)


async def _offered(row: OutboxMessage, deps: OutboxDeps) -> Request | None:
    if row.subject_type is not SubjectType.REQUEST or row.subject_id is None:
        return None
    return await deps.store.get_request(row.team_id, row.subject_id)


async def apply_lapse(row: OutboxMessage, deps: OutboxDeps) -> bool:
    """No answer in time: the offer ends and the request is back in the pool, in one update
    that also plans the rewrites of its messages and another re-post (in place of any still
    pending). An offer forget withdrew (`withdrawn_at`) is back already: only those follow."""
    request = await _offered(row, deps)
    if request is None:
        return False
    withdrawn_at = row.payload.get(WITHDRAWN_AT)
    if isinstance(withdrawn_at, str):
        return await _reopen_withdrawn(row, deps, request, parse_time(withdrawn_at))
    mentor_id = str(row.payload.get("mentor") or "")
    offered_at = row.payload.get("offered_at")
    if not mentor_id or not isinstance(offered_at, str):
        return False
    if request.status is RequestStatus.EXPIRED and request.offered_by == mentor_id:
        return True  # it closed while the offer waited: nothing to change, the note is owed
    if request.status is not RequestStatus.OPEN or request.offered_by != mentor_id:
        return False  # answered, cancelled or expired meanwhile
    effects = await _back_in_pool(row, deps, request)
    lapsed = await deps.store.lapse_offer(
        request.team_id, request.id, mentor_id, parse_time(offered_at), deps.clock.now(), effects
    )
    if lapsed is not None:
        log.info("anonymous offer lapsed request=%d", request.id)
    return lapsed is not None


async def _reopen_withdrawn(
    row: OutboxMessage, deps: OutboxDeps, request: Request, withdrawn_at: datetime
) -> bool:
    """The pool post and the other messages show "I can help" again, and the re-post is
    planned anew; nobody is told (the mentor who offered is forgotten). False if the request
    moved on since (a new offer plans its own rewrites)."""
    if request.status is not RequestStatus.OPEN or request.offered_by is not None:
        return False
    effects = await _back_in_pool(row, deps, request)
    now = deps.clock.now()
    reopened = await deps.store.reopen_withdrawn_offer(
        request.team_id, request.id, withdrawn_at, now, effects
    )
    if reopened is not None:
        log.info("anonymous offer withdrawn by forget request=%d", request.id)
    # Nothing to send either way: the row's message would go to the forgotten mentor.
    return False


async def _back_in_pool(row: OutboxMessage, deps: OutboxDeps, request: Request) -> Effects:
    """An ended offer's follow-ups: the rewrites, and one re-post counted from now."""
    now = deps.clock.now()
    workspace = await workspace_settings(deps.store, deps.settings, request.team_id)
    back = replace(request, offered_by=None)
    rows = await update_rows(deps.store, back, None, now, f"row{row.id}")
    rows.append(repost_after_offer_row(workspace, request, now))
    return Effects(row.id, rows, stop=pending_reposts(request))


async def render_lapse(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The mentor whose offer lapsed, kindly and without the name (unless they were revealed
    to since, or offered again)."""
    request = await _offered(row, deps)
    mentor_id = str(row.payload.get("mentor") or "")
    if request is None or not mentor_id:
        return None
    if request.status is RequestStatus.EXPIRED and request.offered_by == mentor_id:
        message = build_lapsed_for_mentor(request, closed=True)
        return Delivery(mentor_id, message["text"], message["blocks"])
    if mentor_id in (request.offered_by, request.claimed_by):
        return None
    message = build_lapsed_for_mentor(request)
    return Delivery(mentor_id, message["text"], message["blocks"])


async def render_answered(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The offering mentor hears the mentee's answer: who she is, if she revealed herself to
    them (while the request is still theirs); else kindly, without the name (unless they
    offered again or were revealed to since)."""
    request = await _offered(row, deps)
    mentor_id = row.recipient
    if request is None:
        return None
    if row.payload.get("answer") == REVEALED:
        if request.claimed_by != mentor_id or request.revealed_at is None:
            return None
        message = build_revealed_for_mentor(request)
    else:
        if mentor_id in (request.offered_by, request.claimed_by):
            return None
        message = build_turned_down_for_mentor(request)
    return Delivery(mentor_id, message["text"], message["blocks"])


KINDS: dict[str, Kind] = {
    # Acts on the pool (no quiet hours hold the request back); its note goes to the mentor.
    OFFER_LAPSE: Kind(render_lapse, apply=apply_lapse, quiet=False),
    # An answer the mentor is waiting for (after a reveal, the mentee waits for their times).
    OFFER_ANSWERED: Kind(render_answered, quiet=False),
}
