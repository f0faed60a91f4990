"""Booking: offered slots, sessions, and the request moving to `scheduled` and back.

Every booking move runs in one BEGIN IMMEDIATE transaction: the slot or session changes with
a conditional UPDATE … RETURNING *, the request follows, and the session's unsent outbox rows
are cancelled in the same commit, so a cancelled or moved session can never send a stale
reminder. A click that lost a race gets None and nothing changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from storage.engine import Connection, Record, Sql
from storage.models import OfferedSlot, Session, SubjectType, UtcDatetime
from storage.org import in_workspaces, workspaces_of
from storage.outbox import Planned, enqueue_on
from storage.rows import Row
from storage.timefmt import format_time

Proposer = Literal["mentor", "mentee"]
CANCEL_REASON_MAX = 1000
# The longest session the schema allows; bounds the overlap query's look-back.
_LONGEST = timedelta(minutes=240)

_BOOKABLE = ("accepted", "claimed", "scheduled")

_ENSURE_PERSON = """
INSERT INTO people (team_id, user_id, first_seen_at, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (team_id, user_id) DO NOTHING
"""

_REQUEST_STATUS = "SELECT status FROM requests WHERE id = ? AND team_id = ?"

_WITHDRAW_OFFERS = """
UPDATE offered_slots SET status = 'withdrawn'
WHERE request_id = ? AND team_id = ? AND status = 'offered'
"""

# A time offered again after being withdrawn comes back as the same row.
_OFFER = """
INSERT INTO offered_slots (team_id, request_id, starts_at, duration_minutes, proposed_by,
    status, created_at)
VALUES (?, ?, ?, ?, ?, 'offered', ?)
ON CONFLICT (request_id, proposed_by, starts_at) DO UPDATE SET
    status = 'offered', duration_minutes = excluded.duration_minutes,
    created_at = excluded.created_at
RETURNING *
"""

_PICK = """
UPDATE offered_slots SET status = 'picked'
WHERE id = ? AND team_id = ? AND status = 'offered'
RETURNING *
"""

_CONFIRMED_FOR_REQUEST = """
SELECT * FROM sessions WHERE request_id = ? AND team_id = ? AND status = 'confirmed'
ORDER BY id DESC LIMIT 1
"""

_MOVE = """
UPDATE sessions SET starts_at = ?3, duration_minutes = ?4, talk_now = ?5, updated_at = ?6
WHERE id = ?1 AND team_id = ?2 AND status = 'confirmed'
RETURNING *
"""

# A session between a pair with an ongoing 1:1 belongs to it, whichever button booked it.
_INSERT_SESSION = """
INSERT INTO sessions (team_id, request_id, mentor_id, mentee_id, starts_at, duration_minutes,
    talk_now, created_at, updated_at, relationship_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, (
    SELECT id FROM relationships
    WHERE team_id = ?1 AND mentor_id = ?3 AND mentee_id = ?4 AND ended_at IS NULL))
RETURNING *
"""

_SCHEDULE_REQUEST = """
UPDATE requests SET status = 'scheduled', updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status IN ('accepted', 'claimed', 'scheduled')
"""

# Back to bookable: a pool request returns to its claimer, a named one to accepted.
_UNSCHEDULE_REQUEST = """
UPDATE requests SET updated_at = ?3,
    status = CASE WHEN claimed_by IS NULL THEN 'accepted' ELSE 'claimed' END
WHERE id = ?1 AND team_id = ?2 AND status = 'scheduled'
"""

_COMPLETE_REQUEST = """
UPDATE requests SET status = 'completed', updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'scheduled'
"""

_CANCEL_OUTBOX = """
UPDATE outbox SET status = 'cancelled', lease_until = NULL
WHERE team_id = ? AND subject_type = ? AND subject_id = ? AND status IN ('pending', 'sending')
"""

_CANCEL_SESSION = """
UPDATE sessions SET status = 'cancelled', cancelled_by = ?3, cancel_reason = ?4, updated_at = ?5
WHERE id = ?1 AND team_id = ?2 AND status = 'confirmed' AND ?3 IN (mentor_id, mentee_id)
RETURNING *
"""

# ?3 the mentor, ?4 the new status, ?5 now; "held" needs the session to have started.
_CLOSE_SESSION = """
UPDATE sessions SET status = ?4, updated_at = ?5
WHERE id = ?1 AND team_id = ?2 AND status = 'confirmed' AND mentor_id = ?3 AND starts_at <= ?5
RETURNING *
"""

_SET_MESSAGES = """
UPDATE sessions SET
    mentor_dm_channel_id = coalesce(?3, mentor_dm_channel_id),
    mentor_dm_ts = coalesce(?4, mentor_dm_ts),
    mentee_dm_channel_id = coalesce(?5, mentee_dm_channel_id),
    mentee_dm_ts = coalesce(?6, mentee_dm_ts)
WHERE id = ?1 AND team_id = ?2
"""

# Confirmed sessions of a person, either side, that have not ended by ?3 (look-back ?4).
# In every workspace of an org-wide install ({teams}, storage/org.py): a mentor's calendar
# spans workspaces.
_BUSY = """
SELECT * FROM sessions
WHERE {teams} AND ?2 IN (mentor_id, mentee_id) AND status = 'confirmed' AND starts_at >= ?4
ORDER BY starts_at, id
"""


class Booked(Row):
    """A confirmed booking: the session, and its earlier start if this moved it."""

    session: Session
    moved_from: UtcDatetime | None = None


class _StoreCore(Protocol):
    """The Store plumbing these queries rely on (see storage.store.Store)."""

    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...

    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...


class _Refused(Exception):
    """Raised inside a transaction to roll it back when its conditional UPDATE didn't apply."""


def _slot(rows: Iterable[Record]) -> OfferedSlot | None:
    return next((OfferedSlot.from_row(row) for row in rows), None)


def _session(rows: Iterable[Record]) -> Session | None:
    return next((Session.from_row(row) for row in rows), None)


async def _leave_confirmed(
    store: _StoreCore,
    sql: Sql,
    params: tuple[Any, ...],
    then: Callable[[Connection, int], Awaitable[None]],
    planned: Sequence[Planned] = (),
    now: datetime | None = None,
) -> Session | None:
    """In one transaction: move a confirmed session on with `sql`, cancel its unsent rows,
    `then` its request, if it has one, and enqueue `planned` (stamped `now`). None, and
    nothing changed, if `sql` moved no session."""
    async with store._transaction() as conn:
        session = _session(await conn.execute_fetchall(sql, params))
        if session is None:
            return None
        await _cancel_rows(conn, session.team_id, session.id)
        if session.request_id is not None:
            await then(conn, session.request_id)
        for row in planned:
            await enqueue_on(conn, row, now or session.updated_at)
        return session


async def _request_status(conn: Connection, team_id: str, request_id: int) -> str | None:
    rows = list(await conn.execute_fetchall(_REQUEST_STATUS, (request_id, team_id)))
    return str(rows[0][0]) if rows else None


async def _cancel_rows(conn: Connection, team_id: str, session_id: int) -> None:
    await conn.execute_fetchall(_CANCEL_OUTBOX, (team_id, str(SubjectType.SESSION), session_id))


async def _book(
    conn: Connection,
    team_id: str,
    request_id: int,
    who: tuple[str, str],
    starts_at: datetime,
    duration: int,
    talk_now: bool,
    now: datetime,
) -> Booked:
    """Move the request's confirmed session, or create one; the request becomes scheduled."""
    stamp = format_time(now)
    await conn.execute_fetchall(_WITHDRAW_OFFERS, (request_id, team_id))
    current = _session(await conn.execute_fetchall(_CONFIRMED_FOR_REQUEST, (request_id, team_id)))
    start = format_time(starts_at)
    if current is not None:
        moved = _session(
            await conn.execute_fetchall(
                _MOVE, (current.id, team_id, start, duration, int(talk_now), stamp)
            )
        )
        if moved is None:  # pragma: no cover - the row was read in this same transaction
            raise _Refused
        # The old time's reminders go; the caller enqueues the new time's.
        await _cancel_rows(conn, team_id, current.id)
        booked = Booked(session=moved, moved_from=current.starts_at)
    else:
        mentor_id, mentee_id = who
        await conn.executemany(
            _ENSURE_PERSON, [(team_id, uid, stamp, stamp) for uid in (mentor_id, mentee_id)]
        )
        row = (team_id, request_id, mentor_id, mentee_id, start, duration, int(talk_now))
        created = _session(await conn.execute_fetchall(_INSERT_SESSION, (*row, stamp, stamp)))
        if created is None:  # pragma: no cover - INSERT … RETURNING always returns the row
            raise _Refused
        booked = Booked(session=created)
    await conn.execute_fetchall(_SCHEDULE_REQUEST, (request_id, team_id, stamp))
    return booked


class SessionQueries:
    """Store methods for offered slots and sessions."""

    async def offer_slots(
        self: _StoreCore,
        team_id: str,
        request_id: int,
        proposed_by: Proposer,
        starts: Sequence[datetime],
        duration_minutes: int,
        now: datetime,
    ) -> list[OfferedSlot]:
        """Replace the request's open offers with these times; [] if it can't be booked now."""
        stamp = format_time(now)
        try:
            async with self._transaction() as conn:
                if await _request_status(conn, team_id, request_id) not in _BOOKABLE:
                    raise _Refused
                await conn.execute_fetchall(_WITHDRAW_OFFERS, (request_id, team_id))
                slots: list[OfferedSlot] = []
                for start in sorted(starts):
                    params = (team_id, request_id, format_time(start), duration_minutes)
                    rows = await conn.execute_fetchall(_OFFER, (*params, proposed_by, stamp))
                    slot = _slot(rows)
                    if slot is not None:
                        slots.append(slot)
                return slots
        except _Refused:
            return []

    async def get_slot(self: _StoreCore, team_id: str, slot_id: int) -> OfferedSlot | None:
        """One offered slot, or None if this workspace has no such slot."""
        rows = await self._fetch(
            "SELECT * FROM offered_slots WHERE id = ? AND team_id = ?", (slot_id, team_id)
        )
        return _slot(rows)

    async def times_ever_offered(self: _StoreCore, team_id: str, request_id: int) -> bool:
        """Whether either side ever offered a time for the request (on offer, picked or not)."""
        rows = await self._fetch(
            "SELECT 1 FROM offered_slots WHERE request_id = ? AND team_id = ? LIMIT 1",
            (request_id, team_id),
        )
        return bool(rows)

    async def offered_slots(
        self: _StoreCore, team_id: str, request_id: int, proposed_by: Proposer
    ) -> list[OfferedSlot]:
        """The times still on offer for a request from one side, earliest first."""
        rows = await self._fetch(
            "SELECT * FROM offered_slots WHERE request_id = ? AND team_id = ? AND proposed_by = ?"
            " AND status = 'offered' ORDER BY starts_at",
            (request_id, team_id, proposed_by),
        )
        return [OfferedSlot.from_row(row) for row in rows]

    async def pick_slot(
        self: _StoreCore,
        team_id: str,
        slot_id: int,
        who: tuple[str, str],
        now: datetime,
    ) -> Booked | None:
        """Pick an offered slot: it confirms (or moves) the request's session; None if the slot
        is no longer on offer or the request can't be booked. `who` is (mentor, mentee)."""
        try:
            async with self._transaction() as conn:
                slot = _slot(await conn.execute_fetchall(_PICK, (slot_id, team_id)))
                if slot is None:
                    raise _Refused
                if await _request_status(conn, team_id, slot.request_id) not in _BOOKABLE:
                    raise _Refused
                return await _book(
                    conn,
                    team_id,
                    slot.request_id,
                    who,
                    slot.starts_at,
                    slot.duration_minutes,
                    False,
                    now,
                )
        except _Refused:
            return None

    async def book_now(
        self: _StoreCore,
        team_id: str,
        request_id: int,
        who: tuple[str, str],
        duration_minutes: int,
        now: datetime,
    ) -> Booked | None:
        """Talk now: a session starting now, confirmed at once; None if not bookable."""
        try:
            async with self._transaction() as conn:
                if await _request_status(conn, team_id, request_id) not in _BOOKABLE:
                    raise _Refused
                return await _book(conn, team_id, request_id, who, now, duration_minutes, True, now)
        except _Refused:
            return None

    async def get_session(self: _StoreCore, team_id: str, session_id: int) -> Session | None:
        """One session, or None if this workspace has no such session."""
        rows = await self._fetch(
            "SELECT * FROM sessions WHERE id = ? AND team_id = ?", (session_id, team_id)
        )
        return _session(rows)

    async def confirmed_session_for_request(
        self: _StoreCore, team_id: str, request_id: int
    ) -> Session | None:
        """The request's confirmed session, if it has one."""
        return _session(await self._fetch(_CONFIRMED_FOR_REQUEST, (request_id, team_id)))

    async def busy_sessions(
        self: _StoreCore, team_id: str, user_id: str, since: datetime
    ) -> list[Session]:
        """Confirmed sessions with this person on either side that may still run at `since`."""
        params = (team_id, user_id, format_time(since), format_time(since - _LONGEST))
        teams = await workspaces_of(self, team_id)
        rows = await self._fetch(*in_workspaces(_BUSY, teams, params))
        sessions = [Session.from_row(row) for row in rows]
        return [s for s in sessions if s.starts_at + timedelta(minutes=s.duration_minutes) > since]

    async def set_session_messages(
        self: _StoreCore,
        team_id: str,
        session_id: int,
        *,
        mentor_dm: tuple[str, str] | None = None,
        mentee_dm: tuple[str, str] | None = None,
    ) -> None:
        """Record (channel, ts) of a confirmation DM; None leaves one as it is."""
        mentor, mentee = (pair or (None, None) for pair in (mentor_dm, mentee_dm))
        await self._fetch(_SET_MESSAGES, (session_id, team_id, *mentor, *mentee))

    async def cancel_session(
        self: _StoreCore,
        team_id: str,
        session_id: int,
        user_id: str,
        reason: str | None,
        now: datetime,
    ) -> Session | None:
        """confirmed → cancelled by either participant; the request can be booked again and
        the session's unsent reminders are cancelled. None if that didn't apply."""
        text = (reason or "").strip()[:CANCEL_REASON_MAX] or None
        stamp = format_time(now)

        async def bookable_again(conn: Connection, request_id: int) -> None:
            await conn.execute_fetchall(_WITHDRAW_OFFERS, (request_id, team_id))
            await conn.execute_fetchall(_UNSCHEDULE_REQUEST, (request_id, team_id, stamp))

        params = (session_id, team_id, user_id, text, stamp)
        return await _leave_confirmed(self, _CANCEL_SESSION, params, bookable_again)

    async def close_session(
        self: _StoreCore,
        team_id: str,
        session_id: int,
        mentor_id: str,
        held: bool,
        now: datetime,
        *,
        if_held: Sequence[Planned] = (),
    ) -> Session | None:
        """After the start, the mentor says it was held (request completed) or didn't happen
        (request bookable again); its unsent rows are cancelled, and if it was held the rows
        `if_held` (the feedback prompt) are enqueued with it. None if that didn't apply."""
        status = "completed" if held else "did_not_happen"
        stamp = format_time(now)

        async def settle_request(conn: Connection, request_id: int) -> None:
            follow = _COMPLETE_REQUEST if held else _UNSCHEDULE_REQUEST
            await conn.execute_fetchall(follow, (request_id, team_id, stamp))

        params = (session_id, team_id, mentor_id, status, stamp)
        planned = if_held if held else ()
        return await _leave_confirmed(self, _CLOSE_SESSION, params, settle_request, planned, now)

    async def upcoming_sessions(
        self: _StoreCore, team_id: str, user_id: str, now: datetime
    ) -> list[Session]:
        """Confirmed sessions with this person that haven't ended, earliest first."""
        return await SessionQueries.busy_sessions(self, team_id, user_id, now)

    async def session_has_notes(self: _StoreCore, team_id: str, session_id: int) -> bool:
        """Whether anyone logged notes about this session."""
        rows = await self._fetch(
            "SELECT 1 FROM notes WHERE team_id = ? AND session_id = ? LIMIT 1",
            (team_id, session_id),
        )
        return bool(rows)
