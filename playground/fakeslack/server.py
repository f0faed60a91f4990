"""A fake Slack Web API on 127.0.0.1: records every call and answers the way Slack does.

Defaults, all module constants:
- accepted token `TOKEN` = "xoxb-test-token" (`FakeSlack(tokens=...)`, or edit `fake.tokens`),
  acting on team T0001; more workspaces, OAuth installs and uninstalls are in `installs.py`
  (`fake.add_team`, `fake.authorization_code`, `fake.uninstall`), their rules in `teams.py`;
- team `TEAM_ID` "T0001" (domain "mentorbot-test"); the bot is user `BOT_USER_ID` "U0BOT",
  bot `BOT_ID` "B0BOT", app `APP_ID` "A0MENTOR";
- people `ALICE` "U1" (alice, Europe/Berlin), `BOB` "U2" (bob, America/New_York) and `CAROL`
  "U3" (carol, Asia/Kolkata), unless `default_users=False`; other ids are `user_not_found`;
- channel `GENERAL` "C1" (#general). Any other well-formed C…/G… id exists on first use as a
  channel holding everyone; D… ids exist once conversations.open made them; posting to a
  U… id posts in the bot's DM with that person.

Injected 5xx failures answer JSON `{"ok": false, "error": "internal_error"}` with that status.
A failure can target one person (`user=`: their users.info, their conversations.open, posts to
their DM) or one conversation (`channel=`), so one failing recipient sits beside healthy ones;
`fail_randomly` fails a share of calls, from a seed, for a soak.
response_url posts (under `fake.response_url_base`) answer 200 `{"ok": true}`, or 400 with
Slack's error when the message breaks Block Kit; replace_original/delete_original edit the
stored message and response_type=in_channel posts a new one.
Every request is recorded as a `Call`, refused ones included (see `Call.status`, `.response`).
The workspace (people, channels, messages, views, uploads) lives in `workspace.py` and the
methods in `methods.py`; FakeSlack adds HTTP, auth, recording and failure injection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from playground.fakeslack.blockkit import check_message
from playground.fakeslack.installs import TOKEN as TOKEN  # re-exported: tests import it here
from playground.fakeslack.installs import Installs
from playground.fakeslack.methods import METHODS, Method
from playground.fakeslack.oauth import OAuth
from playground.fakeslack.socket import APP_TOKEN, SocketHub, apps_connections_open
from playground.fakeslack.teams import Grant, Teams
from playground.fakeslack.workspace import SlackError, Workspace

# Arguments slack_sdk JSON-encodes into strings when it posts a form.
_JSON_ARGS = ("blocks", "view", "attachments", "metadata", "files", "outputs")


@dataclass
class Call:
    """One request the fake received, as the bot sent it and as the fake answered it."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    status: int = 200
    response: Any = None
    files: dict[str, bytes] = field(default_factory=dict)
    path: str = ""
    content_type: str = ""
    team_id: str | None = None  # the workspace the call acted on (None: the org, or refused)
    enterprise_id: str | None = None

    @property
    def ok(self) -> bool:
        """True when Slack would have said `ok: true` with HTTP 200."""
        return (
            self.status == 200 and isinstance(self.response, dict) and bool(self.response.get("ok"))
        )

    @property
    def error(self) -> str | None:
        """Slack's error name for a refused call, else None."""
        return self.response.get("error") if isinstance(self.response, dict) else None


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: int
    remaining: int
    user: str | None = None
    channel: str | None = None


@dataclass
class _RandomFailures:
    rate_500: float
    rate_429: float
    retry_after: int
    rng: random.Random
    user: str | None = None
    channel: str | None = None


class FakeSlack(Installs, Workspace):
    """The fake Web API server; `async with FakeSlack() as fake:` then use `fake.url`."""

    def __init__(
        self,
        *,
        tokens: Iterable[str] = (TOKEN, APP_TOKEN),
        default_users: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock=clock, default_users=default_users)
        self.tokens: set[str] = set(tokens)
        self.calls: list[Call] = []
        self.methods: dict[str, Method] = dict(METHODS)
        self.methods["apps.connections.open"] = apps_connections_open
        self.socket = SocketHub()
        self.port = 0
        self._failures: dict[str, list[_Failure]] = {}
        self._random: dict[str, list[_RandomFailures]] = {}
        self._delays: dict[str, tuple[float, bool]] = {}
        self._cuts: dict[str, int] = {}
        self._rate: tuple[float, float] | None = None
        self._buckets: dict[str, tuple[float, float]] = {}
        self._workspace_rate: tuple[float, float] | None = None
        self._workspace_bucket: tuple[float, float] = (0.0, 0.0)
        self.refused = Counter[str]()  # chat.postMessage 429s, by the limit that refused them
        self._runner: web.AppRunner | None = None
        self.teams = Teams(self)
        self.oauth = OAuth(self.teams, clock)
        self._default_grants: dict[str, Grant] = {}

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> Self:
        """Listen on 127.0.0.1 at a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/hooks/{tail:.*}", self._hook)
        app.router.add_get("/link/", self.socket.endpoint)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        for ws in self.teams.workspaces.values():
            ws.base_url = self.base_url
        return self

    async def stop(self) -> None:
        """Stop listening and close every connection."""
        if self._runner is not None:
            await self.socket.close_all()
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """The Web API base URL for slack_sdk: `AsyncWebClient(base_url=fake.url)`."""
        return f"{self.base_url}/api/"

    @property
    def response_url_base(self) -> str:
        """Give this to SlackSender so response_url posts land here."""
        return f"{self.base_url}/hooks/"

    # -- what tests read and steer ---------------------------------------------------------

    def calls_to(self, method: str, *, team_id: str | None = None) -> list[Call]:
        """Every recorded call of one method, oldest first; with team_id, those that acted
        on that workspace."""
        return [
            call
            for call in self.calls
            if call.method == method and (team_id is None or call.team_id == team_id)
        ]

    def clear(self) -> None:
        """Forget recorded calls and pending failures; the workspace stays."""
        self.calls.clear()
        self._failures.clear()
        self._random.clear()
        self.refused.clear()

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int = 1,
        times: int = 1,
        user: str | None = None,
        channel: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` ("*" for any) fail.

        status=429 answers `ratelimited` with a Retry-After header; a 5xx answers
        `internal_error`; status=200 needs `error` and answers `ok: false` with it.
        `user` narrows it to calls about that person (users.info, conversations.open, a post
        to their DM); `channel` to calls about that conversation. Others go through.
        """
        if status == 200 and error is None:
            raise ValueError("an ok:false answer needs an error name")
        default = "ratelimited" if status == 429 else "internal_error"
        failure = _Failure(status, error or default, retry_after, times, user, channel)
        self._failures.setdefault(method, []).append(failure)

    def fail_randomly(
        self,
        method: str,
        *,
        rate_500: float = 0.0,
        rate_429: float = 0.0,
        seed: int | None = None,
        retry_after: int = 1,
        user: str | None = None,
        channel: str | None = None,
    ) -> None:
        """From now on fail a share of `method`'s calls ("*" for any): 500s and 429s.

        Draws come from `random.Random(seed)`, so a seeded soak fails the same calls each run.
        Calling it again for the same method and target replaces the rates; zero rates stop it.
        `fail_next` failures come first.
        """
        if min(rate_500, rate_429) < 0 or rate_500 + rate_429 > 1:
            raise ValueError("rates must be between 0 and 1, and add up to at most 1")
        queue = [
            one
            for one in self._random.get(method, [])
            if (one.user, one.channel) != (user, channel)
        ]
        if rate_500 or rate_429:
            rng = random.Random(seed)  # noqa: S311 - reproducible faults, not a secret
            queue.append(_RandomFailures(rate_500, rate_429, retry_after, rng, user, channel))
        self._random[method] = queue

    def delay(self, method: str, seconds: float, *, answer_only: bool = False) -> None:
        """Answer every later call of `method` only after `seconds` (a slow Slack);
        `"response_url"` slows the response_url posts.

        By default the call takes effect after the wait. answer_only=True makes it take effect
        at once and only the answer come late: a client that dies while waiting has still
        posted, as with a real Slack whose reply is lost on the way back.
        """
        self._delays[method] = (seconds, answer_only)

    def cut(self, method: str, times: int) -> None:
        """Drop the connection of the next `times` calls of `method` before anything happens
        (a network failure: the client gets no answer at all); times=0 stops it."""
        self._cuts[method] = times

    def enforce_channel_rate(self, per_second: float = 1.0, burst: int = 1) -> None:
        """Answer chat.postMessage with 429 once a channel gets more than Slack allows."""
        self._rate = (per_second, float(burst))
        self._buckets.clear()

    def enforce_workspace_rate(self, per_second: float, burst: float = 1.0) -> None:
        """Answer chat.postMessage with 429 once the whole workspace posts faster than this."""
        self._workspace_rate = (per_second, burst)
        self._workspace_bucket = (burst, time.monotonic())

    # -- HTTP ------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, {}, None, self.clock(), path=request.path)
        call.content_type = request.content_type if request.body_exists else ""
        self.calls.append(call)
        try:
            call.args, call.token, call.files = await self._read(request)
        except SlackError as exc:
            return self._answer(call, exc.body())
        if self._cuts.get(method, 0) > 0 and request.transport is not None:
            self._cuts[method] -= 1
            request.transport.abort()  # nothing was done, and no answer goes back
            return web.Response(status=503)
        if method == "oauth.v2.access":
            return self._exchange(call, request.headers.get("Authorization", ""))
        handler = self.methods.get(method)
        if handler is None:
            return self._answer(
                call, {"ok": False, "error": "unknown_method", "req_method": method}
            )
        if call.token is None:
            return self._answer(call, {"ok": False, "error": "not_authed"})
        grant = self._grant(call.token)
        if grant is None:
            return self._answer(call, {"ok": False, "error": "invalid_auth"})
        if grant.dead is not None:
            return self._answer(call, {"ok": False, "error": grant.dead})
        if (method == "apps.connections.open") != call.token.startswith("xapp-"):
            return self._answer(call, {"ok": False, "error": "not_allowed_token_type"})
        call.enterprise_id = grant.enterprise_id
        if method == "auth.test" and grant.org_wide:
            return self._answer(call, self.teams.org_auth_test(grant))
        if method == "auth.teams.list" and grant.org_wide:
            return self._answer(call, self.teams.org_teams_list(grant))
        try:
            ws = self.teams.acting_on(grant, method, call.args)
        except SlackError as exc:
            return self._answer(call, exc.body())
        call.team_id = ws.team_id
        seconds, answer_only = self._delays.get(method, (0.0, False))
        if seconds and not answer_only:
            await asyncio.sleep(seconds)
        response = self._respond(call, handler, ws)
        if seconds and answer_only:
            await asyncio.sleep(seconds)
        return response

    def _exchange(self, call: Call, authorization: str) -> web.Response:
        """oauth.v2.access: no token, the client's credentials and a code instead."""
        try:
            answer = self.oauth.access(call.args, authorization)
        except SlackError as exc:
            return self._answer(call, exc.body())
        team = answer["team"]
        call.team_id = team["id"] if team else None
        call.enterprise_id = (answer["enterprise"] or {}).get("id")
        return self._answer(call, answer)

    def _respond(self, call: Call, handler: Method, ws: Workspace) -> web.Response:
        """The answer to an authorized call: an injected failure, a 429, or the method's."""
        failure = self._take_failure(call.method, call.args, ws)
        if failure is not None:
            status, error, retry_after = failure
            headers = {"Retry-After": str(retry_after)} if status == 429 else {}
            return self._answer(call, {"ok": False, "error": error}, status, headers)
        limited = self._rate is not None or self._workspace_rate is not None
        if call.method == "chat.postMessage" and limited:
            wait = self._throttle(str(call.args.get("channel")))
            if wait:
                body = {"ok": False, "error": "ratelimited"}
                return self._answer(call, body, 429, {"Retry-After": str(wait)})
        args = dict(call.args)
        if call.files:
            args["_file"] = next(iter(call.files.values()))
        try:
            return self._answer(call, handler(ws, args))
        except SlackError as exc:
            return self._answer(call, exc.body())

    async def _read(
        self, request: web.Request
    ) -> tuple[dict[str, Any], str | None, dict[str, bytes]]:
        args: dict[str, Any] = dict(request.query)
        files: dict[str, bytes] = {}
        token = args.pop("token", None)
        if request.method == "POST" and request.content_type == "application/json":
            try:
                body = json.loads(await request.read() or b"{}")
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("json_not_object")
            # Slack ignores a token inside a JSON body: it must come as a Bearer header.
            body.pop("token", None)
            args.update(body)
        elif request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[name] = value.file.read()
                else:
                    args[name] = value
            token = args.pop("token", token)
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth.removeprefix("Bearer ").strip()
        for name in _JSON_ARGS:
            if isinstance(args.get(name), str):
                # Left as a string if broken: the method then answers Slack's format error.
                with contextlib.suppress(ValueError):
                    args[name] = json.loads(args[name])
        return args, token, files

    def _answer(
        self,
        call: Call,
        body: dict[str, Any],
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> web.Response:
        call.status, call.response = status, body
        return web.json_response(body, status=status, headers=headers)

    def _take_failure(
        self, method: str, args: dict[str, Any], ws: Workspace
    ) -> tuple[int, str, int] | None:
        """(status, error, Retry-After) of the first injected failure aimed at this call."""
        about = self._about(args, ws)
        for key in (method, "*"):
            queue = self._failures.get(key, [])
            for failure in queue:
                if _aimed(failure.user, failure.channel, about):
                    failure.remaining -= 1
                    if failure.remaining <= 0:
                        queue.remove(failure)
                    return failure.status, failure.error, failure.retry_after
        for key in (method, "*"):
            for chance in self._random.get(key, []):
                if not _aimed(chance.user, chance.channel, about):
                    continue
                draw = chance.rng.random()
                if draw < chance.rate_429:
                    return 429, "ratelimited", chance.retry_after
                if draw < chance.rate_429 + chance.rate_500:
                    return 500, "internal_error", 0
        return None

    def _about(self, args: dict[str, Any], ws: Workspace) -> set[str]:
        """The people and conversations a call is about: a DM counts as its person too."""
        about: set[str] = set()
        for name in ("user", "user_id", "users", "channel", "channel_id"):
            value = args.get(name)
            if isinstance(value, str):
                about.update(part.strip() for part in value.split(",") if part.strip())
            elif isinstance(value, list):
                about.update(str(part) for part in value)
        for conversation in list(about):
            dm = ws.channels.get(conversation)
            if dm is not None and dm.get("is_im"):
                about.add(str(dm.get("user")))
        return about

    def _throttle(self, channel: str) -> int:
        """Seconds to wait (0 means go ahead): the workspace's token bucket, then the
        channel's; a refused call spends from neither."""
        if self._workspace_rate is None:
            return self._channel_throttle(channel)
        rate, burst = self._workspace_rate
        now = time.monotonic()
        tokens, last = self._workspace_bucket
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens < 1:
            self._workspace_bucket = (tokens, now)
            self.refused["workspace"] += 1
            return max(1, math.ceil((1 - tokens) / rate))
        wait = self._channel_throttle(channel)
        self._workspace_bucket = (tokens if wait else tokens - 1, now)
        return wait

    def _channel_throttle(self, channel: str) -> int:
        """Seconds to wait by a token bucket per channel (0: go ahead, or no channel limit)."""
        if self._rate is None:
            return 0
        rate, burst = self._rate
        now = time.monotonic()
        tokens, last = self._buckets.get(channel, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens >= 1:
            self._buckets[channel] = (tokens - 1, now)
            return 0
        self._buckets[channel] = (tokens, now)
        self.refused["channel"] += 1
        return max(1, math.ceil((1 - tokens) / rate))

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        data = await request.read()
        call = Call("upload", {"file_id": file_id}, None, self.clock(), files={"file": data})
        call.path = request.path
        self.calls.append(call)
        # Upload URLs carry no token: the file id finds its workspace.
        holders = (ws.uploads.get(file_id) for ws in self.teams.workspaces.values())
        upload = next((found for found in holders if found is not None), None)
        if upload is None:
            call.status, call.response = 404, "Not Found"
            return web.Response(status=404, text="Not Found")
        upload.data = data
        call.response = f"OK - {len(data)}"
        return web.Response(text=call.response)

    async def _hook(self, request: web.Request) -> web.Response:
        """A response_url: SlackSender makes them as /hooks/{kind}/{channel}/{message_ts}/{n}."""
        call = Call("response_url", {}, None, self.clock(), path=request.path)
        self.calls.append(call)
        if "response_url" in self._delays:
            await asyncio.sleep(self._delays["response_url"][0])
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return self._answer(call, {"ok": False, "error": "invalid_payload"}, 400)
        call.args = body
        rejection = None
        if not body.get("delete_original"):
            rejection = check_message(body.get("text"), body.get("blocks"), body.get("attachments"))
        if rejection is not None:
            return self._answer(call, rejection.body(), 400)
        parts = request.match_info["tail"].split("/")
        channel, message_ts = (parts[1], parts[2]) if len(parts) >= 3 else ("", "")
        self.teams.holder_of(channel).respond(channel, message_ts, body)
        return self._answer(call, {"ok": True})


def _aimed(user: str | None, channel: str | None, about: set[str]) -> bool:
    """Whether a failure meant for `user`/`channel` (None: anyone) hits a call about these."""
    return (user is None or user in about) and (channel is None or channel in about)


@contextlib.contextmanager
def serve_in_thread(fake: FakeSlack | None = None) -> Iterator[FakeSlack]:
    """Run a FakeSlack on its own loop in a thread, for tests that block (subprocess.run)."""
    fake = fake or FakeSlack()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fakeslack", daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(fake.start(), loop).result(timeout=10)
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
