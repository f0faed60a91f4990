"""One typed settings object, read from the environment (and .env) once at start.

The fields are read by their variables' names, in any case, from the environment first, then
from `.env`, and values given to the constructor win over both (bot/settings_reading.py). Plain
frozen dataclasses replaced pydantic here: the server no longer imports it for settings alone.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Literal, cast, get_args

from bot.secret import SecretStr
from bot.settings_reading import FromEnvironment, SettingsError, variable
from bot.settings_values import Convert, blank_is_unset, integer, number, secret, text
from storage import StorageError
from storage.url import DatabaseTarget, DatabaseUrlError, parse_database

__all__ = [
    "MAX_TIMING",
    "FromEnvironment",
    "LogLevel",
    "SecretStr",
    "Settings",
    "SettingsError",
    "SlackCredentials",
    "StorageSettings",
    "parse_hours",
]

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_HOURS = re.compile(r"^\s*(\d{1,4})\s*([hd]?)\s*$", re.IGNORECASE)
MAX_TIMING = timedelta(days=90)


def parse_hours(value: object) -> timedelta:
    """'36h', '2d' or a bare number of hours -> timedelta; whole hours, 1h to 90 days."""
    if isinstance(value, timedelta):
        return value
    match = _HOURS.match(str(value))
    if match is None:
        raise ValueError("must be a number of hours or days, like 24h or 14d")
    number, unit = int(match[1]), match[2].lower()
    span = timedelta(days=number) if unit == "d" else timedelta(hours=number)
    if not timedelta(hours=1) <= span <= MAX_TIMING:
        raise ValueError("must be between 1h and 90d")
    return span


def _log_level(value: object) -> LogLevel:
    levels = get_args(LogLevel)
    level = value.strip().upper() if isinstance(value, str) else value
    if level not in levels:
        named = ", ".join(repr(name) for name in levels[:-1])
        raise ValueError(f"input should be {named} or {levels[-1]!r}")
    return cast(LogLevel, level)


def _database(value: object) -> str:
    given = text(str(value) if isinstance(value, Path) else value)
    try:
        parse_database(given)
    except DatabaseUrlError as error:
        raise ValueError(str(error)) from None
    return given


def _password(value: object) -> SecretStr | None:
    # Only an empty value is unset: a password of spaces is still a password.
    return None if value is None or value == "" else secret(value)


def _token(prefix: str, kind: str) -> Convert[SecretStr]:
    def convert(value: object) -> SecretStr:
        token = secret(value)
        if not token.get_secret_value().startswith(prefix):
            raise ValueError(f"must be {kind} starting with {prefix}")
        return token

    return convert


def _api_url(value: object) -> str:
    url = text(value)
    if not re.match(r"^https?://[^/\s]+", url):
        raise ValueError("must be an http(s) URL such as https://slack.com/api/")
    return url if url.endswith("/") else url + "/"


def _admins(value: object) -> frozenset[str]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list | tuple | set | frozenset):
        raise ValueError("input should be a valid frozenset")
    bad = [item for item in value if not _USER_ID.match(str(item))]
    if bad:
        raise ValueError(f"must be comma-separated Slack user IDs (bad: {bad[0]})")
    return frozenset(str(item) for item in value)


def _channel(value: object) -> str:
    channel = text(value)
    if not _CHANNEL_ID.match(channel):
        raise ValueError("must be a channel ID such as C0123ABCD")
    return channel


def _worker_id(value: object) -> str:
    name = text(value).strip() or socket.gethostname()
    if len(name) > 200:
        raise ValueError("string should have at most 200 characters")
    return name


@dataclass(frozen=True, init=False)
class PlaygroundSettings(FromEnvironment):
    """What `mentorbot playground` reads: where to serve its page, and how much to log. It
    is local unless told, and quiet (the bot logs a line per click)."""

    host: str = field(default="127.0.0.1", metadata=variable("MENTORBOT_HOST", text))
    port: int = field(default=3000, metadata=variable("MENTORBOT_PORT", integer(0, 65535)))
    log_level: LogLevel = field(
        default="WARNING", metadata=variable("MENTORBOT_LOG_LEVEL", _log_level)
    )


@dataclass(frozen=True, init=False)
class StorageSettings(FromEnvironment):
    """What commands that only touch the database need (`mentorbot migrate`)."""

    # A SQLite file path, or a URL: sqlite:///path or postgresql://user:password@host/db.
    db: str = field(
        default="./data/mentorbot.db", repr=False, metadata=variable("MENTORBOT_DB", _database)
    )
    # The PostgreSQL password, when the URL carries none (libpq's PGPASSWORD also works).
    db_password: SecretStr | None = field(
        default=None, metadata=variable("MENTORBOT_DB_PASSWORD", _password)
    )
    # PostgreSQL connections per process (SQLite always uses one).
    db_pool_size: int = field(
        default=5, metadata=variable("MENTORBOT_DB_POOL_SIZE", integer(1, 100))
    )
    log_level: LogLevel = field(
        default="INFO", metadata=variable("MENTORBOT_LOG_LEVEL", _log_level)
    )

    @property
    def database(self) -> DatabaseTarget:
        """MENTORBOT_DB parsed: the SQLite file or the PostgreSQL URL (password included)."""
        password = self.db_password.get_secret_value() if self.db_password else None
        environ = {"MENTORBOT_DB_PASSWORD": password} if password else {}
        return parse_database(self.db, environ)

    @property
    def db_path(self) -> Path:
        """The SQLite file; StorageError on PostgreSQL, which has no file."""
        path = self.database.path
        if path is None:
            raise StorageError("this command needs a SQLite MENTORBOT_DB (a file path)")
        return path


@dataclass(frozen=True, init=False)
class Settings(StorageSettings):
    """Everything `mentorbot run` needs; see .env.example for what each one means."""

    # One workspace by its bot token, or (with no token) installs by OAuth: the client id and
    # secret, and each workspace's token in the database.
    bot_token: SecretStr | None = field(
        default=None,
        metadata=variable("SLACK_BOT_TOKEN", blank_is_unset(_token("xoxb-", "a bot token"))),
    )
    client_id: str | None = field(
        default=None, metadata=variable("SLACK_CLIENT_ID", blank_is_unset(text))
    )
    client_secret: SecretStr | None = field(
        default=None, metadata=variable("SLACK_CLIENT_SECRET", blank_is_unset(secret))
    )
    redirect_uri: str | None = field(
        default=None, metadata=variable("SLACK_REDIRECT_URI", blank_is_unset(text))
    )
    signing_secret: SecretStr | None = field(
        default=None, metadata=variable("SLACK_SIGNING_SECRET", blank_is_unset(secret))
    )
    app_token: SecretStr | None = field(
        default=None,
        metadata=variable("SLACK_APP_TOKEN", blank_is_unset(_token("xapp-", "an app-level token"))),
    )
    api_url: str = field(
        default="https://slack.com/api/", metadata=variable("SLACK_API_URL", _api_url)
    )
    host: str = field(default="0.0.0.0", metadata=variable("MENTORBOT_HOST", text))  # noqa: S104 - a server in a container
    port: int = field(default=3000, metadata=variable("MENTORBOT_PORT", integer(0, 65535)))
    tick_seconds: float = field(
        default=10.0, metadata=variable("MENTORBOT_TICK_SECONDS", number(0, 3600))
    )
    admins: frozenset[str] = field(
        default=frozenset(), metadata=variable("MENTORBOT_ADMINS", _admins)
    )
    pool_channel: str | None = field(
        default=None, metadata=variable("MENTORBOT_POOL_CHANNEL", blank_is_unset(_channel))
    )
    outbox_max_attempts: int = field(
        default=8, metadata=variable("MENTORBOT_OUTBOX_MAX_ATTEMPTS", integer(1, 100))
    )
    # Names this replica's outbox leases; it must stay the same across a restart of the replica
    # (so the restart takes its leases back at once) and differ between live replicas.
    worker_id: str = field(
        default_factory=socket.gethostname, metadata=variable("MENTORBOT_WORKER_ID", _worker_id)
    )
    # Request timings: defaults for workspaces that never saved their own in /mentor settings.
    nudge_after: timedelta = field(
        default=timedelta(hours=24), metadata=variable("MENTORBOT_NUDGE_AFTER", parse_hours)
    )
    escalate_after: timedelta = field(
        default=timedelta(hours=48), metadata=variable("MENTORBOT_ESCALATE_AFTER", parse_hours)
    )
    pool_repost_after: timedelta = field(
        default=timedelta(hours=24), metadata=variable("MENTORBOT_POOL_REPOST_AFTER", parse_hours)
    )
    expire_after: timedelta = field(
        default=timedelta(days=14), metadata=variable("MENTORBOT_EXPIRE_AFTER", parse_hours)
    )
    reminder_minutes: int = field(
        default=15, metadata=variable("MENTORBOT_REMINDER_MINUTES", integer(0, 1440))
    )
    # Check-ins of one action plan, at most: "Still working on it" asks again until then.
    max_checkins: int = field(
        default=4, metadata=variable("MENTORBOT_MAX_CHECKINS", integer(1, 52))
    )
    # Days to keep private notes, done action items and sent timed messages; None keeps them.
    retention_days: int | None = field(
        default=None,
        metadata=variable("MENTORBOT_RETENTION_DAYS", blank_is_unset(integer(1, 36500))),
    )
    # Days an uninstalled workspace's data is kept (a reinstall brings it back) before the
    # daily job deletes it.
    uninstall_retention_days: int = field(
        default=30, metadata=variable("MENTORBOT_UNINSTALL_RETENTION_DAYS", integer(0, 3650))
    )

    @property
    def oauth(self) -> bool:
        """Installs by OAuth ("Add to Slack"), many workspaces; else one, by SLACK_BOT_TOKEN."""
        return self.bot_token is None

    @property
    def socket_mode(self) -> bool:
        """Socket Mode runs whenever an app-level token is configured."""
        return self.app_token is not None

    def _check(self) -> None:
        # In this order, and only the first that fails is reported (as pydantic did).
        self._timings_in_order()
        self._one_way_to_authorize()
        self._http_mode_needs_secret()

    def _timings_in_order(self) -> None:
        if self.nudge_after >= self.escalate_after:
            raise ValueError("MENTORBOT_ESCALATE_AFTER must be later than MENTORBOT_NUDGE_AFTER")

    def _one_way_to_authorize(self) -> None:
        oauth = self.client_id is not None or self.client_secret is not None
        if self.bot_token is not None and oauth:
            raise ValueError(
                "set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET (installs by OAuth), not both"
            )
        if self.bot_token is None and not oauth:
            raise ValueError(
                "SLACK_BOT_TOKEN is required (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to "
                "install by OAuth)"
            )
        if self.bot_token is None and (self.client_id is None or self.client_secret is None):
            missing = "SLACK_CLIENT_SECRET" if self.client_id else "SLACK_CLIENT_ID"
            raise ValueError(f"{missing} is required to install by OAuth")
        if self.bot_token is None and self.app_token is not None:
            raise ValueError(
                "installs by OAuth need HTTP mode (Slack sends the browser back to "
                "/slack/oauth_redirect): unset SLACK_APP_TOKEN"
            )

    def _http_mode_needs_secret(self) -> None:
        if self.app_token is None and self.signing_secret is None:
            raise ValueError(
                "SLACK_SIGNING_SECRET is required in HTTP mode (set it, or set SLACK_APP_TOKEN "
                "for Socket Mode)"
            )


@dataclass(frozen=True, init=False)
class SlackCredentials(FromEnvironment):
    """Whether any Slack credential is configured, read from the same places as Settings."""

    # Read only to see whether they are set; never shown, as they are not SecretStr here.
    bot_token: str = field(default="", repr=False, metadata=variable("SLACK_BOT_TOKEN", text))
    app_token: str = field(default="", repr=False, metadata=variable("SLACK_APP_TOKEN", text))
    signing_secret: str = field(
        default="", repr=False, metadata=variable("SLACK_SIGNING_SECRET", text)
    )
    client_id: str = field(default="", repr=False, metadata=variable("SLACK_CLIENT_ID", text))
    client_secret: str = field(
        default="", repr=False, metadata=variable("SLACK_CLIENT_SECRET", text)
    )

    def any_set(self) -> bool:
        """Whether any credential is set, so that `run --or-playground` connects to Slack."""
        # Half a configuration still means "connect to Slack": run it and say what is missing.
        values = (
            self.bot_token,
            self.app_token,
            self.signing_secret,
            self.client_id,
            self.client_secret,
        )
        return any(value.strip() for value in values)
