"""What the expert's answer sends: planned in the answer's own transaction, sent and retried by
the outbox, so a Slack outage at the moment of the click delays these messages but never loses
them. A yes: the introduction in a group DM of the three (each gets it by DM if Slack refuses
the group DM for good), the follow-up, and the expert's ask rewritten. A no: the introducer's
notice and the rewrite; never a word to the mentee.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.delivery import Delivery, is_user
from bot.kinds import Kind, OutboxDeps
from handlers.blocks.intros import build_declined_for_introducer, build_group_intro
from handlers.intros.common import origin_of
from handlers.intros.followups import followup_row, intro_of, planned, rewrite_rows
from storage.models import Intro, IntroStatus, OutboxMessage, Request
from storage.outbox import Planned

log = logging.getLogger(__name__)

INTRODUCE = "intro.introduce"  # the introduction: to the group DM, or one person's DM
DECLINED = "intro.declined"  # to the introducer: the expert said not right now
GROUP = "group"  # INTRODUCE's recipient when it goes to the group DM of the three
_REFERRED = "referred"  # payload: the yes passed on the request, so its details are shown


def accept_rows(intro: Intro, referred: Request | None, now: datetime) -> list[Planned]:
    """A yes: the introduction, the follow-up in 3 days, and the expert's ask rewritten."""
    payload = {_REFERRED: "yes" if referred is not None else ""}
    introduce = planned(intro, INTRODUCE, GROUP, now, "introduce", payload)
    return [introduce, followup_row(intro, now), *rewrite_rows(intro, now, "answer")]


def decline_rows(intro: Intro, now: datetime) -> list[Planned]:
    """A no: the introducer's notice and the expert's ask rewritten."""
    notice = planned(intro, DECLINED, intro.introducer_id, now, "declined")
    return [notice, *rewrite_rows(intro, now, "answer")]


def _people(intro: Intro) -> list[str] | None:
    """The introducer, the mentee and the expert (two when you introduced yourself); None
    when the mentee or the expert was forgotten: nobody is introduced to a tombstone. An
    introducer who was forgotten is left out, and the two still meet."""
    if not (is_user(intro.mentee_id) and is_user(intro.expert_id)):
        return None
    people = (intro.introducer_id, intro.mentee_id, intro.expert_id)
    return [person for person in dict.fromkeys(people) if is_user(person)]


async def render_introduce(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The introduction with Book time, while the intro stands accepted: in the group DM
    (opened here, which Slack answers with the same conversation every time), or in one
    person's DM once the group DM failed for good."""
    intro = await intro_of(row, deps)
    if intro is None or intro.status is not IntroStatus.ACCEPTED:
        return None
    people = _people(intro)
    if people is None or intro.group_dm_channel_id is not None:
        return None
    origin = await origin_of(deps.store, intro) if row.payload.get(_REFERRED) else None
    message = build_group_intro(intro, origin)
    if row.recipient != GROUP:
        if row.recipient not in people:
            return None
        return Delivery(row.recipient, message["text"], message["blocks"])
    if await _sent_one_each(intro, people, deps):
        return None  # a group row revived after its fallback (outbox --retry-failed)
    client = await deps.slack(intro.team_id)
    opened = await client.conversations_open(users=",".join(people))
    store, team_id, intro_id = deps.store, intro.team_id, intro.id

    async def remember(channel: str, ts: str) -> None:
        await store.set_intro_messages(team_id, intro_id, group_dm=channel)

    channel = str(opened["channel"]["id"])
    return Delivery(channel, message["text"], message["blocks"], on_sent=remember)


def _one_each_key(person: str) -> str:
    return f"introduce:{person}"


async def _sent_one_each(intro: Intro, people: list[str], deps: OutboxDeps) -> bool:
    """Whether the introduction already went to each person by DM instead."""
    for person in people:
        key = planned(intro, INTRODUCE, person, deps.clock.now(), _one_each_key(person)).dedupe_key
        if await deps.store.get_outbox_by_key(intro.team_id, key) is not None:
            return True
    return False


async def introduce_failed(row: OutboxMessage, slack_error: str | None, deps: OutboxDeps) -> None:
    """The group DM failed for good: each of them gets the introduction by DM instead."""
    if row.recipient != GROUP:
        return
    intro = await intro_of(row, deps)
    people = _people(intro) if intro is not None else None
    if intro is None or intro.status is not IntroStatus.ACCEPTED or people is None:
        return
    log.warning("intro group DM failed intro=%d error=%s; one DM each", intro.id, slack_error)
    now = deps.clock.now()
    for person in people:
        row_for = planned(intro, INTRODUCE, person, now, _one_each_key(person), dict(row.payload))
        await deps.store.enqueue_planned(row_for, now)


async def render_declined(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The introducer, once the expert said not right now."""
    intro = await intro_of(row, deps)
    if intro is None or intro.status is not IntroStatus.DECLINED:
        return None
    if row.recipient != intro.introducer_id:
        return None
    message = build_declined_for_introducer(intro)
    return Delivery(row.recipient, message["text"], message["blocks"])


# Both follow a click at once, as the answer's own reply would: no waiting for working hours.
KINDS: dict[str, Kind] = {
    INTRODUCE: Kind(render_introduce, quiet=False, on_failed=introduce_failed),
    DECLINED: Kind(render_declined, quiet=False),
}
