"""Planning timed messages: rows enqueued inside the transaction of the change they are about.

A change that a timed message stands for writes its row (and, when an outbox row decided the
change, that row's record of it and its follow-up rows) in its own transaction, so the message
and the change land together or not at all. The queue itself (claims, leases, outcomes) is in
storage.outbox.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from storage.engine import Connection, Record, Sql
from storage.models import SubjectType
from storage.timefmt import format_time

ENQUEUE = """
INSERT INTO outbox (
    team_id, kind, recipient, due_at, subject_type, subject_id, dedupe_key, payload, created_at,
    applied_at
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (team_id, dedupe_key) DO NOTHING
RETURNING id
"""

# A subject's unsent rows, inside a caller's transaction; claimed ones are left to their
# renderer (see cancel_for_subject).
CANCEL_OUTBOX = """
UPDATE outbox SET status = 'cancelled'
WHERE team_id = ? AND subject_type = ? AND subject_id = ? AND status = 'pending'
"""

# A subject's unsent rows of one kind, inside a caller's transaction (a re-post that a newly
# planned one replaces).
CANCEL_KIND_OUTBOX = """
UPDATE outbox SET status = 'cancelled'
WHERE team_id = ? AND subject_type = ? AND subject_id = ? AND status = 'pending' AND kind = ?
"""


@dataclass(frozen=True)
class Planned:
    """A timed message to enqueue, planned before the transaction that stores it."""

    team_id: str
    kind: str
    recipient: str
    due_at: datetime
    dedupe_key: str
    subject_type: SubjectType | None = None
    subject_id: int | None = None
    payload: dict[str, Any] | None = None
    # Set for a row that stands again for a change already made (a snoozed nudge's return).
    applied_at: datetime | None = None


def enqueue_params(row: Planned, now: datetime) -> tuple[Any, ...]:
    """ENQUEUE's parameters for a planned row."""
    return (
        row.team_id,
        row.kind,
        row.recipient,
        format_time(row.due_at),
        None if row.subject_type is None else str(row.subject_type),
        row.subject_id,
        row.dedupe_key,
        json.dumps(row.payload or {}),
        format_time(now),
        None if row.applied_at is None else format_time(row.applied_at),
    )


async def enqueue_on(conn: Connection, row: Planned, now: datetime) -> bool:
    """Enqueue inside the caller's transaction, so the row lands with what it is about."""
    return bool(list(await conn.execute_fetchall(ENQUEUE, enqueue_params(row, now))))


_APPLIED = "UPDATE outbox SET applied_at = ? WHERE id = ? AND applied_at IS NULL RETURNING 1"


@dataclass(frozen=True)
class Stop:
    """A subject's unsent rows of one kind, to cancel in a change's transaction before the
    change plans the row that replaces them."""

    subject_type: SubjectType
    subject_id: int
    kind: str


async def stop_on(conn: Connection, team_id: str, stops: Iterable[Stop]) -> None:
    """Cancel the rows `stops` name, inside the caller's transaction."""
    for stop in stops:
        params = (team_id, str(stop.subject_type), stop.subject_id, stop.kind)
        await conn.execute(CANCEL_KIND_OUTBOX, params)


@dataclass(frozen=True)
class Effects:
    """What a change decided by an outbox row carries with it, written in the change's own
    transaction: the row is recorded as applied (so a retry sends its message without making
    the change again), the subject's unsent rows may be cancelled first (all of them, or those
    of the kinds in `stop`), and follow-up rows (rewrites, the pool post, invites, words to
    other people) are enqueued."""

    row_id: int
    planned: Sequence[Planned] = ()
    cancel: tuple[SubjectType, int] | None = None
    stop: Sequence[Stop] = ()


async def record_effects(conn: Connection, team_id: str, effects: Effects, now: datetime) -> bool:
    """Write `effects` inside the caller's transaction; False if the row was already applied
    (the caller then rolls back: its change was made once already)."""
    if not list(await conn.execute_fetchall(_APPLIED, (format_time(now), effects.row_id))):
        return False
    if effects.cancel is not None:
        subject_type, subject_id = effects.cancel
        await conn.execute(CANCEL_OUTBOX, (team_id, str(subject_type), subject_id))
    await stop_on(conn, team_id, effects.stop)
    for row in effects.planned:
        await enqueue_on(conn, row, now)
    return True


class _Changes(Protocol):
    """What change_with needs of the Store: reads, and a write transaction."""

    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...

    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...


class _Unchanged(Exception):
    """Rolls back a change's effects when its conditional UPDATE matched nothing."""


async def change_with(
    store: _Changes,
    sql: Sql,
    params: Sequence[Any],
    team_id: str,
    effects: Effects | None,
    now: datetime,
) -> list[Record]:
    """Run one conditional UPDATE … RETURNING and, only if it changed a row, write `effects`
    in the same transaction. No rows back means nothing changed and nothing was written."""
    if effects is None:
        return await store._fetch(sql, params)
    try:
        async with store._transaction() as conn:
            rows = list(await conn.execute_fetchall(sql, params))
            if not rows or not await record_effects(conn, team_id, effects, now):
                raise _Unchanged
            return rows
    except _Unchanged:
        return []
