"""The mentee's answer to "Did you connect with @expert?": stored for the stats."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.clock import Clock
from handlers import ids
from handlers.blocks.intros import build_followup_answered
from handlers.intros.followups import schedule_reminder
from handlers.kit import BROKEN, NOT_YOURS, read_pressed, tell
from storage.models import IntroFollowup
from storage.store import Store

ANSWERS = {
    ids.INTRO_FOLLOWUP_YES: IntroFollowup.YES,
    ids.INTRO_FOLLOWUP_LATER: IntroFollowup.NOT_YET,
    ids.INTRO_FOLLOWUP_NO: IntroFollowup.NO,
}
ANSWERED = "You already told me how it went, so I didn't change anything. Thanks!"


async def followup_answered(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, store: Store, clock: Clock
) -> None:
    """Yes / Not yet — remind me in a week / Didn't work out; only the mentee answers."""
    await ack()
    pressed = read_pressed(body)
    action = (body.get("actions") or [{}])[0]
    answer = ANSWERS.get(str(action.get("action_id") if isinstance(action, dict) else ""))
    if pressed is None or answer is None:
        await tell(respond, BROKEN)
        return
    now = clock.now()
    team_id, intro_id = pressed.team_id, pressed.target_id
    done = await store.answer_intro_followup(team_id, intro_id, pressed.user_id, answer, now)
    if done is None:
        current = await store.get_intro(team_id, intro_id)
        mine = current is not None and current.mentee_id == pressed.user_id
        await tell(respond, ANSWERED if mine else NOT_YOURS)
        return
    again = answer is IntroFollowup.NOT_YET and await schedule_reminder(store, done, now)
    await respond(replace_original=True, **build_followup_answered(done, answer, again))
