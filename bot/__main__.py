"""The `mentorbot` command: run | migrate | check | outbox | backup | copy-db | playground."""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from slack_sdk.errors import SlackApiError

import bot
from bot import logs
from bot.backup import backup_database
from bot.lifecycle import StartupError, running
from bot.outbox_report import outbox_report
from bot.settings import (
    PlaygroundSettings,
    Settings,
    SettingsError,
    SlackCredentials,
    StorageSettings,
)
from bot.settings_reading import FromEnvironment
from bot.slack_client import make_client
from storage import StorageError
from storage.copy import copy_database
from storage.store import Store
from storage.url import DatabaseUrlError, parse_database

EXIT_CONFIG = 2
EXIT_FAILURE = 1
PLAYGROUND_INSTEAD = (
    "mentorbot: no Slack credentials, so this is the playground, a simulated workspace; "
    'to connect a real one, see README.md, "Setting up the Slack app".'
)


Model = TypeVar("Model", bound=FromEnvironment)


def _at_least_one(text: str) -> int:
    """A whole number of 1 or more, for argparse (which then names the option)."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def _fail(message: str, code: int) -> int:
    print(f"mentorbot: {message}", file=sys.stderr)
    return code


async def _serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running(settings, migrate_in_child=True):
        # Everything built at start-up lives as long as the process: keep it out of the
        # cyclic collector's full passes, which otherwise walk it again and again under load.
        gc.freeze()
        await stop.wait()


async def _migrate(settings: StorageSettings) -> int:
    async with await Store.open(settings.database, pool_size=settings.db_pool_size) as store:
        return await store.migrate()


async def _copy_db(settings: StorageSettings, source: str, target: str) -> str:
    password = settings.db_password.get_secret_value() if settings.db_password else None
    environ = {"MENTORBOT_DB_PASSWORD": password} if password else {}
    try:
        origin, destination = parse_database(source, environ), parse_database(target, environ)
    except DatabaseUrlError as error:
        raise StorageError(f"copy-db: a database {error}") from None
    if origin.path is not None and not origin.path.exists():
        raise StorageError(f"no database at {origin}")
    async with (
        await Store.open(origin, pool_size=1) as old,
        await Store.open(destination, pool_size=1) as new,
    ):
        await old.migrate()
        await new.migrate()
        copied = await copy_database(old, new)
    return (
        f"copied {sum(copied.values())} rows in {len(copied)} tables from {origin} to {destination}"
    )


async def _describe_database(settings: StorageSettings) -> str:
    database = settings.database
    if database.path is not None and not database.path.exists():
        # check must not create the file that `mentorbot run` would.
        return f"sqlite {sqlite3.sqlite_version} at {database} (not created yet)"
    async with await Store.open(database, pool_size=1) as store:
        return f"{await store.describe()} ({await store.schema_state()})"


async def _check(settings: Settings) -> str:
    database = await _describe_database(settings)
    if settings.oauth:
        return f"ok: installs by OAuth; database {database}\n" + await _installations(settings)
    client = make_client(settings)
    auth = await client.auth_test()
    return (
        f"ok: bot @{auth.get('user')} ({auth.get('user_id')}) in team {auth.get('team')} "
        f"({auth.get('team_id')}); mode {'socket' if settings.socket_mode else 'http'}; "
        f"database {database}"
    )


async def _installations(settings: Settings) -> str:
    """One line per installation: whom it serves, since when, and whether it is removed."""
    if settings.database.path is not None and not settings.database.path.exists():
        return "no installations yet (the database is not created yet)"
    async with await Store.open(settings.database, pool_size=1) as store:
        try:
            installed = await store.installations()
        except store.errors:
            # check reads and never migrates: `mentorbot run` or `migrate` adds the table.
            return "no installations yet (the database predates them: mentorbot migrate)"
    if not installed:
        return "no installations yet: open /slack/install to add mentorbot to a workspace"
    lines = []
    for item in installed:
        who = (
            f"org {item.enterprise_id} (org-wide)"
            if item.is_enterprise_install
            else (
                f"team {item.team_id}"
                + (f" in org {item.enterprise_id}" if item.enterprise_id else "")
            )
        )
        state = (
            f"removed {item.uninstalled_at:%Y-%m-%d %H:%M} UTC"
            if item.uninstalled_at is not None
            else f"installed {item.installed_at:%Y-%m-%d %H:%M} UTC by {item.installer_user_id}"
        )
        lines.append(f"  {who}: bot {item.bot_user_id or '-'}, {state}")
    return f"{len(installed)} installations:\n" + "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorbot",
        description="A self-hosted Slack app for ad-hoc mentoring. Configuration comes from "
        "the environment and a .env file; see .env.example.",
    )
    parser.add_argument("--version", action="version", version=f"mentorbot {bot.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run", help="run the bot (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)"
    )
    run.add_argument(
        "--or-playground",
        action="store_true",
        help="with no Slack credentials at all (no SLACK_BOT_TOKEN, SLACK_APP_TOKEN or "
        "SLACK_SIGNING_SECRET in the environment or .env), start the playground instead; "
        "`make run` uses this",
    )
    commands.add_parser("migrate", help="bring the database schema up to date, then exit")
    commands.add_parser(
        "check", help="validate settings, open the database (engine and version), call auth.test"
    )
    outbox = commands.add_parser(
        "outbox", help="show pending, failed and recently sent timed messages (needs MENTORBOT_DB)"
    )
    outbox.add_argument(
        "--retry-failed", action="store_true", help="move failed messages back to pending"
    )
    outbox.add_argument(
        "--limit",
        type=_at_least_one,
        default=20,
        metavar="N",
        help="rows shown per status (default 20)",
    )
    copy = commands.add_parser(
        "copy-db",
        help="copy every row of database FROM into the empty database TO (each a path or a URL, "
        "e.g. a SQLite file into PostgreSQL); both are migrated first",
    )
    copy.add_argument("source", metavar="FROM")
    copy.add_argument("target", metavar="TO")
    backup = commands.add_parser(
        "backup",
        help="copy the database to PATH while the bot runs (see docs/admin.md to restore)",
    )
    backup.add_argument("path", type=Path, metavar="PATH", help="the backup file (or a folder)")
    playground = commands.add_parser(
        "playground",
        help="try mentorbot in a browser with no Slack workspace: a simulated one at "
        "http://127.0.0.1:3000/ (MENTORBOT_HOST, MENTORBOT_PORT)",
    )
    playground.add_argument(
        "--folder",
        type=Path,
        metavar="DIR",
        help="keep the playground's database in DIR (default: a temporary folder)",
    )
    return parser


def _settings_or_exit(model: type[Model]) -> Model | int:
    try:
        return model()
    except SettingsError as error:
        return _fail(f"invalid configuration: {error}", EXIT_CONFIG)


def _playground(folder: Path | None) -> int:
    # Imported here: only this command needs the fake Slack and the page.
    from playground.server import serve_forever

    settings = _settings_or_exit(PlaygroundSettings)
    if isinstance(settings, int):
        return settings
    logs.configure(settings.log_level)
    try:
        asyncio.run(serve_forever(folder, settings.host, settings.port))
    except (StorageError, StartupError, ValueError) as error:
        return _fail(str(error), EXIT_FAILURE)
    except OSError as error:
        return _fail(f"playground: {error}", EXIT_FAILURE)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and of `python -m bot`."""
    args = _parser().parse_args(argv)
    if args.command == "playground":
        return _playground(args.folder)
    if args.command == "run" and args.or_playground and not SlackCredentials().any_set():
        print(PLAYGROUND_INSTEAD, flush=True)
        return _playground(None)
    storage_only = args.command in ("migrate", "outbox", "backup", "copy-db")
    settings = _settings_or_exit(StorageSettings if storage_only else Settings)
    if isinstance(settings, int):
        return settings
    logs.configure(settings.log_level)
    try:
        if isinstance(settings, Settings) and args.command == "check":
            print(asyncio.run(_check(settings)))
        elif isinstance(settings, Settings):
            asyncio.run(_serve(settings))
        elif args.command == "backup":
            if settings.database.path is None:
                raise StorageError(
                    "mentorbot backup copies a SQLite file; back PostgreSQL up with pg_dump "
                    "(docs/scaling.md)"
                )
            print(backup_database(settings.db_path, args.path))
        elif args.command == "copy-db":
            print(asyncio.run(_copy_db(settings, args.source, args.target)))
        elif args.command == "outbox":
            print(outbox_report(settings.database, args.limit, args.retry_failed))
        else:
            version = asyncio.run(_migrate(settings))
            print(f"database {settings.database} is at schema version {version}")
    except (StorageError, StartupError) as error:
        return _fail(str(error), EXIT_FAILURE)
    except SlackApiError as error:
        return _fail(f"Slack answered {error.response.get('error')!r} to auth.test", EXIT_FAILURE)
    except OSError as error:
        return _fail(str(error), EXIT_FAILURE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
