"""Store: domain-named async methods over the database (storage/engine.py), returning the
rows of storage/models.py.

Transactions: single statements commit on their own, and methods that read before they write
wrap both in one transaction (BEGIN IMMEDIATE on SQLite, taking the write lock up front, so two
writers can't both read the old state).
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, fields
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from storage import StorageError
from storage.admin import AdminQueries
from storage.checkins import CheckinQueries
from storage.digest import DigestQueries
from storage.directory import DirectoryQueries
from storage.engine import (
    Connection,
    Database,
    Params,
    Record,
    Sql,
    SqliteDatabase,
)
from storage.feedback import FeedbackQueries
from storage.history import HistoryQueries
from storage.home import HomeQueries, WelcomeQueries
from storage.installations import InstallationQueries
from storage.intros import IntroQueries
from storage.mentoring import MentoringQueries
from storage.models import Person, WorkspaceSettings, weekdays_mask
from storage.notes import NoteQueries
from storage.org import OrgQueries
from storage.outbox import OutboxQueries
from storage.privacy import PrivacyQueries
from storage.profile_skills import ProfileSkillQueries
from storage.requests import MARK_ONCE, RequestQueries
from storage.schema import (
    HISTORY,
    LATEST_SCHEMA,
    migrate_schema,
    schema_number,
    schema_revision,
    too_new,
)
from storage.sessions import SessionQueries
from storage.timefmt import format_time
from storage.url import DatabaseTarget, DatabaseUrlError, parse_database
from storage.workflows import WorkflowQueries

# Besides the engine's errors: aiosqlite raises ValueError once closed, and a lost server can
# surface as OSError.
_UNUSABLE: tuple[type[Exception], ...] = (ValueError, OSError)

# Workspaces whose settings stay in memory; one bot serves a few, a signed fuzz run thousands.
SETTINGS_CACHE_SIZE = 256
# How stale a replica's cached workspace settings may get (README: Scaling out).
SETTINGS_CACHE_SECONDS = 30.0

# Audited: every setting a person can change (team_id and updated_at are bookkeeping).
_AUDITED_SETTINGS = tuple(
    field.name for field in fields(WorkspaceSettings) if field.name not in {"team_id", "updated_at"}
)

_SAVE_SETTINGS = """
INSERT INTO workspace_settings (
    team_id, pool_channel_id, detection_enabled, detection_off_channels,
    prompt_cooldown_minutes, nudge_after_hours, escalate_after_hours, pool_repost_after_hours,
    expire_after_hours, reminder_minutes, work_days, work_start_minute, work_end_minute,
    max_open_requests, coordinators, feedback_enabled, kudos_channel_id,
    anonymous_asks_enabled, profile_skill_fields, updated_at
) VALUES (
    :team_id, :pool_channel_id, :detection_enabled, :detection_off_channels,
    :prompt_cooldown_minutes, :nudge_after_hours, :escalate_after_hours, :pool_repost_after_hours,
    :expire_after_hours, :reminder_minutes, :work_days, :work_start_minute, :work_end_minute,
    :max_open_requests, :coordinators, :feedback_enabled, :kudos_channel_id,
    :anonymous_asks_enabled, :profile_skill_fields, :updated_at
)
ON CONFLICT (team_id) DO UPDATE SET
    pool_channel_id = excluded.pool_channel_id,
    detection_enabled = excluded.detection_enabled,
    detection_off_channels = excluded.detection_off_channels,
    prompt_cooldown_minutes = excluded.prompt_cooldown_minutes,
    nudge_after_hours = excluded.nudge_after_hours,
    escalate_after_hours = excluded.escalate_after_hours,
    pool_repost_after_hours = excluded.pool_repost_after_hours,
    expire_after_hours = excluded.expire_after_hours,
    reminder_minutes = excluded.reminder_minutes,
    work_days = excluded.work_days,
    work_start_minute = excluded.work_start_minute,
    work_end_minute = excluded.work_end_minute,
    max_open_requests = excluded.max_open_requests,
    coordinators = excluded.coordinators,
    feedback_enabled = excluded.feedback_enabled,
    kudos_channel_id = excluded.kudos_channel_id,
    anonymous_asks_enabled = excluded.anonymous_asks_enabled,
    profile_skill_fields = excluded.profile_skill_fields,
    updated_at = excluded.updated_at
"""

_AUDIT_SETTING = """
INSERT INTO settings_audit (team_id, field, old_value, new_value, changed_by, changed_at)
VALUES (?, ?, ?, ?, ?, ?)
"""

# A tz of NULL means "not known this time": keep the cached one rather than forget it.
_UPSERT_PERSON = """
INSERT INTO people (team_id, user_id, tz, tz_cached_at, first_seen_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (team_id, user_id) DO UPDATE SET
    tz = coalesce(excluded.tz, people.tz),
    tz_cached_at = coalesce(excluded.tz_cached_at, people.tz_cached_at),
    forgotten_at = CASE WHEN people.user_id LIKE 'forgotten-%' THEN people.forgotten_at END,
    updated_at = excluded.updated_at
RETURNING *
"""

_SET_OPTED_OUT = """
INSERT INTO people (team_id, user_id, opted_out, first_seen_at, updated_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (team_id, user_id) DO UPDATE SET
    opted_out = excluded.opted_out,
    updated_at = excluded.updated_at
"""


# Rows other workers hold are claimable once the grace (?1) is over, and no sooner, lapsed or
# not: a leader that lost its lock may still be posting them until then (see lead_outbox).
_TAKE_OVER_LEASES = """
UPDATE outbox SET lease_until = ?1
WHERE status = 'sending' AND coalesce(claimed_by, '') <> ?2
"""


def _settings_row(settings: WorkspaceSettings, now: datetime) -> dict[str, Any]:
    row = asdict(settings)
    row.update(
        detection_enabled=int(settings.detection_enabled),
        feedback_enabled=int(settings.feedback_enabled),
        anonymous_asks_enabled=int(settings.anonymous_asks_enabled),
        detection_off_channels=json.dumps(list(settings.detection_off_channels)),
        profile_skill_fields=json.dumps(list(settings.profile_skill_fields)),
        work_days=weekdays_mask(settings.work_days),
        coordinators=json.dumps(list(settings.coordinators)),
        updated_at=format_time(now),
    )
    return row


def _settings_changes(old: WorkspaceSettings, new: WorkspaceSettings) -> list[tuple[str, str, str]]:
    before, after = asdict(old), asdict(new)
    return [
        (name, json.dumps(before[name]), json.dumps(after[name]))
        for name in _AUDITED_SETTINGS
        if before[name] != after[name]
    ]


class Store(
    DirectoryQueries,
    HomeQueries,
    OutboxQueries,
    RequestQueries,
    SessionQueries,
    WelcomeQueries,
    IntroQueries,
    NoteQueries,
    MentoringQueries,
    CheckinQueries,
    HistoryQueries,
    AdminQueries,
    DigestQueries,
    PrivacyQueries,
    InstallationQueries,
    FeedbackQueries,
    ProfileSkillQueries,
    OrgQueries,
    WorkflowQueries,
):
    """The database, as the rest of mentorbot sees it."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # Read on every ask, written by /mentor settings and /mentor forget: cached per
        # workspace, dropped on each write through this Store, and read again at least every
        # SETTINGS_CACHE_SECONDS, so a change made by another replica shows within that bound.
        # Least recently used first, and bounded: team ids come from payloads.
        self._settings_cache: OrderedDict[str, tuple[WorkspaceSettings, float]] = OrderedDict()
        self.settings_cache_seconds = SETTINGS_CACHE_SECONDS
        self._leading = False

    @classmethod
    async def open(cls, target: str | Path | DatabaseTarget, *, pool_size: int = 5) -> Store:
        """Open the database: a SQLite file (created if missing) or a URL; does not migrate.

        `pool_size` bounds the connections to a server; SQLite always uses one.
        """
        if not isinstance(target, DatabaseTarget):
            try:
                target = parse_database(target)
            except DatabaseUrlError as error:
                raise StorageError(f"MENTORBOT_DB {error}") from None
        if target.path is None:
            # Imported here: psycopg and libpq cost SQLite's processes ~12 MB for nothing.
            from storage.engine_pg import PostgresDatabase

            return cls(await PostgresDatabase.open(target.url, pool_size))
        return cls(await SqliteDatabase.open(target.path))

    async def lead_outbox(self, worker: str, now: datetime, grace: timedelta) -> bool:
        """Whether this process dispatches the outbox now: always on SQLite (one process per
        file); on PostgreSQL, the one replica holding the leader's advisory lock.

        A replica that has just become the leader takes over the rows other workers hold:
        only a leader sends, so their claims ended with their lead. A leader that lost its
        lock but lives on may still be posting one of them for a while (bot/outbox.py's
        TAKEOVER_GRACE), so they become claimable after `grace`, each then marked as maybe
        posted and looked up in Slack before a repost. Its own leases end at once: they are
        left by a batch that lost the lead or the database, and that batch is over.
        """
        leading = await self._db.lead()
        if leading and not self._leading and self._db.dialect != "sqlite":
            await self._write(_TAKE_OVER_LEASES, (format_time(now + grace), worker))
            await self.take_back_leases(worker, now)
        self._leading = leading
        return leading

    async def holds_outbox_lead(self) -> bool:
        """Whether the lead lead_outbox took is still held (one round trip on PostgreSQL);
        a leader asks before each post, and stops when it lost the lead."""
        held = await self._db.holds_lead()
        if not held:
            self._leading = False  # so the next lead_outbox that wins takes over again
        return held

    @property
    def engine(self) -> str:
        """The database engine: "sqlite" or "postgresql"."""
        return self._db.dialect

    async def describe(self) -> str:
        """One line for operators: the engine, its version and where the data is (no password)."""
        return f"{self._db.dialect} {await self._db.server_version()} at {self._db.label}"

    async def schema_state(self) -> str:
        """The schema, for operators: current, or how many migrations `run` or `migrate`
        would apply. SchemaTooNewError when a newer mentorbot wrote it, as `run` refuses it."""
        revision = await schema_revision(self._db)
        if revision is not None and revision not in HISTORY:
            raise too_new(self._db.label, revision)
        if revision == HISTORY[-1]:
            return f"schema {revision}, current"
        done = HISTORY.index(revision) + 1 if revision is not None else 0
        due = len(HISTORY) - done
        return (
            f"schema {revision or 'not migrated yet'}; {due} migration(s) due "
            "(mentorbot migrate, or run, applies them)"
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """What a failed statement raises on this engine, for a caller that answers it."""
        return (*self._db.errors, *_UNUSABLE)

    async def close(self) -> None:
        """Close the connection; safe to call twice."""
        await self._db.close()

    async def migrate(self) -> int:
        """Apply pending migrations; return the schema version reached."""
        return schema_number(await migrate_schema(self._db))

    async def migration_due(self) -> bool:
        """Whether `migrate` has work to do (or a schema too new to refuse): one query."""
        return await schema_revision(self._db) != HISTORY[-1]

    async def ping(self) -> dict[str, Any]:
        """Health check: {"ok": True, "schema_version": N, "latest": M}, or StorageError."""
        try:
            if isinstance(self._db, SqliteDatabase):
                rows = await self._fetch("SELECT 1 AS ok, user_version FROM pragma_user_version")
                numbered = int(rows[0]["user_version"])
            else:
                numbered = 0
            revision = await schema_revision(self._db)
            version = schema_number(revision) if revision is not None else numbered
        except (*self._db.errors, *_UNUSABLE) as error:
            raise StorageError(f"database unusable: {error}") from error
        return {"ok": True, "schema_version": version, "latest": LATEST_SCHEMA}

    # -- plumbing ------------------------------------------------------------------------

    async def _fetch(self, sql: Sql, params: Params = ()) -> list[Record]:
        async with self._db.single() as conn:
            return await conn.execute_fetchall(sql, params)

    async def _fetch_in_turn(self, sql: Sql, params: Params = ()) -> list[Record]:
        """One short statement that reads before it writes, run after any other such write:
        SQLite has one writer at a time anyway (and runs it on the event loop's thread, see
        SqliteDatabase.fetch_on_loop); PostgreSQL takes the write lock in a transaction."""
        if isinstance(self._db, SqliteDatabase):
            return await self._db.fetch_on_loop(sql, params)
        async with self._transaction() as conn:
            return await conn.execute_fetchall(sql, params)

    async def _write(self, sql: Sql, params: Params = ()) -> int:
        """Run one statement; return how many rows it changed."""
        async with self._db.single() as conn:
            return await conn.execute(sql, params)

    def _transaction(self) -> AbstractAsyncContextManager[Connection]:
        return self._db.transaction()

    # -- Slack event de-duplication ------------------------------------------------------

    async def mark_event_processed(self, team_id: str, event_id: str, now: datetime) -> bool:
        """Record an event id; True the first time (run the listener), False for a retry."""
        rows = await self._fetch(MARK_ONCE, (team_id, event_id, format_time(now)))
        return bool(rows)

    async def purge_processed_events(self, older_than: datetime) -> int:
        """Forget event ids processed before older_than; return how many went."""
        return await self._write(
            "DELETE FROM processed_events WHERE processed_at < ?", (format_time(older_than),)
        )

    async def purge_prompted_messages(self, older_than: datetime) -> int:
        """Forget which messages were prompted before older_than. Slack's retries stop far
        sooner, and the cooldown is read from these rows: PROCESSED_EVENT_TTL is at least the
        longest cooldown (a day). A scan, once an hour: no index on prompted_at (r0006)."""
        return await self._write(
            "DELETE FROM prompted_messages WHERE prompted_at < ?", (format_time(older_than),)
        )

    # -- workspace settings --------------------------------------------------------------

    async def get_workspace_settings(self, team_id: str) -> WorkspaceSettings:
        """The workspace's settings, or the defaults if it never saved any."""
        cached = self._settings_cache.get(team_id)
        if cached is not None and time.monotonic() < cached[1]:
            self._settings_cache.move_to_end(team_id)
            return cached[0]
        rows = await self._fetch("SELECT * FROM workspace_settings WHERE team_id = ?", (team_id,))
        found = WorkspaceSettings.from_row(rows[0]) if rows else None
        settings = found or WorkspaceSettings(team_id=team_id)
        # No await since the read: a save can't have slipped in between (see forget_settings).
        self._settings_cache[team_id] = (settings, time.monotonic() + self.settings_cache_seconds)
        self._settings_cache.move_to_end(team_id)
        if len(self._settings_cache) > SETTINGS_CACHE_SIZE:
            self._settings_cache.popitem(last=False)
        return settings

    def forget_settings(self, team_id: str) -> None:
        """Drop the cached settings; called right after a write commits, before any await."""
        self._settings_cache.pop(team_id, None)

    async def save_workspace_settings(
        self, settings: WorkspaceSettings, changed_by: str, now: datetime
    ) -> None:
        """Save settings and audit each changed field, all in one transaction."""
        try:
            await self._save_settings(settings, changed_by, now)
        finally:
            self.forget_settings(settings.team_id)

    async def _save_settings(
        self, settings: WorkspaceSettings, changed_by: str, now: datetime
    ) -> None:
        async with self._transaction() as conn:
            rows = await conn.execute_fetchall(
                "SELECT * FROM workspace_settings WHERE team_id = ?", (settings.team_id,)
            )
            old = next(
                (WorkspaceSettings.from_row(row) for row in rows),
                WorkspaceSettings(team_id=settings.team_id),
            )
            changes = _settings_changes(old, settings)
            if not changes:
                return
            await conn.execute_fetchall(_SAVE_SETTINGS, _settings_row(settings, now))
            changed_at = format_time(now)
            await conn.executemany(
                _AUDIT_SETTING,
                [
                    (settings.team_id, name, before, after, changed_by, changed_at)
                    for name, before, after in changes
                ],
            )

    # -- people --------------------------------------------------------------------------

    async def upsert_person(
        self, team_id: str, user_id: str, *, tz: str | None, now: datetime
    ) -> Person:
        """Create or touch a person; a tz of None keeps the cached time zone."""
        tz_cached_at = None if tz is None else format_time(now)
        stamp = format_time(now)
        rows = await self._fetch(_UPSERT_PERSON, (team_id, user_id, tz, tz_cached_at, stamp, stamp))
        return Person.from_row(rows[0])

    async def get_person(self, team_id: str, user_id: str) -> Person | None:
        """The person, or None if the bot has never met them in this workspace."""
        rows = await self._fetch(
            "SELECT * FROM people WHERE team_id = ? AND user_id = ?", (team_id, user_id)
        )
        return Person.from_row(rows[0]) if rows else None

    async def set_opted_out(
        self, team_id: str, user_id: str, opted_out: bool, now: datetime
    ) -> None:
        """Stop (True) or restart (False) the "turn this into a request?" prompts."""
        stamp = format_time(now)
        await self._write(_SET_OPTED_OUT, (team_id, user_id, int(opted_out), stamp, stamp))

    # -- snooze and "Stop these" on nudges ---------------------------------------------

    async def set_snoozed_until(
        self, team_id: str, user_id: str, until: datetime | None, now: datetime
    ) -> None:
        """Hold this person's nudges until `until` (None lifts the snooze).

        The nudges the old snooze holds wait for its end (the dispatcher deferred them to it,
        and a snoozed nudge comes back at it); they move with it, to the new end or to now."""
        stamp = format_time(now)
        async with self._transaction() as conn:
            rows = await conn.execute_fetchall(
                "SELECT snoozed_until FROM people WHERE team_id = ? AND user_id = ?",
                (team_id, user_id),
            )
            await conn.execute_fetchall(
                "INSERT INTO people (team_id, user_id, snoozed_until, first_seen_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (team_id, user_id) DO UPDATE SET "
                "snoozed_until = excluded.snoozed_until, updated_at = excluded.updated_at",
                (team_id, user_id, None if until is None else format_time(until), stamp, stamp),
            )
            held = [row[0] for row in rows if row[0] is not None and str(row[0]) > stamp]
            if held:
                await conn.execute_fetchall(
                    "UPDATE outbox SET due_at = ? WHERE team_id = ? AND recipient = ? "
                    "AND status = 'pending' AND due_at = ?",
                    (format_time(until or now), team_id, user_id, held[0]),
                )

    async def mute_kind(self, team_id: str, user_id: str, kind: str, now: datetime) -> bool:
        """Never send this kind of nudge to this person again; False if already muted."""
        async with self._transaction() as conn:
            stamp = format_time(now)
            await conn.execute_fetchall(
                "INSERT INTO people (team_id, user_id, first_seen_at, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (team_id, user_id) DO NOTHING",
                (team_id, user_id, stamp, stamp),
            )
            rows = await conn.execute_fetchall(
                "INSERT INTO muted_nudges (team_id, user_id, kind, muted_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (team_id, user_id, kind) DO NOTHING RETURNING 1",
                (team_id, user_id, kind, stamp),
            )
            return bool(list(rows))

    async def unmute_kinds(self, team_id: str, user_id: str) -> int:
        """Allow every kind of nudge again; return how many kinds were muted."""
        return await self._write(
            "DELETE FROM muted_nudges WHERE team_id = ? AND user_id = ?", (team_id, user_id)
        )

    async def muted_kinds(self, team_id: str, user_id: str) -> frozenset[str]:
        """The nudge kinds this person stopped."""
        rows = await self._fetch(
            "SELECT kind FROM muted_nudges WHERE team_id = ? AND user_id = ?", (team_id, user_id)
        )
        return frozenset(str(row[0]) for row in rows)
