"""The fake Slack Web API (playground/fakeslack) as its own process, steered over its own Web API.

`python -m bench.fake_api --port-file PATH` serves a FakeSlack on 127.0.0.1, writes the port
to PATH once it listens, and runs until SIGTERM. Besides Slack's methods it answers:
- `bench.add_users` {count, prefix}: add people (the bot's prompts and DMs need them);
- `bench.rate` {channel_per_second, channel_burst, workspace_per_second, workspace_burst}:
  answer chat.postMessage with 429 + Retry-After past those rates;
- `bench.stats` {texts}: calls per method, 429s, and (texts=true) the text of every
  chat.postMessage that succeeded, so lost and duplicated messages are counted here;
- `bench.clear`: forget recorded calls.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp

from playground.fakeslack.server import TOKEN, FakeSlack
from playground.fakeslack.workspace import Workspace


class BenchSlack(FakeSlack):
    """FakeSlack plus control methods, called over its own Web API."""

    def __init__(self) -> None:
        super().__init__()
        self.methods["bench.add_users"] = self._add_users
        self.methods["bench.rate"] = self._set_rate
        self.methods["bench.stats"] = self._stats
        self.methods["bench.clear"] = self._clear

    # -- control methods (called as Web API methods, with the bot token) -------------------

    def _add_users(self, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
        count, prefix = int(args.get("count", 0)), str(args.get("prefix", "UB"))
        users = [f"{prefix}{number:06d}" for number in range(count)]
        for user_id in users:
            if user_id not in self.users:
                self.add_user(user_id, tz="UTC")
        return {"ok": True, "users": users}

    def _set_rate(self, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel_per_second"):
            channel_burst = int(args.get("channel_burst", 1))
            self.enforce_channel_rate(float(args["channel_per_second"]), channel_burst)
        if args.get("workspace_per_second"):
            burst = float(args.get("workspace_burst", 1))
            self.enforce_workspace_rate(float(args["workspace_per_second"]), burst)
        return {"ok": True}

    def _stats(self, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
        calls = [call for call in self.calls if not call.method.startswith("bench.")]
        answer: dict[str, Any] = {
            "ok": True,
            "calls": dict(Counter(call.method for call in calls)),
            "ok_calls": dict(Counter(call.method for call in calls if call.ok)),
            "ratelimited": sum(1 for call in calls if call.status == 429),
            "refused_by": dict(self.refused),
        }
        if args.get("texts"):
            answer["posted"] = [
                str(call.args.get("text"))
                for call in calls
                if call.method == "chat.postMessage" and call.ok
            ]
        return answer

    def _clear(self, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
        self.clear()
        return {"ok": True}


async def control(
    session: aiohttp.ClientSession, api_url: str, method: str, **args: Any
) -> dict[str, Any]:
    """Call one of the fake's methods (Slack's or bench.*) and return its JSON answer."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with session.post(f"{api_url}{method}", json=args, headers=headers) as response:
        body: dict[str, Any] = await response.json()
    if not body.get("ok"):
        raise RuntimeError(f"fake {method} failed: {body}")
    return body


async def serve(port_file: Path) -> None:
    """Serve until SIGTERM or SIGINT; the port goes to `port_file` once listening."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    async with BenchSlack() as fake:
        partial = port_file.with_suffix(".partial")
        partial.write_text(str(fake.port))
        partial.rename(port_file)
        await stopping.wait()


def _read_int(path: Path) -> int:
    return int(path.read_text())


async def read_port(port_file: Path, alive: Any, within: float = 20.0) -> int:
    """Wait for the fake to write its port; `alive()` False means it died first."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.suppress(FileNotFoundError, ValueError):
            return _read_int(port_file)
        if not alive():
            raise RuntimeError("the fake Slack exited before listening")
        await asyncio.sleep(0.02)
    raise RuntimeError("the fake Slack did not start listening")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file", type=Path, required=True)
    asyncio.run(serve(parser.parse_args().port_file))


if __name__ == "__main__":
    main()
