"""Flow helpers the scenario tests share: asking, booking, notes, intros, Home, the CLI.

Helpers only, no tests: test modules import these, never each other.
"""

from __future__ import annotations

import asyncio
import copy
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bot.clock import FrozenClock, SystemClock
from bot.delivery import OUTBOX_EVENT, Delivery, outbox_client
from bot.lifecycle import Runtime
from bot.outbox import Dispatcher
from handlers import ids
from handlers.requests.followups import NUDGE
from playground.fakeslack import (
    ALICE,
    BOB,
    CAROL,
    TEAM_ID,
    TOKEN,
    FakeSlack,
    SlackSender,
    all_buttons,
    block_texts,
    find_button,
)
from storage.models import (
    Intro,
    OutboxMessage,
    Request,
    RequestSource,
    Session,
    SubjectType,
    Topic,
    WorkspaceSettings,
)
from storage.requests import NewRequest
from storage.store import Store
from tests.conftest import deliver_soon

# From test_request_flow.py

DETAILS = "I'd like your advice on my promotion case before the review cycle."


async def stored_requests(bot: Runtime) -> list[Request]:
    with sqlite3.connect(bot.settings.db_path) as conn:
        rows = conn.execute("SELECT id FROM requests ORDER BY id").fetchall()
    found = [await bot.store.get_request(TEAM_ID, row[0]) for row in rows]
    return [r for r in found if r is not None]


def dms_to(fake: FakeSlack, user_id: str) -> list[Any]:
    channel = fake.dm_channel(user_id)
    return [c for c in fake.calls_to("chat.postMessage") if c.args.get("channel") == channel]


def opened_modal(fake: FakeSlack) -> dict[str, Any]:
    call = fake.calls_to("views.open")[-1]
    assert call.ok, call.response
    return dict(call.response["view"])


async def submit_request(
    slack: SlackSender, fake: FakeSlack, answers: dict[str, Any], user_id: str = ALICE
) -> Any:
    view = opened_modal(fake)
    return await slack.view_submission(view, answers, user_id=user_id)


# From test_request_actions.py

POOL = "C0POOL"


NOT_YOURS = "This isn't yours, so I didn't change anything."


async def ask(slack: SlackSender, fake: FakeSlack, bot: Runtime, mentor: str | None) -> Any:
    """Alice asks `mentor` (or the pool) with /mentor ask; returns the message to click."""
    await slack.command(f"ask <@{mentor}>" if mentor else "ask", user_id=ALICE)
    await submit_request(
        slack, fake, {"What is it about?": "Career path", "What's on your mind?": DETAILS}
    )
    await bot.background.drain(5)
    if mentor:
        return dms_to(fake, mentor)[-1]
    return [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == POOL][-1]


async def set_pool(bot: Runtime) -> None:
    workspace = await bot.store.get_workspace_settings(TEAM_ID)
    changed = replace(workspace, pool_channel_id=POOL)
    await bot.store.save_workspace_settings(changed, "U0ADMIN", datetime.now(UTC))


async def the_request(bot: Runtime) -> Request:
    [request] = await stored_requests(bot)
    return request


def told(fake: FakeSlack) -> list[str]:
    """What people were told privately through response_urls."""
    return [str(c.args.get("text")) for c in fake.calls_to("response_url")]


# From test_booking_flow.py

# CLOCK_START is Tue 2026-03-10 15:00 UTC; New York is on EDT (UTC-4) from March 8.
WED_10_NY = datetime(2026, 3, 11, 14, 0, tzinfo=UTC)


THU_11_NY = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)


def token(at: datetime) -> str:
    """How a time appears in a DM: Slack localises it for every reader."""
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|"


def first_message(fake: FakeSlack, user_id: str) -> dict[str, Any]:
    """The bot's first DM to someone as it looks now (updates applied)."""
    channel = fake.dm_channel(user_id)
    assert channel is not None
    message = copy.deepcopy(fake.messages(channel)[0])
    message["channel"] = channel
    return message


def latest_dm(fake: FakeSlack, user_id: str) -> Any:
    return dms_to(fake, user_id)[-1]


def pick_buttons(source: Any) -> list[dict[str, Any]]:
    return [b for b in all_buttons(source) if b.get("action_id") == ids.SLOT_PICK]


async def sessions(bot: Runtime) -> list[Session]:
    with sqlite3.connect(bot.settings.db_path) as conn:
        found = conn.execute("SELECT id FROM sessions ORDER BY id").fetchall()
    loaded = [await bot.store.get_session(TEAM_ID, row[0]) for row in found]
    return [s for s in loaded if s is not None]


def outbox(bot: Runtime, kind_prefix: str = "session.") -> list[tuple[str, str, str, str]]:
    """(kind, recipient, due_at, status) of the session rows, oldest first."""
    with sqlite3.connect(bot.settings.db_path) as conn:
        return conn.execute(
            "SELECT kind, recipient, due_at, status FROM outbox WHERE kind LIKE ? ORDER BY id",
            (kind_prefix + "%",),
        ).fetchall()


async def accepted_request(
    slack: SlackSender, fake: FakeSlack, bot: Runtime, *, mentee: str = ALICE, mentor: str = BOB
) -> dict[str, Any]:
    """`mentee` asks `mentor`, who accepts; returns the mentor's DM as it looks now."""
    await slack.command(f"ask <@{mentor}>", user_id=mentee)
    await submit_request(
        slack,
        fake,
        {"What is it about?": "Career path", "What's on your mind?": DETAILS},
        user_id=mentee,
    )
    await bot.background.drain(5)
    dm = dms_to(fake, mentor)[-1]
    await slack.click(find_button(dm, "Accept"), dm, user_id=mentor)
    channel = str(dm.response["channel"])
    now = copy.deepcopy(fake.message(channel, str(dm.response["ts"])))
    assert now is not None
    return {**now, "channel": channel}


async def offer(
    slack: SlackSender,
    fake: FakeSlack,
    bot: Runtime,
    answers: dict[str, Any],
    *,
    mentor: str = BOB,
    source: Any = None,
) -> Any:
    """The mentor clicks Offer times and submits the modal; returns the submission reply."""
    where = source or first_message(fake, mentor)
    await slack.click(find_button(where, "Offer times"), where, user_id=mentor)
    view = opened_modal(fake)
    assert view["callback_id"] == ids.OFFER_MODAL
    reply = await slack.view_submission(view, answers, user_id=mentor)
    await bot.background.drain(5)
    return reply


async def booked(
    slack: SlackSender, fake: FakeSlack, bot: Runtime, at: datetime = WED_10_NY
) -> Session:
    """Alice asks Bob, Bob offers one time, Alice picks it."""
    await accepted_request(slack, fake, bot)
    await offer(slack, fake, bot, {"Time 1": at})
    slots = latest_dm(fake, ALICE)
    await slack.click(pick_buttons(slots)[0], slots, user_id=ALICE)
    await bot.background.drain(5)
    [session] = await sessions(bot)
    return session


def errors_of(reply: Any) -> dict[str, str]:
    assert isinstance(reply.body, dict), reply.body
    assert reply.body.get("response_action") == "errors"
    return dict(reply.body["errors"])


# From test_cli.py


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot` in an empty folder (so no stray .env is read) with only `env` set."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTORBOT_"))}
    return subprocess.run(  # noqa: S603 - our own program, fixed arguments
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# From test_home.py


def home_of(fake: FakeSlack, user_id: str) -> dict[str, Any]:
    """The last Home tab published for a person, as Slack stored it."""
    calls = [c for c in fake.calls_to("views.publish") if c.args.get("user_id") == user_id]
    assert calls, f"no Home published for {user_id}"
    assert calls[-1].ok, calls[-1].response
    return dict(calls[-1].response["view"])


def published(fake: FakeSlack, user_id: str) -> int:
    return sum(c.args.get("user_id") == user_id for c in fake.calls_to("views.publish"))


async def open_home(slack: SlackSender, fake: FakeSlack, user_id: str) -> dict[str, Any]:
    before = published(fake, user_id)
    reply = await slack.app_home_opened(user_id=user_id)
    assert reply.status == 200
    for _ in range(250):  # the tab is published after the event's answer
        if published(fake, user_id) > before:
            break
        await asyncio.sleep(0.02)
    return home_of(fake, user_id)


# From test_intro_flow.py

DAVE = "U4"


WHY = "Dave ran the last two promotion panels and knows what they look for."


def add_dave(fake: FakeSlack) -> None:
    fake.add_user(DAVE, "dave", real_name="Dave Example", tz="Europe/London")


async def introduce(
    slack: SlackSender,
    fake: FakeSlack,
    bot: Runtime,
    *,
    introducer: str = CAROL,
    mentee: str = ALICE,
    expert: str = DAVE,
    why: str = WHY,
    note: str = "",
) -> Any:
    """`/mentor intro @mentee @expert why` and submit the prefilled modal."""
    await slack.command(f"intro <@{mentee}> <@{expert}> {why}", user_id=introducer)
    view = opened_modal(fake)
    assert view["callback_id"] == ids.INTRO_MODAL
    answers = {"A note for them both": note} if note else {}
    reply = await slack.view_submission(view, answers, user_id=introducer)
    await bot.background.drain(5)
    return reply


async def the_intro(bot: Runtime) -> Intro:
    with sqlite3.connect(bot.settings.db_path) as conn:
        [(intro_id,)] = conn.execute("SELECT id FROM intros").fetchall()
    intro = await bot.store.get_intro(TEAM_ID, intro_id)
    assert intro is not None
    return intro


def shown(fake: FakeSlack, channel: str | None) -> dict[str, Any]:
    """The bot's first message in a channel as people see it now (updates applied)."""
    assert channel is not None
    message = copy.deepcopy(fake.messages(channel)[0])
    message["channel"] = channel
    return message


def group_posts(fake: FakeSlack) -> list[Any]:
    return [c for c in fake.calls_to("chat.postMessage") if str(c.args["channel"]).startswith("G")]


# From test_notes_atomic.py


def rows(bot: Runtime, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(bot.settings.db_path) as conn:
        return conn.execute(sql).fetchall()


# From test_notes_delivery.py

PLAN = {"Step 1": "Write the abstract", "Step 1: who": "Them", "What next?": "checkin_1w"}


async def log_notes_refused(
    slack: SlackSender, fake: FakeSlack, bot: Runtime, **failure: Any
) -> Any:
    """Bob logs a plan for Alice while Slack refuses chat.postMessage as `failure` says."""
    await met(bot, mentor=BOB, mentee=ALICE)
    listed = await slack.command(f"notes <@{ALICE}>", user_id=BOB)
    await slack.click(find_button(listed.body, "Log notes"), listed.body, user_id=BOB)
    fake.fail_next("chat.postMessage", **failure)
    return await log_notes(slack, fake, bot, PLAN, user_id=BOB)


# From test_notes_flow.py

# Every mrkdwn control a person might type: a ping, an entity and a disguised link.
NASTY = "<!channel> & <http://x|y>"


NASTY_SHOWN = "&lt;!channel&gt; &amp; &lt;http://x|y&gt;"


def all_posted(fake: FakeSlack) -> str:
    """Every message text and block the bot posted or updated, to anyone."""
    calls = [
        *fake.calls_to("chat.postMessage"),
        *fake.calls_to("chat.update"),
        *fake.calls_to("chat.postEphemeral"),
        *fake.calls_to("response_url"),
    ]
    return "\n".join(str(call.args) for call in calls)


def dm_with(fake: FakeSlack, user_id: str, words: str) -> Any:
    """The latest DM to someone that contains `words`."""
    found = [call for call in dms_to(fake, user_id) if words in block_texts(call)]
    assert found, f"no DM to {user_id} with {words!r}"
    return found[-1]


async def log_notes(
    slack: SlackSender, fake: FakeSlack, bot: Runtime, answers: dict[str, Any], *, user_id: str
) -> Any:
    """Submit the notes modal that was just opened; returns the reply."""
    view = opened_modal(fake)
    assert view["callback_id"] == ids.NOTES_MODAL
    reply = await slack.view_submission(view, answers, user_id=user_id)
    await bot.background.drain(5)
    if bot.dispatcher is not None:
        await deliver_soon(bot)  # the plan DMs go through the outbox
    return reply


async def met(bot: Runtime, *, mentor: str, mentee: str) -> None:
    """A finished request between the two: notes are only for people who have met."""
    stamp = "2026-01-05T10:00:00.000000Z"
    with sqlite3.connect(bot.settings.db_path) as conn:
        for user in (mentor, mentee):
            conn.execute(
                "INSERT OR IGNORE INTO people (team_id, user_id, first_seen_at, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (TEAM_ID, user, stamp, stamp),
            )
        conn.execute(
            "INSERT INTO requests (team_id, mentee_id, mentor_id, topic, details, source, status, "
            "created_at, updated_at) VALUES (?, ?, ?, 'other', 'Earlier', 'command', "
            "'completed', ?, ?)",
            (TEAM_ID, mentee, mentor, stamp, stamp),
        )


async def notes_about(
    slack: SlackSender,
    fake: FakeSlack,
    bot: Runtime,
    answers: dict[str, Any],
    *,
    author: str,
    other: str,
    mentor: str | None = None,
) -> Any:
    """`/mentor notes @other`, Log notes, submit (the two once had a request, long done;
    the author was the mentor unless `mentor` says otherwise)."""
    mentor = mentor or author
    await met(bot, mentor=mentor, mentee=other if mentor == author else author)
    listed = await slack.command(f"notes <@{other}>", user_id=author)
    await slack.click(find_button(listed.body, "Log notes"), listed.body, user_id=author)
    return await log_notes(slack, fake, bot, answers, user_id=author)


def told_replaced(fake: FakeSlack) -> str:
    """The text of the latest in-place update through a response_url."""
    replaced = [c for c in fake.calls_to("response_url") if c.args.get("replace_original")]
    return str(replaced[-1].args.get("text"))


# From test_outbox_faults.py


def stop_failing(fake: FakeSlack) -> None:
    """Drop the failures still queued, keeping the record of calls."""
    calls = list(fake.calls)
    fake.clear()
    fake.calls.extend(calls)


# From test_privacy_forget.py


async def forget(slack: SlackSender, fake: FakeSlack, bot: Runtime, user_id: str) -> None:
    """`/mentor forget`, confirmed in its modal."""
    await slack.command("forget", user_id=user_id)
    await slack.view_submission(fake.calls_to("views.open")[-1].response["view"], user_id=user_id)
    await bot.background.drain(5)


# From test_request_followups.py


async def submit_ask(slack: SlackSender, fake: FakeSlack, bot: Runtime, mentor: str | None) -> None:
    await slack.command(f"ask <@{mentor}>" if mentor else "ask", user_id=ALICE)
    await slack.view_submission(
        opened_modal(fake),
        {"What is it about?": "Career path", "What's on your mind?": DETAILS},
        user_id=ALICE,
    )
    await bot.background.drain(5)


async def configure(bot: Runtime, clock: FrozenClock, **changes: Any) -> None:
    workspace = await bot.store.get_workspace_settings(TEAM_ID)
    await bot.store.save_workspace_settings(replace(workspace, **changes), "U0ADMIN", clock.now())


# From test_request_store.py

T1, T2 = "T0001", "T0002"
MENTEE, MENTOR, OTHER, THIRD = "UMENTEE", "UMENTOR", "UOTHER", "UTHIRD"
NOW = datetime(2026, 11, 23, 21, 5, tzinfo=UTC)


LATER = NOW + timedelta(minutes=5)


def draft(*, mentor_id: str | None = MENTOR, team_id: str = T1, **changes: object) -> NewRequest:
    fields: dict[str, object] = {
        "team_id": team_id,
        "mentee_id": MENTEE,
        "mentor_id": mentor_id,
        "topic": Topic.CAREER_PATH,
        "details": "Could we talk about moving into management?",
        "source": RequestSource.COMMAND,
    }
    return NewRequest(**(fields | changes))


async def named(store: Store) -> Request:
    return await store.create_request(draft(), NOW)


async def unchanged(store: Store, before: Request) -> None:
    assert await store.get_request(before.team_id, before.id) == before


# From test_subprocess.py

SECRET = "subprocess-signing-secret"


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def logs(self) -> str:
        return self.log_path.read_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            if process.returncode is not None:
                raise AssertionError(f"mentorbot exited early with {process.returncode}")
            try:
                async with session.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("mentorbot did not become healthy in 10 s")


@asynccontextmanager
async def start_bot(
    fake: FakeSlack, tmp_path: Path, log_name: str = "bot.log", **env: str
) -> AsyncIterator[BotProcess]:
    """`python -m bot run` in its own folder, configured only by `env`, logging to `log_name`."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTORBOT_"))}
    environ.update(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_API_URL=fake.url,
        MENTORBOT_DB=str(tmp_path / "data" / "bot.db"),
        MENTORBOT_HOST="127.0.0.1",
        MENTORBOT_PORT=str(port),
    )
    environ.update({"MENTORBOT_LOG_LEVEL": "DEBUG", **env})
    log_path = tmp_path / log_name
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=environ,
            stdout=log_file,
            stderr=log_file,
        )
    bot = BotProcess(process, port, log_path)
    try:
        await wait_healthy(bot.url, process)
        yield bot
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@asynccontextmanager
async def replicas(
    fake: FakeSlack, tmp_path: Path, url: str, count: int, **env: str
) -> AsyncIterator[list[BotProcess]]:
    """`count` `mentorbot run` processes on the database `url`, started at once; each logs to
    replica-N.log and leases outbox rows as replica-N."""
    async with AsyncExitStack() as stack:
        starting = [
            stack.enter_async_context(
                start_bot(
                    fake,
                    tmp_path,
                    log_name=f"replica-{n}.log",
                    SLACK_SIGNING_SECRET=SECRET,
                    MENTORBOT_DB=url,
                    MENTORBOT_WORKER_ID=f"replica-{n}",
                    MENTORBOT_LOG_LEVEL="INFO",
                    **env,
                )
            )
            for n in range(count)
        ]
        yield list(await asyncio.gather(*starting))


# A database made by release 0.1.0 (numbered SQL migrations, SQLite), for upgrade and copy tests.
RELEASE_DB = Path(__file__).parent / "data" / "release-0.1.0.db"


# Outbox kill tests: what reached Slack, and waiting for it.


async def seed_nudges(
    db: str | Path,
    fake: FakeSlack,
    *,
    mentors: int,
    each: int,
    tag: str,
    offset_ms: Callable[[int, int], int],
) -> None:
    """`mentors` open requests, each with `each` unanswered nudges due about now (the nth of the
    mth mentor `offset_ms(m, n)` ms after a minute ago), in a workspace whose hours never end."""
    now = datetime.now(UTC)
    async with await Store.open(db) as store:
        await store.migrate()
        always = WorkspaceSettings(
            team_id=TEAM_ID, work_days=(1, 2, 3, 4, 5, 6, 7), work_start_minute=0,
            work_end_minute=1440,
        )  # fmt: skip
        await store.save_workspace_settings(always, ALICE, now)
        for number in range(mentors):
            mentor = f"U{7000 + number}"
            fake.add_user(mentor)
            asked = NewRequest(
                team_id=TEAM_ID, mentee_id=ALICE, mentor_id=mentor, topic=Topic.CAREER_PATH,
                details="Could we talk about my next step?", source=RequestSource.COMMAND,
            )  # fmt: skip
            request = await store.create_request(asked, now)
            for nth in range(each):
                due = now - timedelta(minutes=1) + timedelta(milliseconds=offset_ms(number, nth))
                assert await store.enqueue(
                    TEAM_ID, NUDGE, mentor, due, dedupe_key=f"{tag}:{request.id}:{nth}",
                    subject_type=SubjectType.REQUEST, subject_id=request.id, now=now,
                )  # fmt: skip


ROW_KIND = "test.dm"  # a kind of the tests' own: its message is its row's number


async def render_row(row: OutboxMessage) -> Delivery:
    return Delivery(row.recipient, f"row {row.id}")


def row_dispatcher(
    store: Store, session: aiohttp.ClientSession, url: str, worker: str, **options: Any
) -> Dispatcher:
    """A replica's dispatcher of ROW_KIND rows against the fake at `url` (options: Pacing,
    takeover_grace, ...)."""
    client = outbox_client(TOKEN, url, session)
    return Dispatcher(
        store, client, {ROW_KIND: render_row}, SystemClock(), worker_id=worker, **options
    )


def tagged_rows(fake: FakeSlack) -> Counter[int]:
    """How many messages in Slack carry each outbox row's tag."""
    counts: Counter[int] = Counter()
    for channel in list(fake.channels):
        for message in fake.messages(channel):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == OUTBOX_EVENT:
                counts[int(metadata["event_payload"]["row"])] += 1
    return counts


async def wait_until(condition: Callable[[], bool], within: float) -> float:
    """Seconds until `condition()` held; fails after `within` seconds."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > within:
            raise AssertionError(f"still waiting after {within} s")
        await asyncio.sleep(0.005)
    return time.perf_counter() - started
