"""What App Home shows one person: a few rows per section, and how many there are in all.

Each section is one indexed query with LIMIT, and `count(*) OVER ()` gives the section's total
in the same pass, so a person with years of history costs the same as a newcomer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from storage.engine import Record, Sql
from storage.models import ActionItem, Relationship, Request, Session
from storage.org import in_workspaces, workspaces_of
from storage.timefmt import format_time

# A session stays "upcoming" until it has ended (the longest is 4 hours).
_LONGEST_SESSION = timedelta(hours=4)

# Sessions, requests and offers are read in every workspace of an org-wide install ({teams},
# storage/org.py): a mentor's part in a peer workspace's request shows on their own Home.
_UPCOMING_SESSIONS = """
SELECT *, count(*) OVER () AS total FROM sessions
WHERE {teams} AND status = 'confirmed' AND (mentor_id = ?2 OR mentee_id = ?2)
    AND starts_at >= ?3
ORDER BY starts_at, id
LIMIT ?4
"""

# Named to me and still open, or taken (accepted / claimed) by me and not yet booked. Two
# branches (their statuses never overlap), each searching its own index for every workspace
# in {teams}; as one OR, SQLite read the workspaces' every request when there were several.
_WAITING_FOR_ME = """
SELECT *, count(*) OVER () AS total FROM (
    SELECT * FROM requests
    WHERE {teams} AND mentor_id = ?2 AND status IN ('open', 'accepted')
    UNION ALL
    SELECT * FROM requests WHERE {teams} AND claimed_by = ?2 AND status = 'claimed'
) AS mine
ORDER BY created_at, id
LIMIT ?3
"""

# Anonymous asks I offered to help with, waiting for the mentee's answer: found by the partial
# index requests_by_offer (r0007), not among every open pool request of the workspace. (An
# offer is only made on a request with no named mentor, and none is ever named later: no
# "mentor_id IS NULL" here, which drew SQLite to the index of every open pool request.)
_MY_WAITING_OFFERS = """
SELECT * FROM requests
WHERE {teams} AND status = 'open' AND offered_by = ?2
ORDER BY created_at, id
LIMIT ?3
"""

_MY_OPEN_REQUESTS = """
SELECT *, count(*) OVER () AS total FROM requests
WHERE team_id = ?1 AND mentee_id = ?2 AND status IN ('open', 'accepted', 'claimed', 'scheduled')
ORDER BY created_at DESC, id DESC
LIMIT ?3
"""

_MY_ACTION_ITEMS = """
SELECT *, count(*) OVER () AS total FROM action_items
WHERE team_id = ?1 AND owner_id = ?2 AND done_at IS NULL
ORDER BY due_date IS NULL, due_date, id
LIMIT ?3
"""

# Two branches, not "mentor_id = ?2 OR mentee_id = ?2": each walks its own index (the active
# pairs', the mentee's) where the OR read the whole team's 1:1s. Nobody is their own mentor.
_MY_RELATIONSHIPS = """
SELECT *, count(*) OVER () AS total FROM (
    SELECT * FROM relationships WHERE team_id = ?1 AND mentor_id = ?2 AND ended_at IS NULL
    UNION ALL
    SELECT * FROM relationships WHERE team_id = ?1 AND mentee_id = ?2 AND ended_at IS NULL
) AS mine
ORDER BY next_at IS NULL, next_at, id
LIMIT ?3
"""


class _StoreCore(Protocol):
    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...


@dataclass(frozen=True)
class HomeData:
    """One person's App Home: the first rows of each section and each section's total."""

    sessions: list[Session]
    sessions_total: int
    waiting: list[Request]
    waiting_total: int
    requests: list[Request]
    requests_total: int
    items: list[ActionItem]
    items_total: int
    relationships: list[Relationship]
    relationships_total: int
    # Offers I made on anonymous asks, still waiting: shown without the mentee's name.
    offers: list[Request] = field(default_factory=list)


def _total(rows: list[Record]) -> int:
    return int(rows[0]["total"]) if rows else 0


class HomeQueries:
    """Store methods behind App Home."""

    async def home_data(
        self: _StoreCore, team_id: str, user_id: str, now: datetime, per_section: int
    ) -> HomeData:
        """Up to `per_section` rows of each section, soonest or oldest first, with totals."""
        since = format_time(now - _LONGEST_SESSION)
        teams = await workspaces_of(self, team_id)
        sessions = await self._fetch(
            *in_workspaces(_UPCOMING_SESSIONS, teams, (team_id, user_id, since, per_section * 2))
        )
        # The SQL window is generous (a session may have started); drop the ones that ended.
        found = [Session.from_row(row) for row in sessions]
        upcoming = [s for s in found if s.starts_at + timedelta(minutes=s.duration_minutes) > now]
        ended = len(sessions) - len(upcoming)
        mine = (team_id, user_id, per_section)
        waiting = await self._fetch(*in_workspaces(_WAITING_FOR_ME, teams, mine))
        offers = await self._fetch(*in_workspaces(_MY_WAITING_OFFERS, teams, mine))
        requests = await self._fetch(_MY_OPEN_REQUESTS, mine)
        items = await self._fetch(_MY_ACTION_ITEMS, mine)
        relations = await self._fetch(_MY_RELATIONSHIPS, mine)
        return HomeData(
            sessions=upcoming[:per_section],
            sessions_total=max(0, _total(sessions) - ended),
            waiting=[Request.from_row(row) for row in waiting],
            waiting_total=_total(waiting),
            requests=[Request.from_row(row) for row in requests],
            requests_total=_total(requests),
            items=[ActionItem.from_row(row) for row in items],
            items_total=_total(items),
            relationships=[Relationship.from_row(row) for row in relations],
            relationships_total=_total(relations),
            offers=[Request.from_row(row) for row in offers],
        )


class _Writer(Protocol):
    async def _write(self, sql: Sql, params: Sequence[Any] = ...) -> int: ...


class WelcomeQueries:
    """Whether someone has seen the App Home welcome."""

    async def mark_welcomed(self: _Writer, team_id: str, user_id: str, now: datetime) -> bool:
        """Record the first App Home visit; True only the first time."""
        stamp = format_time(now)
        changed = await self._write(
            "INSERT INTO people (team_id, user_id, welcomed_at, first_seen_at, updated_at) "
            "VALUES (?1, ?2, ?3, ?3, ?3) ON CONFLICT (team_id, user_id) DO UPDATE SET "
            "welcomed_at = ?3, updated_at = ?3 WHERE people.welcomed_at IS NULL",
            (team_id, user_id, stamp),
        )
        return changed == 1
