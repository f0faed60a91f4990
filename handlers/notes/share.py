"""The shared action plan DM: sent after a save, and sent again when Slack refused it.

A plan that didn't reach the other person is never just logged: the author gets a DM saying
so, with a **Send again** button that re-sends the plan as it is now.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import is_user
from bot.notes import CADENCE_WORDS, CHECKIN_WEEKS, ONGOING
from handlers.blocks.notes import NotesTarget
from handlers.blocks.plans import build_plan_dm, build_plan_resent, build_plan_undelivered
from handlers.blocks.text import section, slack_date, user_mention
from handlers.booking.common import pressed_or_tell
from handlers.notes.entry import NO_NOTE, pair_of
from handlers.requests.delivery import send_dm, tell, try_dm
from storage.models import ActionItem, Note, WhatNext
from storage.notes import SavedNote
from storage.store import Store

log = logging.getLogger(__name__)

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


async def share_plan(client: AsyncWebClient, saved: SavedNote, pair: tuple[str, str]) -> None:
    """Send the plan to the other person and a copy to the author (never the private notes);
    if the other person's DM is refused, the author is told, with Send again."""
    note = saved.note
    if not saved.items and note.what_next is WhatNext.DONE:
        return
    updated = saved.previous_what_next is not None
    refused = None
    if is_user(note.subject_id):
        relationship = saved.relationship
        line = next_line(
            note.what_next,
            pair,
            next_at=relationship.next_at if relationship is not None else None,
            no_more_checkins=saved.checkin is None and saved.previous_what_next != note.what_next,
        )
        refused = await _deliver(client, note, saved.items, line, updated)
    else:
        line = GONE
    copy = build_plan_dm(
        note.author_id,
        note.subject_id,
        saved.items,
        to_author=True,
        updated=updated,
        next_line=line,
    )
    await try_dm(client, note.author_id, copy)
    if refused is not None:
        await try_dm(client, note.author_id, build_plan_undelivered(note, refused))


async def plan_resend_clicked(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient, store: Store
) -> None:
    """Send again: the author's plan, as it is now, to the other person."""
    await ack()
    pressed = await pressed_or_tell(body, respond)
    if pressed is None:
        return
    # Only the author's own note is found, so nobody else can send it.
    note = await store.get_own_note(pressed.team_id, pressed.target_id, pressed.user_id)
    if note is None:
        await tell(respond, NO_NOTE)
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
    refused = await _deliver(client, note, items, line, updated=False)
    if refused is not None:
        await tell(respond, build_plan_undelivered(note, refused)["text"])
        return
    text = build_plan_resent(note)
    await respond(replace_original=True, text=text, blocks=[section(text)])
