"""Ongoing relationships (1:1s), and who has met whom: what follows a session after the notes.

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

from storage.engine import Connection, Record, Sql
from storage.models import (
    Cadence,
    Relationship,
    Request,
    SubjectType,
)
from storage.outbox import CANCEL_OUTBOX as _CANCEL_OUTBOX
from storage.outbox import Effects, Planned, change_with
from storage.requests import ensure_people
from storage.timefmt import format_time

# A 1:1's tick messages: planned by the handlers, which know the kinds, once the row exists.
TicksFor = Callable[[Relationship], list[Planned]]

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

# Ongoing, unpaused 1:1s with no tick waiting (?2: its kind): an uninstall cancelled it.
_UNTICKED = """
SELECT x.* FROM relationships x
WHERE x.team_id = ?1 AND x.ended_at IS NULL AND x.next_at IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM outbox o WHERE o.team_id = x.team_id AND o.subject_type = 'relationship'
        AND o.subject_id = x.id AND o.kind = ?2 AND o.status IN ('pending', 'sending'))
ORDER BY x.id
"""

# The pair's relationships, either way round, newest first (active ones first).
_BETWEEN = """
SELECT * FROM (
    SELECT * FROM relationships WHERE team_id = ?1 AND mentor_id = ?2 AND mentee_id = ?3
    UNION ALL
    SELECT * FROM relationships WHERE team_id = ?1 AND mentor_id = ?3 AND mentee_id = ?2
) AS pair_relationships
ORDER BY ended_at IS NOT NULL, started_at DESC, id DESC
LIMIT ?4
"""


class _StoreCore(Protocol):
    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...

    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...


def _relationship(rows: Iterable[Record]) -> Relationship | None:
    return next((Relationship.from_row(row) for row in rows), None)


async def _silencing(store: _StoreCore, sql: Sql, params: tuple[Any, ...]) -> Relationship | None:
    """Run a pause or end UPDATE (?1 id, ?2 team) and, if it applied, cancel pending ticks
    in the same transaction."""
    async with store._transaction() as conn:
        changed = _relationship(await conn.execute_fetchall(sql, params))
        if changed is not None:
            subject = (changed.team_id, str(SubjectType.RELATIONSHIP), changed.id)
            await conn.execute_fetchall(_CANCEL_OUTBOX, subject)
        return changed


@dataclass(frozen=True)
class OngoingPlan:
    """Start (or re-cadence) the pair's ongoing 1:1s, the first tick at `first`."""

    pair: tuple[str, str]  # (mentor, mentee)
    cadence: Cadence
    first: datetime
    ticks: TicksFor


async def start_relationship_on(
    conn: Connection,
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
) AS roles ORDER BY at DESC LIMIT 1
"""


class MentoringQueries:
    """Store methods for ongoing relationships and who has met whom."""

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
        return [Relationship.from_row(row) for row in rows]

    async def unticked_relationships(
        self: _StoreCore, team_id: str, tick_kind: str
    ) -> list[Relationship]:
        """The workspace's ongoing, unpaused 1:1s whose next tick isn't waiting."""
        rows = await self._fetch(_UNTICKED, (team_id, tick_kind))
        return [Relationship.from_row(row) for row in rows]

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
        effects: Effects | None = None,
    ) -> Relationship | None:
        """Move next_at from `from_at` to `to_at`; None if someone already moved it."""
        params = (
            relationship_id,
            team_id,
            format_time(from_at),
            format_time(to_at),
            format_time(now),
        )
        return _relationship(await change_with(self, _ADVANCE, params, team_id, effects, now))

    async def accepted_request_between(
        self: _StoreCore, team_id: str, mentor_id: str, mentee_id: str
    ) -> Request | None:
        """The pair's latest accepted, not yet booked request (reused by Book time)."""
        rows = await self._fetch(
            "SELECT * FROM requests WHERE team_id = ? AND mentee_id = ? AND status = 'accepted' "
            "AND mentor_id = ? ORDER BY id DESC LIMIT 1",
            (team_id, mentee_id, mentor_id),
        )
        return Request.from_row(rows[0]) if rows else None
