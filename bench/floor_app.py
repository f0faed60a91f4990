"""The floor: a bare slack-bolt AsyncApp served like bot/web.py, doing the least the bot must.

`python -m bench.floor_app --port N` with SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and
SLACK_API_URL in the environment. It imports nothing of mentorbot, so its memory is Bolt's and
aiohttp's alone; its request handling mirrors bot/web.py `slack_events` line for line (the same
checks, AsyncBoltRequest → async_dispatch → to_aiohttp_response) and, like the bot, it runs
with process_before_response=True, one shared HTTP session and no access log.

Its listeners only ack, except that the bench's ask (ASK_TEXT, known by its exact text: the
floor has no classifier) gets the same one `chat.postEphemeral` the bot makes, with blocks of
the same shape and size, through its one shared slack_sdk client (issue 25).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

MAX_BODY_BYTES = 1024 * 1024  # as bot/web.py
SLACK_CONTENT_TYPES = frozenset({"application/json", "application/x-www-form-urlencoded"})
BOLT_KEY = web.AppKey("bolt", AsyncApp)
# The load's ask (bench/load.py imports it from here).
ASK_TEXT = "do you have a few minutes to talk about my promotion?"


async def only_ack(ack: Any) -> None:
    await ack()


def _button(text: str, action_id: str, value: str) -> dict[str, Any]:
    label = {"type": "plain_text", "text": text, "emoji": True}
    return {"type": "button", "text": label, "action_id": action_id, "value": value}


def prompt(channel: str, ts: str, text: str) -> dict[str, Any]:
    """The bot's ask prompt's shape and size (handlers/blocks/prompt.py), built per call."""
    offer = (
        "Want to turn this into a mentoring request? I can help you book time with the right "
        "person and follow up."
    )
    value = json.dumps({"c": channel, "m": ts, "x": text}, separators=(",", ":"))
    return {
        "text": offer,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f":wave: {offer}"}},
            {
                "type": "actions",
                "elements": [
                    {
                        **_button("Create request", "prompt_create_request", value),
                        "style": "primary",
                    },
                    # As the bot's since session 12: only Create request carries the text.
                    _button("Not now", "prompt_not_now", ts),
                    _button("Don't ask again", "prompt_dont_ask_again", ts),
                ],
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Only you can see this."}]},
        ],
    }


async def on_message(ack: Any, event: dict[str, Any], client: AsyncWebClient) -> None:
    """Ack; answer the bench's ask with the bot's one call."""
    await ack()
    if event.get("text") == ASK_TEXT:
        channel, ts = str(event.get("channel")), str(event.get("ts"))
        await client.chat_postEphemeral(
            channel=channel,
            user=str(event.get("user")),
            thread_ts=event.get("thread_ts"),
            **prompt(channel, ts, ASK_TEXT),
        )


def build_floor(secret: str, client: AsyncWebClient) -> AsyncApp:
    """The bare app: /mentor and app_mention acked, messages acked and asks answered."""
    app = AsyncApp(client=client, signing_secret=secret, process_before_response=True)
    app.command("/mentor")(only_ack)
    app.event("message")(on_message)
    app.event("app_mention")(only_ack)
    return app


def _well_formed(text: str, content_type: str) -> bool:
    try:
        if content_type == "application/json":
            return isinstance(json.loads(text), dict)
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
        payload = form.get("payload")
        return payload is None or isinstance(json.loads(payload[0]), dict)
    except ValueError:
        return False


def _bad_request(reason: str) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=400)


async def slack_events(request: web.Request) -> web.StreamResponse:
    """bot/web.py's handler: refuse what Slack would never send, hand the rest to Bolt."""
    if request.content_type not in SLACK_CONTENT_TYPES:
        return _bad_request("unsupported_content_type")
    raw = await request.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _bad_request("invalid_encoding")
    if not _well_formed(text, request.content_type):
        return _bad_request("malformed_body")
    bolt_request = AsyncBoltRequest(
        body=text, query=request.query_string, headers=dict(request.headers.items())
    )
    response = await request.app[BOLT_KEY].async_dispatch(bolt_request)
    return await to_aiohttp_response(response)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def serve(port: int) -> None:
    """Serve on 127.0.0.1:port until SIGTERM or SIGINT."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    # As the bot's bot/logs.py does: slack_sdk formats a debug line for every call unless its
    # logger's own level is above DEBUG (unset, it is 0), whatever the root logger's level.
    logging.getLogger("slack_sdk.web.async_base_client").setLevel(logging.WARNING)
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(
            token=os.environ["SLACK_BOT_TOKEN"],
            base_url=os.environ["SLACK_API_URL"],
            session=session,
        )
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app[BOLT_KEY] = build_floor(os.environ["SLACK_SIGNING_SECRET"], client)
        app.router.add_post("/slack/events", slack_events)
        app.router.add_get("/healthz", healthz)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", port).start()
            await stopping.wait()
        finally:
            await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
