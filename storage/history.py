"""The history `/mentor notes` shows: a pair's shared items and sessions, and one author's
own notes about someone. Each read is an indexed range with LIMIT; notes are always filtered
by their author, so nobody else's body can come back from here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from storage.engine import Record, Sql
from storage.models import ActionItem, Note, Session
from storage.notes import items_of

# Both directions of a pair, each through action_items_by_pair; open ones first.
_ITEMS_BETWEEN = """
SELECT *, count(*) OVER () AS total FROM (
    SELECT * FROM action_items WHERE team_id = ?1 AND mentor_id = ?2 AND mentee_id = ?3
    UNION ALL
    SELECT * FROM action_items WHERE team_id = ?1 AND mentor_id = ?3 AND mentee_id = ?2
) AS pair_items
ORDER BY done_at IS NOT NULL, due_date IS NULL, due_date, id
LIMIT ?4 OFFSET ?5
"""

# notes_by_author covers the WHERE and the ORDER BY, so a page is one index range walk.
_MY_NOTES = """
SELECT * FROM notes WHERE team_id = ? AND author_id = ? AND subject_id = ?
ORDER BY created_at DESC, id DESC
LIMIT ? OFFSET ?
"""

_COUNT_MY_NOTES = (
    "SELECT count(*) FROM notes WHERE team_id = ? AND author_id = ? AND subject_id = ?"
)

_SESSIONS_BETWEEN = """
SELECT *, count(*) OVER () AS total FROM (
    SELECT * FROM sessions WHERE team_id = ?1 AND mentor_id = ?2 AND mentee_id = ?3
    UNION ALL
    SELECT * FROM sessions WHERE team_id = ?1 AND mentor_id = ?3 AND mentee_id = ?2
) AS pair_sessions
ORDER BY starts_at DESC, id DESC
LIMIT ?4
"""


class _StoreCore(Protocol):
    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...


def _total(rows: list[Record]) -> int:
    return int(rows[0]["total"]) if rows else 0


class HistoryQueries:
    """Store methods behind `/mentor notes`."""

    async def items_between(
        self: _StoreCore, team_id: str, user_a: str, user_b: str, limit: int, offset: int = 0
    ) -> tuple[list[ActionItem], int]:
        """The shared items of a pair (either wrote them), open first; and how many in all."""
        rows = await self._fetch(_ITEMS_BETWEEN, (team_id, user_a, user_b, limit, offset))
        return items_of(rows), _total(rows)

    async def notes_about(
        self: _StoreCore, team_id: str, author_id: str, subject_id: str, limit: int, offset: int
    ) -> tuple[list[Note], int]:
        """The author's own notes about someone, newest first; and how many in all."""
        rows = await self._fetch(_MY_NOTES, (team_id, author_id, subject_id, limit, offset))
        count = await self._fetch(_COUNT_MY_NOTES, (team_id, author_id, subject_id))
        return [Note.from_row(row) for row in rows], int(count[0][0])

    async def sessions_between(
        self: _StoreCore, team_id: str, user_a: str, user_b: str, limit: int
    ) -> tuple[list[Session], int]:
        """The pair's sessions, whoever mentored, newest first; and how many in all."""
        rows = await self._fetch(_SESSIONS_BETWEEN, (team_id, user_a, user_b, limit))
        return [Session.from_row(row) for row in rows], _total(rows)
