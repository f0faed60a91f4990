"""A hand-worked workspace history for the weekly digest, written through the Store's own SQL
so it seeds SQLite and PostgreSQL alike (tests/storage/test_digest_store.py, the scenarios).

The digest looks back on the week that ends at END (Monday 2026-03-09 00:00 UTC):
- last week: 5 requests (detected 1, command 2, shortcut 1, intro 1, workflow 0); the intro's
  was made already accepted, so 4 were asked, 2 of them answered within 24 h (1 h, 3 h; the
  third took 30 h), median first answer 3 h (of 1, 3, 30 h), 2 sessions held, 6 ratings
  (4 helpful: 67%), 1 request expired (made in February);
- the four weeks before: 3 requests, 1 answered within 24 h (2 h), 2 sessions held, 2 ratings
  (not enough to show), 1 expired;
- now: 1 mentor at capacity, 1 ongoing 1:1 at risk.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.store import Store
from storage.timefmt import format_time

TEAM = "T0DIGEST"
OTHER_TEAM = "T0ELSE"
END = datetime(2026, 3, 9, tzinfo=UTC)  # a Monday
M1, M2, M3 = "U0MENTOR1", "U0MENTOR2", "U0MENTOR3"
A, B, C, D, E, F = "U0MENTEEA", "U0MENTEEB", "U0MENTEEC", "U0MENTEED", "U0MENTEEE", "U0MENTEEF"
MENTEES = (A, B, C, D, E, F)
PEOPLE = (M1, M2, M3, *MENTEES)


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def t(moment: datetime) -> str:
    return format_time(moment)


# (team, created, source, status, mentor, mentee, hours to first answer, last change)
REQUESTS = [
    (TEAM, at(3, 2), "detected", "accepted", M1, A, 1, None),
    (TEAM, at(3, 3), "command", "completed", M2, B, 3, None),
    (TEAM, at(3, 4), "command", "declined", M2, C, 30, None),
    (TEAM, at(3, 5), "shortcut", "open", M3, D, None, None),
    (TEAM, at(3, 8), "intro", "completed", M2, E, 0, None),  # accepted as it was made
    (TEAM, at(2, 10), "command", "completed", M1, F, 2, None),
    (TEAM, at(2, 20), "command", "expired", M2, A, None, at(2, 24)),
    (TEAM, at(2, 25), "detected", "expired", M2, B, None, at(3, 4)),
    (OTHER_TEAM, at(3, 3), "command", "open", M1, A, 1, None),  # another workspace
]

# (id, mentor, mentee, starts, status)
SESSIONS = [
    (1, M2, B, at(3, 3), "completed"),
    (2, M2, C, at(3, 5), "confirmed"),  # over, nobody closed it: held
    (3, M1, A, at(3, 4), "cancelled"),
    (4, M1, F, at(2, 12), "completed"),
    (5, F, M1, at(2, 25), "completed"),  # the pair the other way round
    *[(10 + n, M2, E, datetime(2025, 10, 1 + n, 12, tzinfo=UTC), "completed") for n in range(8)],
]

# (session, rating, rated at): the rated sessions are old; ratings count by when given.
RATINGS = [
    (10, "helpful", at(3, 2)),
    (11, "helpful", at(3, 3)),
    (12, "helpful", at(3, 4)),
    (13, "helpful", at(3, 5)),
    (14, "somewhat", at(3, 6)),
    (15, "not_really", at(3, 7)),
    (16, "helpful", at(2, 11)),
    (17, "helpful", at(2, 12)),
]

# (mentor, capacity, open to mentoring)
PROFILES = [(M1, 2, 1), (M2, 3, 1), (M3, 1, 0)]

# (mentor, mentee, cadence, started, paused, ended)
RELATIONSHIPS = [
    (M1, A, "weekly", at(1, 1), False, False),  # no session since 23 Feb: at risk
    (M2, B, "weekly", at(1, 1), False, False),  # session 1 on 3 Mar
    (M2, C, "monthly", at(2, 20), False, False),  # too new to have missed two ticks
    (M3, D, "biweekly", at(1, 1), True, False),  # paused
    (M1, E, "monthly", datetime(2025, 11, 1, tzinfo=UTC), False, True),  # ended
    (M1, F, "biweekly", at(1, 1), False, False),  # session 5, F mentoring M1, 25 Feb
]


async def seed_digest(store: Store, team: str = TEAM) -> None:
    """Write the history above into `team` (plain INSERTs: the domain methods can't date things
    back); OTHER_TEAM gets its own people and one request."""
    stamp = t(at(1, 1))
    for workspace in (team, OTHER_TEAM):
        for user in PEOPLE:
            await store._write(
                "INSERT INTO people (team_id, user_id, first_seen_at, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (team_id, user_id) DO NOTHING",
                (workspace, user, stamp, stamp),
            )
    for where, created, source, status, mentor, mentee, hours, changed in REQUESTS:
        workspace = team if where == TEAM else where
        answered = None if hours is None else t(created + timedelta(hours=hours))
        await store._write(
            "INSERT INTO requests (team_id, mentee_id, mentor_id, topic, details, source, "
            "status, first_response_at, created_at, updated_at) "
            "VALUES (?, ?, ?, 'problem', 'private words', ?, ?, ?, ?, ?)",
            (
                workspace,
                mentee,
                mentor,
                source,
                status,
                answered,
                t(created),
                t(changed or created),
            ),
        )
    for session_id, mentor, mentee, starts, status in SESSIONS:
        await store._write(
            "INSERT INTO sessions (id, team_id, mentor_id, mentee_id, starts_at, "
            "duration_minutes, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 30, ?, ?, ?)",
            (session_id, team, mentor, mentee, t(starts), status, stamp, stamp),
        )
    for session_id, rating, rated in RATINGS:
        await store._write(
            "INSERT INTO feedback (team_id, session_id, mentee_id, mentor_id, rating, "
            "prompted_at, rated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (team, session_id, E, M2, rating, t(rated), t(rated)),
        )
    for mentor, capacity, open_to in PROFILES:
        await store._write(
            "INSERT INTO mentor_profiles (team_id, user_id, open_to_mentoring, capacity, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            (team, mentor, open_to, capacity, stamp, stamp),
        )
    for mentor, mentee, cadence, started, paused, ended in RELATIONSHIPS:
        await store._write(
            "INSERT INTO relationships (team_id, mentor_id, mentee_id, cadence, next_at, "
            "started_at, ended_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                team,
                mentor,
                mentee,
                cadence,
                None if paused or ended else t(END + timedelta(days=3)),
                t(started),
                t(at(2, 1)) if ended else None,
                stamp,
            ),
        )
