"""The mentee's answers to "How is your action plan going?".

All done ends the chain; Still working on it asks again after the same interval, until
MENTORBOT_MAX_CHECKINS; Could use another chat opens the request modal prefilled to the same
mentor, and counts as the answer once that request is sent (a form closed unsent leaves the
check-in open). Every answer is stored and the mentor gets a one-line DM.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.notes import checkin_weeks, may_check_in_again
from bot.settings import Settings
from handlers.blocks.plans import build_checkin_answered, build_checkin_thanks
from handlers.blocks.request_modal import RequestPrefill
from handlers.blocks.text import section
from handlers.kit import NOT_YOURS, Click, on_click, try_dm
from handlers.notes.schedule import new_checkin
from handlers.requests.ask import open_request_modal
from storage.models import Checkin, CheckinAnswer, Request, Topic
from storage.store import Store

log = logging.getLogger(__name__)

ANSWERED = "You've already answered this check-in. Thanks!"
FORM_FAILED = (
    "I couldn't open the request form (Slack said: {error}), so your check-in is still open. "
    "Press *Could use another chat* again, or use `/mentor ask`."
)
FOLLOW_UP = "Following up on our action plan: "


async def _next_checkin(store: Store, settings: Settings, checkin: Checkin, now: Any) -> bool:
    """Plan the next check-in of the chain at the same interval (unless a newer plan already
    has the pair's next one); False once at the bound."""
    if not may_check_in_again(checkin.sequence, settings.max_checkins):
        return False
    what_next = (
        await store.note_what_next(checkin.team_id, checkin.note_id) if checkin.note_id else None
    )
    await new_checkin(
        store,
        team_id=checkin.team_id,
        note_id=checkin.note_id,
        pair=(checkin.mentor_id, checkin.mentee_id),
        sequence=checkin.sequence + 1,
        weeks=checkin_weeks(what_next),
        now=now,
    )
    return True


async def _answer(click: Click, answer: CheckinAnswer) -> None:
    pressed = click.pressed
    checkin = await click.store.get_checkin(pressed.team_id, pressed.target_id)
    if checkin is None or checkin.mentee_id != pressed.user_id:
        await click.tell(NOT_YOURS)
        return
    if checkin.answer is not None:
        await click.tell(ANSWERED)
        return
    if answer is CheckinAnswer.ANOTHER_CHAT:
        # The trigger_id lives 3 seconds: the form goes first, and the check-in closes only
        # once it opened, so a failure leaves it answerable.
        prefill = RequestPrefill(
            mentor_id=checkin.mentor_id,
            details=FOLLOW_UP,
            topic=Topic.OTHER,
            checkin_id=checkin.id,
        )
        await open_request_modal(
            click.client,
            pressed.trigger_id,
            prefill,
            click.respond,
            FORM_FAILED,
            store=click.store,
            team_id=pressed.team_id,
        )
        # Answered when the request is sent (another_chat_sent), not now: a form closed
        # unsent must leave the check-in open, and the mentor untold.
        return
    now = click.clock.now()
    answered = await click.store.answer_checkin(
        checkin.team_id, checkin.id, pressed.user_id, answer, now
    )
    if answered is None:
        await click.tell(ANSWERED)
        return
    log.info("check-in answered checkin=%d answer=%s", answered.id, answer)
    again = False
    if answer is CheckinAnswer.STILL_WORKING:
        again = await _next_checkin(click.store, click.settings, answered, now)
    text = build_checkin_thanks(answer, again)
    await click.respond(replace_original=True, text=text, blocks=[section(text)])
    await tell_mentor(click.client, answered, answer)


@on_click()
async def all_done_clicked(click: Click) -> None:
    """All done."""
    await _answer(click, CheckinAnswer.ALL_DONE)


@on_click()
async def still_working_clicked(click: Click) -> None:
    """Still working on it."""
    await _answer(click, CheckinAnswer.STILL_WORKING)


@on_click()
async def another_chat_clicked(click: Click) -> None:
    """Could use another chat."""
    await _answer(click, CheckinAnswer.ANOTHER_CHAT)


async def another_chat_sent(
    store: Store, now: datetime, checkin_id: int, mentee_id: str, request: Request
) -> Checkin | None:
    """The request "Could use another chat" opened was sent: that is the check-in's answer,
    linked to the request. None if the check-in isn't the mentee's or was answered meanwhile;
    else the caller tells the mentor (tell_mentor)."""
    team_id = request.team_id
    answered = await store.answer_checkin(
        team_id, checkin_id, mentee_id, CheckinAnswer.ANOTHER_CHAT, now
    )
    if answered is None:
        return None
    await store.set_checkin_follow_up(team_id, checkin_id, mentee_id, request.id)
    log.info("check-in answered checkin=%d answer=%s", answered.id, CheckinAnswer.ANOTHER_CHAT)
    return answered


async def tell_mentor(client: AsyncWebClient, checkin: Checkin, answer: CheckinAnswer) -> None:
    """The mentor's one line about an answered check-in."""
    await try_dm(client, checkin.mentor_id, build_checkin_answered(checkin, answer))
