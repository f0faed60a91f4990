"""Your data: export it, forget it, and the retention sweep that forgets old notes for everyone.

The rule throughout: private notes belong to their author alone. An export carries only the
caller's own notes; forget deletes them; records another person also holds stay, with the
caller replaced by a tombstone person (people.forgotten_at set).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from storage.engine import Connection, Record, Sql
from storage.forget import Forgotten, forget_in
from storage.timefmt import format_time

# Retention deletes in batches, so the daily sweep never holds the write lock for long.
RETENTION_BATCH = 5000

_EXPORT_QUERIES: dict[str, str] = {
    "people": "SELECT * FROM people WHERE team_id = ?1 AND user_id = ?2",
    "mentor_profile": "SELECT * FROM mentor_profiles WHERE team_id = ?1 AND user_id = ?2",
    "mentor_tags": "SELECT tag FROM mentor_tags WHERE team_id = ?1 AND user_id = ?2 ORDER BY tag",
    "muted_nudges": "SELECT kind, muted_at FROM muted_nudges WHERE team_id = ?1 AND user_id = ?2",
    "requests": """
        SELECT * FROM requests
        WHERE team_id = ?1 AND (mentee_id = ?2 OR mentor_id = ?2 OR claimed_by = ?2)
        ORDER BY id""",
    "sessions": """
        SELECT * FROM sessions WHERE team_id = ?1 AND (mentor_id = ?2 OR mentee_id = ?2)
        ORDER BY id""",
    # Only notes the caller wrote: notes others wrote about them are private to those others.
    "notes": "SELECT * FROM notes WHERE team_id = ?1 AND author_id = ?2 ORDER BY id",
    "action_items": """
        SELECT * FROM action_items WHERE team_id = ?1 AND (mentor_id = ?2 OR mentee_id = ?2)
        ORDER BY id""",
    "checkins": """
        SELECT * FROM checkins WHERE team_id = ?1 AND (mentor_id = ?2 OR mentee_id = ?2)
        ORDER BY id""",
    "relationships": """
        SELECT * FROM relationships WHERE team_id = ?1 AND (mentor_id = ?2 OR mentee_id = ?2)
        ORDER BY id""",
    # Session feedback: only the ratings the person gave (a mentor never sees ratings about
    # them), and thank-you notes both ways.
    "feedback": """
        SELECT session_id, mentor_id, rating, prompted_at, rated_at FROM feedback
        WHERE team_id = ?1 AND mentee_id = ?2 ORDER BY session_id""",
    "thanks_given": """
        SELECT session_id, to_id, note, kudos_channel_id, created_at FROM thanks
        WHERE team_id = ?1 AND from_id = ?2 ORDER BY session_id""",
    "thanks_received": """
        SELECT session_id, from_id, note, created_at FROM thanks
        WHERE team_id = ?1 AND to_id = ?2 ORDER BY session_id""",
    # The mentee never learns of an intro the expert declined (or hasn't answered).
    "intros": """
        SELECT * FROM intros WHERE team_id = ?1
            AND (introducer_id = ?2 OR expert_id = ?2 OR (mentee_id = ?2 AND status = 'accepted'))
        ORDER BY id""",
}

# Slack message pointers: bookkeeping of the bot, nothing a person wrote or chose.
_POINTER_SUFFIXES = ("_dm_channel_id", "_dm_ts", "pool_ts", "pool_channel_id")


class _StoreCore(Protocol):
    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...
    async def _write(self, sql: Sql, params: Sequence[Any] = ...) -> int: ...
    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...
    def forget_settings(self, team_id: str) -> None: ...


@dataclass(frozen=True)
class RetentionReport:
    """How many rows one retention sweep deleted."""

    notes: int
    action_items: int
    outbox: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _exported(row: Record) -> dict[str, Any]:
    return {k: row[k] for k in row.keys() if not k.endswith(_POINTER_SUFFIXES)}  # noqa: SIM118 - a Row


class PrivacyQueries:
    """Store methods behind /mentor export, /mentor forget and the retention job."""

    async def export_person(self: _StoreCore, team_id: str, user_id: str) -> dict[str, Any]:
        """Everything stored about this person that is theirs to see, as JSON-ready data."""
        data: dict[str, Any] = {}
        for name, sql in _EXPORT_QUERIES.items():
            data[name] = [_exported(row) for row in await self._fetch(sql, (team_id, user_id))]
        people = data.pop("people")
        data["person"] = people[0] if people else None
        profiles = data.pop("mentor_profile")
        tags = [row["tag"] for row in data.pop("mentor_tags")]
        data["mentor_profile"] = {**profiles[0], "tags": tags} if profiles else None
        # A decline reason is the mentor's; others see it only if the mentor shared it.
        for request in data["requests"]:
            shared = request.pop("decline_reason_shared")
            if request["mentor_id"] != user_id and not shared:
                request["decline_reason"] = None
        return {"team_id": team_id, "user_id": user_id, **data}

    async def forget_person(
        self: _StoreCore, team_id: str, user_id: str, now: datetime
    ) -> Forgotten:
        """Delete the person's own data and anonymize what others hold, in one transaction
        (storage/forget.py): counts by kind, and who must hear of it.

        Idempotent: a second call finds nothing and returns zeros.
        """
        try:
            async with self._transaction() as conn:
                return await forget_in(conn, team_id, user_id, now)
        finally:
            self.forget_settings(team_id)  # the person may have been a coordinator

    async def purge_retention(self: _StoreCore, cutoff: datetime) -> RetentionReport:
        """Delete notes written, action items done and outbox rows finished before cutoff."""
        stamp = format_time(cutoff)
        notes = await _in_batches(
            self,
            "DELETE FROM notes WHERE id IN (SELECT id FROM notes WHERE created_at < ? LIMIT ?)",
            stamp,
        )
        items = await _in_batches(
            self,
            "DELETE FROM action_items WHERE id IN "
            "(SELECT id FROM action_items WHERE done_at < ? LIMIT ?)",
            stamp,
        )
        outbox = await _in_batches(
            self,
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox "
            "WHERE status IN ('sent', 'cancelled') AND coalesce(sent_at, created_at) < ? LIMIT ?)",
            stamp,
        )
        return RetentionReport(notes=notes, action_items=items, outbox=outbox)


async def _in_batches(store: _StoreCore, sql: Sql, stamp: str) -> int:
    total = 0
    while True:
        changed = await store._write(sql, (stamp, RETENTION_BATCH))
        total += changed
        if changed < RETENTION_BATCH:
            return total


def export_json(data: dict[str, Any], exported_at: datetime) -> str:
    """The export file's text: pretty JSON, the export time first."""
    return json.dumps({"exported_at": format_time(exported_at), **data}, indent=2, default=str)
