"""Admin facts: who is a Slack admin (cached), and the workspace figures behind /mentor stats.

Every figure is an SQL aggregate over one window; no row of anyone's data leaves the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from storage.engine import ByEngine, Record, Sql
from storage.feedback import MIN_RATINGS, RATING_FIGURES
from storage.models import RequestSource
from storage.timefmt import format_time

# Requests made already answered, and so no measure of anyone's answer: a request booked from
# an accepted intro (source 'intro'), and one Book time makes for an ongoing 1:1, accepted in
# the transaction that makes it, at the very instant (stamps to the microsecond: no person
# answers that fast). Read from the times, not the words, which /mentor forget replaces; and
# never NULL, which would drop an unanswered request from the figures.
_MADE_ANSWERED = """(source = 'intro'
    OR (source = 'command' AND first_response_at IS NOT NULL
        AND first_response_at = created_at AND accepted_at IS NOT NULL
        AND accepted_at = created_at))"""

# Requests created in the window: ?1 team, ?2 from, ?3 to. A request a Workflow Builder step
# made is stored as a command's (its form is the same) and counted as the workflow's alone;
# an intro's request counts as an intro's, whoever made the intro. Acceptance and the first
# answer count only the requests someone had to answer.
_REQUEST_FIGURES = """
SELECT count(*) AS total,
    coalesce(sum(source = 'detected' AND via_workflow = 0), 0) AS detected,
    coalesce(sum(source = 'command' AND via_workflow = 0), 0) AS command,
    coalesce(sum(source = 'shortcut' AND via_workflow = 0), 0) AS shortcut,
    coalesce(sum(source = 'intro'), 0) AS intro,
    coalesce(sum(via_workflow = 1 AND source <> 'intro'), 0) AS workflow,
    coalesce(sum(NOT @made), 0) AS asked,
    coalesce(sum(accepted_at IS NOT NULL AND NOT @made), 0) AS accepted,
    coalesce(sum(status = 'expired'), 0) AS expired,
    coalesce(sum(julianday(first_response_at) - julianday(created_at) <= 1.0 AND NOT @made), 0)
        AS within_day
FROM requests
WHERE team_id = ?1 AND created_at >= ?2 AND created_at < ?3
""".replace("@made", _MADE_ANSWERED)

# The median of (first_response_at - created_at) in seconds: the middle row, or the mean of
# the two middle rows, found with ORDER BY … LIMIT/OFFSET so only the waits are sorted.
_MEDIAN_FIRST_RESPONSE = """
WITH waits AS (
    SELECT (julianday(first_response_at) - julianday(created_at)) * 86400.0 AS wait
    FROM requests
    WHERE team_id = ?1 AND created_at >= ?2 AND created_at < ?3
        AND first_response_at IS NOT NULL AND NOT @made
),
counted AS (SELECT count(*) AS n FROM waits)
SELECT avg(wait) AS median FROM (
    SELECT wait FROM waits ORDER BY wait
    LIMIT 2 - (SELECT n FROM counted) % 2
    OFFSET ((SELECT n FROM counted) - 1) / 2
) AS middle
""".replace("@made", _MADE_ANSWERED)

# Held: marked completed, or still confirmed and already over (nobody said it didn't happen).
# ?4 is when the figures are made, as a julian day, for "already over".
_SESSION_FIGURES = """
SELECT count(*) AS held,
    coalesce(sum(EXISTS (SELECT 1 FROM notes WHERE notes.session_id = sessions.id)), 0)
        AS with_notes
FROM sessions
WHERE starts_at >= ?2 AND starts_at < ?3 AND team_id = ?1
    AND (status = 'completed'
        OR (status = 'confirmed' AND julianday(starts_at) + duration_minutes / 1440.0 <= ?4))
"""

# Check-ins due in the window that were actually sent, and how many got an answer.
_CHECKIN_FIGURES = """
SELECT count(*) AS asked, coalesce(sum(answered_at IS NOT NULL), 0) AS answered
FROM checkins
WHERE team_id = ?1 AND due_at >= ?2 AND due_at < ?3 AND asked_at IS NOT NULL
"""

_ACTION_ITEM_FIGURES = """
SELECT count(*) AS total, coalesce(sum(done_at IS NOT NULL), 0) AS done
FROM action_items
WHERE team_id = ?1 AND created_at >= ?2 AND created_at < ?3
"""

_INTRO_FIGURES = """
SELECT count(*) AS total, coalesce(sum(status = 'accepted'), 0) AS accepted
FROM intros
WHERE team_id = ?1 AND created_at >= ?2 AND created_at < ?3
"""

# PostgreSQL: no sum() of booleans (count(*) FILTER instead) and no julianday() (the epoch
# in days plus the Julian day of 1970-01-01, which is what julianday() computes).
_REQUEST_FIGURES_BY_ENGINE = ByEngine(
    _REQUEST_FIGURES,
    """
SELECT count(*) AS total,
    count(*) FILTER (WHERE source = 'detected' AND via_workflow = 0) AS detected,
    count(*) FILTER (WHERE source = 'command' AND via_workflow = 0) AS command,
    count(*) FILTER (WHERE source = 'shortcut' AND via_workflow = 0) AS shortcut,
    count(*) FILTER (WHERE source = 'intro') AS intro,
    count(*) FILTER (WHERE via_workflow = 1 AND source <> 'intro') AS workflow,
    count(*) FILTER (WHERE NOT @made) AS asked,
    count(*) FILTER (WHERE accepted_at IS NOT NULL AND NOT @made) AS accepted,
    count(*) FILTER (WHERE status = 'expired') AS expired,
    count(*) FILTER (WHERE first_response_at::timestamptz
        <= created_at::timestamptz + interval '24 hours' AND NOT @made) AS within_day
FROM requests
WHERE team_id = ?1 AND created_at >= ?2 AND created_at < ?3
""".replace("@made", _MADE_ANSWERED),
)

_MEDIAN_FIRST_RESPONSE_BY_ENGINE = ByEngine(
    _MEDIAN_FIRST_RESPONSE,
    _MEDIAN_FIRST_RESPONSE.replace(
        "(julianday(first_response_at) - julianday(created_at)) * 86400.0",
        "(extract(epoch FROM first_response_at::timestamptz)"
        " - extract(epoch FROM created_at::timestamptz))::float8",
    ),
)

_SESSION_FIGURES_BY_ENGINE = ByEngine(
    _SESSION_FIGURES,
    """
SELECT count(*) AS held,
    count(*) FILTER (WHERE EXISTS (SELECT 1 FROM notes WHERE notes.session_id = sessions.id))
        AS with_notes
FROM sessions
WHERE starts_at >= ?2 AND starts_at < ?3 AND team_id = ?1
    AND (status = 'completed'
        OR (status = 'confirmed'
            AND extract(epoch FROM starts_at::timestamptz) / 86400.0 + 2440587.5
                + duration_minutes / 1440.0 <= ?4))
""",
)

_CHECKIN_FIGURES_BY_ENGINE = ByEngine(
    _CHECKIN_FIGURES,
    """
SELECT count(*) AS asked, count(*) FILTER (WHERE answered_at IS NOT NULL) AS answered
FROM checkins
WHERE team_id = ?1 AND due_at >= ?2 AND due_at < ?3 AND asked_at IS NOT NULL
""",
)

_ACTION_ITEM_FIGURES_BY_ENGINE = ByEngine(
    _ACTION_ITEM_FIGURES,
    """
SELECT count(*) AS total, count(*) FILTER (WHERE done_at IS NOT NULL) AS done
FROM action_items
WHERE team_id = ?1 AND created_at >= ?2 AND created_at < ?3
""",
)

_INTRO_FIGURES_BY_ENGINE = ByEngine(
    _INTRO_FIGURES,
    """
SELECT count(*) AS total, count(*) FILTER (WHERE status = 'accepted') AS accepted
FROM intros
WHERE team_id = ?1 AND created_at >= ?2 AND created_at < ?3
""",
)

# Requests that expired during the window, whenever they were made: expiry is their last change.
_EXPIRED_DURING = """
SELECT count(*) AS expired FROM requests
WHERE team_id = ?1 AND status = 'expired' AND updated_at >= ?2 AND updated_at < ?3
"""

_CACHE_ADMIN = """
INSERT INTO people (team_id, user_id, is_admin, admin_cached_at, first_seen_at, updated_at)
VALUES (?1, ?2, ?3, ?4, ?4, ?4)
ON CONFLICT (team_id, user_id) DO UPDATE SET
    is_admin = excluded.is_admin, admin_cached_at = excluded.admin_cached_at,
    updated_at = excluded.updated_at
"""


class _StoreCore(Protocol):
    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...
    async def _write(self, sql: Sql, params: Sequence[Any] = ...) -> int: ...


# Fewer ratings than this and a share could point at one session's rating: none is shown.


def percent(part: int, whole: int) -> float | None:
    """part/whole as a percentage, or None when there is nothing to divide by."""
    return None if whole == 0 else 100.0 * part / whole


@dataclass(frozen=True)
class WindowStats:
    """Aggregate figures for one window: counts only, nobody's name or text."""

    days: int
    requests: int
    by_source: dict[RequestSource, int]  # made by hand: a workflow's are in `by_workflow`
    asked: int  # of those, the ones someone had to answer (not made already accepted)
    accepted: int  # of the asked, ever accepted or taken
    expired: int
    answered_within_day: int  # first answer within 24 h of the request
    median_first_response_seconds: float | None
    sessions_held: int
    sessions_with_notes: int
    checkins_asked: int
    checkins_answered: int
    action_items: int
    action_items_done: int
    intros: int
    intros_accepted: int
    expired_during: int = 0  # requests that expired in the window, whenever made
    rated: int = 0  # session ratings given in the window
    rated_helpful: int = 0
    by_workflow: int = 0  # requests a Workflow Builder step made
    # Set when this window's share, next to others shown with it, would single out fewer
    # than MIN_RATINGS ratings (bot/ratings_shown.py).
    ratings_hidden: bool = False

    @property
    def helpful_percent(self) -> float | None:
        """Share rated helpful; None below MIN_RATINGS or when hidden, so no one rating can be
        told apart."""
        if self.ratings_hidden or self.rated < MIN_RATINGS:
            return None
        return percent(self.rated_helpful, self.rated)

    @property
    def accepted_percent(self) -> float | None:
        return percent(self.accepted, self.asked)

    @property
    def notes_percent(self) -> float | None:
        return percent(self.sessions_with_notes, self.sessions_held)

    @property
    def checkins_percent(self) -> float | None:
        return percent(self.checkins_answered, self.checkins_asked)

    @property
    def action_items_percent(self) -> float | None:
        return percent(self.action_items_done, self.action_items)

    @property
    def intros_percent(self) -> float | None:
        return percent(self.intros_accepted, self.intros)


def _julian(moment: datetime) -> float:
    # The Julian day number of a UTC instant, as SQLite's julianday() computes it.
    return moment.timestamp() / 86400.0 + 2440587.5


class AdminQueries:
    """Store methods for admins: the admin cache and workspace stats."""

    async def cache_admin(
        self: _StoreCore, team_id: str, user_id: str, is_admin: bool, now: datetime
    ) -> None:
        """Remember what users.info said about this person being an admin or owner."""
        await self._write(_CACHE_ADMIN, (team_id, user_id, int(is_admin), format_time(now)))

    async def window_stats(
        self: _StoreCore,
        team_id: str,
        start: datetime,
        end: datetime,
        days: int,
        as_of: datetime | None = None,
    ) -> WindowStats:
        """Every /mentor stats figure for [start, end), each one SQL aggregate. A session still
        confirmed counts as held once it is over by `as_of`, when the figures are made (by
        default `end`): a session that starts late in the window ends after it."""
        window = (team_id, format_time(start), format_time(end))
        requests = (await self._fetch(_REQUEST_FIGURES_BY_ENGINE, window))[0]
        median = (await self._fetch(_MEDIAN_FIRST_RESPONSE_BY_ENGINE, window))[0]["median"]
        sessions = (
            await self._fetch(_SESSION_FIGURES_BY_ENGINE, (*window, _julian(as_of or end)))
        )[0]
        checkins = (await self._fetch(_CHECKIN_FIGURES_BY_ENGINE, window))[0]
        items = (await self._fetch(_ACTION_ITEM_FIGURES_BY_ENGINE, window))[0]
        intros = (await self._fetch(_INTRO_FIGURES_BY_ENGINE, window))[0]
        ratings = (await self._fetch(RATING_FIGURES, window))[0]
        expired = (await self._fetch(_EXPIRED_DURING, window))[0]
        return WindowStats(
            days=days,
            requests=int(requests["total"]),
            by_source={source: int(requests[source.value]) for source in RequestSource},
            by_workflow=int(requests["workflow"]),
            asked=int(requests["asked"]),
            accepted=int(requests["accepted"]),
            expired=int(requests["expired"]),
            answered_within_day=int(requests["within_day"]),
            median_first_response_seconds=None if median is None else round(float(median)),
            sessions_held=int(sessions["held"]),
            sessions_with_notes=int(sessions["with_notes"]),
            checkins_asked=int(checkins["asked"]),
            checkins_answered=int(checkins["answered"]),
            action_items=int(items["total"]),
            action_items_done=int(items["done"]),
            intros=int(intros["total"]),
            intros_accepted=int(intros["accepted"]),
            expired_during=int(expired["expired"]),
            rated=int(ratings["rated"]),
            rated_helpful=int(ratings["helpful"]),
        )
