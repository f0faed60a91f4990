"""Check-ins: the questions that follow a note's action plan, one chain per pair.

A chain's next question is planned (a row and its outbox message) when the previous one is
answered "Still working on it", up to MENTORBOT_MAX_CHECKINS; a newer plan for the pair
replaces a question not yet asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from storage.engine import Connection, Record, Sql
from storage.models import Checkin, CheckinAnswer, SubjectType
from storage.outbox import CANCEL_OUTBOX as _CANCEL_OUTBOX
from storage.outbox import Effects, Planned, change_with, enqueue_on
from storage.timefmt import format_time

# The message a new check-in asks with: planned by the handlers, which know the kinds, once
# the row (and so its id) exists.
AskFor = Callable[[Checkin], Planned]

_INSERT_CHECKIN = """
INSERT INTO checkins (team_id, note_id, mentor_id, mentee_id, sequence, due_at, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
RETURNING *
"""

_ASK = """
UPDATE checkins SET asked_at = ?1
WHERE id = ?2 AND team_id = ?3 AND asked_at IS NULL AND answer IS NULL
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


class _StoreCore(Protocol):
    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...

    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...


def _checkin(rows: Iterable[Record]) -> Checkin | None:
    return next((Checkin.from_row(row) for row in rows), None)


@dataclass(frozen=True)
class CheckinPlan:
    """Start (or carry on) a note's check-in chain, the next question due at `due_at`."""

    pair: tuple[str, str]  # (mentor, mentee)
    due_at: datetime
    ask: AskFor
    max_checkins: int  # MENTORBOT_MAX_CHECKINS: no check-in past this sequence


async def _drop_checkins(conn: Connection, team_id: str, ids: Iterable[Record]) -> None:
    """Delete unasked check-ins and cancel their questions."""
    for row in ids:
        await conn.execute_fetchall(_CANCEL_OUTBOX, (team_id, str(SubjectType.CHECKIN), row[0]))
        await conn.execute_fetchall(
            "DELETE FROM checkins WHERE id = ? AND team_id = ?", (row[0], team_id)
        )


async def add_checkin_on(
    conn: Connection,
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
    conn: Connection, team_id: str, note_id: int, pair: tuple[str, str]
) -> None:
    """Drop a note's unasked check-ins and cancel their questions (the author chose something
    else next); a question already asked stays answerable."""
    mentor_id, mentee_id = pair
    params = (team_id, mentee_id, mentor_id, note_id)
    await _drop_checkins(conn, team_id, await conn.execute_fetchall(_UNASKED_OF_NOTE, params))


async def next_note_sequence_on(
    conn: Connection, team_id: str, note_id: int, pair: tuple[str, str]
) -> int:
    """The sequence a note's next check-in takes: 1 for a new chain, else one past the last
    one asked, so editing the note never restarts the count."""
    mentor_id, mentee_id = pair
    params = (team_id, mentee_id, mentor_id, note_id)
    rows = list(await conn.execute_fetchall(_LAST_OF_NOTE, params))
    return int(rows[0][0]) + 1


class CheckinQueries:
    """Store methods for check-ins."""

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

    async def ask_checkin(
        self: _StoreCore,
        team_id: str,
        checkin_id: int,
        now: datetime,
        effects: Effects | None = None,
    ) -> Checkin | None:
        """Record that the question is going out: once, and only while unanswered; None if it
        was answered (or asked) already."""
        rows = await change_with(
            self, _ASK, (format_time(now), checkin_id, team_id), team_id, effects, now
        )
        return next((Checkin.from_row(row) for row in rows), None)

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
