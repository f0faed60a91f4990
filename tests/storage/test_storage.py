"""The Store and the schema's rules, on real SQLite files in tmp_path."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import aiosqlite
import pytest

from storage.db import connect
from storage.migrate import migrate
from storage.models import WorkspaceSettings
from storage.rows import RowError
from storage.store import Store
from storage.timefmt import TIME_TEXT_LENGTH, format_time, parse_time

NOW = datetime(2026, 11, 23, 21, 5, tzinfo=UTC)
T1, T2 = "T0001", "T0002"


@pytest.fixture
async def conn(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """A bare migrated connection, for checking the schema's own rules."""
    connection = await connect(tmp_path / "schema.db")
    await migrate(connection)
    yield connection
    await connection.close()


async def add_person(conn: aiosqlite.Connection, team_id: str, user_id: str) -> None:
    stamp = format_time(NOW)
    await conn.execute_fetchall(
        "INSERT INTO people (team_id, user_id, first_seen_at, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (team_id, user_id, stamp, stamp),
    )


async def add_request(conn: aiosqlite.Connection, *, status: str = "open") -> int:
    await add_person(conn, T1, "UMENTEE")
    await add_person(conn, T1, "UMENTOR")
    stamp = format_time(NOW)
    rows = list(
        await conn.execute_fetchall(
            "INSERT INTO requests (team_id, mentee_id, mentor_id, topic, details, source, status,"
            " created_at, updated_at) VALUES (?, ?, ?, 'skills', 'help', 'command', ?, ?, ?)"
            " RETURNING id",
            (T1, "UMENTEE", "UMENTOR", status, stamp, stamp),
        )
    )
    return int(rows[0][0])


# -- time format -------------------------------------------------------------------------


def test_times_are_fixed_width_utc_text_that_round_trips() -> None:
    paris = datetime(2026, 11, 23, 22, 5, tzinfo=timezone(timedelta(hours=1)))
    assert format_time(paris) == "2026-11-23T21:05:00.000000Z"
    assert parse_time(format_time(paris)) == paris
    assert parse_time(format_time(paris)).tzinfo is UTC
    assert format_time(datetime(999, 1, 1, tzinfo=UTC)) == "0999-01-01T00:00:00.000000Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2026, 1, 1))


@pytest.mark.parametrize(
    "moment",
    [datetime(1, 1, 1), datetime(2026, 12, 7, 6, 1, 2), datetime(9999, 12, 31, 23, 59, 59, 999999)],
)
def test_utc_times_take_a_short_way_to_the_same_text(moment: datetime) -> None:
    # `UTC` itself takes the short way; an equal zone object that is not it, the long one.
    assert format_time(moment.replace(tzinfo=UTC)) == format_time(
        moment.replace(tzinfo=timezone(timedelta(0), "also UTC"))
    )
    assert len(format_time(moment.replace(tzinfo=UTC))) == TIME_TEXT_LENGTH


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-23 21:05:00.000000Z",  # a space for the T
        "2026-11-23T21:05:00,000000Z",  # a comma for the dot
        "2026-11-23T21:05:00.000000+",  # no Z
        "20261123T210500.00000000000Z",  # ISO's basic format, padded to the same length
        "2026-13-23T21:05:00.000000Z",  # no 13th month
        "2026-11-23T21:05:00.000000",  # too short
    ],
)
def test_only_text_format_time_writes_parses(text: str) -> None:
    with pytest.raises(ValueError, match="not a stored UTC time"):
        parse_time(text)


# -- event de-duplication ----------------------------------------------------------------


async def test_an_event_runs_once_per_team(store: Store) -> None:
    assert await store.mark_event_processed(T1, "Ev1", NOW) is True
    assert await store.mark_event_processed(T1, "Ev1", NOW + timedelta(seconds=5)) is False
    assert await store.mark_event_processed(T2, "Ev1", NOW) is True
    assert await store.mark_event_processed(T1, "Ev2", NOW) is True


async def test_purge_forgets_only_events_older_than_the_ttl(store: Store) -> None:
    await store.mark_event_processed(T1, "old", NOW - timedelta(days=2))
    await store.mark_event_processed(T1, "edge", NOW - timedelta(days=1))
    await store.mark_event_processed(T1, "new", NOW)
    assert await store.purge_processed_events(NOW - timedelta(days=1)) == 1
    assert await store.purge_processed_events(NOW - timedelta(days=1)) == 0
    assert await store.mark_event_processed(T1, "old", NOW) is True  # forgotten
    assert await store.mark_event_processed(T1, "edge", NOW) is False
    assert await store.mark_event_processed(T1, "new", NOW) is False


# -- workspace settings ------------------------------------------------------------------


async def test_a_workspace_without_settings_gets_the_defaults(store: Store) -> None:
    settings = await store.get_workspace_settings(T1)
    assert settings == WorkspaceSettings(team_id=T1)
    assert settings.detection_enabled is True
    assert settings.nudge_after_hours == 24
    assert settings.escalate_after_hours == 48
    assert settings.reminder_minutes == 15
    assert settings.prompt_cooldown_minutes == 10
    assert settings.max_open_requests == 10
    assert settings.work_days == (1, 2, 3, 4, 5)
    assert (settings.work_start_minute, settings.work_end_minute) == (9 * 60, 18 * 60)
    assert settings.pool_channel_id is None
    assert settings.coordinators == ()


async def test_saved_settings_come_back_with_one_audit_row_per_change(
    store: Store, tmp_path: Path
) -> None:
    changed = WorkspaceSettings(
        team_id=T1,
        pool_channel_id="CPOOL",
        detection_off_channels=("CRANDOM", "CHR"),
        nudge_after_hours=12,
        work_days=(1, 2, 3, 4),
        coordinators=("UCOORD",),
    )
    await store.save_workspace_settings(changed, changed_by="UADMIN", now=NOW)

    saved = await store.get_workspace_settings(T1)
    assert replace(saved, updated_at=None) == replace(changed, updated_at=None)
    assert saved.updated_at == NOW
    assert await store.get_workspace_settings(T2) == WorkspaceSettings(team_id=T2)

    # Saving the same values again changes nothing and audits nothing.
    await store.save_workspace_settings(saved, changed_by="UADMIN", now=NOW + timedelta(hours=1))
    later = replace(saved, detection_enabled=False)
    await store.save_workspace_settings(later, changed_by="UOTHER", now=NOW + timedelta(hours=2))

    async with aiosqlite.connect(tmp_path / "bot.db") as raw:
        rows = await raw.execute_fetchall(
            "SELECT team_id, field, old_value, new_value, changed_by, changed_at"
            " FROM settings_audit ORDER BY id"
        )
    audit = [tuple(row) for row in rows]
    first = format_time(NOW)
    assert audit == [
        (T1, "pool_channel_id", "null", '"CPOOL"', "UADMIN", first),
        (T1, "detection_off_channels", "[]", '["CRANDOM", "CHR"]', "UADMIN", first),
        (T1, "nudge_after_hours", "24", "12", "UADMIN", first),
        (T1, "work_days", "[1, 2, 3, 4, 5]", "[1, 2, 3, 4]", "UADMIN", first),
        (T1, "coordinators", "[]", '["UCOORD"]', "UADMIN", first),
        (T1, "detection_enabled", "true", "false", "UOTHER", format_time(NOW + timedelta(hours=2))),
    ]


async def test_a_failed_save_writes_neither_settings_nor_audit(
    store: Store, tmp_path: Path
) -> None:
    # Set past the model's checks, so the database's own CHECK is what refuses it.
    bad = WorkspaceSettings(team_id=T1, nudge_after_hours=12)
    object.__setattr__(bad, "reminder_minutes", -5)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        await store.save_workspace_settings(bad, changed_by="UADMIN", now=NOW)
    assert await store.get_workspace_settings(T1) == WorkspaceSettings(team_id=T1)

    # The store is still usable: no transaction was left open.
    good = WorkspaceSettings(team_id=T1, nudge_after_hours=12)
    await store.save_workspace_settings(good, changed_by="UADMIN", now=NOW)
    async with aiosqlite.connect(tmp_path / "bot.db") as raw:
        rows = await raw.execute_fetchall("SELECT field FROM settings_audit")
    assert [row[0] for row in rows] == ["nudge_after_hours"]


async def test_settings_read_before_a_write_are_never_served_after_it(store: Store) -> None:
    # Settings are cached per workspace (every ask reads them): each write must drop them.
    assert (await store.get_workspace_settings(T1)).coordinators == ()
    coordinated = WorkspaceSettings(team_id=T1, coordinators=("UCOORD", "UOTHER"))
    await store.save_workspace_settings(coordinated, changed_by="UADMIN", now=NOW)
    assert (await store.get_workspace_settings(T1)).coordinators == ("UCOORD", "UOTHER")

    await store.forget_person(T1, "UCOORD", NOW)
    assert (await store.get_workspace_settings(T1)).coordinators == ("UOTHER",)

    # Reads racing a save see the old or the new settings; every read after it, the new.
    store.forget_settings(T1)  # so the first racing read goes to the database
    quieter = WorkspaceSettings(team_id=T1, coordinators=("UOTHER",), detection_enabled=False)
    raced = await asyncio.gather(
        store.get_workspace_settings(T1),
        store.save_workspace_settings(quieter, changed_by="UADMIN", now=NOW),
        store.get_workspace_settings(T1),
    )
    assert raced[0].detection_enabled is True
    assert (await store.get_workspace_settings(T1)).detection_enabled is False


async def test_concurrent_callers_share_one_connection_safely(store: Store) -> None:
    saves = [
        store.save_workspace_settings(
            WorkspaceSettings(team_id=f"T{n}", reminder_minutes=n), changed_by="U", now=NOW
        )
        for n in range(20)
    ]
    marks = [store.mark_event_processed(T1, f"Ev{n % 10}", NOW) for n in range(20)]
    results = await asyncio.gather(*saves, *marks)
    assert sum(1 for result in results if result is True) == 10
    assert (await store.get_workspace_settings("T7")).reminder_minutes == 7


async def test_inconsistent_settings_are_refused() -> None:
    with pytest.raises(RowError, match="start before they end"):
        WorkspaceSettings(team_id=T1, work_start_minute=600, work_end_minute=540)
    with pytest.raises(RowError, match="escalation must come after"):
        WorkspaceSettings(team_id=T1, nudge_after_hours=48, escalate_after_hours=24)


# -- people ------------------------------------------------------------------------------


async def test_upsert_person_creates_then_keeps_first_seen_and_known_tz(store: Store) -> None:
    assert await store.get_person(T1, "U1") is None

    created = await store.upsert_person(T1, "U1", tz="Europe/Paris", now=NOW)
    assert (created.team_id, created.user_id, created.tz) == (T1, "U1", "Europe/Paris")
    assert created.first_seen_at == created.tz_cached_at == created.updated_at == NOW
    assert created.opted_out is False
    assert created.is_admin is False

    later = NOW + timedelta(days=3)
    touched = await store.upsert_person(T1, "U1", tz=None, now=later)
    assert touched.tz == "Europe/Paris"  # None means "not known this time"
    assert touched.tz_cached_at == NOW
    assert touched.first_seen_at == NOW
    assert touched.updated_at == later

    moved = await store.upsert_person(T1, "U1", tz="Asia/Tokyo", now=later)
    assert (moved.tz, moved.tz_cached_at) == ("Asia/Tokyo", later)
    assert await store.get_person(T1, "U1") == moved


async def test_opting_out_and_back_in(store: Store) -> None:
    await store.set_opted_out(T1, "UNEW", True, NOW)  # someone the bot has not met yet
    person = await store.get_person(T1, "UNEW")
    assert person is not None
    assert person.opted_out is True
    assert person.first_seen_at == NOW

    await store.set_opted_out(T1, "UNEW", False, NOW + timedelta(minutes=1))
    again = await store.get_person(T1, "UNEW")
    assert again is not None
    assert again.opted_out is False
    assert again.first_seen_at == NOW


async def test_the_same_user_id_in_two_teams_is_two_people(store: Store) -> None:
    await store.upsert_person(T1, "USAME", tz="Europe/Paris", now=NOW)
    await store.upsert_person(T2, "USAME", tz="America/Chicago", now=NOW)
    await store.set_opted_out(T1, "USAME", True, NOW)

    first, second = await store.get_person(T1, "USAME"), await store.get_person(T2, "USAME")
    assert first is not None
    assert second is not None
    assert (first.tz, first.opted_out) == ("Europe/Paris", True)
    assert (second.tz, second.opted_out) == ("America/Chicago", False)


# -- the schema's own rules --------------------------------------------------------------


async def test_a_session_for_a_missing_request_is_refused(conn: aiosqlite.Connection) -> None:
    await add_person(conn, T1, "UMENTOR")
    await add_person(conn, T1, "UMENTEE")
    stamp = format_time(NOW)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await conn.execute_fetchall(
            "INSERT INTO sessions (team_id, request_id, mentor_id, mentee_id, starts_at,"
            " duration_minutes, created_at, updated_at) VALUES (?, 999, ?, ?, ?, 30, ?, ?)",
            (T1, "UMENTOR", "UMENTEE", stamp, stamp, stamp),
        )


async def test_a_request_for_someone_unknown_in_that_team_is_refused(
    conn: aiosqlite.Connection,
) -> None:
    await add_person(conn, T2, "UMENTEE")  # known, but in another workspace
    stamp = format_time(NOW)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await conn.execute_fetchall(
            "INSERT INTO requests (team_id, mentee_id, topic, details, source, created_at,"
            " updated_at) VALUES (?, ?, 'skills', 'help', 'command', ?, ?)",
            (T1, "UMENTEE", stamp, stamp),
        )


async def test_a_bad_status_is_refused(conn: aiosqlite.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        await add_request(conn, status="pending")
    request_id = await add_request(conn, status="open")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        await conn.execute_fetchall(
            "UPDATE requests SET status = 'lost' WHERE id = ?", (request_id,)
        )


async def test_outbox_dedupe_key_is_unique_per_team(conn: aiosqlite.Connection) -> None:
    insert = (
        "INSERT INTO outbox (team_id, kind, recipient, due_at, dedupe_key, created_at)"
        " VALUES (?, 'session_reminder', 'U1', ?, 'reminder:1', ?)"
    )
    stamp = format_time(NOW)
    await conn.execute_fetchall(insert, (T1, stamp, stamp))
    await conn.execute_fetchall(insert, (T2, stamp, stamp))
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        await conn.execute_fetchall(insert, (T1, stamp, stamp))


async def test_forgetting_a_person_anonymizes_what_others_hold(conn: aiosqlite.Connection) -> None:
    request_id = await add_request(conn, status="accepted")
    await conn.execute_fetchall(
        "UPDATE people SET user_id = 'forgotten-1', forgotten_at = ?"
        " WHERE team_id = ? AND user_id = 'UMENTEE'",
        (format_time(NOW), T1),
    )
    rows = list(
        await conn.execute_fetchall("SELECT mentee_id FROM requests WHERE id = ?", (request_id,))
    )
    assert rows[0][0] == "forgotten-1"


async def test_settings_lists_must_be_json_arrays(conn: aiosqlite.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        await conn.execute_fetchall(
            "INSERT INTO workspace_settings (team_id, coordinators, updated_at) VALUES (?, ?, ?)",
            (T1, json.dumps({"not": "a list"}), format_time(NOW)),
        )
