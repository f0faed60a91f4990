"""The mentee's answer to "Did you connect with @expert?": stored for the stats."""

from __future__ import annotations

from handlers import ids
from handlers.blocks.intros import build_followup_answered
from handlers.intros.followups import schedule_reminder
from handlers.kit import BROKEN, NOT_YOURS, Click, on_click
from storage.models import IntroFollowup

ANSWERS = {
    ids.INTRO_FOLLOWUP_YES: IntroFollowup.YES,
    ids.INTRO_FOLLOWUP_LATER: IntroFollowup.NOT_YET,
    ids.INTRO_FOLLOWUP_NO: IntroFollowup.NO,
}
ANSWERED = "You already told me how it went, so I didn't change anything. Thanks!"


@on_click()
async def followup_answered(click: Click) -> None:
    """Yes / Not yet — remind me in a week / Didn't work out; only the mentee answers."""
    answer = ANSWERS.get(click.action_id)
    if answer is None:
        await click.tell(BROKEN)
        return
    store, now, pressed = click.store, click.clock.now(), click.pressed
    team_id, intro_id = pressed.team_id, pressed.target_id
    done = await store.answer_intro_followup(team_id, intro_id, pressed.user_id, answer, now)
    if done is None:
        current = await store.get_intro(team_id, intro_id)
        mine = current is not None and current.mentee_id == pressed.user_id
        await click.tell(ANSWERED if mine else NOT_YOURS)
        return
    again = answer is IntroFollowup.NOT_YET and await schedule_reminder(store, done, now)
    await click.respond(replace_original=True, **build_followup_answered(done, answer, again))
