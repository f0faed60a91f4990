"""A lean load generator: signed Slack requests over keep-alive HTTP/1.1, closed and open loop.

Bodies are built by playground/fakeslack's SlackSender (so they are shaped exactly as Slack sends
them) and signed with its signing helper at send time. The HTTP client is a few lines over
asyncio streams rather than aiohttp's client, so one core of load outruns one core of server.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Unpack

from bench.floor_app import ASK_TEXT
from playground.fakeslack.sender import Reply, SendOptions, SlackSender
from playground.fakeslack.signing import sign

KINDS = ("help", "message", "ask")
TIMEOUT = 3.0  # Slack gives up on an app after 3 s, and retries: count it as an error
NON_ASKS = (
    "the build takes a few minutes, grab a coffee",
    "Do you have the minutes from the meeting?",
    "I have a few minutes if you need me",
    "deploy is done, dashboards look green",
    "lunch at noon? the usual place",
)


class _Capture(SlackSender):
    """SlackSender that keeps the body it would post instead of posting it."""

    body: bytes = b""
    content_type: str = ""

    async def raw(
        self,
        body: bytes,
        headers: Mapping[str, str] | None = None,
        *,
        content_type: str = "application/json",
        sent: dict[str, Any] | None = None,
        **opts: Unpack[SendOptions],
    ) -> Reply:
        self.body, self.content_type = body, content_type
        return Reply(0, None, {}, sent or {})


class Requests:
    """Makes the three kinds of request; asks cycle over distinct (user, channel) pairs."""

    def __init__(
        self, secret: str, port: int, ask_users: list[str], non_asks: tuple[str, ...] = NON_ASKS
    ) -> None:
        self._secret = secret
        self._capture = _Capture(f"http://127.0.0.1:{port}", secret)
        self._host = f"127.0.0.1:{port}".encode()
        self._users = ask_users
        self._non_asks = itertools.cycle(non_asks)
        self._asks = itertools.count()

    async def body(self, kind: str) -> tuple[bytes, str]:
        """A fresh body for one request of `kind`, and its content type."""
        capture = self._capture
        if kind == "help":
            await capture.command("help")
        elif kind == "message":
            await capture.message(next(self._non_asks))
        elif kind == "ask":
            # A new (user, channel) pair each time, so the prompt cooldown never hides the work.
            number = next(self._asks)
            user = self._users[number % len(self._users)]
            channel = f"CB{number // len(self._users):06d}"
            await capture.message(ASK_TEXT, user_id=user, channel_id=channel)
        else:
            raise ValueError(f"unknown kind {kind!r}")
        return capture.body, capture.content_type

    async def request(self, kind: str) -> bytes:
        """The whole HTTP request, signed now."""
        body, content_type = await self.body(kind)
        signed = sign(body, self._secret, int(time.time()))
        head = (
            b"POST /slack/events HTTP/1.1\r\nHost: " + self._host + b"\r\n"
            b"User-Agent: Slackbot 1.0 (+https://api.slack.com/robots)\r\n"
            b"Content-Type: " + content_type.encode() + b"\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n"
            b"X-Slack-Request-Timestamp: " + signed["X-Slack-Request-Timestamp"].encode() + b"\r\n"
            b"X-Slack-Signature: " + signed["X-Slack-Signature"].encode() + b"\r\n\r\n"
        )
        return head + body


class Connection:
    """One keep-alive connection; `send` returns the HTTP status."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def send(self, request: bytes) -> int:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self._port)
        assert self._reader is not None
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        start = lower.find(b"\r\ncontent-length:")
        if start >= 0:
            end = lower.index(b"\r\n", start + 2)
            await self._reader.readexactly(int(lower[start + 17 : end]))
        elif b"transfer-encoding: chunked" in lower:
            await self._read_chunks()
        if b"\r\nconnection: close" in lower:
            self.close()
        return status

    async def _read_chunks(self) -> None:
        assert self._reader is not None
        while True:
            size = int((await self._reader.readline()).split(b";")[0], 16)
            await self._reader.readexactly(size + 2)
            if size == 0:
                return

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


@dataclass
class Phase:
    """What one load phase measured."""

    sent: int = 0
    ok: int = 0
    errors: int = 0
    elapsed: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0  # the server's, over the phase

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies_ms)
        return {
            "rps": self.ok / self.elapsed if self.elapsed else 0.0,
            "p50": percentile(ordered, 50),
            "p95": percentile(ordered, 95),
            "p99": percentile(ordered, 99),
            "max": ordered[-1] if ordered else 0.0,
            "errors": float(self.errors),
            "sent": float(self.sent),
            "cpu_ms_per_request": 1000 * self.cpu_seconds / self.ok if self.ok else 0.0,
        }


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty one)."""
    if not ordered:
        return 0.0
    rank = max(1, round(pct / 100 * len(ordered) + 0.5))
    return ordered[min(len(ordered), rank) - 1]


async def _one(connection: Connection, request: bytes, started: float, phase: Phase) -> None:
    phase.sent += 1
    try:
        async with asyncio.timeout(TIMEOUT):
            status = await connection.send(request)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
        connection.close()
        phase.errors += 1
        return
    phase.latencies_ms.append((time.perf_counter() - started) * 1000)
    if 200 <= status < 300:
        phase.ok += 1
    else:
        phase.errors += 1


async def closed_loop(
    port: int, make: Callable[[], Any], concurrency: int, duration: float, limit: int = 0
) -> Phase:
    """`concurrency` workers each send, wait for the answer, send again, for `duration` s.

    `make()` is an awaitable of the request bytes. `limit` > 0 stops after that many requests.
    """
    phase = Phase()
    connections = [Connection(port) for _ in range(concurrency)]
    budget = itertools.count()
    began = time.perf_counter()
    deadline = began + duration

    async def worker(connection: Connection) -> None:
        while time.perf_counter() < deadline and (not limit or next(budget) < limit):
            request = await make()
            await _one(connection, request, time.perf_counter(), phase)

    try:
        await asyncio.gather(*(worker(connection) for connection in connections))
    finally:
        for connection in connections:
            connection.close()
    phase.elapsed = time.perf_counter() - began
    return phase


async def open_loop(port: int, make: Callable[[], Any], rate: float, duration: float) -> Phase:
    """Send at a fixed `rate` whatever the answers; latency counts from the planned send time
    (no coordinated omission). Idle connections are reused, new ones opened when all are busy."""
    phase = Phase()
    idle: list[Connection] = []
    every: set[Connection] = set()
    tasks: set[asyncio.Task[None]] = set()
    total = max(1, int(rate * duration))
    began = time.perf_counter()

    async def fire(planned: float) -> None:
        connection = idle.pop() if idle else Connection(port)
        every.add(connection)
        request = await make()
        await _one(connection, request, planned, phase)
        idle.append(connection)

    try:
        for number in range(total):
            planned = began + number / rate
            delay = planned - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(fire(planned))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        for connection in every:
            with contextlib.suppress(Exception):
                connection.close()
    phase.elapsed = time.perf_counter() - began
    return phase
