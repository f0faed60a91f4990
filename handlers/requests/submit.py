"""The request modal's submission: validate inline, store the request, then route it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.delivery import PERMANENT_ERRORS
from bot.matching import available_mentors, mentor_availability
from bot.requests import limit_problem, mentor_problem
from bot.settings import Settings
from handlers import ids
from handlers.blocks.request_messages import build_mentee_confirmation
from handlers.blocks.request_modal import RequestForm, parse_request_submission
from handlers.blocks.text import user_mention
from handlers.kit import NO_ANSWER, Submission, mentor_facts, on_submit, send_dm
from handlers.notes.checkins import another_chat_sent, tell_mentor
from handlers.requests.delivery import pool_channel, reach_pool, send_to_mentor, tagged
from handlers.requests.followups import (
    CONFIRM,
    DELIVER,
    REDELIVER_AFTER,
    plan_new_request,
    schedule_confirmation,
    step_key,
)
from handlers.requests.unreachable import (
    TELL_MENTEE,
    TELL_MENTOR_GONE,
    mentor_unreachable,
    pool_unreachable,
)
from storage.models import CheckinAnswer, Request, SubjectType
from storage.store import Store

log = logging.getLogger(__name__)

# After the ack: long enough for one short Retry-After, short enough not to hold the DM back.
PERMALINK_SECONDS = 3.0
# The first delivery gives up before the outbox's, planned with the request, may start (never
# both at once); a slow Slack's brief retries fit in it.
FIRST_TRY_SECONDS = REDELIVER_AFTER.total_seconds() - PERMALINK_SECONDS - 15
# The confirmation made at once gives up before its own outbox row is due, a minute after the
# delivery's: a DM still on its way then would arrive beside the row's. (A DM that landed but
# whose answer was lost is found by its tag: the row looks before it posts.)
CONFIRM_SECONDS = 45.0

NO_POOL = (
    "There's no mentor pool in this workspace yet. Pick someone here, or ask an admin to set a "
    "pool channel."
)
ANONYMOUS_OFF = (
    "An admin has just turned off asking without your name here. Untick this to ask with "
    "your name, or ask an admin."
)


async def request_problems(
    form: RequestForm,
    *,
    team_id: str,
    user_id: str,
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    settings: Settings,
) -> dict[str, str]:
    """What stops `user_id` sending this request, by the modal block it belongs to: the
    chosen mentor, no pool to reach, too many requests (Workflow Builder steps use it too)."""
    errors: dict[str, str] = {}
    now = clock.now()
    if form.mentor_id is not None:
        facts = await mentor_facts(client, form.mentor_id)
        paused, full = await mentor_availability(store, team_id, form.mentor_id, now)
        problem = mentor_problem(user_id, replace(facts, paused=paused, at_capacity=full))
        if problem and (paused or full):
            problem += await _alternatives(store, team_id, form, user_id, now)
        if problem:
            errors[ids.REQUEST_MENTOR_BLOCK] = problem
    elif await pool_channel(store, settings, team_id) is None and not await available_mentors(
        store, team_id, form.details, asker_id=user_id, now=now, limit=1, anyone_if_no_match=True
    ):
        errors[ids.REQUEST_MENTOR_BLOCK] = NO_POOL
    workspace = await store.get_workspace_settings(team_id)
    if form.anonymous and not workspace.anonymous_asks_enabled:
        errors[ids.REQUEST_ANONYMOUS_BLOCK] = ANONYMOUS_OFF
    limit = await limit_problem(
        store, team_id, user_id, clock.now(), max_open=workspace.max_open_requests
    )
    if limit:
        errors[ids.REQUEST_DETAILS_BLOCK] = limit
    return errors


async def _alternatives(
    store: Store, team_id: str, form: RequestForm, user_id: str, now: datetime
) -> str:
    exclude = {form.mentor_id} if form.mentor_id else set()
    others = await available_mentors(
        store,
        team_id,
        form.details,
        asker_id=user_id,
        now=now,
        limit=3,
        exclude=exclude,
        anyone_if_no_match=True,
    )
    if not others:
        return " Leave the name empty to ask the mentor pool."
    names = [user_mention(item.candidate.user_id) for item in others]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f" You could ask {listed}."


async def _with_permalink(client: AsyncWebClient, store: Store, request: Request) -> Request:
    """The request with a link to the message it came from, looked up after the ack and
    bounded, so a rate-limited chat.getPermalink only costs the link, never the delivery."""
    if request.origin_permalink or not (request.origin_channel_id and request.origin_ts):
        return request
    try:
        async with asyncio.timeout(PERMALINK_SECONDS):
            answer = await client.chat_getPermalink(
                channel=request.origin_channel_id, message_ts=request.origin_ts
            )
    except TimeoutError:
        log.warning("permalink timed out request=%d", request.id)
        return request
    except SlackApiError as error:
        log.info("no permalink for the origin message error=%s", error.response.get("error"))
        return request
    link = answer.get("permalink")
    if not isinstance(link, str):
        return request
    await store.set_request_permalink(request.team_id, request.id, link)
    return replace(request, origin_permalink=link)


async def _route(
    client: AsyncWebClient, store: Store, settings: Settings, clock: Clock, request: Request
) -> str | None:
    """Send the request to its mentor or the pool: None once it got there, else why not
    (Slack's error name)."""
    try:
        async with asyncio.timeout(FIRST_TRY_SECONDS):
            if request.mentor_id is not None:
                key = step_key(request.id, "deliver")
                tag = await store.stand_in_for(request.team_id, key, clock.now())
                await send_to_mentor(client, store, request, tag)
                return None
            reached = await reach_pool(client, store, settings, request, clock.now())
    except SlackApiError as error:
        reason = str(error.response.get("error") or "unknown")
        log.warning("could not deliver a new request request=%d error=%s", request.id, reason)
        return reason
    except NO_ANSWER as error:
        # No answer at all: retried from the outbox like a 5xx (which checks it isn't there).
        log.warning("no answer delivering a new request request=%d error=%r", request.id, error)
        return "no_answer"
    return None if reached else "no_mentor_reached"


async def deliver(
    client: AsyncWebClient, store: Store, settings: Settings, clock: Clock, request: Request
) -> None:
    """Send the request to its mentor or the pool, then confirm to the mentee what happened:
    a refusal no retry can fix is said as it is at once; anything else is retried by the row
    planned with the request, which a delivery that got there cancels. When the confirmation
    itself is lost, its own planned row says it later."""
    request = await _with_permalink(client, store, request)
    refused = await _route(client, store, settings, clock, request)
    current = await store.get_request(request.team_id, request.id) or request
    now = clock.now()
    if refused is None or refused in PERMANENT_ERRORS:
        await _call_off(store, request, DELIVER)
    if refused in PERMANENT_ERRORS:
        await _call_off(store, request, CONFIRM)  # the word below replaces it
        # The word planned for the mentee waits a moment; said now, it is called off.
        if current.mentor_id is not None:
            message = await mentor_unreachable(store, settings, current, now, told=True)
            planned_kind = TELL_MENTOR_GONE
        else:
            message = await pool_unreachable(store, settings, current, refused, now, told=True)
            planned_kind = TELL_MENTEE
        if await _confirm(client, store, request, message):
            await _call_off(store, request, planned_kind)
        return
    await _confirm_or_plan(client, store, current, now, pending=refused is not None)


async def _call_off(store: Store, request: Request, kind: str) -> None:
    """Cancel the request's planned row of `kind`: what it would have said is said."""
    await store.cancel_kind_for_subject(request.team_id, SubjectType.REQUEST, request.id, kind)


async def confirm_to_mentee(
    client: AsyncWebClient, store: Store, clock: Clock, request: Request, *, pending: bool
) -> None:
    """The mentee's confirmation, on its own (a Workflow Builder step finishing a run that
    broke off); `pending`: the delivery is still being retried from the outbox."""
    await _confirm_or_plan(client, store, request, clock.now(), pending=pending)


async def _confirm_or_plan(
    client: AsyncWebClient, store: Store, request: Request, now: datetime, *, pending: bool
) -> None:
    message = build_mentee_confirmation(request, pending=pending)
    tag = await store.stand_in_for(request.team_id, step_key(request.id, "confirm"), now)
    if await _confirm(client, store, request, tagged(message, tag)):
        await _call_off(store, request, CONFIRM)
    else:
        await schedule_confirmation(store, request, now, pending=pending)


async def _confirm(
    client: AsyncWebClient, store: Store, request: Request, message: dict[str, Any]
) -> bool:
    """DM the mentee now; False when Slack refused or never answered in CONFIRM_SECONDS."""
    try:
        async with asyncio.timeout(CONFIRM_SECONDS):
            channel_id, ts = await send_dm(client, request.mentee_id, message)
    except SlackApiError as error:
        log.error(
            "could not confirm a request to its mentee request=%d error=%s",
            request.id,
            error.response.get("error"),
        )
        return False
    except NO_ANSWER as error:
        log.error("no answer confirming a request request=%d error=%r", request.id, error)
        return False
    await store.set_request_messages(request.team_id, request.id, mentee_dm=(channel_id, ts))
    return True


@on_submit
async def request_submitted(sub: Submission) -> None:
    """Inline errors for bad input; otherwise sub.store the request first, then route it."""
    user_id, team_id = sub.user_id, sub.team_id
    form, errors = parse_request_submission(sub.view, submitter_id=user_id)
    if form is not None and not errors:
        errors = await request_problems(
            form,
            team_id=team_id,
            user_id=user_id,
            client=sub.client,
            store=sub.store,
            clock=sub.clock,
            settings=sub.settings,
        )
    if form is None or errors:
        await sub.ack(response_action="errors", errors=errors)
        return
    draft = form.draft(team_id, user_id)
    plan = await plan_new_request(sub.store, sub.settings, team_id)
    view_id = (sub.view).get("id")
    if not isinstance(view_id, str) or not view_id:
        request = await sub.store.create_request(draft, sub.clock.now(), plan)
    else:
        # Slack asks people to submit again when our answer was lost: one view, one request.
        key = f"view:{view_id}"
        once = await sub.store.create_request_once(draft, sub.clock.now(), key, plan)
        if once is None:
            log.info("skipped a resubmitted request form view=%s team=%s", view_id, team_id)
            await sub.ack()
            return
        request = once
    log.info(
        "request created request=%d team=%s source=%s anonymous=%s",
        request.id,
        team_id,
        request.source,
        request.anonymous,
    )
    now = sub.clock.now()
    checkin = None
    if form.checkin_id is not None:
        checkin = await another_chat_sent(sub.store, now, form.checkin_id, user_id, request)
    await sub.ack()
    sub.background.spawn(
        deliver(sub.client, sub.store, sub.settings, sub.clock, request),
        name=f"deliver-{request.id}",
    )
    if checkin is not None:
        work = tell_mentor(sub.client, checkin, CheckinAnswer.ANOTHER_CHAT)
        sub.background.spawn(work, name=f"checkin-{checkin.id}")
