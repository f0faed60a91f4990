"""`mentorbot run` as a real process in HTTP mode, against the fake Slack Web API."""

from __future__ import annotations

import asyncio
import shutil
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from playground.fakeslack.find import block_texts
from playground.fakeslack.sender import SlackSender
from playground.fakeslack.server import FakeSlack
from playground.fakeslack.socket import APP_TOKEN
from tests.flows import RELEASE_DB, SECRET, BotProcess, start_bot

SECRET_WORDS = "tangerine-aardvark-quartz"  # must never appear in the logs


@pytest.fixture
async def bot_process(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[BotProcess]:
    async with start_bot(fake_slack, tmp_path, SLACK_SIGNING_SECRET=SECRET) as bot:
        yield bot


async def test_the_process_serves_slack_and_stops_cleanly(
    bot_process: BotProcess, fake_slack: FakeSlack
) -> None:
    slack = SlackSender(bot_process.url, SECRET)

    async with aiohttp.ClientSession() as session, session.get(f"{bot_process.url}/healthz") as r:
        health = await r.json()
    assert health["status"] == "ok"
    assert health["mode"] == "http"

    reply = await slack.command("help")
    assert reply.status == 200
    assert reply.body["response_type"] == "ephemeral"
    assert "/mentor help" in block_texts(reply.body["blocks"])

    assert (await slack.command("help", signed=False)).status == 401
    assert (await slack.command("help", timestamp_offset=-360)).status == 401

    mention = {
        "type": "app_mention",
        "user": "U1",
        "channel": "C1",
        "text": f"<@U0BOT> {SECRET_WORDS}",
        "ts": "1700000000.000200",
    }
    assert (await slack.event(mention, event_id="EvProc1")).status == 200
    replay = await slack.event(mention, event_id="EvProc1", retry_num=1, retry_reason="timeout")
    assert replay.status == 200
    assert len(fake_slack.calls_to("chat.postEphemeral")) == 1

    bot_process.process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(bot_process.process.wait(), timeout=15) == 0
    logs = bot_process.logs()
    assert "mentorbot stopping" in logs
    assert "handled kind=command name=/mentor" in logs
    assert SECRET_WORDS not in logs
    assert "xoxb-test-token" not in logs
    assert SECRET not in logs
    assert "Traceback" not in logs


async def test_with_an_app_token_the_process_runs_socket_mode(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    async with start_bot(fake_slack, tmp_path, SLACK_APP_TOKEN=APP_TOKEN) as bot:
        async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/healthz") as r:
            assert (await r.json())["mode"] == "socket"
        payload = {"command": "/mentor", "text": "help", "user_id": "U1", "team_id": "T0001"}
        ack = await fake_slack.socket.send("slash_commands", payload)
        assert "/mentor help" in block_texts(ack["payload"]["blocks"])
        bot.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.process.wait(), timeout=15) == 0
    assert "mode=socket" in bot.logs()


def mapped_files(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


async def test_a_due_migration_runs_in_a_child_and_the_server_never_loads_sqlalchemy(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    # SQLAlchemy's compiled extensions show in the process's memory map once it is imported;
    # the migration needs it (with Alembic), the server on SQLite does not.
    async with start_bot(fake_slack, tmp_path, SLACK_SIGNING_SECRET=SECRET) as bot:
        assert "sqlalchemy" not in mapped_files(bot.process.pid)
        assert "migrated in a child process: database" in bot.logs()
        assert "schema_version=" in bot.logs()
        assert (await SlackSender(bot.url, SECRET).command("help")).status == 200
    # Started again on the migrated file: nothing is due, and no child runs.
    async with start_bot(fake_slack, tmp_path, "again.log", SLACK_SIGNING_SECRET=SECRET) as bot:
        assert "migrated in a child process" not in bot.logs()
        assert "database ready" in bot.logs()
        assert "sqlalchemy" not in mapped_files(bot.process.pid)


async def test_a_release_database_upgraded_at_start_prompts_an_ask(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    # The server reads the schema before the child migrates it; r0009 re-keys the claim's
    # table, and SQLite checks an upsert's target against the schema read before (fixed in
    # storage/engine.py). A channel ask right after the upgrade must still be prompted.
    (tmp_path / "data").mkdir()
    shutil.copy(RELEASE_DB, tmp_path / "data" / "bot.db")
    async with start_bot(fake_slack, tmp_path, SLACK_SIGNING_SECRET=SECRET) as bot:
        assert "migrated in a child process: database" in bot.logs()
        ask = {
            "type": "message",
            "user": "U1",
            "channel": "C1",
            "text": "do you have a few minutes to talk about my promotion?",
            "ts": "1700000000.000300",
        }
        assert (await SlackSender(bot.url, SECRET).event(ask, event_id="EvUp1")).status == 200
        assert len(fake_slack.calls_to("chat.postEphemeral")) == 1
        assert "Traceback" not in bot.logs()


async def test_the_server_loads_the_fuzzy_matcher_only_for_a_directory_search_and_never_pydantic(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    # rapidfuzz (2.3 MB resident) is imported by the first fuzzy topic match, not at start.
    async with start_bot(fake_slack, tmp_path, SLACK_SIGNING_SECRET=SECRET) as bot:
        sender = SlackSender(bot.url, SECRET)
        assert (await sender.command("help")).status == 200
        assert (await sender.message("do you have a few minutes to chat?")).status == 200
        mapped = mapped_files(bot.process.pid)
        assert "rapidfuzz" not in mapped
        # The rows, settings and payload shapes are plain Python: pydantic (~10 MB) is gone.
        assert "pydantic" not in mapped
