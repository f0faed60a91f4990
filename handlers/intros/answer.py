"""The expert's answer (Happy to help / Not right now), the group DM, and Book time.

Only the expert answers, only the pair books; anyone else is told privately and nothing moves.
An answer is stored before the listener returns; the messages it rewrites and sends go out
after it, in the background (Slack hears the ack only when the listener returns).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.blocks.intros import build_declined_for_introducer, build_group_intro
from handlers.booking.start import book_or_tell
from handlers.intros.common import already, origin_of, rewrite_expert_dm
from handlers.intros.followups import schedule_followup
from handlers.kit import NOT_YOURS, Click, on_click, refresh_request_messages, try_dm
from storage.models import Intro, IntroStatus, Request, SubjectType
from storage.store import Store

log = logging.getLogger(__name__)

NOT_BOOKABLE = "This introduction wasn't accepted, so there's no time to book."


async def _answer(click: Click, yes: bool) -> tuple[Intro, datetime] | None:
    """The expert's answer, stored; None (after telling the clicker why) if it didn't apply."""
    store, now = click.store, click.clock.now()
    team_id, intro_id, user_id = (
        click.pressed.team_id,
        click.pressed.target_id,
        click.pressed.user_id,
    )
    done = await store.answer_intro(team_id, intro_id, user_id, yes, now)
    if done is None:
        current = await store.get_intro(team_id, intro_id)
        if current is None or current.expert_id != user_id:
            await click.tell(NOT_YOURS)
        else:
            await click.tell(already(current))
        return None
    log.info("intro answered intro=%d status=%s", done.id, done.status)
    await store.cancel_for_subject(team_id, SubjectType.INTRO, done.id)
    return done, now


@on_click()
async def accept(click: Click) -> None:
    """Happy to help: the group DM, the referral (if any), and a follow-up in 3 days."""
    answered = await _answer(click, yes=True)
    if answered is None:
        return
    intro, now = answered
    store = click.store
    await schedule_followup(store, intro, now)
    origin = await origin_of(store, intro)
    referred = None
    if origin is not None:
        referred = await store.refer_request(intro.team_id, origin.id, now)
        if referred is None:
            origin = None  # withdrawn meanwhile: its details are no longer the expert's to see
        else:
            # The request was passed on: its own reminders and escalation no longer apply.
            await store.cancel_for_subject(intro.team_id, SubjectType.REQUEST, origin.id)
    work = _after_accept(click.client, store, intro, origin, referred, now)
    click.background.spawn(work, name=f"intro-accept-{intro.id}")


async def _after_accept(
    client: AsyncWebClient,
    store: Store,
    intro: Intro,
    origin: Request | None,
    referred: Request | None,
    now: datetime,
) -> None:
    """The Slack side of a yes, after the ack: the rewrites, then the group DM."""
    await rewrite_expert_dm(client, store, intro, now)
    if referred is not None:
        await refresh_request_messages(
            client, referred, actor_id=intro.introducer_id, at=now, passed_to=intro.expert_id
        )
    await open_group_dm(client, store, intro, build_group_intro(intro, origin))


async def open_group_dm(
    client: AsyncWebClient, store: Store, intro: Intro, message: dict[str, Any]
) -> None:
    """One conversation with the introducer, the mentee and the expert, and the intro post."""
    people = list(dict.fromkeys((intro.introducer_id, intro.mentee_id, intro.expert_id)))
    try:
        opened = await client.conversations_open(users=",".join(people))
        channel = str(opened["channel"]["id"])
        await client.chat_postMessage(channel=channel, **message)
    except SlackApiError as error:
        log.warning(
            "could not open the intro's group DM intro=%d error=%s",
            intro.id,
            error.response.get("error"),
        )
        # Second best: each person gets the same introduction (and Book time) by DM.
        for person in people:
            await try_dm(client, person, message)
        return
    await store.set_intro_messages(intro.team_id, intro.id, group_dm=channel)


@on_click()
async def decline(click: Click) -> None:
    """Not right now: only the introducer hears of it, privately; never the mentee."""
    answered = await _answer(click, yes=False)
    if answered is None:
        return
    intro, now = answered
    work = _after_decline(click.client, click.store, intro, now)
    click.background.spawn(work, name=f"intro-decline-{intro.id}")


async def _after_decline(client: AsyncWebClient, store: Store, intro: Intro, now: datetime) -> None:
    """The Slack side of a no, after the ack: the expert's DM, then the introducer's."""
    await rewrite_expert_dm(client, store, intro, now)
    await try_dm(client, intro.introducer_id, build_declined_for_introducer(intro))


@on_click()
async def book(click: Click) -> None:
    """Book time: the booking flow, with the expert as mentor, on the intro's own request."""
    pressed, store = click.pressed, click.store
    intro = await store.get_intro(pressed.team_id, pressed.target_id)
    if intro is None or pressed.user_id not in (intro.mentee_id, intro.expert_id):
        await click.tell(NOT_YOURS)
        return
    if intro.status is not IntroStatus.ACCEPTED:
        await click.tell(NOT_BOOKABLE)
        return
    # Made on the first click, the same one on every later click.
    request = await store.intro_request(intro.team_id, intro.id, click.clock.now())
    if request is None:
        await click.tell(NOT_BOOKABLE)
        return
    await book_or_tell(click, request.id)
