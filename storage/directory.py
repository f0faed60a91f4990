"""The mentor directory: profiles, their expertise tags, and the load each mentor carries.

A profile and its tags are saved together in one transaction, so a reader never sees a
profile with half of its new tags. Load is counted in SQL, one query for the whole directory.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Protocol

from storage.engine import ByEngine, Connection, Record, Sql
from storage.models import MentorProfile, MinuteOfDay, UtcDatetime, Weekdays, weekdays_mask
from storage.rows import Check, Length, Range, Row, RowError, columns
from storage.timefmt import format_time, format_time_or_none

# What /mentor profile accepts; the schema's CHECKs are looser (bio 1000, capacity 0 to 50).
TAG_MAX_LENGTH = 40
TAGS_MAX = 20
BIO_MAX = 500
CAPACITY_MIN, CAPACITY_MAX = 1, 20


def clean_tag(text: str) -> str:
    """One tag as stored: inner whitespace collapsed, case-folded; '' if nothing is left."""
    # lower() after casefold() keeps the CHECK tag = lower(trim(tag)) true for any input.
    return " ".join(text.split()).casefold().lower()


def _clean_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(tag for tag in map(clean_tag, tags) if tag))
    if len(cleaned) > TAGS_MAX:
        raise ValueError(f"at most {TAGS_MAX} tags")
    if any(len(tag) > TAG_MAX_LENGTH for tag in cleaned):
        raise ValueError(f"a tag has at most {TAG_MAX_LENGTH} characters")
    return cleaned


class ProfileDraft(Row, strip=True):
    """A mentor profile as submitted, before it is stored; office hours None = workspace's."""

    team_id: Annotated[str, Length(1)]
    user_id: Annotated[str, Length(1)]
    open_to_mentoring: bool = True
    tags: Annotated[tuple[str, ...], Check(_clean_tags)] = ()
    bio: Annotated[str, Length(max=BIO_MAX)] = ""
    capacity: Annotated[int, Range(CAPACITY_MIN, CAPACITY_MAX)] = 3
    office_days: Weekdays = (1, 2, 3, 4, 5)
    office_start_minute: MinuteOfDay | None = None
    office_end_minute: MinuteOfDay | None = None
    paused_until: UtcDatetime | None = None

    def __post_init__(self) -> None:
        start, end = self.office_start_minute, self.office_end_minute
        if (start is None) != (end is None):
            raise RowError("office hours need both a start and an end")
        if start is not None and end is not None and start >= end:
            raise RowError("office hours must start before they end")


class _StoreCore(Protocol):
    """The Store plumbing these queries rely on (see storage.store.Store)."""

    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...

    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...


_ENSURE_PERSON = """
INSERT INTO people (team_id, user_id, first_seen_at, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (team_id, user_id) DO NOTHING
"""

_UPSERT_PROFILE = """
INSERT INTO mentor_profiles (
    team_id, user_id, open_to_mentoring, bio, capacity, office_days, office_start_minute,
    office_end_minute, paused_until, created_at, updated_at
) VALUES (
    :team_id, :user_id, :open_to_mentoring, :bio, :capacity, :office_days, :office_start_minute,
    :office_end_minute, :paused_until, :now, :now
)
ON CONFLICT (team_id, user_id) DO UPDATE SET
    open_to_mentoring = excluded.open_to_mentoring, bio = excluded.bio,
    capacity = excluded.capacity, office_days = excluded.office_days,
    office_start_minute = excluded.office_start_minute,
    office_end_minute = excluded.office_end_minute, paused_until = excluded.paused_until,
    updated_at = excluded.updated_at
"""

_INSERT_TAG = "INSERT INTO mentor_tags (team_id, user_id, tag) VALUES (?, ?, ?)"

_PROFILE = """
SELECT p.*,
    (SELECT json_group_array(tag) FROM mentor_tags t
        WHERE t.team_id = p.team_id AND t.user_id = p.user_id) AS tag_list
FROM mentor_profiles p WHERE p.team_id = ? AND p.user_id = ?
"""

# Active mentees: the distinct people with an unfinished request the mentor accepted or
# claimed, or an ongoing 1:1 (a 1:1's Book time request doesn't count them twice).
_CANDIDATES = """
SELECT p.*, pe.tz AS person_tz,
    (SELECT json_group_array(tag) FROM mentor_tags t
        WHERE t.team_id = p.team_id AND t.user_id = p.user_id) AS tag_list,
    (SELECT count(*) FROM (
        SELECT r.mentee_id FROM requests r
        WHERE r.team_id = p.team_id AND (r.mentor_id = p.user_id OR r.claimed_by = p.user_id)
            AND r.status IN ('accepted', 'claimed', 'scheduled')
        UNION
        SELECT x.mentee_id FROM relationships x
        WHERE x.team_id = p.team_id AND x.mentor_id = p.user_id AND x.ended_at IS NULL) AS m)
    AS active_mentees
FROM mentor_profiles p
JOIN people pe ON pe.team_id = p.team_id AND pe.user_id = p.user_id
WHERE p.team_id = ?
ORDER BY p.user_id
"""

# PostgreSQL has no json_group_array; json_agg of no rows is NULL, where SQLite says [].
_TAGS_PG = "coalesce(json_agg(tag), '[]'::json)::text"
_PROFILE_BY_ENGINE = ByEngine(_PROFILE, _PROFILE.replace("json_group_array(tag)", _TAGS_PG))
_CANDIDATES_BY_ENGINE = ByEngine(
    _CANDIDATES, _CANDIDATES.replace("json_group_array(tag)", _TAGS_PG)
)

_SET_PAUSED = """
UPDATE mentor_profiles SET paused_until = ?, updated_at = ? WHERE team_id = ? AND user_id = ?
"""


def _profile(fields: dict[str, Any]) -> MentorProfile:
    # Sorted, so a saved profile and a read one compare equal whatever order tags came in.
    fields["tags"] = tuple(sorted(json.loads(fields.pop("tag_list"))))
    return MentorProfile.from_row(fields)


async def _read_profile(conn: Connection, team_id: str, user_id: str) -> MentorProfile | None:
    rows = await conn.execute_fetchall(_PROFILE_BY_ENGINE, (team_id, user_id))
    return next((_profile(columns(row)) for row in rows), None)


class DirectoryQueries:
    """Store methods for mentor profiles, tags and load."""

    async def save_profile(self: _StoreCore, draft: ProfileDraft, now: datetime) -> MentorProfile:
        """Create or replace the mentor's profile and their whole set of tags."""
        stamp = format_time(now)
        row = asdict(draft)
        del row["tags"]  # kept in mentor_tags, below
        row.update(
            open_to_mentoring=int(draft.open_to_mentoring),  # booleans are 0/1 columns
            office_days=weekdays_mask(draft.office_days),
            paused_until=format_time_or_none(draft.paused_until),
            now=stamp,
        )
        async with self._transaction() as conn:
            await conn.execute(_ENSURE_PERSON, (draft.team_id, draft.user_id, stamp, stamp))
            await conn.execute(_UPSERT_PROFILE, row)
            await conn.execute(
                "DELETE FROM mentor_tags WHERE team_id = ? AND user_id = ?",
                (draft.team_id, draft.user_id),
            )
            await conn.executemany(
                _INSERT_TAG, [(draft.team_id, draft.user_id, tag) for tag in draft.tags]
            )
            profile = await _read_profile(conn, draft.team_id, draft.user_id)
        if profile is None:  # pragma: no cover - the upsert above always leaves a row
            raise RuntimeError("profile vanished inside its own transaction")
        return profile

    async def get_profile(self: _StoreCore, team_id: str, user_id: str) -> MentorProfile | None:
        """The mentor's profile with its tags, or None if they never made one."""
        rows = await self._fetch(_PROFILE_BY_ENGINE, (team_id, user_id))
        return next((_profile(columns(row)) for row in rows), None)

    async def set_paused_until(
        self: _StoreCore, team_id: str, user_id: str, until: datetime | None, now: datetime
    ) -> MentorProfile | None:
        """Pause matching until a time (None resumes); None if there is no profile."""
        async with self._transaction() as conn:
            await conn.execute(
                _SET_PAUSED, (format_time_or_none(until), format_time(now), team_id, user_id)
            )
            return await _read_profile(conn, team_id, user_id)

    async def list_candidates(
        self: _StoreCore, team_id: str
    ) -> list[tuple[MentorProfile, int, str | None]]:
        """Every profile in the workspace with its active mentee count and cached time zone."""
        rows = await self._fetch(_CANDIDATES_BY_ENGINE, (team_id,))
        result = []
        for row in rows:
            fields = columns(row)
            load, tz = int(fields.pop("active_mentees")), fields.pop("person_tz")
            result.append((_profile(fields), load, tz))
        return result

    async def all_tags(self: _StoreCore, team_id: str) -> list[str]:
        """Every tag some mentor in the workspace uses, alphabetically, each once."""
        rows = await self._fetch(
            "SELECT DISTINCT tag FROM mentor_tags WHERE team_id = ? ORDER BY tag", (team_id,)
        )
        return [str(row[0]) for row in rows]
