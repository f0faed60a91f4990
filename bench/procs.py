"""Child processes for the benchmarks: start pinned to a core, read their memory and CPU, stop.

Every process started here is stopped in a `finally` (SIGTERM, then SIGKILL after a few
seconds), so a failed run never leaves a server behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_CORE = 0
LOAD_CORE = 1


def make_dir(path: Path) -> None:
    """Create a working folder (and its parents) if missing."""
    path.mkdir(parents=True, exist_ok=True)


def free_port() -> int:
    """A port nobody listens on right now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The cores this process may use, read at import, before pinned_self narrows them: servers
# started while the load generator is pinned to its core must still go to theirs (until
# session 13 they inherited the load core, and every load phase ran on that one core).
_USABLE = frozenset(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else frozenset()


def can_pin() -> bool:
    """Pinning needs two cores we may use: one for servers, one for load."""
    return hasattr(os, "sched_setaffinity") and {SERVER_CORE, LOAD_CORE} <= _USABLE


def cores_of(pid: int) -> list[int]:
    """The cores a process may run on (an empty list where affinity can't be read)."""
    if not hasattr(os, "sched_getaffinity"):
        return []
    return sorted(os.sched_getaffinity(pid))


@contextlib.contextmanager
def pinned_self(core: int) -> Iterator[None]:
    """Run this process (the load generator) on one core, and restore its affinity after."""
    if not can_pin():
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {core})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """Our environment without Slack or mentorbot settings, plus `extra`; the repo importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTORBOT_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


@dataclass
class Child:
    """A started process, its port and its log."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def status_kb(self, field: str) -> int:
        """A /proc/<pid>/status figure in kB: VmRSS (now) or VmHWM (peak since start)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _pin(core: int | None) -> None:
    if core is not None:
        os.sched_setaffinity(0, {core})


@contextlib.contextmanager
def started(
    name: str,
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    port: int,
    core: int | None,
) -> Iterator[Child]:
    """`python <args>` in `cwd`, pinned to `core` before it runs a line; stopped on exit."""
    log_path = cwd / f"{name}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            [sys.executable, *args],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=(lambda: _pin(core)) if core is not None and can_pin() else None,
        )
    child = Child(name, process, port, log_path)
    try:
        yield child
    finally:
        stop(child)


def stop(child: Child, grace: float = 10.0) -> None:
    """SIGTERM, wait up to `grace` seconds, then SIGKILL; always reaps the process."""
    if child.process.poll() is None:
        child.process.send_signal(signal.SIGTERM)
        try:
            child.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            child.process.kill()
    child.process.wait()


async def wait_http(child: Child, path: str = "/healthz", within: float = 30.0) -> None:
    """Wait until `GET path` answers 200, or fail with the tail of the child's log."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited early:\n{child.log_tail()}")
        with contextlib.suppress(OSError):
            reader, writer = await asyncio.open_connection("127.0.0.1", child.port)
            try:
                request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                writer.write(request.encode())
                line = await reader.readline()
                if line.split(b" ")[1:2] == [b"200"]:
                    return
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{child.name} did not answer {path} in {within:.0f} s:\n{child.log_tail()}")
