"""Check-ins and ongoing relationships: what follows a session after the notes are in.

A relationship is active while ended_at is NULL. Paused means active with next_at NULL: no
tick is due until someone resumes it. Ending sets ended_at, clears next_at and cancels the
relationship's pending outbox rows in the same transaction; the row stays as history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import aiosqlite

from storage.models import (
    Cadence,
    Checkin,
    CheckinAnswer,
    Relationship,
    Request,
    SubjectType,
)
from storage.outbox import CANCEL_OUTBOX as _CANCEL_OUTBOX
from storage.outbox import Planned, enqueue_on
from storage.requests import ensure_people
from storage.timefmt import format_time

# The message a new check-in asks with, and a 1:1's tick messages: planned by the handlers,
# which know the kinds, once the row (and so its id) exists.
AskFor = Callable[[Checkin], Planned]
TicksFor = Callable[[Relationship], list[Planned]]

_INSERT_CHECKIN = """
INSERT INTO checkins (team_id, note_id, mentor_id, mentee_id, sequence, due_at, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
RETURNING *
"""

# Only the mentee answers, and only once.
_ANSWER = """
UPDATE checkins SET answer = ?4, answered_at = ?5
WHERE id = ?1 AND team_id = ?2 AND mentee_id = ?3 AND answer IS NULL
RETURNING *
"""

# Check-ins whose question has not gone out (nor is going out): nobody holds a button with
# their id, so they can be dropped and their ids reused. Asked ones stay answerable.
_UNASKED = """
    answer IS NULL AND asked_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.team_id = checkins.team_id
        AND subject_type = 'checkin' AND subject_id = checkins.id
        AND status IN ('sending', 'sent'))
"""

# checkins_by_pair narrows to the pair; the note filter is cheap on a handful of rows.
_UNASKED_OF_NOTE = f"""
SELECT id FROM checkins WHERE team_id = ?1 AND mentee_id = ?2 AND mentor_id = ?3 AND note_id = ?4
    AND {_UNASKED}
"""  # noqa: S608 - constant SQL

# The pair's chain: its next question, planned but not asked (one at most, see add_checkin_on).
_UNASKED_OF_PAIR = f"""
SELECT id FROM checkins WHERE team_id = ?1 AND mentee_id = ?2 AND mentor_id = ?3 AND {_UNASKED}
"""  # noqa: S608 - constant SQL

# How far a note's chain got (its unasked check-ins are dropped first): an edit carries on
# from here instead of starting again at 1.
_LAST_OF_NOTE = """
SELECT coalesce(max(sequence), 0) FROM checkins
WHERE team_id = ?1 AND mentee_id = ?2 AND mentor_id = ?3 AND note_id = ?4
"""

_ACTIVE = """
SELECT * FROM relationships
WHERE team_id = ? AND mentor_id = ? AND mentee_id = ? AND ended_at IS NULL
"""

_START = """
INSERT INTO relationships (team_id, mentor_id, mentee_id, cadence, next_at, started_at,
    updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
ON CONFLICT (team_id, mentor_id, mentee_id) WHERE ended_at IS NULL DO UPDATE SET
    cadence = excluded.cadence, next_at = excluded.next_at, updated_at = excluded.updated_at
RETURNING *
"""

_PAUSE = """
UPDATE relationships SET next_at = NULL, updated_at = ?4
WHERE id = ?1 AND team_id = ?2 AND ?3 IN (mentor_id, mentee_id) AND ended_at IS NULL
    AND next_at IS NOT NULL
RETURNING *
"""

_RESUME = """
UPDATE relationships SET next_at = ?4, updated_at = ?5
WHERE id = ?1 AND team_id = ?2 AND ?3 IN (mentor_id, mentee_id) AND ended_at IS NULL
    AND next_at IS NULL
RETURNING *
"""

_END = """
UPDATE relationships SET ended_at = ?4, next_at = NULL, updated_at = ?4
WHERE id = ?1 AND team_id = ?2 AND ?3 IN (mentor_id, mentee_id) AND ended_at IS NULL
RETURNING *
"""

# Moves next_at on once per tick, whichever of the two tick rows renders first.
_ADVANCE = """
UPDATE relationships SET next_at = ?4, updated_at = ?5
WHERE id = ?1 AND team_id = ?2 AND next_at = ?3 AND ended_at IS NULL
RETURNING *
"""

# The pair's relationships, either way round, newest first (active ones first).
_BETWEEN = """
SELECT * FROM (
    SELECT * FROM relationships WHERE team_id = ?1 AND mentor_id = ?2 AND mentee_id = ?3
    UNION ALL
    SELECT * FROM relationships WHERE team_id = ?1 AND mentor_id = ?3 AND mentee_id = ?2
)
ORDER BY ended_at IS NOT NULL, started_at DESC, id DESC
LIMIT ?4
"""


class _StoreCore(Protocol):
    async def _fetch(self, sql: str, params: Sequence[Any] = ...) -> list[aiosqlite.Row]: ...

    def _transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]: ...


def _checkin(rows: Iterable[aiosqlite.Row]) -> Checkin | None:
    return next((Checkin.model_validate(dict(row)) for row in rows), None)


def _relationship(rows: Iterable[aiosqlite.Row]) -> Relationship | None:
    return next((Relationship.model_validate(dict(row)) for row in rows), None)


async def _silencing(store: _StoreCore, sql: str, params: tuple[Any, ...]) -> Relationship | None:
    """Run a pause or end UPDATE (?1 id, ?2 team) and, if it applied, cancel pending ticks
    in the same transaction."""
    async with store._transaction() as conn:
        changed = _relationship(await conn.execute_fetchall(sql, params))
        if changed is not None:
            subject = (changed.team_id, str(SubjectType.RELATIONSHIP), changed.id)
            await conn.execute_fetchall(_CANCEL_OUTBOX, subject)
        return changed


@dataclass(frozen=True)
class CheckinPlan:
    """Start (or carry on) a note's check-in chain, the next question due at `due_at`."""

    pair: tuple[str, str]  # (mentor, mentee)
    due_at: datetime
    ask: AskFor
    max_checkins: int  # MENTORBOT_MAX_CHECKINS: no check-in past this sequence


@dataclass(frozen=True)
class OngoingPlan:
    """Start (or re-cadence) the pair's ongoing 1:1s, the first tick at `first`."""

    pair: tuple[str, str]  # (mentor, mentee)
    cadence: Cadence
    first: datetime
    ticks: TicksFor


async def _drop_checkins(
    conn: aiosqlite.Connection, team_id: str, ids: Iterable[aiosqlite.Row]
) -> None:
    """Delete unasked check-ins and cancel their questions."""
    for row in ids:
        await conn.execute_fetchall(_CANCEL_OUTBOX, (team_id, str(SubjectType.CHECKIN), row[0]))
        await conn.execute_fetchall("DELETE FROM checkins WHERE id = ?", (row[0],))


async def add_checkin_on(
    conn: aiosqlite.Connection,
    team_id: str,
    note_id: int | None,
    pair: tuple[str, str],
    sequence: int,
    due_at: datetime,
    now: datetime,
    ask: AskFor,
    *,
    replace: bool,
) -> Checkin | None:
    """Store a check-in and plan its question, inside the caller's transaction. A pair has one
    chain: with `replace`, the pair's unasked check-in is dropped for this one; without, None
    if the pair already has one."""
    mentor_id, mentee_id = pair
    pending = list(await conn.execute_fetchall(_UNASKED_OF_PAIR, (team_id, mentee_id, mentor_id)))
    if pending and not replace:
        return None
    await _drop_checkins(conn, team_id, pending)
    params = (team_id, note_id, mentor_id, mentee_id, sequence, format_time(due_at))
    created = _checkin(await conn.execute_fetchall(_INSERT_CHECKIN, (*params, format_time(now))))
    if created is None:  # pragma: no cover - INSERT … RETURNING always returns the row
        raise RuntimeError("check-in not stored")
    await enqueue_on(conn, ask(created), now)
    return created


async def drop_note_checkins_on(
    conn: aiosqlite.Connection, team_id: str, note_id: int, pair: tuple[str, str]
) -> None:
    """Drop a note's unasked check-ins and cancel their questions (the author chose something
    else next); a question already asked stays answerable."""
    mentor_id, mentee_id = pair
    params = (team_id, mentee_id, mentor_id, note_id)
    await _drop_checkins(conn, team_id, await conn.execute_fetchall(_UNASKED_OF_NOTE, params))


async def next_note_sequence_on(
    conn: aiosqlite.Connection, team_id: str, note_id: int, pair: tuple[str, str]
) -> int:
    """The sequence a note's next check-in takes: 1 for a new chain, else one past the last
    one asked, so editing the note never restarts the count."""
    mentor_id, mentee_id = pair
    params = (team_id, mentee_id, mentor_id, note_id)
    rows = list(await conn.execute_fetchall(_LAST_OF_NOTE, params))
    return int(rows[0][0]) + 1


async def start_relationship_on(
    conn: aiosqlite.Connection,
    team_id: str,
    pair: tuple[str, str],
    cadence: Cadence,
    next_at: datetime,
    now: datetime,
) -> tuple[Relationship, Relationship | None]:
    """Upsert the pair's active 1:1 inside the caller's transaction; the earlier one's pending
    ticks are cancelled. Returns (the relationship now, the active one before, if any)."""
    mentor_id, mentee_id = pair
    await ensure_people(conn, team_id, pair, now)
    before = _relationship(await conn.execute_fetchall(_ACTIVE, (team_id, mentor_id, mentee_id)))
    stamp = format_time(now)
    params = (team_id, mentor_id, mentee_id, str(cadence), format_time(next_at), stamp)
    after = _relationship(await conn.execute_fetchall(_START, params))
    if after is None:  # pragma: no cover - the upsert always returns the row
        raise RuntimeError("relationship not stored")
    if before is not None:
        await conn.execute_fetchall(
            _CANCEL_OUTBOX, (team_id, str(SubjectType.RELATIONSHIP), before.id)
        )
    return after, before


# Either direction, through indexes that start with (team_id, one of the pair).
_MET = """
SELECT EXISTS (SELECT 1 FROM requests WHERE team_id = ?1 AND mentee_id = ?2
                   AND (mentor_id = ?3 OR claimed_by = ?3))
    OR EXISTS (SELECT 1 FROM requests WHERE team_id = ?1 AND mentee_id = ?3
                   AND (mentor_id = ?2 OR claimed_by = ?2))
    OR EXISTS (SELECT 1 FROM sessions WHERE team_id = ?1 AND mentor_id = ?2 AND mentee_id = ?3)
    OR EXISTS (SELECT 1 FROM sessions WHERE team_id = ?1 AND mentor_id = ?3 AND mentee_id = ?2)
    OR EXISTS (SELECT 1 FROM relationships WHERE team_id = ?1 AND mentor_id = ?2 AND mentee_id = ?3)
    OR EXISTS (SELECT 1 FROM relationships WHERE team_id = ?1 AND mentor_id = ?3 AND mentee_id = ?2)
"""

# A session between the two, either role, booked since a moment and not cancelled; through
# sessions_by_mentor, whichever of the two was the mentor.
_BOOKED_SINCE = """
SELECT EXISTS (SELECT 1 FROM sessions WHERE team_id = ?1 AND mentor_id = ?2 AND mentee_id = ?3
                   AND created_at >= ?4 AND status IN ('confirmed', 'completed'))
    OR EXISTS (SELECT 1 FROM sessions WHERE team_id = ?1 AND mentor_id = ?3 AND mentee_id = ?2
                   AND created_at >= ?4 AND status IN ('confirmed', 'completed'))
"""

# Who mentored whom most recently: the pair's latest session or request, in either role.
_LATEST_ROLES = """
SELECT mentor, mentee FROM (
    SELECT mentor_id AS mentor, mentee_id AS mentee, starts_at AS at FROM sessions
    WHERE team_id = ?1
      AND ((mentor_id = ?2 AND mentee_id = ?3) OR (mentor_id = ?3 AND mentee_id = ?2))
    UNION ALL
    SELECT coalesce(claimed_by, mentor_id), mentee_id, created_at FROM requests
    WHERE team_id = ?1 AND ((mentee_id = ?2 AND ?3 IN (mentor_id, claimed_by))
                         OR (mentee_id = ?3 AND ?2 IN (mentor_id, claimed_by)))
) ORDER BY at DESC LIMIT 1
"""


class MentoringQueries:
    """Store methods for check-ins and ongoing relationships."""

    async def add_checkin(
        self: _StoreCore,
        team_id: str,
        note_id: int | None,
        pair: tuple[str, str],
        sequence: int,
        due_at: datetime,
        now: datetime,
        ask: AskFor,
    ) -> Checkin | None:
        """Store the `sequence`th check-in of a chain and plan its question, in one
        transaction; `pair` is (mentor, mentee). None if the pair's chain already has its
        next check-in planned (a newer plan replaced this chain)."""
        async with self._transaction() as conn:
            return await add_checkin_on(
                conn, team_id, note_id, pair, sequence, due_at, now, ask, replace=False
            )

    async def get_checkin(self: _StoreCore, team_id: str, checkin_id: int) -> Checkin | None:
        """One check-in, or None."""
        rows = await self._fetch(
            "SELECT * FROM checkins WHERE id = ? AND team_id = ?", (checkin_id, team_id)
        )
        return _checkin(rows)

    async def mark_checkin_asked(
        self: _StoreCore, team_id: str, checkin_id: int, now: datetime
    ) -> None:
        """Record when the question went out (the first time only)."""
        await self._fetch(
            "UPDATE checkins SET asked_at = coalesce(asked_at, ?) WHERE id = ? AND team_id = ?",
            (format_time(now), checkin_id, team_id),
        )

    async def answer_checkin(
        self: _StoreCore,
        team_id: str,
        checkin_id: int,
        mentee_id: str,
        answer: CheckinAnswer,
        now: datetime,
    ) -> Checkin | None:
        """Store the mentee's answer; None if it isn't theirs or was answered already."""
        params = (checkin_id, team_id, mentee_id, str(answer), format_time(now))
        return _checkin(await self._fetch(_ANSWER, params))

    async def set_checkin_follow_up(
        self: _StoreCore, team_id: str, checkin_id: int, mentee_id: str, request_id: int
    ) -> bool:
        """Link the request "Could use another chat" led to; True if it was linked."""
        rows = await self._fetch(
            "UPDATE checkins SET follow_up_request_id = ? WHERE id = ? AND team_id = ? "
            "AND mentee_id = ? AND answer = 'another_chat' RETURNING 1",
            (request_id, checkin_id, team_id, mentee_id),
        )
        return bool(rows)

    async def start_relationship(
        self: _StoreCore,
        team_id: str,
        pair: tuple[str, str],
        cadence: Cadence,
        next_at: datetime,
        now: datetime,
    ) -> tuple[Relationship, Relationship | None]:
        """Start an ongoing 1:1, or change the active one's cadence (resuming it if paused).
        Returns (the relationship now, the active one before, if any)."""
        async with self._transaction() as conn:
            return await start_relationship_on(conn, team_id, pair, cadence, next_at, now)

    async def get_relationship(
        self: _StoreCore, team_id: str, relationship_id: int
    ) -> Relationship | None:
        """One relationship, active or ended, or None."""
        rows = await self._fetch(
            "SELECT * FROM relationships WHERE id = ? AND team_id = ?", (relationship_id, team_id)
        )
        return _relationship(rows)

    async def have_met(self: _StoreCore, team_id: str, user_a: str, user_b: str) -> bool:
        """True if the two share a request, a session or a 1:1, in either role."""
        rows = await self._fetch(_MET, (team_id, user_a, user_b))
        return bool(rows[0][0])

    async def booked_since(
        self: _StoreCore, team_id: str, user_a: str, user_b: str, since: datetime
    ) -> bool:
        """True if the two booked a session together (any request, either role) since then."""
        rows = await self._fetch(_BOOKED_SINCE, (team_id, user_a, user_b, format_time(since)))
        return bool(rows[0][0])

    async def latest_roles(
        self: _StoreCore, team_id: str, user_a: str, user_b: str
    ) -> tuple[str, str] | None:
        """(mentor, mentee) in the pair's latest session or request; None if they never met."""
        rows = await self._fetch(_LATEST_ROLES, (team_id, user_a, user_b))
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    async def relationships_between(
        self: _StoreCore, team_id: str, user_a: str, user_b: str, limit: int = 5
    ) -> list[Relationship]:
        """The pair's relationships, either way round: the active one first, then history."""
        rows = await self._fetch(_BETWEEN, (team_id, user_a, user_b, limit))
        return [Relationship.model_validate(dict(row)) for row in rows]

    async def pause_relationship(
        self: _StoreCore, team_id: str, relationship_id: int, user_id: str, now: datetime
    ) -> Relationship | None:
        """Stop the ticks until resumed, by either person; pending ticks are cancelled."""
        params = (relationship_id, team_id, user_id, format_time(now))
        return await _silencing(self, _PAUSE, params)

    async def resume_relationship(
        self: _StoreCore,
        team_id: str,
        relationship_id: int,
        user_id: str,
        next_at: datetime,
        now: datetime,
    ) -> Relationship | None:
        """Restart a paused relationship with its next tick at `next_at`."""
        params = (relationship_id, team_id, user_id, format_time(next_at), format_time(now))
        return _relationship(await self._fetch(_RESUME, params))

    async def end_relationship(
        self: _StoreCore, team_id: str, relationship_id: int, user_id: str, now: datetime
    ) -> Relationship | None:
        """End it, by either person: history stays, every pending row is cancelled."""
        params = (relationship_id, team_id, user_id, format_time(now))
        return await _silencing(self, _END, params)

    async def advance_relationship(
        self: _StoreCore,
        team_id: str,
        relationship_id: int,
        from_at: datetime,
        to_at: datetime,
        now: datetime,
    ) -> Relationship | None:
        """Move next_at from `from_at` to `to_at`; None if someone already moved it."""
        params = (
            relationship_id,
            team_id,
            format_time(from_at),
            format_time(to_at),
            format_time(now),
        )
        return _relationship(await self._fetch(_ADVANCE, params))

    async def accepted_request_between(
        self: _StoreCore, team_id: str, mentor_id: str, mentee_id: str
    ) -> Request | None:
        """The pair's latest accepted, not yet booked request (reused by Book time)."""
        rows = await self._fetch(
            "SELECT * FROM requests WHERE team_id = ? AND mentee_id = ? AND status = 'accepted' "
            "AND mentor_id = ? ORDER BY id DESC LIMIT 1",
            (team_id, mentee_id, mentor_id),
        )
        return Request.model_validate(dict(rows[0])) if rows else None
