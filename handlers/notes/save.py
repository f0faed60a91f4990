"""The Log notes submission: validate inline, store the note with everything it schedules in
one transaction, then share the plan.

Who is the mentor of the pair: see entry.pair_of. Check-ins go to the mentee of the pair.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import is_user
from bot.notes import CHECKIN_WEEKS, ONGOING, next_tick
from bot.time_zones import user_tz
from bot.working_hours import zone
from handlers import ids
from handlers.blocks.notes import (
    NotesForm,
    NotesTarget,
    parse_notes_submission,
    read_notes_metadata,
)
from handlers.kit import NOT_YOURS, Submission, on_submit
from handlers.notes.entry import NO_NOTE, NOT_YOURSELF, pair_of, person_target
from handlers.notes.schedule import checkin_row, item_due_row, tick_rows
from handlers.notes.share import plan_rows
from storage.checkins import CheckinPlan
from storage.mentoring import OngoingPlan
from storage.notes import FollowUps, ItemDraft, NoteDraft, Planner, SavedNote
from storage.store import Store

log = logging.getLogger(__name__)

BROKEN_FORM = "This form is broken, so I didn't save it. Open Log notes again."
NOT_SAVED = (
    "I couldn't save your notes just now, so nothing was saved and nobody was told. "
    "Please press Save again."
)


def _draft(form: NotesForm, team_id: str, author_id: str, target: NotesTarget) -> NoteDraft:
    items = tuple(
        ItemDraft(
            position=item.position,
            text=item.text,
            owner_id=author_id if item.owner == "me" else target.other_id,
            due_date=item.due_date,
        )
        for item in form.items
    )
    return NoteDraft(
        team_id=team_id,
        author_id=author_id,
        subject_id=target.other_id,
        session_id=target.session_id,
        note_id=target.note_id,
        body=form.body,
        what_next=form.what_next,
        items=items,
    )


def _planner(
    pair: tuple[str, str], tzs: dict[str, str | None], max_checkins: int, now: datetime
) -> Planner:
    """What to schedule with the save, from what it changed (run inside its transaction)."""

    def plan(saved: SavedNote) -> FollowUps:
        # A tombstone (the other ran /mentor forget) gets no reminders: nothing can reach it.
        mine = (i for i in saved.rescheduled_items if is_user(i.owner_id))
        planned = (item_due_row(i, tzs.get(i.owner_id), now) for i in mine)
        rows = [row for row in planned if row is not None]
        before, chosen = saved.previous_what_next, saved.note.what_next
        share = plan_rows(pair, now)
        if before == chosen:
            return FollowUps(rows, after=share)
        if not all(is_user(person) for person in pair):
            # Nobody to check in with or meet: only the chain the note had goes.
            dropped = pair if before in CHECKIN_WEEKS else None
            return FollowUps(rows, drop_checkins=dropped, after=share)
        checkin = ongoing = None
        if chosen in CHECKIN_WEEKS:
            due = now + timedelta(weeks=CHECKIN_WEEKS[chosen])
            checkin = CheckinPlan(pair, due, checkin_row, max_checkins)
        if chosen in ONGOING:
            cadence = ONGOING[chosen]
            # Whole seconds, so the time round-trips exactly through the tick rows.
            first = next_tick(now.replace(microsecond=0), cadence)
            ongoing = OngoingPlan(pair, cadence, first, tick_rows)
        return FollowUps(
            rows,
            drop_checkins=pair if before in CHECKIN_WEEKS else None,
            checkin=checkin,
            ongoing=ongoing,
            after=share,
        )

    return plan


async def _pair_zones(
    client: AsyncWebClient, store: Store, team_id: str, people: tuple[str, str], now: datetime
) -> dict[str, str | None]:
    """Both people's time zones at once (cached; users.info the first time, each capped at
    1.5 s), so a slow Slack can't stack two waits before the ack: a step's owner is one of them.
    """
    found = await asyncio.gather(*(_zone_of(client, store, team_id, p, now) for p in people))
    return dict(zip(people, found, strict=True))


async def _zone_of(
    client: AsyncWebClient, store: Store, team_id: str, person: str, now: datetime
) -> str | None:
    # A tombstone (they ran /mentor forget) has no Slack account to ask.
    return await user_tz(client, store, team_id, person, now) if is_user(person) else None


async def _current_target(
    store: Store, team_id: str, user_id: str, target: NotesTarget
) -> NotesTarget | str:
    """Who the notes are about now, or why not: the form may predate a /mentor forget.

    An edit's subject is the stored note's (the metadata is only a hint); a new note about a
    person, with no session, needs the two to have met still (a session's notes are checked
    against the session by pair_of).
    """
    if target.note_id is not None:
        note = await store.get_own_note(team_id, target.note_id, user_id)
        if note is None:
            return NO_NOTE
        return NotesTarget(note.subject_id, session_id=note.session_id, note_id=note.id)
    if target.session_id is None:
        return await person_target(store, team_id, user_id, target.other_id)
    return target


@on_submit
async def notes_submitted(sub: Submission) -> None:
    """Inline errors for bad input; otherwise save the note with its reminders, check-ins and
    1:1s and plan DMs in one transaction (the outbox sends the DMs)."""
    user_id, team_id = sub.user_id, sub.team_id
    view = sub.view
    target = read_notes_metadata(view.get("private_metadata"))
    if target is None or not user_id or not team_id:
        await sub.ack(response_action="errors", errors={ids.NOTES_BODY_BLOCK: BROKEN_FORM})
        return
    if target.other_id == user_id:
        await sub.ack(response_action="errors", errors={ids.NOTES_BODY_BLOCK: NOT_YOURSELF})
        return
    # Before the time zones: looking one up stores the person, who may have been forgotten.
    current = await _current_target(sub.store, team_id, user_id, target)
    if isinstance(current, str):
        await sub.ack(response_action="errors", errors={ids.NOTES_BODY_BLOCK: current})
        return
    target = current
    now = sub.clock.now()
    zones = await _pair_zones(sub.client, sub.store, team_id, (user_id, target.other_id), now)
    today = now.astimezone(zone(zones[user_id])).date()
    form, errors = parse_notes_submission(view, today)
    if form is None or errors:
        await sub.ack(response_action="errors", errors=errors)
        return
    pair = await pair_of(sub.store, team_id, user_id, target)
    if pair is None:
        await sub.ack(response_action="errors", errors={ids.NOTES_BODY_BLOCK: NOT_YOURS})
        return
    draft = _draft(form, team_id, user_id, target)
    try:
        saved = await sub.store.save_note(
            draft, now, _planner(pair, zones, sub.settings.max_checkins, now)
        )
    except sub.store.errors:
        log.exception("notes not saved author=%s", user_id)
        await sub.ack(response_action="errors", errors={ids.NOTES_BODY_BLOCK: NOT_SAVED})
        return
    if saved is None:
        await sub.ack(response_action="errors", errors={ids.NOTES_BODY_BLOCK: NOT_YOURS})
        return
    await sub.ack()
    log.info("notes saved note=%d items=%d", saved.note.id, len(saved.items))
