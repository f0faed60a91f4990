"""Step 4 (partly): storage at scale. Seed a real SQLite file through the migrations, then time
each measured query through the Store, as the bot runs it, and show its EXPLAIN QUERY PLAN.

Each measured query is one small function in MEASURED. App Home for a busy user,
`/mentor notes @user` and `/mentor stats` each have a row in MEASURED (BUSY_USER below is
the person with the most notes and requests; BUSY_PARTNER the one they share most with).
"""

from __future__ import annotations

import random
import re
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.load import percentile
from bench.procs import make_dir
from bot.digest import week_end, week_start, weekly_figures
from handlers.admin.stats import WINDOWS_DAYS
from handlers.blocks.digest import build_digest
from handlers.blocks.history import ITEMS_PER_PAGE, NOTES_PER_PAGE, SESSIONS_SHOWN, build_history
from handlers.blocks.home import PER_SECTION, build_home
from handlers.blocks.stats import build_stats
from handlers.notes.history import load_history
from playground.fakeslack.workspace import TEAM_ID
from storage import admin as admin_sql  # /mentor stats' statements, for their plans
from storage import digest as digest_sql  # the weekly digest's counts of now, for their plans
from storage import feedback as feedback_sql  # the ratings behind the helpful share
from storage import history as history_sql  # /mentor notes' statements, for their plans
from storage import home as home_sql  # App Home's statements, for their query plans
from storage.org import in_workspaces
from storage.outbox import _CLAIM_DUE, CANDIDATES_PER_ROW  # the claim, for its query plan
from storage.store import Store
from storage.timefmt import format_time

LEASE = timedelta(minutes=5)  # as bot/outbox.py
BATCH = 100  # as bot/outbox.py
PER_RECIPIENT = 10  # as bot/outbox.py's claim bound with the default 10 s tick
NOW = datetime.now(UTC).replace(microsecond=0)
BUSY_USER = "U0000000"  # people are drawn with a skew toward low numbers: this one is busiest
# The busiest person's longest history: a share of every seeded table is about this pair.
BUSY_PARTNER = "U0000001"
PAIR_SHARE = 0.01


@dataclass(frozen=True)
class Scale:
    people: int = 100_000
    requests: int = 100_000
    notes: int = 1_000_000
    outbox: int = 200_000
    samples: int = 100  # timed runs of each measured query

    def divided(self, by: int) -> Scale:
        return Scale(
            max(100, self.people // by),
            max(100, self.requests // by),
            max(100, self.notes // by),
            max(10 * 2 * 10 * BATCH, self.outbox // by),
            max(10, self.samples // 2),
        )


def _user(number: int) -> str:
    return f"U{number:07d}"


def _skewed(rng: random.Random, count: int) -> int:
    """Most rows belong to a few people, as in a real workspace."""
    return int(count * rng.random() ** 3)


def _when(rng: random.Random, days: float) -> str:
    return format_time(NOW - timedelta(seconds=rng.random() * days * 86_400))


def _people(scale: Scale) -> list[tuple[Any, ...]]:
    stamp = format_time(NOW - timedelta(days=400))
    return [(TEAM_ID, _user(n), "Europe/Berlin", stamp, stamp, stamp) for n in range(scale.people)]


def _pair(rng: random.Random, people: int) -> tuple[str, str]:
    if rng.random() < PAIR_SHARE:
        return (BUSY_USER, BUSY_PARTNER) if rng.random() < 0.5 else (BUSY_PARTNER, BUSY_USER)
    first = _skewed(rng, people)
    second = rng.randrange(people - 1)
    return _user(first), _user(second if second < first else second + 1)


_STATUSES = ("open", "accepted", "scheduled", "completed", "declined", "cancelled", "expired")
_TOPICS = ("promotion", "problem", "career_path", "skills", "other")


def _requests(rng: random.Random, scale: Scale) -> list[tuple[Any, ...]]:
    rows = []
    for _ in range(scale.requests):
        mentor, mentee = _pair(rng, scale.people)
        created = _when(rng, 3 * 365)
        rows.append(
            (TEAM_ID, mentee, None if rng.random() < 0.2 else mentor, rng.choice(_TOPICS),
             "I would like to talk about how to grow into the next role.",
             rng.choice((15, 30, 45, 60)), "command", rng.choice(_STATUSES), created, created)
        )  # fmt: skip
    return rows


def _notes(rng: random.Random, scale: Scale) -> list[tuple[Any, ...]]:
    body = "We talked about goals for the quarter and agreed on two concrete next steps. "
    rows = []
    for number in range(scale.notes):
        author, subject = _pair(rng, scale.people)
        created = _when(rng, 3 * 365)
        rows.append((TEAM_ID, author, subject, body[: 40 + number % 40], created, created))
    return rows


def _outbox(rng: random.Random, scale: Scale) -> list[tuple[Any, ...]]:
    """History (sent), future work (pending), and a backlog due now: a tenth of each table."""
    rows = []
    for number in range(scale.outbox):
        recipient = _user(rng.randrange(scale.people))
        share = number % 10
        if share == 0:  # due now: what claim_due finds
            status, due = "pending", _when(rng, 1)
        elif share == 1:
            status, due = "pending", format_time(NOW + timedelta(days=rng.random() * 30))
        else:
            status, due = "sent", _when(rng, 365)
        rows.append(
            (TEAM_ID, "checkin.ask", recipient, due, f"seed-{number}", status, due,
             due if status == "sent" else None)
        )  # fmt: skip
    return rows


def _sessions(rng: random.Random, scale: Scale) -> list[tuple[Any, ...]]:
    """Half as many sessions as requests: mostly past, some upcoming."""
    rows = []
    for _ in range(scale.requests // 2):
        mentor, mentee = _pair(rng, scale.people)
        upcoming = rng.random() < 0.1
        starts = (
            format_time(NOW + timedelta(seconds=rng.random() * 30 * 86_400))
            if upcoming
            else _when(rng, 3 * 365)
        )
        status = "confirmed" if upcoming else rng.choice(("completed", "cancelled"))
        rows.append((TEAM_ID, mentor, mentee, starts, 30, status, starts, starts))
    return rows


def _action_items(rng: random.Random, scale: Scale) -> list[tuple[Any, ...]]:
    """One action item per request, a quarter of them still open."""
    rows = []
    for _ in range(scale.requests):
        mentor, mentee = _pair(rng, scale.people)
        created = _when(rng, 3 * 365)
        done = None if rng.random() < 0.25 else created
        owner = mentee if rng.random() < 0.7 else mentor
        rows.append(
            (TEAM_ID, mentor, mentee, owner, "Draft the promotion case", done, created, created)
        )
    return rows


def _relationships(rng: random.Random, scale: Scale) -> list[tuple[Any, ...]]:
    seen: set[tuple[str, str]] = {(BUSY_PARTNER, BUSY_USER)}  # one active 1:1 per pair
    rows = []
    for _ in range(scale.people // 20):
        pair = _pair(rng, scale.people)
        if pair in seen:
            continue
        seen.add(pair)
        started = _when(rng, 3 * 365)
        nxt = format_time(NOW + timedelta(days=rng.random() * 30))
        rows.append((TEAM_ID, *pair, rng.choice(("weekly", "biweekly", "monthly")), nxt, started))
    return rows


def _mentor_profiles(rng: random.Random, scale: Scale) -> list[tuple[Any, ...]]:
    """A tenth of the people mentor, the busiest first (so their loads are real)."""
    stamp = format_time(NOW - timedelta(days=400))
    return [(TEAM_ID, _user(n), rng.randint(1, 5), stamp, stamp) for n in range(scale.people // 10)]


def _feedback(rng: random.Random, scale: Scale) -> list[tuple[Any, ...]]:
    """Every other seeded session was rated, at about when it was held."""
    rows = []
    for session_id in range(1, scale.requests // 2 + 1, 2):
        mentor, mentee = _pair(rng, scale.people)
        rated = _when(rng, 3 * 365)
        rating = rng.choice(("helpful", "helpful", "somewhat", "not_really"))
        rows.append((TEAM_ID, session_id, mentee, mentor, rating, rated, rated))
    return rows


def _megabytes(path: Path) -> float:
    return path.stat().st_size / 1e6


Step = tuple[str, str, Callable[[], list[tuple[Any, ...]]]]


def _steps(rng: random.Random, scale: Scale) -> list[Step]:
    """Each table's rows, in the order foreign keys need: (name, INSERT, rows)."""
    return [
        ("people", "INSERT INTO people (team_id, user_id, tz, tz_cached_at, first_seen_at, "
         "updated_at) VALUES (?, ?, ?, ?, ?, ?)", lambda: _people(scale)),
        ("requests", "INSERT INTO requests (team_id, mentee_id, mentor_id, topic, details, "
         "duration_minutes, source, status, created_at, updated_at) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", lambda: _requests(rng, scale)),
        ("notes", "INSERT INTO notes (team_id, author_id, subject_id, body, created_at, "
         "updated_at) VALUES (?, ?, ?, ?, ?, ?)", lambda: _notes(rng, scale)),
        ("outbox", "INSERT INTO outbox (team_id, kind, recipient, due_at, dedupe_key, status, "
         "created_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", lambda: _outbox(rng, scale)),
        ("sessions", "INSERT INTO sessions (team_id, mentor_id, mentee_id, starts_at, "
         "duration_minutes, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
         lambda: _sessions(rng, scale)),
        ("action_items", "INSERT INTO action_items (team_id, mentor_id, mentee_id, owner_id, "
         "text, done_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
         lambda: _action_items(rng, scale)),
        ("relationships", "INSERT INTO relationships (team_id, mentor_id, mentee_id, cadence, "
         "next_at, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?6)",
         lambda: _relationships(rng, scale)),
        ("mentor_profiles", "INSERT INTO mentor_profiles (team_id, user_id, capacity, "
         "created_at, updated_at) VALUES (?, ?, ?, ?, ?)", lambda: _mentor_profiles(rng, scale)),
        ("feedback", "INSERT INTO feedback (team_id, session_id, mentee_id, mentor_id, rating, "
         "prompted_at, rated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", lambda: _feedback(rng, scale)),
    ]  # fmt: skip


async def seed(path: Path, scale: Scale) -> dict[str, float]:
    """Create the schema with the migrations, then bulk-insert in one transaction."""
    async with await Store.open(path) as store:
        await store.migrate()
    rng = random.Random(10)
    timings: dict[str, float] = {}
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = OFF")  # seeding only; measured queries use the Store
        began = time.perf_counter()
        conn.execute("BEGIN")
        steps = _steps(rng, scale)
        for name, sql, rows in steps:
            step = time.perf_counter()
            conn.executemany(sql, rows())
            timings[f"{name}_seconds"] = time.perf_counter() - step
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        timings["seed_seconds"] = time.perf_counter() - began
    finally:
        conn.close()
    timings["file_mb"] = _megabytes(path)
    return timings


_INSERT = re.compile(r"INSERT INTO (\w+) \(([^)]*)\) VALUES \((.*)\)$", re.S)


def _copy_plan(sql: str) -> tuple[str, list[int]]:
    """An INSERT of _steps as COPY: the statement, and which row value goes in each column."""
    match = _INSERT.match(" ".join(sql.split()))
    assert match is not None, sql
    table, columns, values = match.groups()
    # ? is the next value in order; ?N repeats the Nth (relationships' updated_at).
    order = [
        int(value.strip()[1:]) - 1 if value.strip()[1:] else position
        for position, value in enumerate(values.split(","))
    ]
    return f"COPY {table} ({columns}) FROM STDIN", order


async def seed_postgresql(url: str, scale: Scale) -> dict[str, float]:
    """The same rows as seed(), into a PostgreSQL database made by the migrations, by COPY in
    one transaction, then ANALYZE."""
    import psycopg

    from storage.url import parse_database

    async with await Store.open(url) as store:
        await store.migrate()
    rng = random.Random(10)
    timings: dict[str, float] = {}
    dsn = parse_database(url).url.set(drivername="postgresql").render_as_string(False)
    async with await psycopg.AsyncConnection.connect(dsn) as conn:
        began = time.perf_counter()
        async with conn.transaction():
            for name, sql, rows in _steps(rng, scale):
                step = time.perf_counter()
                statement, order = _copy_plan(sql)
                async with conn.cursor() as cursor, cursor.copy(statement) as copy:
                    for row in rows():
                        await copy.write_row([row[n] for n in order])
                timings[f"{name}_seconds"] = time.perf_counter() - step
        await conn.set_autocommit(True)
        await conn.execute("ANALYZE")
        timings["seed_seconds"] = time.perf_counter() - began
        cursor = await conn.execute("SELECT pg_database_size(current_database())")
        row = await cursor.fetchone()
        timings["file_mb"] = int(row[0]) / 1e6 if row else 0.0
    return timings


# -- the measured queries ------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """One query as the bot runs it, the SQL behind it (for EXPLAIN) and its target."""

    name: str
    run: Callable[[Store, int], Awaitable[Any]]  # (store, sample number)
    sql: str
    params: Sequence[Any]
    target_p95_ms: float | None = None
    # At most this many samples for a scale (a claim uses up due rows), if set.
    max_samples: Callable[[Scale], int] | None = None
    # Further statements the same measurement runs (their plans are shown too).
    more: tuple[tuple[str, Sequence[Any]], ...] = ()


async def _claim_due(store: Store, sample: int) -> Any:
    return await store.claim_due(NOW, LEASE, BATCH, worker="bench", per_recipient=PER_RECIPIENT)


async def _enqueue(store: Store, sample: int) -> Any:
    due = NOW + timedelta(days=1, seconds=sample)
    return await store.enqueue(
        TEAM_ID, "bench.checkin", BUSY_USER, due, dedupe_key=f"bench-{sample}", now=NOW
    )


async def _history(store: Store, sample: int) -> Any:
    page = 1 + sample % 3  # the first pages, as people read them
    history = await load_history(store, TEAM_ID, BUSY_USER, BUSY_PARTNER, page)
    return build_history(history)


_HISTORY_SQL: tuple[tuple[str, Sequence[Any]], ...] = (
    (history_sql._MY_NOTES, (TEAM_ID, BUSY_USER, BUSY_PARTNER, NOTES_PER_PAGE, 0)),
    (history_sql._COUNT_MY_NOTES, (TEAM_ID, BUSY_USER, BUSY_PARTNER)),
    (history_sql._ITEMS_BETWEEN, (TEAM_ID, BUSY_USER, BUSY_PARTNER, ITEMS_PER_PAGE, 0)),
    (history_sql._SESSIONS_BETWEEN, (TEAM_ID, BUSY_USER, BUSY_PARTNER, SESSIONS_SHOWN)),
)


async def _stats(store: Store, sample: int) -> Any:
    windows = [
        await store.window_stats(TEAM_ID, NOW - timedelta(days=days), NOW, days)
        for days in WINDOWS_DAYS
    ]
    return build_stats(windows)


_WINDOW = (TEAM_ID, format_time(NOW - timedelta(days=90)), format_time(NOW))
_STATS_SQL: tuple[tuple[str, Sequence[Any]], ...] = (
    (admin_sql._REQUEST_FIGURES, _WINDOW),
    (admin_sql._MEDIAN_FIRST_RESPONSE, _WINDOW),
    (admin_sql._SESSION_FIGURES, (*_WINDOW, 2_460_000.0)),
    (admin_sql._CHECKIN_FIGURES, _WINDOW),
    (admin_sql._ACTION_ITEM_FIGURES, _WINDOW),
    (admin_sql._INTRO_FIGURES, _WINDOW),
)


_DIGEST_END = week_end(week_start(NOW.date()), "Europe/Berlin")


async def _digest(store: Store, sample: int) -> Any:
    figures = await weekly_figures(store, TEAM_ID, _DIGEST_END)
    return build_digest(figures)


_DIGEST_WEEK = (TEAM_ID, format_time(_DIGEST_END - timedelta(days=7)), format_time(_DIGEST_END))
_DIGEST_SQL: tuple[tuple[str, Sequence[Any]], ...] = (
    (admin_sql._EXPIRED_DURING, _DIGEST_WEEK),
    (feedback_sql.RATING_FIGURES, _DIGEST_WEEK),
    (digest_sql._AT_CAPACITY, (TEAM_ID,)),
    (digest_sql._AT_RISK, (TEAM_ID, *[_DIGEST_WEEK[1]] * 3, _DIGEST_WEEK[2])),
)


async def _home(store: Store, sample: int) -> Any:
    data = await store.home_data(TEAM_ID, BUSY_USER, NOW, PER_SECTION)
    return build_home(data, BUSY_USER, first_visit=False)


_HOME_PARAMS = (TEAM_ID, BUSY_USER, PER_SECTION)
_HOME_SQL: tuple[tuple[str, Sequence[Any]], ...] = (
    in_workspaces(
        home_sql._UPCOMING_SESSIONS,
        (TEAM_ID,),
        (TEAM_ID, BUSY_USER, format_time(NOW), 2 * PER_SECTION),
    ),
    in_workspaces(home_sql._WAITING_FOR_ME, (TEAM_ID,), _HOME_PARAMS),
    (home_sql._MY_OPEN_REQUESTS, _HOME_PARAMS),
    (home_sql._MY_ACTION_ITEMS, _HOME_PARAMS),
    (home_sql._MY_RELATIONSHIPS, _HOME_PARAMS),
)


MEASURED: list[Measured] = [
    Measured(
        "claim due outbox rows (batch of 100)",
        _claim_due,
        _CLAIM_DUE,
        (
            format_time(NOW + LEASE),
            format_time(NOW),
            BATCH,
            BATCH * CANDIDATES_PER_ROW,
            "bench",
            PER_RECIPIENT,
        ),
        # Only full batches count: the seed leaves a tenth of the outbox due now.
        max_samples=lambda scale: scale.outbox // 10 // BATCH // 2,
    ),
    Measured(
        "enqueue one outbox row",
        _enqueue,
        "INSERT INTO outbox (team_id, kind, recipient, due_at, subject_type, subject_id, "
        "dedupe_key, payload, created_at) VALUES (?, ?, ?, ?, NULL, NULL, ?, '{}', ?) "
        "ON CONFLICT (team_id, dedupe_key) DO NOTHING RETURNING id",
        (TEAM_ID, "bench.checkin", BUSY_USER, format_time(NOW), "plan", format_time(NOW)),
    ),
    Measured(
        "App Home render for the busiest person (queries and Block Kit)",
        _home,
        _HOME_SQL[0][0],
        _HOME_SQL[0][1],
        target_p95_ms=20.0,
        more=_HOME_SQL[1:],
    ),
    Measured(
        "/mentor notes for the busiest pair (queries and Block Kit, pages 1 to 3)",
        _history,
        _HISTORY_SQL[0][0],
        _HISTORY_SQL[0][1],
        target_p95_ms=20.0,
        more=_HISTORY_SQL[1:],
    ),
    Measured(
        "/mentor stats, both windows (30 and 90 days; queries and Block Kit)",
        _stats,
        _STATS_SQL[0][0],
        _STATS_SQL[0][1],
        more=_STATS_SQL[1:],
    ),
    Measured(
        "weekly digest figures (12 weekly windows, the 4 weeks before, capacity, at risk; "
        "queries and Block Kit)",
        _digest,
        _DIGEST_SQL[0][0],
        _DIGEST_SQL[0][1],
        target_p95_ms=2000.0,
        max_samples=lambda scale: 5,  # seconds each at full scale, not milliseconds
        more=_DIGEST_SQL[1:],
    ),
]


def query_plan(path: Path, sql: str, params: Sequence[Any]) -> list[str]:
    """EXPLAIN QUERY PLAN as indented lines, the way the sqlite3 shell prints it."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    finally:
        conn.close()
    depth: dict[int, int] = {0: 0}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * (depth[node] - 1) + detail)
    return lines


async def run_storage(scale: Scale, workdir: Path, db: str | None = None) -> dict[str, Any]:
    """Seed, then time every MEASURED query `scale.samples` times through the Store.
    `db`: a PostgreSQL URL instead of a SQLite file (no query plans then)."""
    make_dir(workdir)
    path = workdir / "scale.db"
    seeded = await (seed(path, scale) if db is None else seed_postgresql(db, scale))
    results = []
    for measured in MEASURED:
        plan: list[str] = []
        sql = " ".join(measured.sql.split())
        if db is None:
            plan = query_plan(path, measured.sql, measured.params)
        for extra_sql, extra_params in measured.more:
            if db is None:
                plan += ["", *query_plan(path, extra_sql, extra_params)]
            sql += ";\n" + " ".join(extra_sql.split())
        times: list[float] = []
        async with await Store.open(db or path) as store:
            limit = measured.max_samples(scale) if measured.max_samples else scale.samples
            for sample in range(min(scale.samples, limit)):
                began = time.perf_counter()
                await measured.run(store, sample)
                times.append((time.perf_counter() - began) * 1000)
        times.sort()
        results.append(
            {
                "name": measured.name,
                "p50_ms": percentile(times, 50),
                "p95_ms": percentile(times, 95),
                "max_ms": times[-1],
                "samples": len(times),
                "target_p95_ms": measured.target_p95_ms,
                "plan": plan,
                "sql": sql,
            }
        )
    return {
        "scale": {
            "people": scale.people,
            "requests": scale.requests,
            "notes": scale.notes,
            "outbox": scale.outbox,
        },
        "seed": seeded,
        "queries": results,
    }
