"""`mentorbot run` as a real process in HTTP mode, against the fake Slack Web API."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from tests.fakeslack.find import block_texts
from tests.fakeslack.sender import SlackSender
from tests.fakeslack.server import FakeSlack
from tests.fakeslack.socket import APP_TOKEN

SECRET = "subprocess-signing-secret"
SECRET_WORDS = "tangerine-aardvark-quartz"  # must never appear in the logs


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def logs(self) -> str:
        return self.log_path.read_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            if process.returncode is not None:
                raise AssertionError(f"mentorbot exited early with {process.returncode}")
            try:
                async with session.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("mentorbot did not become healthy in 10 s")


@asynccontextmanager
async def start_bot(
    fake: FakeSlack, tmp_path: Path, log_name: str = "bot.log", **env: str
) -> AsyncIterator[BotProcess]:
    """`python -m bot run` in its own folder, configured only by `env`, logging to `log_name`."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTORBOT_"))}
    environ.update(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_API_URL=fake.url,
        MENTORBOT_DB=str(tmp_path / "data" / "bot.db"),
        MENTORBOT_HOST="127.0.0.1",
        MENTORBOT_PORT=str(port),
    )
    environ.update({"MENTORBOT_LOG_LEVEL": "DEBUG", **env})
    log_path = tmp_path / log_name
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=environ,
            stdout=log_file,
            stderr=log_file,
        )
    bot = BotProcess(process, port, log_path)
    try:
        await wait_healthy(bot.url, process)
        yield bot
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


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
