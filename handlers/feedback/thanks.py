"""Where a thank-you note goes: outbox rows planned with the note, so nothing is lost.

Send stores the note and these rows in one transaction: the DM to the mentor and, if the
mentee ticked the box, the kudos post. The outbox retries Slack's passing refusals and sends
each once; one Slack refuses for good tells the mentee by DM, so the form's "I'll send it"
stays true or is corrected.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.delivery import Delivery, OnSent
from bot.kinds import Kind, OutboxDeps
from handlers.blocks.feedback import build_kudos_post, build_thanks_dm, build_thanks_undelivered
from handlers.blocks.privacy import build_kudos_removed
from handlers.kit import try_update
from storage.feedback import Thanks
from storage.models import OutboxMessage, SubjectType
from storage.outbox import Planned

log = logging.getLogger(__name__)

THANKS_NOTE = "thanks.note"  # to the mentor: the note
THANKS_KUDOS = "thanks.kudos"  # to the kudos channel: the note, shared
THANKS_UNDELIVERED = "thanks.undelivered"  # to the mentee: Slack refused one of those for good


def thanks_rows(
    team_id: str, session_id: int, people: tuple[str, str], channel: str | None, now: datetime
) -> list[Planned]:
    """The note's deliveries, due now: to the mentor (`people` is mentee, mentor) and, when
    shared, to `channel`. One of each per session, since a session is thanked once."""
    mentee, mentor = people
    targets = [(THANKS_NOTE, mentor)] + ([(THANKS_KUDOS, channel)] if channel else [])
    return [
        Planned(
            team_id,
            kind,
            target,
            now,
            f"thanks:{session_id}:{kind}",
            SubjectType.SESSION,
            session_id,
            {"from": mentee},
        )
        for kind, target in targets
    ]


async def _thanks(row: OutboxMessage, deps: OutboxDeps) -> Thanks | None:
    """The row's note, unless it was deleted since (a /mentor forget)."""
    mentee = str(row.payload.get("from") or "")
    if row.subject_type is not SubjectType.SESSION or row.subject_id is None or not mentee:
        return None
    return await deps.store.get_thanks(row.team_id, row.subject_id, mentee)


async def render_note(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The note to the mentor, as stored."""
    thanks = await _thanks(row, deps)
    if thanks is None or thanks.to_id != row.recipient:
        return None
    message = build_thanks_dm(thanks)
    return Delivery(row.recipient, message["text"], message["blocks"])


def _recorded(deps: OutboxDeps, thanks: Thanks) -> OnSent:
    async def on_sent(channel: str, ts: str) -> None:
        # Where it was shared, so /mentor forget can take it down.
        store = deps.store
        if await store.record_kudos_post(
            thanks.team_id, thanks.session_id, thanks.from_id, channel, ts
        ):
            log.info("thanks shared session=%d channel=%s", thanks.session_id, channel)
            return
        # Forgotten while the post was on its way: forget couldn't know of it, so it goes now.
        client = await deps.slack(thanks.team_id)
        failed = "could not remove a kudos post channel=%s"
        await try_update(client, channel, ts, build_kudos_removed(), log, failed, channel)

    return on_sent


async def render_kudos(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The shared note in the kudos channel, once."""
    thanks = await _thanks(row, deps)
    if thanks is None or thanks.kudos_ts is not None:
        return None
    message = build_kudos_post(thanks)
    return Delivery(
        row.recipient, message["text"], message["blocks"], on_sent=_recorded(deps, thanks)
    )


async def thanks_failed(row: OutboxMessage, slack_error: str | None, deps: OutboxDeps) -> None:
    """Slack refused the note for good: the mentee hears what didn't happen."""
    mentee = str(row.payload.get("from") or "")
    if row.subject_id is None or not mentee:
        return
    now = deps.clock.now()
    channel = row.recipient if row.kind == THANKS_KUDOS else ""
    await deps.store.enqueue(
        row.team_id,
        THANKS_UNDELIVERED,
        mentee,
        now,
        dedupe_key=f"thanks:{row.subject_id}:{THANKS_UNDELIVERED}:{row.id}",
        subject_type=SubjectType.SESSION,
        subject_id=row.subject_id,
        payload={"from": mentee, "channel": channel, "error": slack_error or "no answer"},
        now=now,
    )


async def render_undelivered(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """To the mentee: where their note couldn't go, and Slack's reason."""
    thanks = await _thanks(row, deps)
    if thanks is None or thanks.from_id != row.recipient:
        return None
    channel = str(row.payload.get("channel") or "") or None
    error = str(row.payload.get("error") or "no answer")
    message = build_thanks_undelivered(thanks, channel, error)
    return Delivery(row.recipient, message["text"], message["blocks"])


KINDS: dict[str, Kind] = {
    THANKS_NOTE: Kind(render_note, quiet=False, on_failed=thanks_failed),
    THANKS_KUDOS: Kind(render_kudos, quiet=False, on_failed=thanks_failed),
    THANKS_UNDELIVERED: Kind(render_undelivered, quiet=False),
}
