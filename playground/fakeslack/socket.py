"""Socket Mode on the fake: apps.connections.open hands out a WebSocket URL on the fake, which
greets the client with `hello`, sends envelopes and collects the client's acks."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from playground.fakeslack.workspace import Workspace

APP_TOKEN = "xapp-1-A0MENTOR-1-test"  # noqa: S105 - the fake's, never a secret
_ids = itertools.count(1)


class SocketHub:
    """The fake's Socket Mode side; `await hub.send("slash_commands", payload)` returns the ack."""

    def __init__(self) -> None:
        self.sockets: list[web.WebSocketResponse] = []
        self.connected = asyncio.Event()
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}

    def open_connection(self, base_url: str) -> dict[str, Any]:
        """The apps.connections.open answer: a fresh ticket on this fake."""
        return {"ok": True, "url": f"{base_url.replace('http', 'ws', 1)}/link/?ticket={next(_ids)}"}

    async def endpoint(self, request: web.Request) -> web.WebSocketResponse:
        """The WebSocket the client connects to."""
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json(
            {"type": "hello", "num_connections": len(self.sockets), "debug_info": {}}
        )
        self.connected.set()
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self._ack(json.loads(message.data))
        finally:
            self.sockets.remove(socket)
            if not self.sockets:
                self.connected.clear()
        return socket

    def _ack(self, data: dict[str, Any]) -> None:
        future = self._acks.pop(str(data.get("envelope_id")), None)
        if future is not None and not future.done():
            future.set_result(data)

    async def send(
        self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0, wait: float = 10
    ) -> dict[str, Any]:
        """Deliver one envelope (events_api, slash_commands, interactive) and await its ack."""
        await asyncio.wait_for(self.connected.wait(), wait)
        envelope_id = f"env-{next(_ids)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = future
        await self.sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return await asyncio.wait_for(future, wait)

    async def close_all(self) -> None:
        """Close every client connection (the fake is stopping)."""
        for socket in list(self.sockets):
            await socket.close()


def apps_connections_open(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """apps.connections.open: only an app-level token gets here."""
    hub: SocketHub = ws.socket  # type: ignore[attr-defined]
    return hub.open_connection(ws.base_url)
