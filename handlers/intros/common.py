"""What the intro listeners and renderers share: the passed-on request, the expert's DM, and
why a click changed nothing."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from handlers.blocks.intros import build_expert_answered, topic_line
from handlers.kit import try_update
from storage.models import Intro, IntroStatus, Request
from storage.store import Store

log = logging.getLogger(__name__)


async def origin_of(store: Store, intro: Intro) -> Request | None:
    """The request a mentor passed on with this introduction, if any."""
    if intro.from_request_id is None:
        return None
    return await store.get_request(intro.team_id, intro.from_request_id)


async def rewrite_expert_dm(
    client: AsyncWebClient, store: Store, intro: Intro, at: datetime
) -> None:
    """The expert's ask loses its buttons and says what became of it."""
    if not (intro.expert_dm_channel_id and intro.expert_dm_ts):
        return
    message = build_expert_answered(intro, topic_line(await origin_of(store, intro)), at)
    channel, ts = intro.expert_dm_channel_id, intro.expert_dm_ts
    failed = "could not update the expert's DM intro=%d"
    await try_update(client, channel, ts, message, log, failed, intro.id)


def already(intro: Intro) -> str:
    """Why the expert's rightful click changed nothing."""
    if intro.status is IntroStatus.ACCEPTED:
        return "You already said yes to this introduction, so I didn't change anything."
    if intro.status is IntroStatus.DECLINED:
        return "You already said not right now, so I didn't change anything."
    if intro.status is IntroStatus.EXPIRED:
        return "This introduction expired, so I didn't change anything."
    return "This introduction is still waiting for an answer."
