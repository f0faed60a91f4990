"""What the intro listeners and renderers share: the passed-on request, and why a click changed
nothing."""

from __future__ import annotations

from bot.delivery import is_user
from storage.models import Intro, IntroStatus, Request
from storage.store import Store


async def origin_of(store: Store, intro: Intro) -> Request | None:
    """The request a mentor passed on with this introduction, if any."""
    if intro.from_request_id is None:
        return None
    return await store.get_request(intro.team_id, intro.from_request_id)


def already(intro: Intro) -> str:
    """Why the expert's rightful click changed nothing."""
    if not (is_user(intro.mentee_id) and is_user(intro.expert_id)):
        return "This introduction was withdrawn, so I didn't change anything."
    if intro.status is IntroStatus.ACCEPTED:
        return "You already said yes to this introduction, so I didn't change anything."
    if intro.status is IntroStatus.DECLINED:
        return "You already said not right now, so I didn't change anything."
    if intro.status is IntroStatus.EXPIRED:
        return "This introduction expired, so I didn't change anything."
    return "This introduction is still waiting for an answer."
