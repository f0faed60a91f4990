"""The `mentorbot` command as an operator runs it: a real subprocess, real files."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.installations import Installed
from storage.migrate import LATEST_VERSION
from storage.schema import LATEST_SCHEMA
from storage.store import Store
from tests.flows import free_port, run_cli

ROOT = Path(__file__).resolve().parents[2]
SLACK_VARS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "--help")
    assert result.returncode == 0
    for command in ("run", "migrate", "check"):
        assert command in result.stdout


def test_missing_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "mentorbot: invalid configuration: SLACK_BOT_TOKEN is required (or SLACK_CLIENT_ID "
        "and SLACK_CLIENT_SECRET to install by OAuth)"
    ]
    assert "Traceback" not in result.stderr


def test_invalid_port_names_the_variable(tmp_path: Path) -> None:
    result = run_cli(
        tmp_path, "run", SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", MENTORBOT_PORT="x"
    )
    assert result.returncode == 2
    assert "MENTORBOT_PORT" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [("MENTORBOT_PORT", "abc"), ("MENTORBOT_PORT", "99999"), ("MENTORBOT_LOG_LEVEL", "verbose")],
)
def test_the_playground_names_a_bad_variable_too(tmp_path: Path, name: str, value: str) -> None:
    for args in (("playground",), ("run", "--or-playground")):
        result = run_cli(tmp_path, *args, **{name: value})
        assert result.returncode == 2
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(f"mentorbot: invalid configuration: {name}")
        assert "Traceback" not in result.stderr


def test_a_port_in_use_is_named_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(tmp_path, "playground", MENTORBOT_PORT=str(port))
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(
        f"mentorbot: cannot listen on MENTORBOT_HOST:MENTORBOT_PORT (127.0.0.1:{port}): "
    )
    assert "Traceback" not in result.stderr


def test_env_file_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=not-a-bot-token\nSLACK_SIGNING_SECRET=s\n")
    result = run_cli(tmp_path, "run")
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN: must be a bot token" in result.stderr


def test_migrate_needs_only_the_database(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "bot.db"
    result = run_cli(tmp_path, "migrate", MENTORBOT_DB=str(db))
    assert result.returncode == 0, result.stderr
    assert f"schema version {LATEST_SCHEMA}" in result.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION


def test_unwritable_database_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli(
        tmp_path,
        "run",
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="s",
        MENTORBOT_DB=str(blocker / "bot.db"),
    )
    assert result.returncode == 1
    assert "cannot open database" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["run", "check", "migrate"])
def test_a_postgresql_that_is_down_is_one_line_without_the_password(
    tmp_path: Path, command: str
) -> None:
    url = f"postgresql://bot:hunter2-secret@127.0.0.1:{free_port()}/mentorbot"
    slack = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    result = run_cli(tmp_path, command, MENTORBOT_DB=url, MENTORBOT_PORT="0", **slack)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()  # libpq's "Is the server running ..." hint included
    assert line.startswith("mentorbot: cannot open database postgresql+psycopg://bot:***@")
    assert "Is the server running" in line
    assert "hunter2-secret" not in result.stderr


def _numbered_99(tmp_path: Path, db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")


def _revision_r9999(tmp_path: Path, db: Path) -> None:
    assert run_cli(tmp_path, "migrate", MENTORBOT_DB=str(db)).returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'r9999'")


@pytest.mark.parametrize(
    ("written_by_a_newer_bot", "reason"),
    [
        (_numbered_99, "schema version 99"),
        (_revision_r9999, "at schema revision r9999, which this mentorbot doesn't know"),
    ],
)
def test_a_newer_database_is_refused(
    tmp_path: Path, written_by_a_newer_bot: Callable[[Path, Path], None], reason: str
) -> None:
    db = tmp_path / "future.db"
    written_by_a_newer_bot(tmp_path, db)
    result = run_cli(
        tmp_path, "run", SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", MENTORBOT_DB=str(db)
    )
    assert result.returncode == 1
    assert reason in result.stderr
    # The child migration found it; the server says it once, as its own reason to stop.
    assert result.stderr.count("mentorbot: ") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("argv", [["bogus"], []])
def test_bad_usage_exits_2(tmp_path: Path, argv: list[str]) -> None:
    assert run_cli(tmp_path, *argv).returncode == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _serve_playground(tmp_path: Path, *argv: str) -> list[str]:
    """Start the command, read its first lines until the page's address, fetch the page's
    state, stop it with SIGINT; returns the lines it printed first."""
    port = _free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTORBOT_"))}
    url = f"http://127.0.0.1:{port}/"
    with subprocess.Popen(  # noqa: S603 - our own program, fixed arguments
        [sys.executable, "-m", "bot", *argv],
        cwd=tmp_path,
        env={**base, "MENTORBOT_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline().strip()]
            while url not in lines[-1] and lines[-1] and len(lines) < 3:
                lines.append(process.stdout.readline().strip())
            assert lines[-1] == f"mentorbot playground: a simulated Slack workspace at {url}"
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/state?user=U1") as reply:
                state = json.load(reply)
            names = [c["name"] for c in state["conversations"]]
            assert names[:3] == ["general", "mentors", "random"]
            process.send_signal(signal.SIGINT)
            _, errors = process.communicate(timeout=30)
            assert process.returncode == 0, errors
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    return lines


def test_playground_needs_no_token_and_stops_on_sigint(tmp_path: Path) -> None:
    lines = _serve_playground(tmp_path, "playground", "--folder", str(tmp_path / "play"))
    assert len(lines) == 1
    assert (tmp_path / "play" / "mentorbot.db").exists()


def test_make_run_with_no_credentials_starts_the_playground_and_says_so_first(
    tmp_path: Path,
) -> None:
    lines = _serve_playground(tmp_path, "run", "--or-playground")
    assert lines[0].startswith("mentorbot: no Slack credentials, so this is the playground")
    assert '"Setting up the Slack app"' in lines[0]
    assert "## Setting up the Slack app" in (ROOT / "README.md").read_text(encoding="utf-8")
    # A temporary folder: nothing written where it was started.
    assert list(tmp_path.iterdir()) == []


def test_make_run_passes_the_playground_fallback() -> None:
    # Run from inside `make check` too: drop the outer make's flags and level.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    dry = subprocess.run(
        ["make", "-n", "run", "BIN=bin", "VENV=venv"],  # noqa: S607 - make from PATH
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "bin/mentorbot run --or-playground" in dry.stdout.splitlines()


@pytest.mark.parametrize("present", ["SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"])
def test_half_a_configuration_is_not_the_playground(tmp_path: Path, present: str) -> None:
    (tmp_path / ".env").write_text(f"{present}=xapp-or-secret\n", encoding="utf-8")
    result = run_cli(tmp_path, "run", "--or-playground")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "mentorbot: invalid configuration: SLACK_BOT_TOKEN is required (or SLACK_CLIENT_ID "
        "and SLACK_CLIENT_SECRET to install by OAuth)"
    ]
    assert "playground" not in result.stdout


def test_check_lists_the_installations_without_their_tokens(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    oauth = {
        "SLACK_CLIENT_ID": "1.2",
        "SLACK_CLIENT_SECRET": "secret-value",
        "SLACK_SIGNING_SECRET": "s",
        "MENTORBOT_DB": str(db),
    }
    empty = run_cli(tmp_path, "check", **oauth)
    assert empty.returncode == 0, empty.stderr
    assert "no installations yet (the database is not created yet)" in empty.stdout
    assert run_cli(tmp_path, "migrate", MENTORBOT_DB=str(db)).returncode == 0

    async def install() -> None:
        async with await Store.open(db) as store:
            await store.save_installation(
                Installed(
                    "T1",
                    None,
                    "T1",
                    False,
                    "A1",
                    "xoxb-secret-1",
                    "B1",
                    "UB1",
                    "",
                    "U1",
                    datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
                )
            )
            await store.remove_installation("T2", datetime(2026, 3, 11, tzinfo=UTC), team_id="T2")

    asyncio.run(install())
    result = run_cli(tmp_path, "check", **oauth)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok: installs by OAuth; database sqlite")
    assert lines[1:] == [
        "2 installations:",
        "  team T1: bot UB1, installed 2026-03-10 09:00 UTC by U1",
        "  team T2: bot -, removed 2026-03-11 00:00 UTC",
    ]
    assert "xoxb" not in result.stdout + result.stderr
    assert "secret-value" not in result.stdout + result.stderr
