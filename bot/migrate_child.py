"""A due migration runs in a child `mentorbot migrate`, so the server never imports Alembic
(with Mako and the parts of SQLAlchemy only it needs): once imported they stay for the life of
the process, ~29 MB of a SQLite bot's memory, to run a migration once (docs/benchmarks.md,
Memory). The child reads the same database from the same settings; its log lines join ours.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from bot.settings import StorageSettings
from storage import MigrationError

log = logging.getLogger(__name__)

PREFIX = "mentorbot: "


def child_environment(settings: StorageSettings) -> dict[str, str]:
    """Our environment, with the database and log level as this process has them (they may
    have come from a Settings object rather than the environment)."""
    environ = {**os.environ, "MENTORBOT_DB": settings.db, "MENTORBOT_LOG_LEVEL": settings.log_level}
    environ.pop("MENTORBOT_DB_PASSWORD", None)
    if settings.db_password is not None:
        environ["MENTORBOT_DB_PASSWORD"] = settings.db_password.get_secret_value()
    return environ


async def migrate_in_child(settings: StorageSettings) -> str:
    """Run `mentorbot migrate` and wait; its one-line report, or MigrationError with its reason."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "migrate",
        env=child_environment(settings),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await child.communicate()
    said = err.decode(errors="replace").splitlines()
    for line in said:
        if not line.startswith(PREFIX):
            print(line, file=sys.stderr)  # the child's log lines, as they were
    if child.returncode != 0:
        reasons = [line.removeprefix(PREFIX) for line in said if line.startswith(PREFIX)]
        reason = reasons[-1] if reasons else f"it exited with {child.returncode}"
        raise MigrationError(reason)
    report = out.decode(errors="replace").strip()
    log.info("migrated in a child process: %s", report)
    return report
