"""The mentee's answers to "How is your action plan going?".

All done ends the chain; Still working on it asks again after the same interval, until
MENTORBOT_MAX_CHECKINS; Could use another chat opens the request modal prefilled to the same
mentor. Every answer is stored and the mentor gets a one-line DM.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.notes import checkin_weeks, may_check_in_again
from bot.settings import Settings
from handlers.blocks.plans import build_checkin_answered, build_checkin_thanks
from handlers.blocks.request_modal import RequestPrefill
from handlers.blocks.text import section
from handlers.kit import NOT_YOURS, Click, on_click, try_dm
from handlers.notes.schedule import new_checkin
from handlers.requests.ask import open_request_modal
from storage.models import Checkin, CheckinAnswer, Topic
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
        opened = await open_request_modal(
            click.client,
            pressed.trigger_id,
            prefill,
            click.respond,
            FORM_FAILED,
            store=click.store,
            team_id=pressed.team_id,
        )
        if not opened:
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
    await try_dm(click.client, answered.mentor_id, build_checkin_answered(answered, answer))


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
