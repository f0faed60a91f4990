"""Which token speaks to which workspace: one SLACK_BOT_TOKEN, or one installation each.

`Workspaces` is what everything outside a listener asks for a workspace's Web API client (the
outbox, the CLI); listeners get theirs from Bolt, whose `authorize` (InstalledAuthorize) reads
the same installations. `StoreInstallations` and `StoreOAuthStates` put slack_sdk's OAuth
interfaces on mentorbot's own database, so installs live beside the data, on SQLite or
PostgreSQL, shared by every replica.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import aiohttp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.delivery import outbox_client
from bot.known_bots import KnownBots
from bot.slack_client import with_retries
from storage.installations import Installed
from storage.store import Store

log = logging.getLogger(__name__)

# An install read from the database is trusted this long: a reinstall or an uninstall handled
# by another replica shows within it (and a refused token stops the outbox at once anyway).
CACHE_SECONDS = 30.0
CACHE_SIZE = 1000
STATE_SECONDS = 600


# Plans again, in the background, the chains of timed messages an uninstall cut for a
# workspace (bot/app.py binds it to handlers.CHAINS); told of each workspace an install serves.
Reinstalled = Callable[[str], None]


class WorkspaceGone(Exception):
    """The workspace uninstalled mentorbot (or revoked its token): nothing may be sent."""


class Workspaces:
    """Web API clients by workspace. With `token` (SLACK_BOT_TOKEN) every workspace gets that
    one; without, each gets its installation's, and an uninstalled one raises WorkspaceGone."""

    def __init__(
        self,
        store: Store,
        api_url: str,
        session: aiohttp.ClientSession | None,
        *,
        token: str | None = None,
    ) -> None:
        self._store = store
        self._api_url = api_url
        self._session = session
        self._token = token
        self._found: OrderedDict[tuple[str | None, str | None], tuple[Installed | None, float]]
        self._found = OrderedDict()
        self._clients: dict[tuple[str, bool], AsyncWebClient] = {}
        # What Bolt's authorize found, for the short way past Bolt (bot/app.py): forgotten
        # with everything else here on any change to an installation.
        self.bots = KnownBots(CACHE_SECONDS)

    @property
    def single(self) -> bool:
        """One workspace, by SLACK_BOT_TOKEN."""
        return self._token is not None

    async def find(self, team_id: str | None, enterprise_id: str | None = None) -> Installed | None:
        """The installation that serves a workspace, cached for CACHE_SECONDS."""
        key = (team_id, enterprise_id)
        cached = self._found.get(key)
        if cached is not None and time.monotonic() < cached[1]:
            self._found.move_to_end(key)
            return cached[0]
        installed = await self._store.find_installation(team_id, enterprise_id)
        self._found[key] = (installed, time.monotonic() + CACHE_SECONDS)
        self._found.move_to_end(key)
        if len(self._found) > CACHE_SIZE:
            self._found.popitem(last=False)
        return installed

    def forget(self) -> None:
        """Drop what was read: called on every change to an installation in this process."""
        self._found.clear()
        self.bots.forget()

    async def token(self, team_id: str) -> str:
        """The bot token that speaks to this workspace, or WorkspaceGone."""
        if self._token is not None:
            return self._token
        installed = await self.find(team_id)
        if installed is None or installed.bot_token is None:
            raise WorkspaceGone(team_id)
        return installed.bot_token

    async def client(self, team_id: str) -> AsyncWebClient:
        """A client with slack_sdk's brief retries, for lookups (users.info, permalinks)."""
        return self.client_for_token(await self.token(team_id), retries=True)

    async def outbox_client(self, team_id: str) -> AsyncWebClient:
        """A client without retries: the outbox retries on its own schedule."""
        return self.client_for_token(await self.token(team_id), retries=False)

    def client_for_token(self, token: str, *, retries: bool) -> AsyncWebClient:
        """The client for a bot token, made once and kept (`retries`: slack_sdk's brief ones)."""
        key = (token, retries)
        client = self._clients.get(key)
        if client is None:
            if len(self._clients) >= CACHE_SIZE:
                self._clients.clear()  # tokens of workspaces long gone; rebuilt on demand
            client = outbox_client(token, self._api_url, self._session)
            if retries:
                with_retries(client)
            self._clients[key] = client
        return client


class InstalledAuthorize(AsyncAuthorize):
    """Bolt's authorize from our installations, with no auth.test per request (Bolt's own
    installation-store authorize calls it unless cached)."""

    def __init__(self, workspaces: Workspaces, store: Store, clock: Clock) -> None:
        self._workspaces = workspaces
        self._store = store
        self._clock = clock
        self._seen: set[str] = set()  # workspaces already recorded as served by their org

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_: Any,
    ) -> AuthorizeResult | None:
        installed = await self._workspaces.find(team_id, enterprise_id)
        if installed is None or installed.bot_token is None:
            log.info("no installation for team=%s enterprise=%s", team_id, enterprise_id)
            return None
        if installed.is_enterprise_install and team_id and team_id not in self._seen:
            # The outbox knows only a row's team: this is how it finds the org's token later.
            await self._store.seen_in_org(team_id, installed.install_key, self._clock.now())
            self._seen.add(team_id)
        return AuthorizeResult(
            enterprise_id=installed.enterprise_id or enterprise_id,
            team_id=team_id or installed.team_id,
            bot_token=installed.bot_token,
            bot_id=installed.bot_id,
            bot_user_id=installed.bot_user_id,
            bot_scopes=installed.bot_scopes,
            user_id=user_id,
        )


def _installed(installation: Installation | Bot, clock: Clock) -> Installed:
    org_wide = bool(installation.is_enterprise_install)
    key = installation.enterprise_id if org_wide else installation.team_id
    if not key or not installation.bot_token:
        raise ValueError("an installation needs a bot token and a team (or org-wide, an org)")
    installer = installation.user_id if isinstance(installation, Installation) else None
    return Installed(
        install_key=key,
        enterprise_id=installation.enterprise_id,
        team_id=None if org_wide else installation.team_id,
        is_enterprise_install=org_wide,
        app_id=installation.app_id,
        bot_token=installation.bot_token,
        bot_id=installation.bot_id,
        bot_user_id=installation.bot_user_id,
        bot_scopes=",".join(installation.bot_scopes or ()),
        installer_user_id=installer,
        installed_at=clock.now(),
    )


def _bot(installed: Installed) -> Bot:
    return Bot(
        app_id=installed.app_id,
        enterprise_id=installed.enterprise_id,
        team_id=installed.team_id,
        bot_token=installed.bot_token or "",
        bot_id=installed.bot_id or "",
        bot_user_id=installed.bot_user_id or "",
        bot_scopes=installed.bot_scopes,
        is_enterprise_install=installed.is_enterprise_install,
        installed_at=installed.installed_at.timestamp(),
    )


class StoreInstallations(AsyncInstallationStore):
    """slack_sdk's installation store on our database: what the OAuth flow saves into. Each
    save may be a reinstall: `reinstalled` is told of every workspace the install serves."""

    def __init__(
        self,
        store: Store,
        workspaces: Workspaces,
        clock: Clock,
        reinstalled: Reinstalled | None = None,
    ) -> None:
        self._store = store
        self._workspaces = workspaces
        self._clock = clock
        self._reinstalled = reinstalled

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        installed = _installed(installation, self._clock)
        await self._save(installed)
        log.info(
            "installed team=%s enterprise=%s org_wide=%s by=%s",
            installed.team_id,
            installed.enterprise_id,
            installed.is_enterprise_install,
            installed.installer_user_id,
        )

    async def async_save_bot(self, bot: Bot) -> None:
        await self._save(_installed(bot, self._clock))

    async def _save(self, installed: Installed) -> None:
        await self._store.save_installation(installed)
        self._workspaces.forget()
        if self._reinstalled is not None:
            # A first install has no chain to plan again, nor an install that never left.
            for team_id in await self._store.served_teams(installed):
                self._reinstalled(team_id)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        installed = await self._store.find_installation(team_id, enterprise_id)
        if installed is None or installed.bot_token is None:
            return None
        return _bot(installed)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        # Only bot installs are kept (no user tokens): Bolt falls back to async_find_bot.
        return None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self._remove(enterprise_id, team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:
            await self._remove(enterprise_id, team_id)

    async def _remove(self, enterprise_id: str | None, team_id: str | None) -> None:
        key = team_id or enterprise_id
        if key:
            await self._store.remove_installation(
                key, self._clock.now(), team_id=team_id, enterprise_id=enterprise_id
            )
            self._workspaces.forget()


class StoreOAuthStates(AsyncOAuthStateStore):
    """OAuth `state` values in our database: issued once, consumed once, expiring after
    STATE_SECONDS, and valid on whichever replica the browser comes back to."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        now = self._clock.now()
        # Anyone may open the install page: states never answered can't pile up.
        await self._store.purge_oauth_states(now)
        await self._store.issue_oauth_state(state, now + timedelta(seconds=STATE_SECONDS))
        return state

    async def async_consume(self, state: str) -> bool:
        consumed = await self._store.consume_oauth_state(state, self._clock.now())
        if not consumed:
            log.warning("refused an OAuth state that is unknown, expired or already used")
        return consumed
