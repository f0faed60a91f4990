"""Skills read from people's Slack profile fields, cached per person for a day (profile_skills).

`skills` is a JSON list of tags, already cleaned; an empty list means "read, nothing there", so
a person with an empty field is not asked about again until the entry is a day old.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from storage.engine import Record, Sql
from storage.timefmt import format_time, parse_time

_UPSERT = """
INSERT INTO profile_skills (team_id, user_id, skills, fetched_at) VALUES (?, ?, ?, ?)
ON CONFLICT (team_id, user_id) DO UPDATE SET
    skills = excluded.skills, fetched_at = excluded.fetched_at
"""

# People outside the directory whose field names something; a directory member is shown
# with their own tags (or, if not open to mentoring, not at all), someone who ran
# /mentor forget not at all.
_OUTSIDE_DIRECTORY = """
SELECT s.user_id, s.skills FROM profile_skills s
WHERE s.team_id = ? AND s.skills <> '[]'
    AND NOT EXISTS (SELECT 1 FROM mentor_profiles p
        WHERE p.team_id = s.team_id AND p.user_id = s.user_id)
    AND NOT EXISTS (SELECT 1 FROM people pe
        WHERE pe.team_id = s.team_id AND pe.user_id = s.user_id AND pe.forgotten_at IS NOT NULL)
ORDER BY s.user_id
"""


class _StoreCore(Protocol):
    """The Store plumbing these queries rely on (see storage.store.Store)."""

    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...

    async def _write(self, sql: Sql, params: Sequence[Any] = ...) -> int: ...


def _skills(text: Any) -> tuple[str, ...]:
    value = json.loads(str(text))
    return tuple(str(tag) for tag in value) if isinstance(value, list) else ()


class ProfileSkillQueries:
    """Store methods for the profile-skills cache."""

    async def cached_profile_skills(
        self: _StoreCore, team_id: str, user_id: str
    ) -> tuple[tuple[str, ...], datetime] | None:
        """What the person's fields said and when they were read; None if never read."""
        rows = await self._fetch(
            "SELECT skills, fetched_at FROM profile_skills WHERE team_id = ? AND user_id = ?",
            (team_id, user_id),
        )
        if not rows:
            return None
        return _skills(rows[0][0]), parse_time(str(rows[0][1]))

    async def save_profile_skills(
        self: _StoreCore, team_id: str, user_id: str, skills: Sequence[str], now: datetime
    ) -> None:
        """Remember what the person's fields say now (an empty list for nothing)."""
        await self._write(_UPSERT, (team_id, user_id, json.dumps(list(skills)), format_time(now)))

    async def fresh_profile_skill_users(
        self: _StoreCore, team_id: str, since: datetime
    ) -> set[str]:
        """Whose fields were read at or after `since` (no need to read them again)."""
        rows = await self._fetch(
            "SELECT user_id FROM profile_skills WHERE team_id = ? AND fetched_at >= ?",
            (team_id, format_time(since)),
        )
        return {str(row[0]) for row in rows}

    async def forgotten_users(self: _StoreCore, team_id: str) -> set[str]:
        """Who asked to be forgotten here (and hasn't been back): never read from Slack."""
        rows = await self._fetch(
            # Not the tombstones that stand in for them in others' records.
            "SELECT user_id FROM people WHERE team_id = ? AND forgotten_at IS NOT NULL "
            "AND user_id NOT LIKE 'forgotten-%'",
            (team_id,),
        )
        return {str(row[0]) for row in rows}

    async def skills_outside_directory(
        self: _StoreCore, team_id: str
    ) -> list[tuple[str, tuple[str, ...]]]:
        """(user id, skills) of everyone outside the directory whose field names something."""
        rows = await self._fetch(_OUTSIDE_DIRECTORY, (team_id,))
        return [(str(row[0]), _skills(row[1])) for row in rows]

    async def clear_profile_skills(self: _StoreCore, team_id: str) -> int:
        """Forget the workspace's cache (the admin picked other fields); rows removed."""
        return await self._write("DELETE FROM profile_skills WHERE team_id = ?", (team_id,))
