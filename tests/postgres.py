"""A real PostgreSQL for the tests: Debian's server binaries, a cluster made with initdb in a
temporary folder (in memory, under /dev/shm, where there is room), listening on 127.0.0.1 at a
free port, stopped at the end of the session.

initdb refuses to run as root, and CI runs as root: the cluster then belongs to the unprivileged
`postgres` account that Debian's package creates. Each test gets a database of its own.
Fixtures: `pg_server` (session) and `pg_url` (a fresh database, as a postgresql:// URL), made
visible to every test by tests/conftest.py, so one server serves the whole run.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SERVER_USER = "postgres"
START_TIMEOUT = 60
# A full run makes about 250 databases (2.7 GB). On disk each CREATE DATABASE took ~0.15 s and
# deleting the cluster 10-25 s; in memory, ~0.04 s and under a second.
MEMORY = Path("/dev/shm")  # noqa: S108 - mkdtemp makes a private folder in it
MEMORY_NEEDED = 6 * 2**30
PREFIX = "mentorbot-pg-"
OWNER_LOCK = "owner.lock"


def _binaries() -> Path | None:
    """The newest installed server's bin folder (Debian: /usr/lib/postgresql/N/bin)."""
    root = Path("/usr/lib/postgresql")
    found = sorted(
        (p for p in root.glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """A running cluster; `url(name)` for one of its databases."""

    bin: Path
    data: Path
    port: int
    user: str
    _as_user: list[str]
    _names: Iterator[int]

    def url(self, database: str) -> str:
        """The URL of a database on this server (trust authentication: no password)."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with psql as the server's owner; its output."""
        result = subprocess.run(  # noqa: S603 - fixed program, our own SQL
            [
                str(self.bin / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-Atqc",
                sql,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout.strip()

    def new_database(self) -> str:
        """A new, empty database; its name."""
        name = f"mentorbot_test_{next(self._names)}"
        self.psql(f"CREATE DATABASE {name}")
        return name

    def stop(self) -> None:
        """Stop the server at once (fast shutdown)."""
        self._pg_ctl("stop", check=False)

    def restart(self) -> None:
        """Restart the server as a failover would look to clients: every connection ends."""
        # Logging to the file, as at start: the new server must not hold our pipes open.
        self._pg_ctl("restart", "-l", str(self.data.parent / "server.log"), check=True)

    def _pg_ctl(self, action: str, *options: str, check: bool) -> None:
        subprocess.run(  # noqa: S603 - fixed program
            [
                *self._as_user,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "fast",
                "-w",
                *options,
                action,
            ],
            capture_output=True,
            timeout=START_TIMEOUT,
            check=check,
        )


def _as_user() -> tuple[list[str], str, int | None]:
    """How to run a server command: as ourselves, or (as root) as the postgres account."""
    if os.geteuid() != 0:
        return [], pwd.getpwuid(os.geteuid()).pw_name, None
    try:
        account = pwd.getpwnam(SERVER_USER)
    except KeyError:
        pytest.skip("PostgreSQL tests need the 'postgres' account that Debian's package creates")
    runuser = shutil.which("runuser") or shutil.which("setpriv")
    if runuser is None:
        pytest.skip("running as root, and neither runuser nor setpriv is installed")
    if runuser.endswith("runuser"):
        return [runuser, "-u", SERVER_USER, "--"], SERVER_USER, account.pw_uid
    command = [runuser, f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--init-groups"]
    return command, SERVER_USER, account.pw_uid


def _folder_root() -> str | None:
    """Where to make the cluster: in memory when there is room, else the temporary folder.
    Clusters of runs that were killed are stopped and removed first."""
    if not (MEMORY.is_dir() and os.access(MEMORY, os.W_OK)):
        return None
    for folder in MEMORY.glob(f"{PREFIX}*"):
        if _abandoned(folder):
            _stop_left_server(folder)
            shutil.rmtree(folder, ignore_errors=True)
    room = min(shutil.disk_usage(MEMORY).free, _memory_available())
    return str(MEMORY) if room >= MEMORY_NEEDED else None


def _memory_available() -> int:
    """MemAvailable, in bytes: a folder in memory takes RAM, whatever size /dev/shm claims."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _own(folder: Path) -> int:
    """Hold a lock on the folder for as long as this run lives: the kernel lets go of it when
    the run ends, however it ends, which is how a later run knows the folder was left."""
    lock = os.open(folder / OWNER_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


def _abandoned(folder: Path) -> bool:
    """Whether the run that made this cluster folder is gone (killed before it cleaned up).
    A folder without the lock file is one still being made: only an hour later does it
    count."""
    try:
        lock = os.open(folder / OWNER_LOCK, os.O_RDWR)
    except FileNotFoundError:
        try:
            return time.time() - folder.stat().st_mtime > 3600
        except OSError:
            return False
    except OSError:
        return False  # someone else's
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # its run holds it
    finally:
        os.close(lock)
    return True


def _stop_left_server(folder: Path) -> None:
    """Stop the server a killed run left (pg_ctl starts it in a session of its own, so it
    outlives the run): without this it would keep its memory until the machine restarts."""
    binaries = _binaries()
    data = folder / "data"
    if binaries is None or not (data / "postmaster.pid").exists():
        return
    as_user, _, _ = _as_user()
    subprocess.run(  # noqa: S603 - fixed program
        [*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
        capture_output=True,
        timeout=START_TIMEOUT,
        check=False,
    )


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start a throwaway cluster; stop it and delete its files on exit."""
    binaries = _binaries()
    if binaries is None:
        pytest.skip(
            "PostgreSQL is not installed (.ci/run installs Debian's postgresql package; "
            "`apt-get install postgresql` does it by hand)"
        )
    as_user, user, uid = _as_user()
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=_folder_root()))
    owner = _own(folder)
    data = folder / "data"
    try:
        if uid is not None:
            os.chown(folder, uid, -1)
        subprocess.run(  # noqa: S603 - fixed program
            [
                *as_user,
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                user,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            check=True,
        )
        port = _free_port()
        # Durability is not under test: no fsync, so a test database costs milliseconds.
        options = (
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        subprocess.run(  # noqa: S603 - fixed program
            [
                *as_user,
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "server.log"),
                "-w",
                "-t",
                str(START_TIMEOUT),
                "start",
            ],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT + 10,
            check=True,
        )
        server = PostgresServer(binaries, data, port, user, as_user, itertools.count(1))
        try:
            yield server
        finally:
            server.stop()
    except subprocess.CalledProcessError as error:
        log = folder / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(
            f"could not start PostgreSQL: {error.stderr or error.stdout}\n{tail}"
        ) from error
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(owner)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole test session."""
    with running_postgres() as server:
        yield server


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    """A new, empty database on the session's server, as a postgresql:// URL."""
    return pg_server.url(pg_server.new_database())


# The sessions holding the outbox leader's lock in the current database (pg_locks shows an
# advisory key's high and low 32 bits), ended as a failover, a pooler or a DBA would.
_END_LEADER = (
    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND classid = %s AND objid = %s "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


async def end_outbox_leader(url: str) -> int:
    """End the connection that holds the outbox leader's lock in `url`'s database, leaving its
    process alive; how many sessions were ended."""
    import psycopg  # only the tests that end a connection need the driver itself

    from storage.engine_pg import LEADER_LOCK_KEY

    parts = (LEADER_LOCK_KEY >> 32, LEADER_LOCK_KEY & 0xFFFFFFFF)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        cursor = await conn.execute(_END_LEADER, parts)
        return len(await cursor.fetchall())
