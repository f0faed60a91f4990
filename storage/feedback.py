"""Session feedback: the mentee's private rating of a held session, and thank-you notes.

A rating belongs to the program: no query here hands one to the mentor, and stats read them
only as counts (`RATING_FIGURES`), shown once at least MIN_RATINGS stand behind a figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from storage.engine import Connection, Record, Sql
from storage.models import UtcDatetime
from storage.outbox import Effects, Planned, change_with, enqueue_on
from storage.rows import Row
from storage.timefmt import format_time

# A figure built from fewer ratings could point at one session, so it isn't shown.
MIN_RATINGS = 5
THANKS_MAX = 500
# Thank-you notes a mentor sees on their Home tab.
RECENT_THANKS = 3


class Rating(StrEnum):
    HELPFUL = "helpful"
    SOMEWHAT = "somewhat"
    NOT_REALLY = "not_really"


class Feedback(Row):
    """One held session's "How was it?": asked once, rated (or not) by its mentee."""

    team_id: str
    session_id: int
    mentee_id: str
    mentor_id: str
    rating: Rating | None = None
    prompted_at: UtcDatetime
    rated_at: UtcDatetime | None = None


class Thanks(Row):
    """A mentee's thank-you note to the mentor of a session."""

    team_id: str
    session_id: int
    from_id: str
    to_id: str
    note: str = field(repr=False)
    kudos_channel_id: str | None = None
    kudos_ts: str | None = None
    created_at: UtcDatetime


@dataclass(frozen=True)
class Recognition:
    """A mentor's own counts for their Home tab: no ranking, no ratings."""

    people_helped: int
    sessions_held: int
    thanks_received: int
    recent_thanks: list[Thanks]

    @property
    def empty(self) -> bool:
        return not (self.sessions_held or self.thanks_received)


# Asked once the prompt goes out, for a session that was held and whose mentor is still
# there (not forgotten); the row is the outbox row's change (handlers/feedback/kinds.py).
_START = """
INSERT INTO feedback (team_id, session_id, mentee_id, mentor_id, prompted_at)
SELECT team_id, id, mentee_id, mentor_id, ?3 FROM sessions
WHERE team_id = ?1 AND id = ?2 AND status = 'completed'
    AND NOT EXISTS (SELECT 1 FROM people WHERE people.team_id = ?1
        AND people.user_id = sessions.mentor_id AND people.forgotten_at IS NOT NULL)
ON CONFLICT (team_id, session_id) DO NOTHING
RETURNING *
"""

# Only the session's mentee rates; a later click replaces the earlier answer.
_RATE = """
UPDATE feedback SET rating = ?4, rated_at = ?5
WHERE team_id = ?1 AND session_id = ?2 AND mentee_id = ?3
RETURNING *
"""

# Once per session and author, and only by the mentee of a held session.
_THANK = """
INSERT INTO thanks (team_id, session_id, from_id, to_id, note, created_at)
SELECT team_id, id, mentee_id, mentor_id, ?4, ?5 FROM sessions
WHERE team_id = ?1 AND id = ?2 AND mentee_id = ?3 AND status = 'completed'
ON CONFLICT (team_id, session_id, from_id) DO NOTHING
RETURNING *
"""

_KUDOS_POSTED = """
UPDATE thanks SET kudos_channel_id = ?4, kudos_ts = ?5
WHERE team_id = ?1 AND session_id = ?2 AND from_id = ?3
"""

# Ratings given in [?2, ?3): counts only.
RATING_FIGURES = """
SELECT count(*) AS rated, count(CASE WHEN rating = 'helpful' THEN 1 END) AS helpful
FROM feedback
WHERE team_id = ?1 AND rated_at >= ?2 AND rated_at < ?3
"""

_MENTOR_COUNTS = """
SELECT count(*) AS held, count(DISTINCT mentee_id) AS helped FROM sessions
WHERE team_id = ?1 AND mentor_id = ?2 AND status = 'completed'
"""

_THANKS_RECEIVED = "SELECT count(*) FROM thanks WHERE team_id = ?1 AND to_id = ?2"

_RECENT_THANKS = """
SELECT * FROM thanks WHERE team_id = ?1 AND to_id = ?2
ORDER BY created_at DESC, session_id DESC LIMIT ?3
"""


class _StoreCore(Protocol):
    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...

    async def _write(self, sql: Sql, params: Sequence[Any] = ...) -> int: ...

    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...


def _feedback(rows: Iterable[Record]) -> Feedback | None:
    return next((Feedback.from_row(row) for row in rows), None)


def _thanks(rows: Iterable[Record]) -> Thanks | None:
    return next((Thanks.from_row(row) for row in rows), None)


class FeedbackQueries:
    """Store methods for "How was it?", Say thanks and a mentor's own counts."""

    async def start_feedback(
        self: _StoreCore, team_id: str, session_id: int, now: datetime, effects: Effects
    ) -> Feedback | None:
        """The prompt is going out: store the unrated feedback row, with the outbox row recorded
        as applied; None if the session isn't held or was asked already."""
        params = (team_id, session_id, format_time(now))
        return _feedback(await change_with(self, _START, params, team_id, effects, now))

    async def get_feedback(self: _StoreCore, team_id: str, session_id: int) -> Feedback | None:
        """The session's feedback row, or None if nobody was asked."""
        rows = await self._fetch(
            "SELECT * FROM feedback WHERE team_id = ? AND session_id = ?", (team_id, session_id)
        )
        return _feedback(rows)

    async def rate_session(
        self: _StoreCore,
        team_id: str,
        session_id: int,
        mentee_id: str,
        rating: Rating,
        now: datetime,
    ) -> Feedback | None:
        """The mentee's answer (a second one replaces the first); None if not theirs."""
        params = (team_id, session_id, mentee_id, str(rating), format_time(now))
        return _feedback(await self._fetch(_RATE, params))

    async def add_thanks(
        self: _StoreCore,
        team_id: str,
        session_id: int,
        from_id: str,
        note: str,
        now: datetime,
        planned: Sequence[Planned] = (),
    ) -> Thanks | None:
        """Store the mentee's note to the session's mentor with the rows that deliver it, in
        one transaction; None (and nothing planned) if they already thanked for this session,
        or it isn't their held session."""
        params = (team_id, session_id, from_id, note[:THANKS_MAX], format_time(now))
        async with self._transaction() as conn:
            thanks = _thanks(await conn.execute_fetchall(_THANK, params))
            if thanks is not None:
                for row in planned:
                    await enqueue_on(conn, row, now)
            return thanks

    async def get_thanks(
        self: _StoreCore, team_id: str, session_id: int, from_id: str
    ) -> Thanks | None:
        """This person's thanks for this session, if any."""
        rows = await self._fetch(
            "SELECT * FROM thanks WHERE team_id = ? AND session_id = ? AND from_id = ?",
            (team_id, session_id, from_id),
        )
        return _thanks(rows)

    async def record_kudos_post(
        self: _StoreCore, team_id: str, session_id: int, from_id: str, channel: str, ts: str
    ) -> bool:
        """Where the thanks was shared, so forget can take it down; False if the thanks is
        gone (forgotten while its post was on its way)."""
        return bool(await self._write(_KUDOS_POSTED, (team_id, session_id, from_id, channel, ts)))

    async def ratings_between(
        self: _StoreCore, team_id: str, start: datetime, end: datetime
    ) -> int:
        """How many ratings were given in [start, end): a count, never a rating."""
        window = (team_id, format_time(start), format_time(end))
        return int((await self._fetch(RATING_FIGURES, window))[0]["rated"])

    async def mentor_recognition(
        self: _StoreCore, team_id: str, mentor_id: str, recent: int = RECENT_THANKS
    ) -> Recognition:
        """A mentor's own counts and latest thank-you notes (never a rating)."""
        counts = (await self._fetch(_MENTOR_COUNTS, (team_id, mentor_id)))[0]
        received = (await self._fetch(_THANKS_RECEIVED, (team_id, mentor_id)))[0][0]
        notes = await self._fetch(_RECENT_THANKS, (team_id, mentor_id, recent))
        return Recognition(
            people_helped=int(counts["helped"]),
            sessions_held=int(counts["held"]),
            thanks_received=int(received),
            recent_thanks=[Thanks.from_row(row) for row in notes],
        )
