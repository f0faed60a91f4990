"""The intro modal's submission: inline checks, the duplicate warning, then the expert's DM."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.intros import DUPLICATE_WINDOW, expert_problem, mentee_problem
from handlers import ids
from handlers.blocks.intro_modal import IntroForm, build_intro_modal, parse_intro_submission
from handlers.blocks.intros import (
    build_expert_ask,
    build_intro_sent,
    build_intro_unsure,
    topic_line,
)
from handlers.blocks.text import slack_date, user_mention
from handlers.intros.followups import schedule_new_intro
from handlers.intros.modal_open import intro_prefill
from handlers.kit import NO_ANSWER, Submission, mentor_facts, on_submit, try_dm
from storage.intros import NewIntro
from storage.models import Intro, RequestStatus
from storage.store import Store

log = logging.getLogger(__name__)

NOT_DELIVERED = (
    ":warning: Slack wouldn't let me message {expert} just now, so I didn't send your "
    "introduction. Nobody was told. Please try again in a little while."
)


async def _problems(
    client: AsyncWebClient, form: IntroForm, user_id: str, team_id: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    # Both lookups at once: each is capped at 1.5 s, and two in a row would pass Slack's 3 s.
    mentee_facts, expert_facts = await asyncio.gather(
        mentor_facts(client, form.mentee_id), mentor_facts(client, form.expert_id)
    )
    mentee = mentee_problem(mentee_facts)
    if mentee:
        errors[ids.INTRO_MENTEE_BLOCK] = mentee
    expert = expert_problem(user_id, form.mentee_id, expert_facts, team_id)
    if expert:
        errors[ids.INTRO_EXPERT_BLOCK] = expert
    return errors


async def _duplicate(
    store: Store, team_id: str, form: IntroForm, user_id: str, now: datetime
) -> Intro | None:
    """An introduction of the same pair within the window, that the submitter was told of
    (never a decline to the mentee), and that hasn't been waved through."""
    pair = (form.mentee_id, form.expert_id)
    if form.warned_pair == pair:
        return None
    return await store.last_intro_of_pair(team_id, *pair, now - DUPLICATE_WINDOW, user_id)


async def _passed_on(store: Store, team_id: str, form: IntroForm, user_id: str) -> int | None:
    """The request this intro passes on: still open, still the submitter's, same mentee."""
    if form.from_request_id is None:
        return None
    request = await store.get_request(team_id, form.from_request_id)
    if request is None or request.mentor_id != user_id or request.status is not RequestStatus.OPEN:
        return None
    return request.id if request.mentee_id == form.mentee_id else None


@on_submit
async def intro_submitted(sub: Submission) -> None:
    """Inline errors for bad input, one warning for a recent duplicate; else ask the expert."""
    user_id, team_id = sub.user_id, sub.team_id
    form, errors = parse_intro_submission(sub.view)
    if form is not None:
        errors = await _problems(sub.client, form, user_id, team_id)
    if form is None or errors:
        await sub.ack(response_action="errors", errors=errors)
        return
    now = sub.clock.now()
    earlier = await _duplicate(sub.store, team_id, form, user_id, now)
    if earlier is not None:
        warning = (
            f"{user_mention(form.mentee_id)} was already introduced to "
            f"{user_mention(form.expert_id)} recently ({slack_date(earlier.created_at)}). "
            "Submit again to send it anyway."
        )
        # Errors can't carry state, so the modal is redrawn with the warning and remembers it.
        prefill = await intro_prefill(
            sub.store,
            team_id,
            user_id,
            mentee_id=form.mentee_id,
            expert_id=form.expert_id,
            why=form.why,
            note=form.note or "",
            from_request_id=form.from_request_id,
            warned_pair=(form.mentee_id, form.expert_id),
            warning=warning,
        )
        await sub.ack(response_action="update", view=build_intro_modal(prefill))
        return
    draft = NewIntro(
        team_id=team_id,
        introducer_id=user_id,
        mentee_id=form.mentee_id,
        expert_id=form.expert_id,
        why=form.why,
        note=form.note,
        from_request_id=await _passed_on(sub.store, team_id, form, user_id),
    )
    intro = await sub.store.create_intro(draft, now)
    log.info("intro created intro=%d team=%s", intro.id, team_id)
    await sub.ack()
    sub.background.spawn(
        ask_expert(sub.client, sub.store, sub.clock, intro), name=f"intro-{intro.id}"
    )


async def ask_expert(client: AsyncWebClient, store: Store, clock: Clock, intro: Intro) -> None:
    """DM the expert the ask, plan the nudge and the expiry, and tell the introducer. Only a
    post Slack refused drops the intro; one whose answer was lost may be in the expert's DM,
    so the intro stays (its buttons must work) and the introducer hears exactly that."""
    origin = None
    if intro.from_request_id is not None:
        origin = await store.get_request(intro.team_id, intro.from_request_id)
    ask = build_expert_ask(intro, topic_line(origin))
    channel = None
    try:
        opened = await client.conversations_open(users=intro.expert_id)
        channel = str(opened["channel"]["id"])
        posted = await client.chat_postMessage(channel=channel, **ask)
    except NO_ANSWER as error:
        if channel is not None:
            log.warning("no answer asking the expert intro=%d error=%r", intro.id, error)
            await store.set_intro_messages(intro.team_id, intro.id, expert_dm=(channel, None))
            await schedule_new_intro(store, intro, clock.now())
            await try_dm(client, intro.introducer_id, build_intro_unsure(intro))
            return
        await _not_asked(client, store, intro, repr(error))  # the DM never opened: no post
        return
    except SlackApiError as error:
        await _not_asked(client, store, intro, str(error.response.get("error")))
        return
    await store.set_intro_messages(intro.team_id, intro.id, expert_dm=(channel, str(posted["ts"])))
    await schedule_new_intro(store, intro, clock.now())
    await try_dm(client, intro.introducer_id, build_intro_sent(intro))


async def _not_asked(client: AsyncWebClient, store: Store, intro: Intro, reason: str) -> None:
    """Slack refused the ask (or never opened the DM): drop the intro, tell the introducer."""
    log.warning("could not ask the expert intro=%d error=%s", intro.id, reason)
    await store.drop_undelivered_intro(intro.team_id, intro.id)
    text = NOT_DELIVERED.format(expert=user_mention(intro.expert_id))
    await try_dm(client, intro.introducer_id, {"text": text})
