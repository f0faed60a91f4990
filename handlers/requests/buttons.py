"""The request lifecycle buttons: Accept, Decline, Suggest, I can help, Release, Cancel, Pool.

Each click re-checks who clicked and moves the request with one conditional update, so a
double click or a race has exactly one winner; everyone else is told why nothing changed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.requests import mentor_problem
from bot.settings import Settings
from handlers import ids
from handlers.blocks.request_messages import (
    build_already_taken,
    build_declined_for_mentee,
    build_not_yours,
)
from handlers.blocks.request_modal import (
    build_decline_modal,
    build_suggest_modal,
    parse_decline_submission,
    parse_suggest_submission,
)
from handlers.blocks.text import user_mention
from handlers.requests.delivery import (
    pool_channel,
    post_to_pool,
    refresh_request_messages,
    send_to_mentor,
    tell,
    try_dm,
)
from handlers.requests.submit import mentor_facts
from storage.models import Request, RequestStatus
from storage.store import Store

log = logging.getLogger(__name__)

BROKEN = "That button is broken, so I didn't change anything. Try `/mentor help`."


@dataclass(frozen=True, slots=True)
class Click:
    """Who clicked which request, read from a block_actions payload."""

    user_id: str
    team_id: str
    request_id: int


def read_click(body: dict[str, Any]) -> Click | None:
    """The clicker, their team and the request id the button carries; None if malformed."""
    user = body.get("user") or {}
    actions = body.get("actions") or [{}]
    team_id = (body.get("team") or {}).get("id") or user.get("team_id")
    try:
        request_id = int(str(actions[0].get("value")))
    except (TypeError, ValueError):
        return None
    if not user.get("id") or not team_id:
        return None
    return Click(str(user["id"]), str(team_id), request_id)


def refusal(request: Request | None, clicker: str, allowed: str | None) -> str:
    """Why a click changed nothing: someone else's request, or it already moved on."""
    if request is None or allowed != clicker:
        return build_not_yours()
    return build_already_taken(request.claimed_by or request.mentor_id, request.status)


async def _settle(
    client: AsyncWebClient, request: Request, actor_id: str, at: datetime, **extra: Any
) -> None:
    await refresh_request_messages(client, request, actor_id=actor_id, at=at, **extra)


async def accept(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
) -> None:
    """Accept: only the named mentor, only while open."""
    await ack()
    click = read_click(body)
    if click is None:
        await tell(respond, BROKEN)
        return
    now = clock.now()
    done = await store.accept_request(click.team_id, click.request_id, click.user_id, now)
    if done is None:
        current = await store.get_request(click.team_id, click.request_id)
        mentor = current.mentor_id if current else None
        await tell(respond, refusal(current, click.user_id, mentor))
        return
    await _settle(client, done, click.user_id, now)
    await try_dm(
        client,
        done.mentee_id,
        {
            "text": f"{user_mention(click.user_id)} accepted your request and will be in touch "
            "to find a time."
        },
    )


async def claim(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
) -> None:
    """I can help: the first mentor to click takes the pool request."""
    await ack()
    click = read_click(body)
    if click is None:
        await tell(respond, BROKEN)
        return
    now = clock.now()
    done = await store.claim_request(click.team_id, click.request_id, click.user_id, now)
    if done is None:
        current = await store.get_request(click.team_id, click.request_id)
        if current is not None and current.mentee_id == click.user_id:
            await tell(respond, "You can't take your own request, so I didn't change anything.")
            return
        await tell(respond, refusal(current, click.user_id, click.user_id))
        return
    await _settle(client, done, click.user_id, now)
    await try_dm(
        client,
        done.mentee_id,
        {"text": f"{user_mention(click.user_id)} can help with your request and will be in touch."},
    )


async def release(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
) -> None:
    """Release: only the claimer gives a pool request back."""
    await ack()
    click = read_click(body)
    if click is None:
        await tell(respond, BROKEN)
        return
    now = clock.now()
    done = await store.release_request(click.team_id, click.request_id, click.user_id, now)
    if done is None:
        current = await store.get_request(click.team_id, click.request_id)
        await tell(
            respond, refusal(current, click.user_id, current.claimed_by if current else None)
        )
        return
    await _settle(client, done, click.user_id, now)
    await try_dm(
        client,
        done.mentee_id,
        {"text": "The person who took your request had to let it go; it's open in the pool again."},
    )


async def cancel(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
) -> None:
    """Cancel request: only the mentee."""
    await ack()
    click = read_click(body)
    if click is None:
        await tell(respond, BROKEN)
        return
    before = await store.get_request(click.team_id, click.request_id)
    now = clock.now()
    done = await store.cancel_request(click.team_id, click.request_id, click.user_id, now)
    if done is None:
        await tell(respond, refusal(before, click.user_id, before.mentee_id if before else None))
        return
    await _settle(client, done, click.user_id, now)
    helper = done.claimed_by or (done.mentor_id if done.accepted_at else None)
    if helper:
        await try_dm(
            client, helper, {"text": f"{user_mention(done.mentee_id)} cancelled their request."}
        )


async def send_to_pool(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    settings: Settings,
) -> None:
    """After a decline, the mentee sends the request on to the mentor pool."""
    await ack()
    click = read_click(body)
    if click is None:
        await tell(respond, BROKEN)
        return
    channel = await pool_channel(store, settings, click.team_id)
    if channel is None:
        await tell(
            respond,
            "There's no mentor pool here yet. Ask someone by name with `/mentor ask @someone`, "
            "or ask an admin to set a pool channel.",
        )
        return
    now = clock.now()
    done = await store.send_request_to_pool(click.team_id, click.request_id, click.user_id, now)
    if done is None:
        current = await store.get_request(click.team_id, click.request_id)
        await tell(respond, refusal(current, click.user_id, current.mentee_id if current else None))
        return
    posted = await post_to_pool(client, store, done, channel)
    await tell(
        respond,
        f"I posted your request in <#{channel}>."
        if posted
        else "Slack wouldn't let me post it "
        "just now; your request is kept, please try again in a moment.",
    )


async def _own_open_request(
    body: dict[str, Any], respond: AsyncRespond, store: Store
) -> tuple[Click, Request] | None:
    click = read_click(body)
    if click is None:
        await tell(respond, BROKEN)
        return None
    current = await store.get_request(click.team_id, click.request_id)
    if current is None or current.mentor_id != click.user_id:
        await tell(respond, build_not_yours())
        return None
    if current.status is not RequestStatus.OPEN:
        await tell(respond, build_already_taken(current.mentor_id, current.status))
        return None
    return click, current


async def decline_clicked(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    store: Store,
) -> None:
    """Decline opens a modal for an optional reason (private unless shared)."""
    await ack()
    owned = await _own_open_request(body, respond, store)
    if owned is not None:
        view = build_decline_modal(owned[1].id, mentee_id=owned[1].mentee_id)
        await client.views_open(trigger_id=str(body.get("trigger_id")), view=view)


async def decline_submitted(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, store: Store, clock: Clock
) -> None:
    """Store the decline, then tell the mentee kindly and offer the pool."""
    await ack()
    user = body.get("user") or {}
    team_id = str((body.get("team") or {}).get("id") or user.get("team_id"))
    try:
        request_id, reason, share = parse_decline_submission(body.get("view") or {})
    except ValueError:
        log.warning("decline modal with broken metadata user=%s", user.get("id"))
        return
    now = clock.now()
    done = await store.decline_request(
        team_id, request_id, str(user.get("id")), now, reason=reason, share_reason=share
    )
    if done is None:
        await try_dm(
            client,
            str(user.get("id")),
            {"text": "That request had already moved on, so I didn't decline it."},
        )
        return
    await _settle(client, done, str(user.get("id")), now)
    shared = done.decline_reason if done.decline_reason_shared else None
    await try_dm(client, done.mentee_id, build_declined_for_mentee(done, reason=shared))


async def suggest_clicked(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    store: Store,
) -> None:
    """Suggest someone else opens a modal asking whom."""
    await ack()
    owned = await _own_open_request(body, respond, store)
    if owned is not None:
        await client.views_open(
            trigger_id=str(body.get("trigger_id")), view=build_suggest_modal(owned[1].id)
        )


async def suggest_submitted(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, store: Store, clock: Clock
) -> None:
    """Pass the request to the suggested person, after checking they can take it."""
    user = body.get("user") or {}
    mentor_id = str(user.get("id"))
    team_id = str((body.get("team") or {}).get("id") or user.get("team_id"))
    form, errors = parse_suggest_submission(body.get("view") or {}, submitter_id=mentor_id)
    current = await store.get_request(team_id, form.request_id) if form else None
    if form is not None and current is not None:
        problem = mentor_problem(current.mentee_id, await mentor_facts(client, form.suggested_id))
        if problem:
            errors = {ids.SUGGEST_USER_BLOCK: problem}
    if form is None or errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    now = clock.now()
    done = await store.reassign_request(team_id, form.request_id, mentor_id, form.suggested_id, now)
    if done is None:
        await try_dm(
            client,
            mentor_id,
            {"text": "That request had already moved on, so I didn't pass it on."},
        )
        return
    if current is not None:
        await _settle(client, current, mentor_id, now, passed_to=form.suggested_id)
    await send_to_mentor(client, store, done)
    await try_dm(
        client,
        done.mentee_id,
        {
            "text": f"{user_mention(mentor_id)} suggested {user_mention(form.suggested_id)} "
            "for your request, so I've passed it on."
        },
    )


def register(app: AsyncApp) -> None:
    """Every lifecycle button and the two modals they open."""
    app.action(ids.REQUEST_ACCEPT)(accept)
    app.action(ids.REQUEST_CLAIM)(claim)
    app.action(ids.REQUEST_RELEASE)(release)
    app.action(ids.REQUEST_CANCEL)(cancel)
    app.action(ids.REQUEST_SEND_TO_POOL)(send_to_pool)
    app.action(ids.REQUEST_DECLINE)(decline_clicked)
    app.action(ids.REQUEST_SUGGEST)(suggest_clicked)
    app.view(ids.DECLINE_MODAL)(decline_submitted)
    app.view(ids.SUGGEST_MODAL)(suggest_submitted)
