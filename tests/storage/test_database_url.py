"""MENTORBOT_DB: a path or a URL; the password never shows; `mentorbot check` names the engine."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, StorageSettings
from playground.fakeslack import FakeSlack
from storage import StorageError
from storage.store import Store
from storage.url import DatabaseUrlError, parse_database

PASSWORD = "s3cret-pw"  # a test value, not a credential


def test_a_plain_path_is_a_sqlite_file() -> None:
    target = parse_database("./data/mentorbot.db")
    assert target.engine == "sqlite"
    assert target.path == Path("data/mentorbot.db")
    assert target.url.drivername == "sqlite+aiosqlite"


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ("sqlite:///data/bot.db", Path("data/bot.db")),
        ("sqlite:////var/lib/mentorbot/bot.db", Path("/var/lib/mentorbot/bot.db")),
        ("sqlite+aiosqlite:///bot.db", Path("bot.db")),
    ],
)
def test_a_sqlite_url_names_the_file(value: str, path: Path) -> None:
    target = parse_database(value)
    assert (target.engine, target.path) == ("sqlite", path)


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_a_postgresql_url_goes_through_psycopg(scheme: str) -> None:
    target = parse_database(f"{scheme}://bot:{PASSWORD}@db.internal:5432/mentorbot")
    assert target.engine == "postgresql"
    assert target.path is None
    assert target.url.drivername == "postgresql+psycopg"
    assert (target.url.host, target.url.port, target.url.database) == (
        "db.internal",
        5432,
        "mentorbot",
    )
    assert target.url.password == PASSWORD


def test_the_password_can_come_from_its_own_variable() -> None:
    environ = {"MENTORBOT_DB_PASSWORD": PASSWORD}
    assert parse_database("postgresql://bot@db/mentorbot", environ).url.password == PASSWORD
    # A password in the URL wins; no password at all leaves it to libpq (PGPASSWORD, .pgpass).
    assert parse_database("postgresql://bot:other@db/m", environ).url.password == "other"
    assert parse_database("postgresql://bot@db/mentorbot").url.password is None


def test_a_url_is_shown_without_its_password() -> None:
    target = parse_database(f"postgresql://bot:{PASSWORD}@db/mentorbot")
    assert PASSWORD not in str(target)
    assert str(target) == "postgresql+psycopg://bot:***@db/mentorbot"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("mysql://bot:pw@db/mentorbot", "uses 'mysql'"),
        ("sqlite://", "names no SQLite file"),
        ("sqlite:///:memory:", "names no SQLite file"),
        ("  ", "is empty"),
    ],
)
def test_an_unusable_value_says_why(value: str, reason: str) -> None:
    with pytest.raises(DatabaseUrlError, match=reason):
        parse_database(value)


def test_settings_take_a_url_and_name_the_variable_when_it_is_wrong() -> None:
    settings = StorageSettings(
        _env_file=None,  # type: ignore[call-arg]
        MENTORBOT_DB="postgresql://bot@db/mentorbot",
        MENTORBOT_DB_PASSWORD=PASSWORD,
        MENTORBOT_DB_POOL_SIZE="12",
    )
    assert settings.database.engine == "postgresql"
    assert settings.database.url.password == PASSWORD
    assert settings.db_pool_size == 12
    assert PASSWORD not in repr(settings)
    with pytest.raises(StorageError, match="needs a SQLite"):
        _ = settings.db_path

    with pytest.raises(SettingsError) as caught:
        StorageSettings(_env_file=None, MENTORBOT_DB=f"oracle://bot:{PASSWORD}@db/x")  # type: ignore[call-arg]
    line = str(caught.value)
    assert line.startswith("MENTORBOT_DB: uses 'oracle'")
    assert PASSWORD not in line


def test_the_default_stays_a_sqlite_file_and_the_pool_size_is_bounded() -> None:
    settings = StorageSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database.engine == "sqlite"
    assert settings.db_path == Path("data/mentorbot.db")
    assert settings.db_pool_size == 5
    with pytest.raises(SettingsError):
        StorageSettings(_env_file=None, MENTORBOT_DB_POOL_SIZE="0")  # type: ignore[call-arg]


async def test_a_sqlite_url_opens_the_same_file_as_its_path(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    async with await Store.open(f"sqlite:///{db}") as store:
        await store.migrate()
        assert store.engine == "sqlite"
        assert await store.describe() == f"sqlite {sqlite3.sqlite_version} at {db}"
    async with await Store.open(db) as store:
        assert (await store.ping())["schema_version"] > 0


def _run_cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTORBOT_"))}
    return subprocess.run(  # noqa: S603 - our own program, fixed arguments
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_check_reports_the_engine_and_its_version(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    db = tmp_path / "bot.db"
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": fake_slack.url,
        "MENTORBOT_DB": str(db),
    }
    before = await asyncio.to_thread(_run_cli, tmp_path, "check", **env)
    assert before.returncode == 0, before.stderr
    assert f"database sqlite {sqlite3.sqlite_version} at {db} (not created yet)" in before.stdout
    assert not db.exists()

    migrated = await asyncio.to_thread(
        _run_cli, tmp_path, "migrate", MENTORBOT_DB=f"sqlite:///{db}"
    )
    assert migrated.returncode == 0, migrated.stderr
    after = await asyncio.to_thread(_run_cli, tmp_path, "check", **env)
    assert after.returncode == 0, after.stderr
    assert f"database sqlite {sqlite3.sqlite_version} at {db}" in after.stdout
    assert ", current)" in after.stdout

    # A schema a newer mentorbot wrote: `run` refuses it, and so does check.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'r0099'")
    newer = await asyncio.to_thread(_run_cli, tmp_path, "check", **env)
    assert newer.returncode == 1
    [line] = newer.stderr.strip().splitlines()
    assert "schema revision r0099, which this mentorbot doesn't know" in line


def test_backup_on_postgresql_points_at_pg_dump(tmp_path: Path) -> None:
    result = _run_cli(
        tmp_path, "backup", str(tmp_path / "b.db"), MENTORBOT_DB=f"postgresql://bot:{PASSWORD}@db/m"
    )
    assert result.returncode == 1
    assert "pg_dump" in result.stderr
    assert PASSWORD not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        # libpq takes secrets in the query too, and psycopg passes them on as given.
        (
            "postgresql://bot@db/mentorbot?password=QSECRET&sslmode=require",
            "postgresql+psycopg://bot@db/mentorbot?password=***&sslmode=require",
        ),
        (
            "postgresql://bot:pw@db/mentorbot?sslpassword=S2&sslkey=/k",
            "postgresql+psycopg://bot:***@db/mentorbot?sslkey=***&sslpassword=***",
        ),
        # An unencoded "@" in the password: its tail is not shown as part of the host.
        (
            "postgresql://bot:PA@SSWORDTAIL@db/mentorbot",
            "postgresql+psycopg://bot:***@db/mentorbot",
        ),
    ],
)
def test_no_secret_of_a_url_is_shown(given: str, shown: str) -> None:
    assert str(parse_database(given, {})) == shown
