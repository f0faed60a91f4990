"""The weekly digest's subscribers, and its two "now" figures: mentors at capacity and 1:1s at
risk. Both are counts; no row of anyone's data leaves the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any, Protocol

from storage.engine import Connection, Record, Sql
from storage.timefmt import format_time, parse_time

DIGEST_KIND = "digest.weekly"  # the outbox kind; storage cancels its rows on opt-out

_SUBSCRIBE = """
INSERT INTO digest_subscribers (team_id, user_id, subscribed_at) VALUES (?, ?, ?)
ON CONFLICT (team_id, user_id) DO NOTHING
"""

_SUBSCRIPTION = "SELECT subscribed_at FROM digest_subscribers WHERE team_id = ? AND user_id = ?"

_UNSUBSCRIBE = "DELETE FROM digest_subscribers WHERE team_id = ? AND user_id = ?"

# Subscribers with no digest waiting (?2: its kind): an uninstall cancelled the chain's link.
_UNPLANNED = """
SELECT d.user_id, d.subscribed_at FROM digest_subscribers d
WHERE d.team_id = ?1 AND NOT EXISTS (
    SELECT 1 FROM outbox o WHERE o.team_id = d.team_id AND o.recipient = d.user_id
        AND o.kind = ?2 AND o.status IN ('pending', 'sending'))
ORDER BY d.user_id
"""

_CANCEL_DIGESTS = """
UPDATE outbox SET status = 'cancelled'
WHERE team_id = ? AND recipient = ? AND kind = ? AND status = 'pending'
"""

# A mentor open to mentoring whose active mentees (the distinct people with an unfinished
# request they accepted or claimed, or an ongoing 1:1: the rule matching uses) fill their
# capacity. Paused mentors count too: a pause is not spare room.
_AT_CAPACITY = """
SELECT count(*) AS full_mentors FROM mentor_profiles p
WHERE p.team_id = ?1 AND p.open_to_mentoring = 1 AND p.capacity <= (
    SELECT count(*) FROM (
        SELECT r.mentee_id FROM requests r
        WHERE r.team_id = p.team_id AND r.mentor_id = p.user_id
            AND r.status IN ('accepted', 'claimed', 'scheduled')
        UNION
        SELECT r.mentee_id FROM requests r
        WHERE r.team_id = p.team_id AND r.claimed_by = p.user_id
            AND r.status IN ('accepted', 'claimed', 'scheduled')
        UNION
        SELECT x.mentee_id FROM relationships x
        WHERE x.team_id = p.team_id AND x.mentor_id = p.user_id AND x.ended_at IS NULL
    ) AS active)
"""

# An ongoing, unpaused 1:1 old enough to have had two ticks, with no session held between
# the two people (either way round) in the last two cadences. ?2..?4: since when, for a weekly,
# two-weekly and monthly cadence; ?5: now.
_AT_RISK = """
SELECT count(*) AS at_risk FROM (
    SELECT x.team_id, x.mentor_id, x.mentee_id, x.started_at,
        CASE x.cadence WHEN 'weekly' THEN ?2 WHEN 'biweekly' THEN ?3 ELSE ?4 END AS since
    FROM relationships x
    WHERE x.team_id = ?1 AND x.ended_at IS NULL AND x.next_at IS NOT NULL
) AS r
WHERE r.started_at <= r.since AND NOT EXISTS (
    SELECT 1 FROM sessions s
    WHERE s.team_id = r.team_id
        AND ((s.mentor_id = r.mentor_id AND s.mentee_id = r.mentee_id)
            OR (s.mentor_id = r.mentee_id AND s.mentee_id = r.mentor_id))
        AND s.starts_at >= r.since AND s.starts_at < ?5
        AND s.status IN ('completed', 'confirmed'))
"""

# Two ticks' worth of each cadence; a month counts as 31 days so no real month falls short.
TWO_TICKS = {
    "weekly": timedelta(days=14),
    "biweekly": timedelta(days=28),
    "monthly": timedelta(days=62),
}


class _StoreCore(Protocol):
    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...
    async def _write(self, sql: Sql, params: Sequence[Any] = ...) -> int: ...
    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...


class DigestQueries:
    """Store methods for the weekly digest."""

    async def subscribe_digest(
        self: _StoreCore, team_id: str, user_id: str, now: datetime
    ) -> datetime:
        """Opt in (again: nothing changes); returns when this subscription began."""
        await self._write(_SUBSCRIBE, (team_id, user_id, format_time(now)))
        rows = await self._fetch(_SUBSCRIPTION, (team_id, user_id))
        return parse_time(str(rows[0]["subscribed_at"]))

    async def digest_subscription(self: _StoreCore, team_id: str, user_id: str) -> datetime | None:
        """When this person opted in, or None if they haven't."""
        rows = await self._fetch(_SUBSCRIPTION, (team_id, user_id))
        return parse_time(str(rows[0]["subscribed_at"])) if rows else None

    async def unsubscribe_digest(self: _StoreCore, team_id: str, user_id: str) -> bool:
        """Opt out, and cancel the pending digest in the same transaction; False if not in."""
        async with self._transaction() as conn:
            gone = await conn.execute(_UNSUBSCRIBE, (team_id, user_id))
            await conn.execute(_CANCEL_DIGESTS, (team_id, user_id, DIGEST_KIND))
        return gone > 0

    async def unplanned_digests(self: _StoreCore, team_id: str) -> list[tuple[str, datetime]]:
        """The subscribers (and since when) whose next digest isn't waiting."""
        rows = await self._fetch(_UNPLANNED, (team_id, DIGEST_KIND))
        return [(str(row["user_id"]), parse_time(str(row["subscribed_at"]))) for row in rows]

    async def mentors_at_capacity(self: _StoreCore, team_id: str) -> int:
        """How many mentors open to mentoring have no room left, now."""
        return int((await self._fetch(_AT_CAPACITY, (team_id,)))[0]["full_mentors"])

    async def relationships_at_risk(self: _StoreCore, team_id: str, now: datetime) -> int:
        """How many ongoing 1:1s missed their last two ticks (no session held since), now."""
        since = [format_time(now - TWO_TICKS[c]) for c in ("weekly", "biweekly", "monthly")]
        rows = await self._fetch(_AT_RISK, (team_id, *since, format_time(now)))
        return int(rows[0]["at_risk"])
