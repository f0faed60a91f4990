"""Private notes and the shared action plan: the queries behind Log notes and `/mentor notes`.

A note's body is only ever read back for its author: every read here that returns a body
names the author in its WHERE clause. Action items are updated in place by position when the
author edits, so the ids on Done buttons already sent keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Annotated, Any, Protocol

from storage.checkins import (
    CheckinPlan,
    add_checkin_on,
    drop_note_checkins_on,
    next_note_sequence_on,
)
from storage.engine import ByEngine, Connection, Record, Sql
from storage.mentoring import OngoingPlan, start_relationship_on
from storage.models import ActionItem, Checkin, Note, Relationship, SubjectType, WhatNext
from storage.outbox import CANCEL_OUTBOX, Planned, enqueue_on
from storage.requests import ensure_people
from storage.rows import Length, Range, Row
from storage.timefmt import format_time

# Mirror the CHECKs on notes and action_items in 001-initial.sql.
NOTES_MAX = 3000
ITEM_TEXT_MAX = 300
ITEMS_MAX = 5

_INSERT_NOTE = """
INSERT INTO notes (team_id, author_id, subject_id, session_id, body, what_next, created_at,
    updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
RETURNING *
"""

# Only the author may change a note, and never who it is about.
_UPDATE_NOTE = """
UPDATE notes SET body = ?4, what_next = ?5, updated_at = ?6
WHERE id = ?1 AND team_id = ?2 AND author_id = ?3
RETURNING *
"""

_OWN_WHAT_NEXT = "SELECT what_next FROM notes WHERE id = ? AND team_id = ? AND author_id = ?"

_NOTE_ITEMS = "SELECT * FROM action_items WHERE note_id = ? AND team_id = ? ORDER BY position"

_INSERT_ITEM = """
INSERT INTO action_items (team_id, note_id, session_id, mentor_id, mentee_id, owner_id,
    position, text, due_date, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

# A changed due date starts the nudges afresh, so any snooze of the old date is dropped.
_UPDATE_ITEM_SQLITE = """
UPDATE action_items SET owner_id = ?3, text = ?4, due_date = ?5, updated_at = ?6,
    snoozed_until = CASE WHEN due_date IS ?5 THEN snoozed_until END
WHERE id = ?1 AND team_id = ?2
"""
# SQLite's "IS" compares NULLs as equal; PostgreSQL says IS NOT DISTINCT FROM.
_UPDATE_ITEM = ByEngine(
    _UPDATE_ITEM_SQLITE, _UPDATE_ITEM_SQLITE.replace("IS ?5", "IS NOT DISTINCT FROM ?5")
)

_COMPLETE_ITEM = """
UPDATE action_items SET done_at = ?3, updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND owner_id = ?4 AND done_at IS NULL
RETURNING *
"""

_SNOOZE_ITEM = """
UPDATE action_items SET snoozed_until = ?3, updated_at = ?4
WHERE id = ?1 AND team_id = ?2 AND owner_id = ?5 AND done_at IS NULL
RETURNING *
"""


class ItemDraft(Row, strip=True):
    """One action item as typed in the modal."""

    position: Annotated[int, Range(1, ITEMS_MAX)]
    text: Annotated[str, Length(1, ITEM_TEXT_MAX)] = field(repr=False)
    owner_id: Annotated[str, Length(1)]
    due_date: date | None = None


class NoteDraft(Row):
    """A Log notes submission, before it is stored; note_id set means an edit."""

    team_id: Annotated[str, Length(1)]
    author_id: Annotated[str, Length(1)]
    subject_id: Annotated[str, Length(1)]
    session_id: int | None = None
    note_id: int | None = None
    body: Annotated[str, Length(max=NOTES_MAX)] = field(default="", repr=False)
    what_next: WhatNext = WhatNext.DONE
    items: Annotated[tuple[ItemDraft, ...], Length(max=ITEMS_MAX)] = ()


@dataclass(frozen=True)
class SavedNote:
    """What saving changed: the note, its items now, and what the scheduler must redo."""

    note: Note
    items: list[ActionItem]
    previous_what_next: WhatNext | None  # None for a new note
    rescheduled_items: list[ActionItem]  # new items, or items whose due date or owner changed
    checkin: Checkin | None = None  # the check-in this save planned (None: none, or no more)
    relationship: Relationship | None = None  # the 1:1 this save started or changed


@dataclass(frozen=True)
class FollowUps:
    """What to schedule with a saved note, planned from what the save changed."""

    item_rows: list[Planned] = field(default_factory=list)  # due-step reminders
    drop_checkins: tuple[str, str] | None = None  # the pair whose chain of this note goes
    checkin: CheckinPlan | None = None
    ongoing: OngoingPlan | None = None
    # Rows planned from the save's outcome (the plan DMs), once the check-in and 1:1 are known.
    after: Callable[[SavedNote], list[Planned]] | None = None


# Called inside the save's transaction, so it must not do I/O.
Planner = Callable[[SavedNote], FollowUps]


class _StoreCore(Protocol):
    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...

    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...


def items_of(rows: Iterable[Record]) -> list[ActionItem]:
    return [ActionItem.from_row(row) for row in rows]


async def _writeitems_of(
    conn: Connection, draft: NoteDraft, note: Note, stamp: str
) -> tuple[list[ActionItem], list[ActionItem]]:
    """Make the note's items match the draft by position; return (all, rescheduled)."""
    rows = await conn.execute_fetchall(_NOTE_ITEMS, (note.id, note.team_id))
    before = {item.position: item for item in items_of(rows)}
    wanted = {item.position: item for item in draft.items}
    for position, old in before.items():
        if position not in wanted:
            await conn.execute_fetchall(
                "DELETE FROM action_items WHERE id = ? AND team_id = ?", (old.id, note.team_id)
            )
            await conn.execute_fetchall(
                CANCEL_OUTBOX, (note.team_id, str(SubjectType.ACTION_ITEM), old.id)
            )
    changed: set[int] = set()
    for position, item in wanted.items():
        due = item.due_date.isoformat() if item.due_date else None
        current = before.get(position)
        if current is None:
            await conn.execute_fetchall(
                _INSERT_ITEM,
                (
                    note.team_id,
                    note.id,
                    note.session_id,
                    note.author_id,
                    note.subject_id,
                    item.owner_id,
                    position,
                    item.text,
                    due,
                    stamp,
                    stamp,
                ),
            )
            changed.add(position)
            continue
        await conn.execute_fetchall(
            _UPDATE_ITEM, (current.id, note.team_id, item.owner_id, item.text, due, stamp)
        )
        if (current.due_date, current.owner_id) != (item.due_date, item.owner_id):
            await conn.execute_fetchall(
                CANCEL_OUTBOX, (note.team_id, str(SubjectType.ACTION_ITEM), current.id)
            )
            changed.add(position)
    now_items = items_of(await conn.execute_fetchall(_NOTE_ITEMS, (note.id, note.team_id)))
    return now_items, [item for item in now_items if item.position in changed]


async def _follow_up(
    conn: Connection, saved: SavedNote, plan: FollowUps, now: datetime
) -> SavedNote:
    """Store what the planner chose, inside the save's transaction."""
    note = saved.note
    for row in plan.item_rows:
        await enqueue_on(conn, row, now)
    if plan.drop_checkins is not None:
        await drop_note_checkins_on(conn, note.team_id, note.id, plan.drop_checkins)
    checkin = relationship = None
    if plan.checkin is not None:
        start = plan.checkin
        sequence = await next_note_sequence_on(conn, note.team_id, note.id, start.pair)
        if sequence <= start.max_checkins:
            checkin = await add_checkin_on(
                conn,
                note.team_id,
                note.id,
                start.pair,
                sequence,
                start.due_at,
                now,
                start.ask,
                replace=True,
            )
    if plan.ongoing is not None:
        ongoing = plan.ongoing
        relationship, _ = await start_relationship_on(
            conn, note.team_id, ongoing.pair, ongoing.cadence, ongoing.first, now
        )
        for row in ongoing.ticks(relationship):
            await enqueue_on(conn, row, now)
    done = replace(saved, checkin=checkin, relationship=relationship)
    for row in plan.after(done) if plan.after is not None else ():
        await enqueue_on(conn, row, now)
    return done


class NoteQueries:
    """Store methods for private notes and action items."""

    async def save_note(
        self: _StoreCore, draft: NoteDraft, now: datetime, planner: Planner | None = None
    ) -> SavedNote | None:
        """Create a note (or update the author's own), its items and what `planner` says to
        schedule (reminders, check-ins, 1:1s), all in one transaction: all land or none.
        None if the note to edit isn't the author's."""
        stamp = format_time(now)
        async with self._transaction() as conn:
            await ensure_people(conn, draft.team_id, (draft.author_id, draft.subject_id), now)
            previous: WhatNext | None = None
            if draft.note_id is None:
                params: tuple[Any, ...] = (
                    draft.team_id,
                    draft.author_id,
                    draft.subject_id,
                    draft.session_id,
                    draft.body,
                    str(draft.what_next),
                    stamp,
                    stamp,
                )
                rows = list(await conn.execute_fetchall(_INSERT_NOTE, params))
            else:
                mine = (draft.note_id, draft.team_id, draft.author_id)
                old = list(await conn.execute_fetchall(_OWN_WHAT_NEXT, mine))
                if not old:
                    return None
                previous = WhatNext(old[0][0])
                params = (
                    draft.note_id,
                    draft.team_id,
                    draft.author_id,
                    draft.body,
                    str(draft.what_next),
                    stamp,
                )
                rows = list(await conn.execute_fetchall(_UPDATE_NOTE, params))
            note = Note.from_row(rows[0])
            items, rescheduled = await _writeitems_of(conn, draft, note, stamp)
            saved = SavedNote(note, items, previous, rescheduled)
            if planner is None:
                return saved
            return await _follow_up(conn, saved, planner(saved), now)

    async def get_own_note(
        self: _StoreCore, team_id: str, note_id: int, author_id: str
    ) -> Note | None:
        """A note, only for its author; anyone else gets None."""
        rows = await self._fetch(
            "SELECT * FROM notes WHERE id = ? AND team_id = ? AND author_id = ?",
            (note_id, team_id, author_id),
        )
        return Note.from_row(rows[0]) if rows else None

    async def own_note_for_session(
        self: _StoreCore, team_id: str, author_id: str, session_id: int
    ) -> Note | None:
        """The author's latest note about a session, if they logged one."""
        rows = await self._fetch(
            "SELECT * FROM notes WHERE session_id = ? AND team_id = ? AND author_id = ? "
            "ORDER BY id DESC LIMIT 1",
            (session_id, team_id, author_id),
        )
        return Note.from_row(rows[0]) if rows else None

    async def note_what_next(self: _StoreCore, team_id: str, note_id: int) -> WhatNext | None:
        """What a note chose next (never its body), or None if it's gone."""
        rows = await self._fetch(
            "SELECT what_next FROM notes WHERE id = ? AND team_id = ?", (note_id, team_id)
        )
        return WhatNext(rows[0][0]) if rows else None

    async def note_items(self: _StoreCore, team_id: str, note_id: int) -> list[ActionItem]:
        """A note's action items, in the order they were written."""
        return items_of(await self._fetch(_NOTE_ITEMS, (note_id, team_id)))

    async def get_action_item(self: _StoreCore, team_id: str, item_id: int) -> ActionItem | None:
        """One action item, or None."""
        rows = await self._fetch(
            "SELECT * FROM action_items WHERE id = ? AND team_id = ?", (item_id, team_id)
        )
        return next(iter(items_of(rows)), None)

    async def complete_item(
        self: _StoreCore, team_id: str, item_id: int, owner_id: str, now: datetime
    ) -> ActionItem | None:
        """Tick an item done, by its owner only, once; its pending nudges are cancelled."""
        async with self._transaction() as conn:
            params = (item_id, team_id, format_time(now), owner_id)
            done = items_of(await conn.execute_fetchall(_COMPLETE_ITEM, params))
            if done:
                await conn.execute_fetchall(
                    CANCEL_OUTBOX, (team_id, str(SubjectType.ACTION_ITEM), item_id)
                )
            return next(iter(done), None)

    async def snooze_item(
        self: _StoreCore,
        team_id: str,
        item_id: int,
        owner_id: str,
        until: datetime,
        now: datetime,
    ) -> ActionItem | None:
        """Hold an open item's nudges until `until`, by its owner only."""
        params = (item_id, team_id, format_time(until), format_time(now), owner_id)
        return next(iter(items_of(await self._fetch(_SNOOZE_ITEM, params))), None)
