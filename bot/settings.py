"""One typed settings object, read from the environment (and .env) once at start.

The fields are read by their aliases (the variables' names, in any case), from the
environment first, then from `.env`, and values given to the constructor win over both; the
one .env parser is python-dotenv's. pydantic-settings did this before, and cost the server
1.5 MB for sources it never used (cloud secret stores, a CLI, TOML, YAML).
"""

from __future__ import annotations

import os
import re
import socket
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal, Self

from dotenv import dotenv_values
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from storage import StorageError
from storage.url import DatabaseTarget, DatabaseUrlError, parse_database

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_HOURS = re.compile(r"^\s*(\d{1,4})\s*([hd]?)\s*$", re.IGNORECASE)
MAX_TIMING = timedelta(days=90)


def parse_hours(value: object) -> object:
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


def _environment(model: type[BaseModel], env_file: str | Path | None) -> dict[str, str]:
    """The model's variables that are set: the environment's, else the .env file's."""
    names = {
        (field.alias or name).lower(): field.alias or name
        for name, field in model.model_fields.items()
    }
    found: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        for key, value in dotenv_values(env_file, encoding="utf-8").items():
            if value is not None and key.lower() in names:
                found[names[key.lower()]] = value
    for key, value in os.environ.items():
        if key.lower() in names:
            found[names[key.lower()]] = value
    return found


class FromEnvironment(BaseModel):
    """A model read from the environment and a .env file (`_env_file=None`: no file)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    def __init__(self, _env_file: str | Path | None = ".env", **values: object) -> None:
        super().__init__(**{**_environment(type(self), _env_file), **values})


class StorageSettings(FromEnvironment):
    """What commands that only touch the database need (`mentorbot migrate`)."""

    # A SQLite file path, or a URL: sqlite:///path or postgresql://user:password@host/db.
    db: str = Field(default="./data/mentorbot.db", alias="MENTORBOT_DB", repr=False)
    # The PostgreSQL password, when the URL carries none (libpq's PGPASSWORD also works).
    db_password: SecretStr | None = Field(default=None, alias="MENTORBOT_DB_PASSWORD")
    # PostgreSQL connections per process (SQLite always uses one).
    db_pool_size: int = Field(default=5, ge=1, le=100, alias="MENTORBOT_DB_POOL_SIZE")
    log_level: LogLevel = Field(default="INFO", alias="MENTORBOT_LOG_LEVEL")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("db", mode="before")
    @classmethod
    def _db_is_text(cls, value: object) -> object:
        return str(value) if isinstance(value, Path) else value

    @field_validator("db")
    @classmethod
    def _db_shape(cls, value: str) -> str:
        try:
            parse_database(value)
        except DatabaseUrlError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("db_password", mode="before")
    @classmethod
    def _blank_password_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value else value

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


class Settings(StorageSettings):
    """Everything `mentorbot run` needs; see .env.example for what each one means."""

    # One workspace by its bot token, or (with no token) installs by OAuth: the client id and
    # secret, and each workspace's token in the database.
    bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    client_secret: SecretStr | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    redirect_uri: str | None = Field(default=None, alias="SLACK_REDIRECT_URI")
    signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")
    host: str = Field(default="0.0.0.0", alias="MENTORBOT_HOST")  # noqa: S104 - a server in a container
    port: int = Field(default=3000, ge=0, le=65535, alias="MENTORBOT_PORT")
    tick_seconds: float = Field(default=10.0, gt=0, le=3600, alias="MENTORBOT_TICK_SECONDS")
    admins: frozenset[str] = Field(default=frozenset(), alias="MENTORBOT_ADMINS")
    pool_channel: str | None = Field(default=None, alias="MENTORBOT_POOL_CHANNEL")
    outbox_max_attempts: int = Field(default=8, ge=1, le=100, alias="MENTORBOT_OUTBOX_MAX_ATTEMPTS")
    # Names this replica's outbox leases; it must stay the same across a restart of the replica
    # (so the restart takes its leases back at once) and differ between live replicas.
    worker_id: str = Field(
        default_factory=socket.gethostname,
        min_length=1,
        max_length=200,
        alias="MENTORBOT_WORKER_ID",
    )
    # Request timings: defaults for workspaces that never saved their own in /mentor settings.
    nudge_after: Annotated[timedelta, BeforeValidator(parse_hours)] = Field(
        default=timedelta(hours=24), alias="MENTORBOT_NUDGE_AFTER"
    )
    escalate_after: Annotated[timedelta, BeforeValidator(parse_hours)] = Field(
        default=timedelta(hours=48), alias="MENTORBOT_ESCALATE_AFTER"
    )
    pool_repost_after: Annotated[timedelta, BeforeValidator(parse_hours)] = Field(
        default=timedelta(hours=24), alias="MENTORBOT_POOL_REPOST_AFTER"
    )
    expire_after: Annotated[timedelta, BeforeValidator(parse_hours)] = Field(
        default=timedelta(days=14), alias="MENTORBOT_EXPIRE_AFTER"
    )
    reminder_minutes: int = Field(default=15, ge=0, le=1440, alias="MENTORBOT_REMINDER_MINUTES")
    # Check-ins of one action plan, at most: "Still working on it" asks again until then.
    max_checkins: int = Field(default=4, ge=1, le=52, alias="MENTORBOT_MAX_CHECKINS")
    # Days to keep private notes, done action items and sent timed messages; None keeps them.
    retention_days: int | None = Field(
        default=None, ge=1, le=36500, alias="MENTORBOT_RETENTION_DAYS"
    )

    # Days an uninstalled workspace's data is kept (a reinstall brings it back) before the
    # daily job deletes it.
    uninstall_retention_days: int = Field(
        default=30, ge=0, le=3650, alias="MENTORBOT_UNINSTALL_RETENTION_DAYS"
    )

    @property
    def oauth(self) -> bool:
        """Installs by OAuth ("Add to Slack"), many workspaces; else one, by SLACK_BOT_TOKEN."""
        return self.bot_token is None

    @property
    def socket_mode(self) -> bool:
        """Socket Mode runs whenever an app-level token is configured."""
        return self.app_token is not None

    @field_validator(
        "bot_token",
        "client_id",
        "client_secret",
        "redirect_uri",
        "signing_secret",
        "app_token",
        "pool_channel",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `.env.example` leaves optional values blank; blank means "not set".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("worker_id", mode="before")
    @classmethod
    def _blank_is_the_host_name(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip() or socket.gethostname()
        return value

    @field_validator("retention_days", mode="before")
    @classmethod
    def _blank_keeps_forever(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple | set | frozenset):
            bad = [v for v in value if not _USER_ID.match(str(v))]
            if bad:
                raise ValueError(f"must be comma-separated Slack user IDs (bad: {bad[0]})")
            return frozenset(str(v) for v in value)
        return value

    @field_validator("pool_channel")
    @classmethod
    def _pool_channel_shape(cls, value: str | None) -> str | None:
        if value is not None and not _CHANNEL_ID.match(value):
            raise ValueError("must be a channel ID such as C0123ABCD")
        return value

    @model_validator(mode="after")
    def _timings_in_order(self) -> Self:
        if self.nudge_after >= self.escalate_after:
            raise ValueError("MENTORBOT_ESCALATE_AFTER must be later than MENTORBOT_NUDGE_AFTER")
        return self

    @model_validator(mode="after")
    def _one_way_to_authorize(self) -> Self:
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
        return self

    @model_validator(mode="after")
    def _http_mode_needs_secret(self) -> Self:
        if self.app_token is None and self.signing_secret is None:
            raise ValueError(
                "SLACK_SIGNING_SECRET is required in HTTP mode (set it, or set SLACK_APP_TOKEN "
                "for Socket Mode)"
            )
        return self


class SlackCredentials(FromEnvironment):
    """Whether any Slack credential is configured, read from the same places as Settings."""

    bot_token: str = Field(default="", alias="SLACK_BOT_TOKEN")
    app_token: str = Field(default="", alias="SLACK_APP_TOKEN")
    signing_secret: str = Field(default="", alias="SLACK_SIGNING_SECRET")
    client_id: str = Field(default="", alias="SLACK_CLIENT_ID")
    client_secret: str = Field(default="", alias="SLACK_CLIENT_SECRET")

    def any_set(self) -> bool:
        # Half a configuration still means "connect to Slack": run it and say what is missing.
        values = (
            self.bot_token,
            self.app_token,
            self.signing_secret,
            self.client_id,
            self.client_secret,
        )
        return any(value.strip() for value in values)


def describe_error(error: ValidationError, model: type[BaseModel]) -> str:
    """Turn a settings ValidationError into one line that names each bad variable."""
    aliases = {name: field.alias or name.upper() for name, field in model.model_fields.items()}
    parts: list[str] = []
    for item in error.errors(include_url=False, include_input=False):
        loc = item["loc"]
        if not loc:
            # Model-level validators already name the variable in their message.
            parts.append(str(item["msg"]).removeprefix("Value error, "))
            continue
        name = aliases.get(str(loc[0]), str(loc[0]))
        if item["type"] == "missing":
            parts.append(f"{name} is required")
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
            parts.append(f"{name}: {message[:1].lower()}{message[1:]}")
    return "; ".join(parts)
