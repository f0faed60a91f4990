"""Enterprise Grid: the workspaces one org-wide install serves together, and the org's settings.

Two workspaces are "peers" only when both were seen served by the same org-wide install
(org_teams), that install is live, and neither has a live install of its own (which would win
over the org's and speak with another token). Everything else stays scoped to one workspace;
these queries are the only ones that look across, and each starts from the workspace of the
signed request.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal, Protocol

from storage.engine import ByEngine, Record, Sql
from storage.models import MentorProfile
from storage.rows import columns
from storage.timefmt import format_time

# ?1 is the workspace of the signed request; the peers include it.
_PEERS = """
SELECT theirs.team_id FROM org_teams mine
JOIN org_teams theirs ON theirs.enterprise_id = mine.enterprise_id
JOIN installations org ON org.install_key = mine.enterprise_id
    AND org.is_enterprise_install = 1 AND org.bot_token IS NOT NULL
WHERE mine.team_id = ?1
    AND NOT EXISTS (SELECT 1 FROM installations own
        WHERE own.install_key IN (mine.team_id, theirs.team_id)
            AND own.is_enterprise_install = 0 AND own.bot_token IS NOT NULL)
"""

_ORG_OF = f"""
SELECT mine.enterprise_id FROM org_teams mine
WHERE mine.team_id = ?1 AND mine.team_id IN ({_PEERS})
"""  # noqa: S608 - built from the constants above only

# Profiles kept in the other workspaces of the org. Load counts the mentor's unfinished
# requests and 1:1s in every peer workspace: a mentor of B may carry requests made in A.
_ORG_CANDIDATES = f"""
SELECT p.*, pe.tz AS person_tz,
    (SELECT json_group_array(tag) FROM mentor_tags t
        WHERE t.team_id = p.team_id AND t.user_id = p.user_id) AS tag_list,
    (SELECT count(*) FROM (
        SELECT r.team_id, r.mentee_id FROM requests r
        WHERE r.team_id IN ({_PEERS})
            AND (r.mentor_id = p.user_id OR r.claimed_by = p.user_id)
            AND r.status IN ('accepted', 'claimed', 'scheduled')
        UNION
        SELECT x.team_id, x.mentee_id FROM relationships x
        WHERE x.team_id IN ({_PEERS}) AND x.mentor_id = p.user_id AND x.ended_at IS NULL) AS m)
    AS active_mentees
FROM mentor_profiles p
JOIN people pe ON pe.team_id = p.team_id AND pe.user_id = p.user_id
WHERE p.team_id IN ({_PEERS}) AND p.team_id <> ?1
ORDER BY p.user_id, p.team_id
"""  # noqa: S608 - built from the constants above only
_TAGS_PG = "coalesce(json_agg(tag), '[]'::json)::text"
_ORG_CANDIDATES_BY_ENGINE = ByEngine(
    _ORG_CANDIDATES, _ORG_CANDIDATES.replace("json_group_array(tag)", _TAGS_PG)
)

# The workspace of a row a button or form carries, when it lives in a peer workspace and the
# clicker (?3) takes part in it. An open pool request posted in the org's pool channel may be
# taken by anyone of the org, as one posted in a workspace's own pool may by anyone there.
_REQUEST_TEAM = f"""
SELECT r.team_id FROM requests r
LEFT JOIN org_settings o ON o.enterprise_id = ({_ORG_OF})
WHERE r.id = ?2 AND r.team_id <> ?1 AND r.team_id IN ({_PEERS})
    AND (r.mentee_id = ?3 OR r.mentor_id = ?3 OR r.claimed_by = ?3
        OR (r.mentor_id IS NULL AND r.pool_channel_id = o.pool_channel_id))
"""  # noqa: S608 - built from the constants above only

_SESSION_TEAM = f"""
SELECT s.team_id FROM sessions s
WHERE s.id = ?2 AND s.team_id <> ?1 AND s.team_id IN ({_PEERS})
    AND (s.mentor_id = ?3 OR s.mentee_id = ?3)
"""  # noqa: S608 - built from the constants above only

_SLOT_TEAM = f"""
SELECT r.team_id FROM offered_slots so
JOIN requests r ON r.team_id = so.team_id AND r.id = so.request_id
WHERE so.id = ?2 AND r.team_id <> ?1 AND r.team_id IN ({_PEERS})
    AND (r.mentee_id = ?3 OR r.mentor_id = ?3 OR r.claimed_by = ?3)
"""  # noqa: S608 - built from the constants above only

RowKind = Literal["request", "session", "slot"]
_ROW_TEAM: dict[RowKind, str] = {
    "request": _REQUEST_TEAM,
    "session": _SESSION_TEAM,
    "slot": _SLOT_TEAM,
}

_SAVE_POOL = """
INSERT INTO org_settings (enterprise_id, pool_channel_id, pool_team_id, updated_by, updated_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (enterprise_id) DO UPDATE SET pool_channel_id = excluded.pool_channel_id,
    pool_team_id = excluded.pool_team_id, updated_by = excluded.updated_by,
    updated_at = excluded.updated_at
"""


@dataclass(frozen=True)
class OrgPool:
    """An org's own pool channel, and the workspace it was chosen from."""

    enterprise_id: str
    channel_id: str | None
    team_id: str | None


class _Fetcher(Protocol):
    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...


class _StoreCore(_Fetcher, Protocol):
    async def _write(self, sql: Sql, params: Sequence[Any] = ...) -> int: ...


class OrgQueries:
    """Store methods that look across the workspaces of one Enterprise Grid org."""

    async def org_peers(self: _StoreCore, team_id: str) -> list[str]:
        """The other workspaces an org-wide install serves together with this one (user ids
        are global there); [] for a workspace served on its own."""
        return list((await workspaces_of(self, team_id))[1:])

    async def org_of(self: _StoreCore, team_id: str) -> str | None:
        """The org whose org-wide install serves this workspace together with its peers."""
        rows = await self._fetch(_ORG_OF, (team_id,))
        return str(rows[0][0]) if rows else None

    async def org_candidates(
        self: _StoreCore, team_id: str
    ) -> list[tuple[MentorProfile, int, str | None]]:
        """Profiles kept in the org's other workspaces, with load and time zone, as
        list_candidates gives them; [] for a workspace served on its own."""
        rows = await self._fetch(_ORG_CANDIDATES_BY_ENGINE, (team_id,))
        result = []
        for row in rows:
            fields = columns(row)
            load, tz = int(fields.pop("active_mentees")), fields.pop("person_tz")
            fields["tags"] = tuple(sorted(json.loads(fields.pop("tag_list"))))
            result.append((MentorProfile.from_row(fields), load, tz))
        return result

    async def org_row_team(
        self: _StoreCore, kind: RowKind, row_id: int, team_id: str, user_id: str
    ) -> str | None:
        """The peer workspace a row lives in, if `user_id` (clicking in `team_id`) takes part
        in it; None for a row of this workspace, of no peer, or of someone else."""
        rows = await self._fetch(_ROW_TEAM[kind], (team_id, row_id, user_id))
        return str(rows[0][0]) if rows else None

    async def org_pool(self: _StoreCore, team_id: str) -> OrgPool | None:
        """The pool channel of the org serving this workspace; None when it has none."""
        rows = await self._fetch(
            f"SELECT * FROM org_settings WHERE enterprise_id = ({_ORG_OF})",  # noqa: S608
            (team_id,),
        )
        if not rows:
            return None
        row = rows[0]
        return OrgPool(str(row["enterprise_id"]), row["pool_channel_id"], row["pool_team_id"])

    async def save_org_pool(
        self: _StoreCore,
        enterprise_id: str,
        channel_id: str | None,
        team_id: str,
        user_id: str,
        now: datetime,
    ) -> None:
        """Set (or with None clear) the org's pool channel."""
        await self._write(
            _SAVE_POOL, (enterprise_id, channel_id, team_id, user_id, format_time(now))
        )


async def workspaces_of(store: _Fetcher, team_id: str) -> tuple[str, ...]:
    """This workspace, then the peers an org-wide install serves together with it."""
    rows = await store._fetch(_PEERS, (team_id,))
    return (team_id, *sorted({str(row[0]) for row in rows} - {team_id}))


def in_workspaces(
    template: str, teams: tuple[str, ...], params: tuple[Any, ...]
) -> tuple[str, tuple[Any, ...]]:
    """A query of one person's own rows across `teams` (from `workspaces_of`): its {teams}
    becomes "team_id = ?1", or on an org-wide install "team_id IN (?1, ?N, …)" with the peers
    bound after `params` (whose first is teams[0]). So a mentor's part in a peer's request or
    session (a mentor of Eng helping a mentee of Sales) is found where it lives, in Sales."""
    return _in_workspaces(template, len(teams), len(params) + 1), (*params, *teams[1:])


@lru_cache(maxsize=64)
def _in_workspaces(template: str, count: int, first: int) -> str:
    # A list of bound values, not a sub-query: SQLite plans each value as one search of the
    # index, where it can't size a sub-query's rows without statistics and reads the team.
    peers = "".join(f", ?{first + index}" for index in range(count - 1))
    return template.format(teams=f"team_id IN (?1{peers})" if peers else "team_id = ?1")
