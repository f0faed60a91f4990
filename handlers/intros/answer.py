"""The expert's answer (Happy to help / Not right now), and Book time.

Only the expert answers, only the pair books; anyone else is told privately and nothing moves.
An answer is stored with every message it sends planned in the outbox, in one transaction
(see answered.py); only the referred request's rewrites go out after the ack, best effort.
"""

from __future__ import annotations

import logging
from functools import partial

from handlers.booking.start import book_or_tell
from handlers.intros.answered import accept_rows, decline_rows
from handlers.intros.common import already
from handlers.kit import NOT_YOURS, Click, on_click, refresh_request_messages
from storage.models import IntroStatus

log = logging.getLogger(__name__)

NOT_BOOKABLE = "This introduction wasn't accepted, so there's no time to book."


async def _why_unchanged(click: Click) -> None:
    """Tell the clicker why their answer changed nothing."""
    pressed = click.pressed
    current = await click.store.get_intro(pressed.team_id, pressed.target_id)
    if current is None or current.expert_id != pressed.user_id:
        await click.tell(NOT_YOURS)
    else:
        await click.tell(already(current))


@on_click()
async def accept(click: Click) -> None:
    """Happy to help: the group DM, the follow-up in 3 days and the referral (if any)."""
    pressed, now = click.pressed, click.clock.now()
    answered = await click.store.accept_intro(
        pressed.team_id, pressed.target_id, pressed.user_id, now, partial(accept_rows, now=now)
    )
    if answered is None:
        await _why_unchanged(click)
        return
    intro, referred = answered
    log.info("intro answered intro=%d status=%s", intro.id, intro.status)
    if referred is not None:
        # A stale copy's buttons re-check when clicked, so these rewrites are best effort.
        work = refresh_request_messages(
            click.client, referred, actor_id=intro.introducer_id, at=now, passed_to=intro.expert_id
        )
        click.background.spawn(work, name=f"intro-referred-{intro.id}")


@on_click()
async def decline(click: Click) -> None:
    """Not right now: only the introducer hears of it, privately; never the mentee."""
    pressed, now = click.pressed, click.clock.now()
    done = await click.store.answer_intro(
        pressed.team_id,
        pressed.target_id,
        pressed.user_id,
        False,
        now,
        lambda intro, _: decline_rows(intro, now),
    )
    if done is None:
        await _why_unchanged(click)
        return
    log.info("intro answered intro=%d status=%s", done.id, done.status)


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
