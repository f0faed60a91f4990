"""The durable outbox: timed messages that are enqueued once, claimed with a lease and sent once.

Every method is one statement, so each has a direct PostgreSQL twin (asyncpg): the enqueue is
INSERT … ON CONFLICT DO NOTHING, and the claim becomes the same UPDATE whose subquery adds
FOR UPDATE SKIP LOCKED, letting several replicas claim side by side. Planning rows inside a
change's own transaction lives in storage.outbox_plan (its names are importable from here too).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any, Protocol

from storage.engine import ByEngine, Connection, Record, Sql
from storage.models import OutboxMessage, OutboxStatus, SubjectType
from storage.outbox_plan import (
    CANCEL_KIND_OUTBOX,
    CANCEL_OUTBOX,
    ENQUEUE,
    Effects,
    Planned,
    Stop,
    change_with,
    enqueue_on,
    enqueue_params,
    record_effects,
    stop_on,
)
from storage.timefmt import format_time, format_time_or_none

__all__ = [
    "CANCEL_KIND_OUTBOX",
    "CANCEL_OUTBOX",
    "UNINSTALLED",
    "Effects",
    "OutboxQueries",
    "Planned",
    "Stop",
    "change_with",
    "enqueue_on",
    "record_effects",
    "stop_on",
]

# Bounded so a huge Slack error body never bloats a row.
LAST_ERROR_MAX = 500
# A claim capped per recipient reads this many due rows per row it may take.
CANDIDATES_PER_ROW = 4

# Why a row was cancelled when its workspace uninstalled mentorbot; a reinstall may revive it.
UNINSTALLED = "the workspace uninstalled mentorbot"

# A chain's next row planned again after a reinstall (?11: UNINSTALLED): the row with its key
# that the uninstall cancelled waits again, at this plan's time; a row with the key that waits,
# went, or was cancelled for another reason stays as it is.
_ENQUEUE_AGAIN = """
INSERT INTO outbox (
    team_id, kind, recipient, due_at, subject_type, subject_id, dedupe_key, payload, created_at,
    applied_at
) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
ON CONFLICT (team_id, dedupe_key) DO UPDATE SET status = 'pending', due_at = excluded.due_at,
    payload = excluded.payload, attempts = 0, last_error = NULL, lease_until = NULL,
    claimed_by = NULL, claimed_at = NULL, maybe_posted_since = NULL
WHERE outbox.status = 'cancelled' AND outbox.last_error = ?11
RETURNING id
"""

# Pending rows that are due, and rows whose worker's lease ran out (it crashed mid-send).
# Each kind is read through its own index with its own LIMIT, so a backlog of thousands of due
# rows costs one short index walk per batch, not a sort of the whole backlog (an OR here made
# SQLite sort every due row for each batch of 100). Of those candidates, at most ?6 per
# recipient are taken: a worker that can post to a conversation once a second should not hold
# a dozen of its rows. A row taken over from a lapsed claim may already be in Slack; it keeps
# the moment that claim began, so its sender looks before posting again.
# PostgreSQL twin: add FOR UPDATE SKIP LOCKED to the innermost SELECTs (the window function
# stays in the outer query, where PostgreSQL allows it).
_CLAIM_DUE = """
UPDATE outbox SET
    status = 'sending', lease_until = ?1, attempts = attempts + 1,
    claimed_by = ?5, claimed_at = ?2,
    maybe_posted_since = CASE WHEN status = 'sending'
        THEN coalesce(maybe_posted_since, claimed_at, created_at)
        ELSE maybe_posted_since END
WHERE id IN (
    SELECT id FROM (
        SELECT id, due_at, row_number() OVER (
            PARTITION BY team_id, recipient ORDER BY due_at, id
        ) AS nth
        FROM (
            SELECT id, team_id, recipient, due_at FROM (
                SELECT id, team_id, recipient, due_at FROM outbox
                WHERE status = 'pending' AND due_at <= ?2
                ORDER BY due_at
                LIMIT ?4
            ) AS due
            UNION ALL
            SELECT id, team_id, recipient, due_at FROM (
                SELECT id, team_id, recipient, due_at FROM outbox
                WHERE status = 'sending' AND lease_until <= ?2
                ORDER BY lease_until
                LIMIT ?4
            ) AS lapsed
        ) AS candidates
    ) AS ranked
    WHERE nth <= ?6
    ORDER BY due_at
    LIMIT ?3
)
RETURNING *
"""

# Several replicas claim side by side: each skips the rows another is claiming.
_CLAIM_DUE_BY_ENGINE = ByEngine(
    sqlite=_CLAIM_DUE,
    postgresql=_CLAIM_DUE.replace(
        "LIMIT ?4\n", "LIMIT ?4\n                FOR UPDATE SKIP LOCKED\n"
    ),
)


class _StoreCore(Protocol):
    """The Store plumbing these queries rely on (see storage.store.Store)."""

    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...

    async def _write(self, sql: Sql, params: Sequence[Any] = ...) -> int: ...

    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...


def _bounded(error: str) -> str:
    return error[:LAST_ERROR_MAX]


def _claim(row: OutboxMessage) -> tuple[Any, ...]:
    """A claim's outcome is written only while that claim holds the row (its worker and claim
    time): a worker that lost the lead, and its rows to another, can't overwrite theirs."""
    return (row.id, row.claimed_by, format_time_or_none(row.claimed_at))


class OutboxQueries:
    """Store methods for the outbox of timed messages."""

    async def enqueue(
        self: _StoreCore,
        team_id: str,
        kind: str,
        recipient: str,
        due_at: datetime,
        *,
        dedupe_key: str,
        subject_type: SubjectType | None = None,
        subject_id: int | None = None,
        payload: dict[str, Any] | None = None,
        applied_at: datetime | None = None,
        now: datetime,
    ) -> bool:
        """Add a timed message; False if one with this dedupe key already exists."""
        row = Planned(
            team_id,
            kind,
            recipient,
            due_at,
            dedupe_key,
            subject_type,
            subject_id,
            payload,
            applied_at,
        )
        return bool(await self._fetch(ENQUEUE, enqueue_params(row, now)))

    async def enqueue_planned(self: _StoreCore, row: Planned, now: datetime) -> bool:
        """Add a planned timed message; False if its dedupe key already exists."""
        return bool(await self._fetch(ENQUEUE, enqueue_params(row, now)))

    async def enqueue_again(self: _StoreCore, row: Planned, now: datetime) -> bool:
        """Plan a chain's next row again after a reinstall: as enqueue_planned, but a row
        with its key that the uninstall cancelled waits again. False if nothing changed."""
        params = (*enqueue_params(row, now), UNINSTALLED)
        return bool(await self._fetch(_ENQUEUE_AGAIN, params))

    async def apply_row(self: _StoreCore, team_id: str, effects: Effects, now: datetime) -> bool:
        """Record a row's change that touches nothing but the outbox (follow-up rows only),
        in one transaction; False if the row was already applied."""
        async with self._transaction() as conn:
            return await record_effects(conn, team_id, effects, now)

    async def claim_due(
        self: _StoreCore,
        now: datetime,
        lease: timedelta,
        limit: int = 100,
        *,
        worker: str = "",
        per_recipient: int | None = None,
    ) -> list[OutboxMessage]:
        """Claim up to `limit` due rows (or rows with an expired lease) for `worker` until
        now + lease, taking at most `per_recipient` rows of any one recipient."""
        if per_recipient is None:
            per_recipient, candidates = limit, limit
        else:
            # Enough candidates that a few busy recipients don't leave the claim short.
            candidates = limit * CANDIDATES_PER_ROW
        params = (format_time(now + lease), format_time(now), limit, candidates)
        rows = await self._fetch(_CLAIM_DUE_BY_ENGINE, (*params, worker, per_recipient))
        messages = [OutboxMessage.from_row(row) for row in rows]
        return sorted(messages, key=lambda message: (message.due_at, message.id))

    async def mark_sent(self: _StoreCore, row: OutboxMessage, now: datetime) -> bool:
        """Record a delivery (or a deliberate skip); False if this claim no longer holds it."""
        changed = await self._write(
            "UPDATE outbox SET status = 'sent', sent_at = ?, lease_until = NULL, last_error = NULL "
            "WHERE id = ? AND status = 'sending' AND claimed_by = ? AND claimed_at = ?",
            (format_time(now), *_claim(row)),
        )
        return changed == 1

    async def reschedule(
        self: _StoreCore, row: OutboxMessage, due_at: datetime, error: str | None
    ) -> bool:
        """Put a claimed row back to pending at a later time; attempts are kept."""
        changed = await self._write(
            "UPDATE outbox SET status = 'pending', due_at = ?, last_error = ?, lease_until = NULL "
            "WHERE id = ? AND status = 'sending' AND claimed_by = ? AND claimed_at = ?",
            (format_time(due_at), None if error is None else _bounded(error), *_claim(row)),
        )
        return changed == 1

    async def defer(
        self: _StoreCore, row: OutboxMessage, due_at: datetime, error: str | None = None
    ) -> bool:
        """Put a claimed row back to pending without counting the claim as an attempt."""
        changed = await self._write(
            "UPDATE outbox SET status = 'pending', due_at = ?, lease_until = NULL, "
            "last_error = coalesce(?, last_error), "
            "attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END "
            "WHERE id = ? AND status = 'sending' AND claimed_by = ? AND claimed_at = ?",
            (format_time(due_at), None if error is None else _bounded(error), *_claim(row)),
        )
        return changed == 1

    async def reschedule_unsure(
        self: _StoreCore, row: OutboxMessage, due_at: datetime, error: str
    ) -> bool:
        """reschedule, for a post whose answer never came: it may be in Slack already, so the
        next try looks for it first."""
        changed = await self._write(
            "UPDATE outbox SET status = 'pending', due_at = ?, last_error = ?, lease_until = NULL, "
            "maybe_posted_since = coalesce(maybe_posted_since, claimed_at) "
            "WHERE id = ? AND status = 'sending' AND claimed_by = ? AND claimed_at = ?",
            (format_time(due_at), _bounded(error), *_claim(row)),
        )
        return changed == 1

    async def take_back_leases(self: _StoreCore, worker: str, now: datetime) -> int:
        """End the leases `worker` still holds, so its rows are claimable at once; return how
        many. A worker calls this on start-up: leases under its name are its previous run's,
        which died with them (a second live process under the same name would be a
        misconfiguration)."""
        return await self._write(
            "UPDATE outbox SET lease_until = ? "
            "WHERE status = 'sending' AND claimed_by = ? AND lease_until > ?",
            (format_time(now), worker, format_time(now)),
        )

    async def mark_failed(self: _StoreCore, row: OutboxMessage, error: str) -> bool:
        """Give up on a claimed row; `mentorbot outbox` lists it until it is retried."""
        changed = await self._write(
            "UPDATE outbox SET status = 'failed', last_error = ?, lease_until = NULL "
            "WHERE id = ? AND status = 'sending' AND claimed_by = ? AND claimed_at = ?",
            (_bounded(error), *_claim(row)),
        )
        return changed == 1

    async def cancel_for_subject(
        self: _StoreCore,
        team_id: str,
        subject_type: SubjectType,
        subject_id: int,
    ) -> int:
        """Cancel the subject's pending rows; return how many.

        Rows already claimed are left to their worker: every renderer re-reads the subject and
        drops a message it no longer warrants, and cancelling under it would mislabel a row
        that was in fact sent.
        """
        return await self._write(
            "UPDATE outbox SET status = 'cancelled' "
            "WHERE team_id = ? AND subject_type = ? AND subject_id = ? AND status = 'pending'",
            (team_id, str(subject_type), subject_id),
        )

    async def cancel_kind_for_subject(
        self: _StoreCore, team_id: str, subject_type: SubjectType, subject_id: int, kind: str
    ) -> int:
        """Cancel the subject's pending rows of one kind; return how many."""
        return await self._write(
            "UPDATE outbox SET status = 'cancelled' WHERE team_id = ? AND subject_type = ? "
            "AND subject_id = ? AND kind = ? AND status = 'pending'",
            (team_id, str(subject_type), subject_id, kind),
        )

    async def cancel_claimed(self: _StoreCore, row: OutboxMessage, reason: str) -> bool:
        """Cancel a claimed row that is no longer wanted (e.g. its recipient muted the kind)."""
        changed = await self._write(
            "UPDATE outbox SET status = 'cancelled', last_error = ?, lease_until = NULL "
            "WHERE id = ? AND status = 'sending' AND claimed_by = ? AND claimed_at = ?",
            (_bounded(reason), *_claim(row)),
        )
        return changed == 1

    async def get_outbox_message(
        self: _StoreCore, team_id: str, message_id: int
    ) -> OutboxMessage | None:
        """One outbox row by id, or None if this workspace has no such row."""
        rows = await self._fetch(
            "SELECT * FROM outbox WHERE id = ? AND team_id = ?", (message_id, team_id)
        )
        return OutboxMessage.from_row(rows[0]) if rows else None

    async def stand_in_for(
        self: _StoreCore, team_id: str, dedupe_key: str, now: datetime
    ) -> int | None:
        """A post made outside the outbox is about to stand in for the pending row `dedupe_key`:
        the row's id, for the post's tag, with the row marked as maybe posted since now, so the
        outbox looks for that tag in Slack before it posts. None if no such row waits."""
        rows = await self._fetch(
            "UPDATE outbox SET maybe_posted_since = coalesce(maybe_posted_since, ?)"
            " WHERE team_id = ? AND dedupe_key = ? AND status = 'pending' RETURNING id",
            (format_time(now), team_id, dedupe_key),
        )
        return int(rows[0][0]) if rows else None

    async def get_outbox_by_key(
        self: _StoreCore, team_id: str, dedupe_key: str
    ) -> OutboxMessage | None:
        """One outbox row by its dedupe key, or None."""
        rows = await self._fetch(
            "SELECT * FROM outbox WHERE team_id = ? AND dedupe_key = ?", (team_id, dedupe_key)
        )
        return OutboxMessage.from_row(rows[0]) if rows else None

    async def list_outbox(
        self: _StoreCore, statuses: Iterable[OutboxStatus], limit: int = 50
    ) -> list[OutboxMessage]:
        """Rows in the given statuses, newest due time first, at most `limit` per status."""
        messages: list[OutboxMessage] = []
        for status in dict.fromkeys(statuses):
            rows = await self._fetch(
                "SELECT * FROM outbox WHERE status = ? ORDER BY due_at DESC, id DESC LIMIT ?",
                (str(status), limit),
            )
            messages += [OutboxMessage.from_row(row) for row in rows]
        return messages

    async def count_outbox(self: _StoreCore) -> dict[OutboxStatus, int]:
        """How many rows are in each status (statuses with none are left out)."""
        rows = await self._fetch("SELECT status, count(*) FROM outbox GROUP BY status")
        return {OutboxStatus(row[0]): int(row[1]) for row in rows}

    async def retry_failed(self: _StoreCore, now: datetime) -> int:
        """Move every failed row back to pending, due now, with its attempts reset."""
        return await self._write(
            "UPDATE outbox SET status = 'pending', attempts = 0, due_at = ? "
            "WHERE status = 'failed'",
            (format_time(now),),
        )
