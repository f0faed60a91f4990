"""The Log notes submission: validate inline, store, then share the plan and plan what next.

Who is the mentor of the pair: the session's mentor; with no session, the mentor of the
active 1:1 between the two; else the author. Check-ins go to the mentee of the pair.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import Background
from bot.clock import Clock
from bot.notes import CADENCE_WORDS, CHECKIN_WEEKS, ONGOING, next_tick
from handlers import ids
from handlers.blocks.notes import (
    NotesForm,
    NotesTarget,
    parse_notes_submission,
    read_notes_metadata,
)
from handlers.blocks.plans import build_plan_dm
from handlers.blocks.text import slack_date, user_mention
from handlers.booking.common import submitter
from handlers.notes.entry import NOT_YOURS, NOT_YOURSELF
from handlers.notes.schedule import local_today, new_checkin, schedule_item_due, schedule_ticks
from handlers.requests.delivery import try_dm
from storage.models import WhatNext
from storage.notes import ItemDraft, NoteDraft, SavedNote
from storage.store import Store

log = logging.getLogger(__name__)

BROKEN_FORM = "This form is broken, so I didn't save it. Open Log notes again."


async def pair_of(
    store: Store, team_id: str, author_id: str, target: NotesTarget
) -> tuple[str, str] | None:
    """(mentor, mentee) of the notes; None if the author isn't in the session named."""
    if target.session_id is not None:
        session = await store.get_session(team_id, target.session_id)
        if session is None or {author_id, target.other_id} != {
            session.mentor_id,
            session.mentee_id,
        }:
            return None
        return session.mentor_id, session.mentee_id
    active = [
        r
        for r in await store.relationships_between(team_id, author_id, target.other_id, 1)
        if r.ended_at is None
    ]
    if active:
        return active[0].mentor_id, active[0].mentee_id
    # A mentee's own notes must not turn them into the mentor of their check-ins and 1:1s.
    return await store.latest_roles(team_id, author_id, target.other_id) or (
        author_id,
        target.other_id,
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


async def notes_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    background: Background,
) -> None:
    """Inline errors for bad input; otherwise save, then share and schedule after the ack."""
    user_id, team_id = submitter(body)
    view = body.get("view") or {}
    target = read_notes_metadata(view.get("private_metadata"))
    if target is None or not user_id or not team_id:
        await ack(response_action="errors", errors={ids.NOTES_BODY_BLOCK: BROKEN_FORM})
        return
    if target.other_id == user_id:
        await ack(response_action="errors", errors={ids.NOTES_BODY_BLOCK: NOT_YOURSELF})
        return
    now = clock.now()
    today = await local_today(client, store, team_id, user_id, now)
    form, errors = parse_notes_submission(view, today)
    if form is None or errors:
        await ack(response_action="errors", errors=errors)
        return
    pair = await pair_of(store, team_id, user_id, target)
    saved = None
    if pair is not None:
        saved = await store.save_note(_draft(form, team_id, user_id, target), now)
    if pair is None or saved is None:
        await ack(response_action="errors", errors={ids.NOTES_BODY_BLOCK: NOT_YOURS})
        return
    await ack()
    log.info("notes saved note=%d items=%d", saved.note.id, len(saved.items))
    background.spawn(after_save(client, store, saved, pair, now), name=f"notes-{saved.note.id}")


async def after_save(
    client: AsyncWebClient,
    store: Store,
    saved: SavedNote,
    pair: tuple[str, str],
    now: datetime,
) -> None:
    """Plan nudges, check-ins and ticks, then send the plan to both people."""
    note = saved.note
    for item in saved.rescheduled_items:
        await schedule_item_due(client, store, item, now)
    next_line = await _plan_next(store, saved, pair, now)
    updated = saved.previous_what_next is not None
    if saved.items or note.what_next is not WhatNext.DONE:
        for to_author, person in ((False, note.subject_id), (True, note.author_id)):
            message = build_plan_dm(
                note.author_id,
                note.subject_id,
                saved.items,
                to_author=to_author,
                updated=updated,
                next_line=next_line,
            )
            await try_dm(client, person, message)


async def _plan_next(
    store: Store, saved: SavedNote, pair: tuple[str, str], now: datetime
) -> str | None:
    """Schedule what the author chose next (if it changed); the line saying so."""
    note, before = saved.note, saved.previous_what_next
    chosen = note.what_next
    mentor_id, mentee_id = pair
    if before is not None and before != chosen and before in CHECKIN_WEEKS:
        await store.drop_open_checkins(note.team_id, note.id, pair)
    if chosen in CHECKIN_WEEKS:
        weeks = CHECKIN_WEEKS[chosen]
        if before != chosen:
            await new_checkin(
                store,
                team_id=note.team_id,
                note_id=note.id,
                pair=pair,
                sequence=1,
                weeks=weeks,
                now=now,
            )
        return f"I'll check in with {user_mention(mentee_id)} in {weeks} week{'s' * (weeks > 1)}."
    if chosen in ONGOING:
        cadence = ONGOING[chosen]
        relationship = None
        if before != chosen:
            # Whole seconds, so the time round-trips exactly through the tick rows.
            first = next_tick(now.replace(microsecond=0), cadence)
            relationship, _ = await store.start_relationship(
                note.team_id, pair, cadence, first, now
            )
            await schedule_ticks(store, relationship, now)
        words = CADENCE_WORDS[cadence]
        line = f"{user_mention(mentor_id)} and {user_mention(mentee_id)}: {words} 1:1s"
        if relationship is not None and relationship.next_at is not None:
            line += f", next {slack_date(relationship.next_at)}"
        return line + ". I'll remind you both."
    return None
