"""Installs by OAuth ("Add to Slack"): Bolt's OAuth flow on mentorbot's own stores.

GET /slack/install shows the "Add to Slack" page and sends the browser to Slack's consent
page with a one-time `state` (kept in the database and in a cookie, so a forged, replayed or
expired one is refused); GET /slack/oauth_redirect exchanges Slack's code for the bot token
with oauth.v2.access and saves the installation.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings

from bot.clock import Clock
from bot.installs import (
    STATE_SECONDS,
    InstalledAuthorize,
    Reinstalled,
    StoreInstallations,
    StoreOAuthStates,
    Workspaces,
)
from bot.settings import Settings
from storage.store import Store

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# What someone in a workspace without an installation sees (never installed, or removed).
NOT_INSTALLED = (
    "mentorbot isn't installed in this workspace (or was removed). Ask an admin to add it "
    "again with Add to Slack; anything from before, if it was kept, comes back."
)
# The bot scopes manifest.yml asks for (tests/unit/test_manifest.py keeps the two the same).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "channels:history",
    "groups:history",
    "im:history",
    "im:write",
    "mpim:write",
    "users:read",
    "channels:read",
    "groups:read",
    "app_mentions:read",
    "files:write",
    "users.profile:read",
)


def oauth_options(
    settings: Settings,
    store: Store,
    workspaces: Workspaces,
    clock: Clock,
    reinstalled: Reinstalled | None = None,
) -> dict[str, Any]:
    """The AsyncApp arguments for installs by OAuth."""
    if settings.client_id is None or settings.client_secret is None:
        raise ValueError("installs by OAuth need SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
    installations = StoreInstallations(store, workspaces, clock, reinstalled)
    return {
        "user_facing_authorize_error_message": NOT_INSTALLED,
        "installation_store": installations,
        "authorize": InstalledAuthorize(workspaces, store, clock),
        "oauth_settings": AsyncOAuthSettings(
            client_id=settings.client_id,
            client_secret=settings.client_secret.get_secret_value(),
            scopes=list(BOT_SCOPES),
            user_scopes=[],
            redirect_uri=settings.redirect_uri,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            installation_store=installations,
            state_store=StoreOAuthStates(store, clock),
            state_expiration_seconds=STATE_SECONDS,
            authorization_url=authorization_url(settings.api_url),
        ),
    }


def authorization_url(api_url: str) -> str:
    """Slack's consent page beside its Web API (a fake Slack serves both in tests)."""
    base = api_url.rstrip("/")
    if base.endswith("/api"):
        base = base[: -len("/api")]
    return f"{base}/oauth/v2/authorize"
