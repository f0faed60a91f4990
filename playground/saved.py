"""The fake workspace kept in the playground's folder (slack.json), so conversations survive a
restart: written about once a second after a change and when the playground stops, read at
start. Ephemerals and open modals are not kept, as Slack drops them when its page reloads.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from playground.app import Playground
from playground.fakeslack.snapshot import Tables, dump_workspace, parse_workspace
from playground.world import HumanMessage

log = logging.getLogger(__name__)

FILE_NAME = "slack.json"
DATABASE_NAME = "mentorbot.db"
VERSION = 1
EVERY_SECONDS = 1.0


@dataclass
class Saved:
    """What the last run left: the bot's clock, the workspace and people's own messages."""

    clock: datetime
    tables: Tables
    human: list[HumanMessage]


def read_saved(folder: Path) -> Saved | None:
    """The saved workspace in `folder`, or None when there is none or it can't be read; an
    unreadable file is renamed aside (never deleted) and one line on stderr says so."""
    path = folder / FILE_NAME
    try:
        return parse_saved(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        aside = _aside(path)
        with contextlib.suppress(OSError):
            path.replace(aside)
        print(
            f"mentorbot playground: could not read the old conversations in {path} ({error}); "
            f"starting with a fresh workspace, the file is kept as {aside.name}",
            file=sys.stderr,
            flush=True,
        )
        return None


def parse_saved(data: Any) -> Saved:
    """Saved from `snapshot`'s output; ValueError when it isn't that."""
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ValueError(f"not a version {VERSION} playground file")
    clock = datetime.fromisoformat(str(data.get("clock")))
    if clock.tzinfo is None:
        raise ValueError("clock: no time zone")
    human = data.get("human")
    if not isinstance(human, list) or not all(isinstance(h, dict) for h in human):
        raise ValueError("human: expected a list of objects")
    try:
        messages = [HumanMessage(**h) for h in human]
    except TypeError as error:
        raise ValueError(f"human: {error}") from error
    return Saved(clock, parse_workspace(data.get("workspace")), messages)


def snapshot(pg: Playground) -> str:
    """The playground's workspace, clock and people's messages as the JSON slack.json holds."""
    data = {
        "version": VERSION,
        "clock": pg.clock.now().isoformat(),
        "workspace": dump_workspace(pg.fake),
        "human": [asdict(h) for h in pg.world.human],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename it over: a reader (or a kill)
    sees the old file or the new one, never half of one."""
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)


@contextlib.asynccontextmanager
async def autosaved(pg: Playground, folder: Path) -> AsyncIterator[None]:
    """Save the workspace to `folder` about once a second when it changed, and on exit."""
    path = folder / FILE_NAME
    written = ""

    async def save() -> None:
        nonlocal written
        async with pg.lock:  # between actions, so a save never holds half of one
            text = snapshot(pg)
        if text != written:
            # On the loop, not in a thread: a cancelled thread would race the final save.
            write_atomically(path, text)
            written = text

    async def every_second() -> None:
        while True:
            try:
                await save()
            except OSError:
                log.exception("could not save the workspace to %s", path)
            await asyncio.sleep(EVERY_SECONDS)

    task = asyncio.create_task(every_second())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await save()


def set_aside_database(folder: Path) -> None:
    """With no workspace to go on (none saved, or unreadable), the bot's database in `folder`
    is set aside too (renamed, never deleted): its rows name the old workspace's ids and
    times, which a fresh workspace would hand out again (a new form would look like one
    already sent, and the clock would go back)."""
    path = folder / DATABASE_NAME
    if not path.exists():
        return
    aside = _aside(path)
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).replace(aside.with_name(aside.name + suffix))
    print(
        f"mentorbot playground: the bot's data in {path} belongs to that old workspace; "
        f"it is kept as {aside.name}, and the bot starts afresh",
        file=sys.stderr,
        flush=True,
    )


def _aside(path: Path) -> Path:
    """A free name beside `path` for a file that couldn't be read."""
    for n in range(1, 1000):
        aside = path.with_name(f"{path.name}.unreadable-{n}")
        if not aside.exists():
            return aside
    return path.with_name(f"{path.name}.unreadable")
