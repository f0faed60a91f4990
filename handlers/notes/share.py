"""The shared action plan DM: planned with the save, sent by the outbox, sent again on request.

The plan DMs are outbox rows enqueued in the note's own transaction, so a crash after the ack
loses nothing and Slack's passing refusals are retried. A plan that can never reach the other
person is never just logged: the author gets a DM saying so, with a **Send again** button that
re-sends the plan as it is now.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import Delivery, is_user
from bot.kinds import OutboxDeps
from bot.notes import CADENCE_WORDS, CHECKIN_WEEKS, ONGOING
from handlers.blocks.notes import NotesTarget
from handlers.blocks.plans import build_plan_dm, build_plan_resent, build_plan_undelivered
from handlers.blocks.text import section, slack_date, user_mention
from handlers.kit import Click, on_click, send_dm
from handlers.notes.entry import NO_NOTE, pair_of
from storage.models import ActionItem, Note, OutboxMessage, SubjectType, WhatNext
from storage.notes import SavedNote
from storage.outbox import Planned
from storage.timefmt import format_time

log = logging.getLogger(__name__)

PLAN_SHARE = "plan.share"  # to the other person: the action plan (never the private notes)
PLAN_COPY = "plan.copy"  # to the author: their copy
PLAN_UNDELIVERED = "plan.undelivered"  # to the author: Slack refused the plan for good

NO_MORE_CHECKINS = "This plan has had all its check-ins, so I won't check in again."
# The subject is a tombstone (they ran /mentor forget): nobody to DM, remind or check in with.
GONE = "They removed their data from mentorbot, so I won't send them this plan or remind them."


def next_line(
    what_next: WhatNext,
    pair: tuple[str, str],
    *,
    next_at: datetime | None = None,
    no_more_checkins: bool = False,
) -> str | None:
    """The plan DM's line on what comes next."""
    mentor_id, mentee_id = pair
    if what_next in CHECKIN_WEEKS:
        if no_more_checkins:
            return NO_MORE_CHECKINS
        weeks = CHECKIN_WEEKS[what_next]
        return f"I'll check in with {user_mention(mentee_id)} in {weeks} week{'s' * (weeks > 1)}."
    if what_next in ONGOING:
        words = CADENCE_WORDS[ONGOING[what_next]]
        line = f"{user_mention(mentor_id)} and {user_mention(mentee_id)}: {words} 1:1s"
        if next_at is not None:
            line += f", next {slack_date(next_at)}"
        return line + ". I'll remind you both."
    return None


async def _deliver(
    client: AsyncWebClient, note: Note, items: list[ActionItem], line: str | None, updated: bool
) -> str | None:
    """The plan to the other person; None once delivered, else Slack's error."""
    message = build_plan_dm(
        note.author_id, note.subject_id, items, to_author=False, updated=updated, next_line=line
    )
    try:
        await send_dm(client, note.subject_id, message)
    except SlackApiError as error:
        reason = str(error.response.get("error") or "unknown_error")
        log.warning("plan DM not delivered note=%d error=%s", note.id, reason)
        return reason
    return None


def plan_rows(pair: tuple[str, str], now: datetime) -> Callable[[SavedNote], list[Planned]]:
    """The plan DMs a save sends, planned in the save's own transaction so a crash after the
    ack can't lose them: the plan to the other person and a copy to the author (never the
    private notes). The outbox retries them; a plan Slack refuses for good tells the author."""

    def rows(saved: SavedNote) -> list[Planned]:
        note = saved.note
        if not saved.items and note.what_next is WhatNext.DONE:
            return []
        payload = {
            "author": note.author_id,
            "mentor": pair[0],
            "mentee": pair[1],
            "updated": "yes" if saved.previous_what_next is not None else "",
            "no_more": "yes"
            if saved.checkin is None and saved.previous_what_next != note.what_next
            else "",
        }
        stamp = format_time(now)
        people = [(PLAN_COPY, note.author_id)]
        if is_user(note.subject_id):
            people.insert(0, (PLAN_SHARE, note.subject_id))
        return [
            Planned(
                note.team_id,
                kind,
                person,
                now,
                f"note:{note.id}:{kind}:{stamp}",
                SubjectType.NOTE,
                note.id,
                payload,
            )
            for kind, person in people
        ]

    return rows


async def _plan_message(
    row: OutboxMessage, deps: OutboxDeps, *, to_author: bool
) -> dict[str, Any] | None:
    """The plan as it is now, for the row's reader; None if the note is gone or its subject
    changed (a /mentor forget)."""
    author = str(row.payload.get("author") or "")
    if row.subject_type is not SubjectType.NOTE or row.subject_id is None or not author:
        return None
    note = await deps.store.get_own_note(row.team_id, row.subject_id, author)
    if note is None:
        return None
    if not to_author and row.recipient != note.subject_id:
        return None
    items = await deps.store.note_items(note.team_id, note.id)
    pair = (str(row.payload.get("mentor") or ""), str(row.payload.get("mentee") or ""))
    if is_user(note.subject_id):
        active = await deps.store.relationships_between(note.team_id, *pair, 1)
        next_at = active[0].next_at if active and active[0].ended_at is None else None
        no_more = bool(row.payload.get("no_more"))
        line = next_line(note.what_next, pair, next_at=next_at, no_more_checkins=no_more)
    else:
        line = GONE
    updated = bool(row.payload.get("updated"))
    return build_plan_dm(
        note.author_id,
        note.subject_id,
        items,
        to_author=to_author,
        updated=updated,
        next_line=line,
    )


async def render_share(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The plan to the other person, as it is now."""
    message = await _plan_message(row, deps, to_author=False)
    return None if message is None else Delivery(row.recipient, message["text"], message["blocks"])


async def render_copy(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The author's copy of the plan."""
    message = await _plan_message(row, deps, to_author=True)
    return None if message is None else Delivery(row.recipient, message["text"], message["blocks"])


async def share_failed(row: OutboxMessage, slack_error: str | None, deps: OutboxDeps) -> None:
    """The plan never reached the other person: the author hears it, with Send again."""
    author = str(row.payload.get("author") or "")
    if row.subject_id is None or not is_user(author):
        return
    now = deps.clock.now()
    await deps.store.enqueue(
        row.team_id,
        PLAN_UNDELIVERED,
        author,
        now,
        dedupe_key=f"note:{row.subject_id}:{PLAN_UNDELIVERED}:{row.id}",
        subject_type=SubjectType.NOTE,
        subject_id=row.subject_id,
        payload={"author": author, "error": slack_error or "no answer"},
        now=now,
    )


async def render_undelivered(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """To the author: the plan didn't reach the other person, with Send again."""
    if row.subject_type is not SubjectType.NOTE or row.subject_id is None:
        return None
    note = await deps.store.get_own_note(row.team_id, row.subject_id, row.recipient)
    if note is None:
        return None
    message = build_plan_undelivered(note, str(row.payload.get("error") or "no answer"))
    return Delivery(row.recipient, message["text"], message["blocks"])


@on_click()
async def plan_resend_clicked(click: Click) -> None:
    """Send again: the author's plan, as it is now, to the other person."""
    pressed, store, respond = click.pressed, click.store, click.respond
    # Only the author's own note is found, so nobody else can send it.
    note = await store.get_own_note(pressed.team_id, pressed.target_id, pressed.user_id)
    if note is None:
        await click.tell(NO_NOTE)
        return
    if not is_user(note.subject_id):
        await respond(replace_original=True, text=GONE, blocks=[section(GONE)])
        return
    items = await store.note_items(note.team_id, note.id)
    target = NotesTarget(note.subject_id, session_id=note.session_id)
    pair = await pair_of(store, note.team_id, note.author_id, target) or (
        note.author_id,
        note.subject_id,
    )
    active = await store.relationships_between(note.team_id, *pair, 1)
    next_at = active[0].next_at if active and active[0].ended_at is None else None
    line = next_line(note.what_next, pair, next_at=next_at)
    refused = await _deliver(click.client, note, items, line, updated=False)
    if refused is not None:
        await click.tell(build_plan_undelivered(note, refused)["text"])
        return
    text = build_plan_resent(note)
    await respond(replace_original=True, text=text, blocks=[section(text)])
