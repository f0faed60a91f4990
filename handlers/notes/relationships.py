"""Ongoing 1:1 buttons: Book time, Pause, Resume and End (with its closing-note modal).

Book time reuses the pair's accepted, unbooked request, or makes one already accepted
(source 'command', topic 'other'), then runs the booking flow on it. Either person may pause,
resume or end; the other is told by DM.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.notes import CADENCE_WORDS, next_tick
from handlers import ids
from handlers.blocks.notes import build_end_modal, read_end_note
from handlers.blocks.plans import relationship_controls, relationship_line
from handlers.blocks.text import section, user_mention
from handlers.booking.start import book_or_tell
from handlers.kit import (
    BROKEN,
    NOT_YOURS,
    Click,
    Submission,
    metadata_id,
    on_click,
    on_submit,
    try_dm,
)
from handlers.notes.schedule import schedule_ticks
from storage.models import Relationship, Request, RequestSource, Topic
from storage.notes import NoteDraft
from storage.requests import ONE_TO_ONE_DETAILS, NewRequest
from storage.store import Store

log = logging.getLogger(__name__)

ENDED = "These 1:1s have ended, so I didn't change anything."
NOT_PAUSED = "These 1:1s aren't paused, so there's nothing to resume."
ALREADY_PAUSED = "These 1:1s are already paused."


def _other(relationship: Relationship, user_id: str) -> str:
    return relationship.mentee_id if user_id == relationship.mentor_id else relationship.mentor_id


async def _clicked(click: Click) -> Relationship | None:
    """The relationship on the button, if the clicker is in it and it hasn't ended."""
    pressed = click.pressed
    relationship = await click.store.get_relationship(pressed.team_id, pressed.target_id)
    if relationship is None or pressed.user_id not in (
        relationship.mentor_id,
        relationship.mentee_id,
    ):
        await click.tell(NOT_YOURS)
        return None
    if relationship.ended_at is not None:
        await click.tell(ENDED)
        return None
    return relationship


async def _request_for(store: Store, relationship: Relationship, now: Any) -> Request | None:
    """An accepted request for the pair to book on."""
    team_id, mentor_id, mentee_id = (
        relationship.team_id,
        relationship.mentor_id,
        relationship.mentee_id,
    )
    found = await store.accepted_request_between(team_id, mentor_id, mentee_id)
    if found is not None:
        return found
    cadence = CADENCE_WORDS[relationship.cadence]
    draft = NewRequest(
        team_id=team_id,
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        topic=Topic.OTHER,
        details=ONE_TO_ONE_DETAILS.format(cadence=cadence),
        source=RequestSource.COMMAND,
    )
    created = await store.create_request(draft, now)
    return await store.accept_request(team_id, created.id, mentor_id, now)


@on_click()
async def book_clicked(click: Click) -> None:
    """Book time: straight into the booking flow on an accepted request."""
    relationship = await _clicked(click)
    if relationship is None:
        return
    request = await _request_for(click.store, relationship, click.clock.now())
    if request is None:  # pragma: no cover - created and accepted just above
        await click.tell(BROKEN)
        return
    await book_or_tell(click, request.id)


async def _changed(click: Click, relationship: Relationship, lead: str, to_other: str) -> None:
    """Show the clicker the new state in place, and tell the other person."""
    user_id = click.pressed.user_id
    blocks = [
        section(lead),
        section(relationship_line(relationship, user_id)),
        relationship_controls(relationship, book=False),
    ]
    await click.respond(replace_original=True, text=lead, blocks=blocks)
    line = f"{user_mention(user_id)} {to_other}"
    message = {"text": line, "blocks": [section(line)]}
    await try_dm(click.client, _other(relationship, user_id), message)


@on_click()
async def pause_clicked(click: Click) -> None:
    """Pause: no reminders until someone resumes."""
    relationship = await _clicked(click)
    if relationship is None:
        return
    pressed = click.pressed
    paused = await click.store.pause_relationship(
        pressed.team_id, relationship.id, pressed.user_id, click.clock.now()
    )
    if paused is None:
        await click.tell(ALREADY_PAUSED)
        return
    log.info("relationship paused relationship=%d", paused.id)
    lead = ":pause_button: Paused. Resume whenever you like."
    await _changed(click, paused, lead, "paused your regular 1:1s.")


@on_click()
async def resume_clicked(click: Click) -> None:
    """Resume: the next reminder one cadence from now."""
    relationship = await _clicked(click)
    if relationship is None:
        return
    pressed, store, now = click.pressed, click.store, click.clock.now()
    first = next_tick(now.replace(microsecond=0), relationship.cadence)
    resumed = await store.resume_relationship(
        pressed.team_id, relationship.id, pressed.user_id, first, now
    )
    if resumed is None:
        await click.tell(NOT_PAUSED)
        return
    await schedule_ticks(store, resumed, now)
    await _changed(click, resumed, ":arrow_forward: Resumed.", "resumed your regular 1:1s.")


@on_click()
async def end_clicked(click: Click) -> None:
    """End: asks for an optional closing note first."""
    relationship = await _clicked(click)
    if relationship is None:
        return
    await click.open_form(
        build_end_modal(relationship.id, _other(relationship, click.pressed.user_id))
    )


@on_submit
async def end_submitted(sub: Submission) -> None:
    """End for real: history stays, every pending reminder is cancelled, the other is told."""
    user_id, team_id = sub.user_id, sub.team_id
    view = sub.view
    note, problem = read_end_note(view)
    if problem:
        await sub.ack(response_action="errors", errors={ids.END_NOTE_BLOCK: problem})
        return
    relationship_id = metadata_id(sub.body)
    now = sub.clock.now()
    ended = None
    if relationship_id is not None:
        ended = await sub.store.end_relationship(team_id, relationship_id, user_id, now)
    if ended is None:
        current = (
            await sub.store.get_relationship(team_id, relationship_id) if relationship_id else None
        )
        mine = current is not None and user_id in (current.mentor_id, current.mentee_id)
        await sub.ack(
            response_action="errors", errors={ids.END_NOTE_BLOCK: ENDED if mine else NOT_YOURS}
        )
        return
    await sub.ack()
    log.info("relationship ended relationship=%d", ended.id)
    other = _other(ended, user_id)
    if note:
        draft = NoteDraft(team_id=team_id, author_id=user_id, subject_id=other, body=note)
        await sub.store.save_note(draft, now)
    line = (
        f"{user_mention(user_id)} ended your regular "
        f"{CADENCE_WORDS[ended.cadence]} 1:1s. Thank you both! Your history stays in "
        f"`/mentor notes {user_mention(user_id)}`."
    )
    sub.background.spawn(
        _tell_both(sub.client, ended, user_id, other, line), name=f"relationship-end-{ended.id}"
    )


async def _tell_both(
    client: AsyncWebClient, ended: Relationship, user_id: str, other: str, line: str
) -> None:
    await try_dm(client, other, {"text": line, "blocks": [section(line)]})
    mine = f"You ended your regular 1:1s with {user_mention(other)}."
    await try_dm(client, user_id, {"text": mine, "blocks": [section(mine)]})
