"""Retention (MENTORBOT_RETENTION_DAYS) and `mentorbot backup PATH` with a restore."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.backup import backup_database
from bot.clock import FrozenClock
from bot.lifecycle import running
from bot.retention import apply_retention
from bot.scheduler import build_scheduler
from playground.fakeslack import ALICE, BOB, TEAM_ID, FakeSlack
from storage.schema import LATEST_SCHEMA
from storage.store import Store
from storage.timefmt import format_time
from tests.conftest import bot_settings
from tests.flows import run_cli

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def seed_ages(db: Path) -> None:
    """Notes, action items and outbox rows 10 and 40 days old."""
    old, recent = format_time(NOW - timedelta(days=40)), format_time(NOW - timedelta(days=10))
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO people (team_id, user_id, first_seen_at, updated_at) VALUES (?, ?, ?, ?)",
            [(TEAM_ID, user, old, old) for user in (ALICE, BOB)],
        )
        for note_id, at in ((1, old), (2, recent)):
            conn.execute(
                "INSERT INTO notes (id, team_id, author_id, subject_id, body, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, 'private', ?, ?)",
                (note_id, TEAM_ID, BOB, ALICE, at, at),
            )
        # Done long ago, done lately, not done (however old): only the first goes.
        for done in (old, recent, None):
            conn.execute(
                "INSERT INTO action_items (team_id, note_id, mentor_id, mentee_id, owner_id, "
                "text, done_at, created_at, updated_at) VALUES (?, 1, ?, ?, ?, 'x', ?, ?, ?)",
                (TEAM_ID, BOB, ALICE, ALICE, done, old, old),
            )
        rows = [("sent", old), ("sent", recent), ("pending", old), ("cancelled", old)]
        for number, (status, at) in enumerate(rows):
            conn.execute(
                "INSERT INTO outbox (team_id, kind, recipient, due_at, dedupe_key, status, "
                "created_at, sent_at) VALUES (?, 'k', ?, ?, ?, ?, ?, ?)",
                (TEAM_ID, ALICE, at, f"key{number}", status, at, at if status == "sent" else None),
            )


async def test_retention_deletes_only_what_is_older(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "r.db") as store:
        await store.migrate()
        seed_ages(tmp_path / "r.db")
        report = await apply_retention(store, FrozenClock(NOW), 30)
        assert report.as_dict() == {"notes": 1, "action_items": 1, "outbox": 2}
        again = await apply_retention(store, FrozenClock(NOW), 30)
        assert again.as_dict() == {"notes": 0, "action_items": 0, "outbox": 0}
    with sqlite3.connect(tmp_path / "r.db") as conn:
        assert [r[0] for r in conn.execute("SELECT id FROM notes")] == [2]
        # The shared plan outlives the note it was written with.
        assert conn.execute("SELECT count(*) FROM action_items").fetchone()[0] == 2
        statuses = sorted(r[0] for r in conn.execute("SELECT status FROM outbox"))
        assert statuses == ["pending", "sent"]


async def test_the_daily_job_is_scheduled_only_when_retention_is_set(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "s.db") as store:
        clock = FrozenClock(NOW)
        assert build_scheduler(store, clock).get_job("retention") is None
        job = build_scheduler(store, clock, retention_days=30).get_job("retention")
        assert job is not None
        assert job.trigger.interval == timedelta(days=1)
        assert job.args[2] == 30
        # Removed workspaces are deleted daily whatever MENTORBOT_RETENTION_DAYS says.
        removed = build_scheduler(store, clock, uninstall_retention_days=7).get_job(
            "removed_workspaces"
        )
        assert removed is not None
        assert removed.trigger.interval == timedelta(days=1)
        assert removed.args[2] == 7


async def test_retention_days_comes_from_the_environment(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    settings = bot_settings(fake_slack, tmp_path, MENTORBOT_RETENTION_DAYS="90")
    assert settings.retention_days == 90
    assert bot_settings(fake_slack, tmp_path, MENTORBOT_RETENTION_DAYS="").retention_days is None
    async with running(settings) as runtime:
        assert runtime.settings.retention_days == 90


def restore(backup: Path, target: Path) -> Path:
    """docs/admin.md's restore: with the bot stopped, copy the backup over the database file
    and remove any -wal/-shm files left beside it."""
    assert not Path(f"{backup}-wal").exists()  # the backup is one self-contained file
    shutil.copy(backup, target)
    for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    return target


async def test_backup_while_the_bot_runs_then_restore(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    settings = bot_settings(fake_slack, tmp_path)
    backup = tmp_path / "backups" / "mentorbot.db"
    async with running(settings) as runtime:
        await runtime.store.upsert_person(TEAM_ID, ALICE, tz="Europe/Berlin", now=NOW)
        # The CLI runs in another process, against the live database (WAL, bot writing).
        result = run_cli(tmp_path, "backup", str(backup), MENTORBOT_DB=str(settings.db_path))
        assert result.returncode == 0, result.stderr
        assert f"schema version {LATEST_SCHEMA}" in result.stdout
        await runtime.store.upsert_person(TEAM_ID, BOB, tz=None, now=NOW)  # after the backup

    restored = restore(backup, tmp_path / "restored.db")
    async with await Store.open(restored) as store:
        assert await store.migrate() == LATEST_SCHEMA
        person = await store.get_person(TEAM_ID, ALICE)
        assert person is not None
        assert person.tz == "Europe/Berlin"
        assert await store.get_person(TEAM_ID, BOB) is None


@pytest.mark.parametrize("target", ["same", "missing"])
def test_backup_refuses_clearly(tmp_path: Path, target: str) -> None:
    db = tmp_path / "live.db"
    if target == "same":
        sqlite3.connect(db).close()
        result = run_cli(tmp_path, "backup", str(db), MENTORBOT_DB=str(db))
        assert "must not overwrite" in result.stderr
    else:
        result = run_cli(tmp_path, "backup", str(tmp_path / "b.db"), MENTORBOT_DB=str(db))
        assert "no database at" in result.stderr
        assert not db.exists()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_a_backup_of_a_newer_schema_names_its_revision(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    assert run_cli(tmp_path, "migrate", MENTORBOT_DB=str(db)).returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'r0099'")
    # Still a good copy; what it holds is named as it is, not as a version number.
    result = backup_database(db, tmp_path / "b.db")
    assert "(schema revision r0099, from a newer mentorbot," in result
