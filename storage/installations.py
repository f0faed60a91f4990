"""Installations by OAuth, OAuth's one-time states, and what happens when a workspace leaves.

A workspace install is keyed by its team id; an Enterprise Grid org-wide install by its
enterprise id, and it serves every workspace of the org. Uninstalling (or revoking the tokens)
drops the token at once and stamps uninstalled_at; the workspace's rows stay until the daily
retention job deletes them, and a reinstall before that clears the stamp. A workspace that
another live install still serves (its own, or its org's) is neither stopped nor deleted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from storage.engine import Connection, Record, Sql
from storage.outbox import UNINSTALLED
from storage.tables import TEAM_TABLES
from storage.timefmt import format_time, parse_time


@dataclass(frozen=True)
class Installed:
    """One installation as stored; bot_token None means uninstalled (or revoked)."""

    install_key: str
    enterprise_id: str | None
    team_id: str | None
    is_enterprise_install: bool
    app_id: str | None
    bot_token: str | None
    bot_id: str | None
    bot_user_id: str | None
    bot_scopes: str
    installer_user_id: str | None
    installed_at: datetime
    uninstalled_at: datetime | None = None

    def __repr__(self) -> str:
        # Never a token in a log line or a traceback.
        return (
            f"Installed(key={self.install_key!r}, team={self.team_id!r}, "
            f"org={self.enterprise_id!r})"
        )


_SAVE = """
INSERT INTO installations (install_key, enterprise_id, team_id, is_enterprise_install, app_id,
    bot_token, bot_id, bot_user_id, bot_scopes, installer_user_id, installed_at, uninstalled_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
ON CONFLICT (install_key) DO UPDATE SET enterprise_id = excluded.enterprise_id,
    team_id = excluded.team_id, is_enterprise_install = excluded.is_enterprise_install,
    app_id = excluded.app_id, bot_token = excluded.bot_token, bot_id = excluded.bot_id,
    bot_user_id = excluded.bot_user_id, bot_scopes = excluded.bot_scopes,
    installer_user_id = excluded.installer_user_id, installed_at = excluded.installed_at,
    uninstalled_at = NULL
"""

# The workspace's own install first, else its org's org-wide one: ?1 team, ?2 enterprise (or,
# unknown to the caller, the org an org-wide install was seen serving the team in).
_FIND = """
SELECT * FROM installations
WHERE bot_token IS NOT NULL
    AND ((install_key = ?1 AND is_enterprise_install = 0)
        OR (is_enterprise_install = 1 AND install_key = coalesce(
            ?2, (SELECT enterprise_id FROM org_teams WHERE team_id = ?1))))
ORDER BY is_enterprise_install
LIMIT 1
"""

_SEEN_IN_ORG = """
INSERT INTO org_teams (team_id, enterprise_id, seen_at) VALUES (?, ?, ?)
ON CONFLICT (team_id) DO UPDATE SET enterprise_id = excluded.enterprise_id
"""

# Stamped once: a second uninstall event (Slack retries) keeps the first time.
_REMOVE = """
INSERT INTO installations (install_key, enterprise_id, team_id, is_enterprise_install,
    bot_token, installed_at, uninstalled_at)
VALUES (?, ?, ?, ?, NULL, ?, ?)
ON CONFLICT (install_key) DO UPDATE SET bot_token = NULL,
    uninstalled_at = coalesce(installations.uninstalled_at, excluded.uninstalled_at)
"""

# Rows mid-send are left to their sender, which meets the refused token and cancels them.
_CANCEL_TEAM_OUTBOX = """
UPDATE outbox SET status = 'cancelled', last_error = ? WHERE status = 'pending' AND team_id = ?
"""

_ORG_TEAMS = "SELECT team_id FROM org_teams WHERE enterprise_id = ?"

# Whether an install serves workspace ?1 (its own, else its org's: ?2, or the org it was seen
# served by, as _FIND) and is live, or was removed after ?3 (NULL: live only). While one
# does, the workspace's messages and data stay.
_SERVED = """
SELECT 1 FROM installations
WHERE (bot_token IS NOT NULL OR uninstalled_at >= ?3)
    AND ((install_key = ?1 AND is_enterprise_install = 0)
        OR (is_enterprise_install = 1 AND install_key IN (
            ?2, (SELECT enterprise_id FROM org_teams WHERE team_id = ?1))))
LIMIT 1
"""

_CONSUME_STATE = "DELETE FROM oauth_states WHERE state = ? AND expires_at > ? RETURNING state"


def _installed(row: Record) -> Installed:
    uninstalled = row["uninstalled_at"]
    return Installed(
        install_key=str(row["install_key"]),
        enterprise_id=row["enterprise_id"],
        team_id=row["team_id"],
        is_enterprise_install=bool(row["is_enterprise_install"]),
        app_id=row["app_id"],
        bot_token=row["bot_token"],
        bot_id=row["bot_id"],
        bot_user_id=row["bot_user_id"],
        bot_scopes=str(row["bot_scopes"] or ""),
        installer_user_id=row["installer_user_id"],
        installed_at=parse_time(str(row["installed_at"])),
        uninstalled_at=parse_time(str(uninstalled)) if uninstalled else None,
    )


# A connection's execute_fetchall, or the Store's _fetch.
_Fetch = Callable[[Sql, Sequence[Any]], Awaitable[list[Record]]]


async def _served(
    conn: Connection, team_id: str, enterprise_id: str | None, since: datetime | None = None
) -> bool:
    """Whether an install that serves the workspace is live (or, with `since`, was removed
    after it and may still come back)."""
    stamp = format_time(since) if since is not None else None
    return bool(await conn.execute_fetchall(_SERVED, (team_id, enterprise_id, stamp)))


async def _teams_of(fetch: _Fetch, install_key: str, org_wide: bool) -> list[str]:
    """The workspaces an installation serves: its own, or every one its org was seen in."""
    if not org_wide:
        return [install_key]
    return [str(row[0]) for row in await fetch(_ORG_TEAMS, (install_key,))]


class _StoreCore(Protocol):
    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...
    async def _write(self, sql: Sql, params: Sequence[Any] = ...) -> int: ...
    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...


class InstallationQueries:
    """Installations, OAuth states and removed workspaces; mixed into Store."""

    async def save_installation(self: _StoreCore, installed: Installed) -> None:
        """Store an install, or replace the one with its key (a reinstall, which also undoes
        an uninstall: the workspace's data was kept)."""
        await self._write(
            _SAVE,
            (
                installed.install_key,
                installed.enterprise_id,
                installed.team_id,
                int(installed.is_enterprise_install),
                installed.app_id,
                installed.bot_token,
                installed.bot_id,
                installed.bot_user_id,
                installed.bot_scopes,
                installed.installer_user_id,
                format_time(installed.installed_at),
            ),
        )

    async def find_installation(
        self: _StoreCore, team_id: str | None, enterprise_id: str | None
    ) -> Installed | None:
        """The installation that serves a workspace: its own, else its org's org-wide one."""
        rows = await self._fetch(_FIND, (team_id, enterprise_id))
        return _installed(rows[0]) if rows else None

    async def seen_in_org(
        self: _StoreCore, team_id: str, enterprise_id: str, now: datetime
    ) -> None:
        """Remember that an org-wide install served this workspace of that org."""
        await self._write(_SEEN_IN_ORG, (team_id, enterprise_id, format_time(now)))

    async def served_teams(self: _StoreCore, installed: Installed) -> list[str]:
        """The workspaces an installation serves: its own, or each one its org was seen in."""
        return await _teams_of(self._fetch, installed.install_key, installed.is_enterprise_install)

    async def installations(self: _StoreCore) -> list[Installed]:
        """Every installation, current and removed, by key."""
        rows = await self._fetch("SELECT * FROM installations ORDER BY install_key")
        return [_installed(row) for row in rows]

    async def remove_installation(
        self: _StoreCore,
        install_key: str,
        now: datetime,
        *,
        team_id: str | None = None,
        enterprise_id: str | None = None,
        org_wide: bool = False,
    ) -> int:
        """Drop the token and stamp the removal (a row is made if there was none, as in a
        one-workspace setup); cancel the timed messages of each workspace it served that no
        other live install serves. Returns how many."""
        stamp = format_time(now)
        cancelled = 0
        async with self._transaction() as conn:
            await conn.execute(
                _REMOVE, (install_key, enterprise_id, team_id, int(org_wide), stamp, stamp)
            )
            for team in await _teams_of(conn.execute_fetchall, install_key, org_wide):
                # Its own install still speaks for it, or (its own removed) its org's does.
                if not await _served(conn, team, enterprise_id):
                    cancelled += await conn.execute(_CANCEL_TEAM_OUTBOX, (UNINSTALLED, team))
        return cancelled

    async def undo_removal(self: _StoreCore, team_id: str) -> bool:
        """A one-workspace setup started again after an uninstall: forget the removal (its
        data was kept). True if there was one."""
        return bool(
            await self._write(
                "DELETE FROM installations WHERE install_key = ? AND bot_token IS NULL",
                (team_id,),
            )
        )

    async def removed_before(self: _StoreCore, cutoff: datetime) -> list[Installed]:
        """Installations removed before `cutoff` and not reinstalled since."""
        rows = await self._fetch(
            "SELECT * FROM installations WHERE bot_token IS NULL AND uninstalled_at < ? "
            "ORDER BY uninstalled_at",
            (format_time(cutoff),),
        )
        return [_installed(row) for row in rows]

    async def delete_workspace(
        self: _StoreCore, installed: Installed, cutoff: datetime
    ) -> int | None:
        """Delete every row of each workspace a removed installation served, children first,
        then the installation. A workspace another install still serves (its own, or its
        org's), or whose other install was removed after `cutoff`, keeps its rows. None, and
        nothing deleted, if the installation is back or every workspace it served is kept;
        else the rows deleted."""
        async with self._transaction() as conn:
            still_removed = await conn.execute_fetchall(
                "SELECT 1 FROM installations WHERE install_key = ? AND bot_token IS NULL",
                (installed.install_key,),
            )
            if not still_removed:
                return None
            org = None if installed.is_enterprise_install else installed.enterprise_id
            teams = [
                team
                for team in await _teams_of(
                    conn.execute_fetchall, installed.install_key, installed.is_enterprise_install
                )
                if not await _served(conn, team, org, cutoff)
            ]
            if not teams and not installed.is_enterprise_install:
                return None  # served by its org now: the org's removal, if any, decides
            deleted = 0
            for team_id in teams:
                for table in reversed(TEAM_TABLES):
                    # Names from TEAM_TABLES only, never from input.
                    deleted += await conn.execute(
                        f"DELETE FROM {table} WHERE team_id = ?",  # noqa: S608 - TEAM_TABLES
                        (team_id,),
                    )
            key = (installed.install_key,)
            await conn.execute("DELETE FROM org_teams WHERE enterprise_id = ?", key)
            # The org's pool channel, and who set it, go with the org's data.
            await conn.execute("DELETE FROM org_settings WHERE enterprise_id = ?", key)
            await conn.execute("DELETE FROM installations WHERE install_key = ?", key)
        return deleted

    # -- OAuth states -------------------------------------------------------------------

    async def issue_oauth_state(self: _StoreCore, state: str, expires_at: datetime) -> None:
        """Remember a state handed to the browser on its way to Slack's consent page."""
        await self._write(
            "INSERT INTO oauth_states (state, expires_at) VALUES (?, ?)",
            (state, format_time(expires_at)),
        )

    async def consume_oauth_state(self: _StoreCore, state: str, now: datetime) -> bool:
        """True once for a state issued here and not expired; False for a forged, expired or
        replayed one."""
        return bool(await self._fetch(_CONSUME_STATE, (state, format_time(now))))

    async def purge_oauth_states(self: _StoreCore, now: datetime) -> int:
        """Forget states that expired unused."""
        return await self._write(
            "DELETE FROM oauth_states WHERE expires_at <= ?", (format_time(now),)
        )
