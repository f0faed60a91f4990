"""Start the playground's parts: the fake Slack, seeded, and the real bot on a frozen clock."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from bot.clock import FrozenClock
from bot.lifecycle import running
from bot.settings import Settings
from playground.app import Playground
from playground.fakeslack import TOKEN, FakeSlack, SlackSender
from playground.fakeslack.snapshot import restore_workspace
from playground.saved import DATABASE_NAME, autosaved, read_saved, set_aside_database
from playground.seed import ADMINS, PEOPLE, seed_store, seed_workspace


def bot_settings(fake: FakeSlack, folder: Path, secret: str) -> Settings:
    """The bot's settings in the playground: the fake's URL and token, SQLite in `folder`,
    its Slack endpoint on a free local port, and a scheduler that never ticks by itself."""
    values = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": fake.url,
        "MENTORBOT_DB": str(folder / DATABASE_NAME),
        "MENTORBOT_HOST": "127.0.0.1",
        "MENTORBOT_PORT": "0",
        "MENTORBOT_TICK_SECONDS": "3600",
        "MENTORBOT_ADMINS": ",".join(sorted(ADMINS)),
    }
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def playground(folder: Path, *, start: datetime | None = None) -> AsyncIterator[Playground]:
    """Run the fake Slack and the bot on a frozen clock (from `start`, else now) until the
    block exits; the workspace and the clock carry on from the last run in `folder`."""
    now = start or datetime.now(UTC).replace(second=0, microsecond=0)
    saved = read_saved(folder)
    if saved is not None:
        # The database's rows were timed by the saved clock: never start before it.
        now = max(now, saved.clock)
    else:
        set_aside_database(folder)
    clock = FrozenClock(now)
    secret = secrets.token_hex(16)
    async with AsyncExitStack() as stack:
        fake = await stack.enter_async_context(FakeSlack())
        seed_workspace(fake)
        if saved is not None:
            restore_workspace(fake, saved.tables)
        for person in PEOPLE:
            fake.open_conversation([person.user_id])  # the app's Messages tab exists already
        runtime = await stack.enter_async_context(
            running(bot_settings(fake, folder, secret), clock=clock)
        )
        await seed_store(runtime.store, clock.now())
        session = await stack.enter_async_context(aiohttp.ClientSession())
        sender = SlackSender(
            f"http://127.0.0.1:{runtime.port}",
            secret,
            response_url_base=fake.response_url_base,
            session=session,
        )
        pg = Playground(fake, runtime, clock, sender)
        if saved is not None:
            pg.world.human = saved.human
        await stack.enter_async_context(autosaved(pg, folder))
        yield pg
