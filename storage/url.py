"""What MENTORBOT_DB names: a SQLite file path (as always), or a URL for SQLite or PostgreSQL.

    ./data/mentorbot.db                       a SQLite file (relative to the working folder)
    sqlite:///data/mentorbot.db               the same, as a URL (four slashes: an absolute path)
    postgresql://user:password@host:5432/db   PostgreSQL, through psycopg 3 (async)

A PostgreSQL password may also come from MENTORBOT_DB_PASSWORD, or from libpq's own PGPASSWORD
or PGPASSFILE, which psycopg reads itself (as it does PGHOST, PGUSER, PGDATABASE...). A URL is
shown only with its password masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

_SQLITE_SCHEMES = frozenset({"sqlite", "sqlite+aiosqlite"})
_POSTGRESQL_SCHEMES = frozenset({"postgresql", "postgres", "postgresql+psycopg"})


class DatabaseUrlError(ValueError):
    """MENTORBOT_DB is neither a path nor a URL mentorbot can use; the message says why."""


@dataclass(frozen=True)
class DatabaseTarget:
    """The database to open: a SQLite file, or a PostgreSQL URL (password included)."""

    engine: str
    given: URL | None  # the URL as given (None for a plain path)
    path: Path | None = None

    @property
    def url(self) -> URL:
        """The SQLAlchemy URL (a plain path's made on demand: SQLite needs no SQLAlchemy)."""
        if self.given is not None:
            return self.given
        from sqlalchemy.engine import URL

        return URL.create("sqlite+aiosqlite", database=str(self.path))

    def __str__(self) -> str:
        """Fit for a log line: the path, or the URL with its secrets masked (shown_url)."""
        if self.path is not None:
            return str(self.path)
        return shown_url(self.url)


# libpq reads secrets from the query too (…/db?password=…); psycopg passes them on as given.
_SECRET_QUERY_KEYS = frozenset({"password", "sslpassword", "passfile", "sslkey"})
MASK = "***"


def shown_url(url: URL) -> str:
    """A database URL fit for a log line or an error: the password masked, in its place or in
    the query, and a host that swallowed part of a password (an unencoded "@") cut back to
    what follows its last "@"."""
    hidden = {key: MASK for key in url.query if key.lower() in _SECRET_QUERY_KEYS}
    if hidden:
        url = url.update_query_dict(hidden)
    if url.host and "@" in url.host:
        url = url.set(password=MASK, host=shown_host(url.host))
    # The mask as written, not %-encoded, in the query.
    return url.render_as_string(hide_password=True).replace("%2A%2A%2A", MASK)


def shown_host(host: str) -> str:
    """The host as shown: what follows its last "@" (what precedes it is a password's tail)."""
    return host.rsplit("@", 1)[-1]


def _is_url(value: str) -> bool:
    scheme, sep, _ = value.partition("://")
    return bool(sep) and scheme.replace("+", "").isalnum()


def parse_database(value: str | Path, environ: Mapping[str, str] | None = None) -> DatabaseTarget:
    """MENTORBOT_DB as a target; `environ` supplies MENTORBOT_DB_PASSWORD when the URL has none."""
    text = str(value).strip()
    if not text:
        raise DatabaseUrlError("is empty; give a file path or a URL")
    if not _is_url(text):
        path = Path(text)
        return DatabaseTarget(SQLITE, None, path)
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text)
    except ArgumentError:
        raise DatabaseUrlError("is not a valid database URL") from None
    if url.drivername in _SQLITE_SCHEMES:
        if not url.database or url.database == ":memory:":
            raise DatabaseUrlError("names no SQLite file (sqlite:///path/to/file.db)")
        path = Path(url.database)
        return DatabaseTarget(SQLITE, url.set(drivername="sqlite+aiosqlite"), path)
    if url.drivername in _POSTGRESQL_SCHEMES:
        url = url.set(drivername="postgresql+psycopg")
        password = (environ or {}).get("MENTORBOT_DB_PASSWORD")
        if url.password is None and password:
            url = url.set(password=password)
        return DatabaseTarget(POSTGRESQL, url)
    scheme = url.drivername.partition("+")[0]
    raise DatabaseUrlError(f"uses {scheme!r}; mentorbot speaks sqlite:// and postgresql://")
