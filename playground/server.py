"""`mentorbot playground`: the fake Slack, the bot and the page in one process and one loop."""

from __future__ import annotations

import asyncio
import signal
import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aiohttp import web

from bot.lifecycle import StartupError, listen_failed
from playground.api import build_web_app
from playground.app import Playground
from playground.boot import playground


@dataclass(frozen=True)
class Served:
    """A running playground and the address of its page."""

    playground: Playground
    host: str
    port: int

    @property
    def url(self) -> str:
        """The page's address."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"


@asynccontextmanager
async def serving(
    folder: Path | None, host: str, port: int, *, start: datetime | None = None
) -> AsyncIterator[Served]:
    """Run the playground (in `folder`, else a temporary one) and serve its page."""
    async with AsyncExitStack() as stack:
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mentorbot-")))
        folder.mkdir(parents=True, exist_ok=True)
        pg = await stack.enter_async_context(playground(folder, start=start))
        runner = web.AppRunner(build_web_app(pg), access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as error:
            raise StartupError(listen_failed(host, port, error)) from None
        bound = next((a[1] for a in runner.addresses if isinstance(a, tuple) and len(a) >= 2), port)
        yield Served(pg, host, int(bound))


async def serve_forever(folder: Path | None, host: str, port: int) -> None:
    """Serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with serving(folder, host, port) as served:
        print(f"mentorbot playground: a simulated Slack workspace at {served.url}", flush=True)
        await stop.wait()
