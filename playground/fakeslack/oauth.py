"""OAuth v2 on the fake: the codes Slack's authorize page hands out, and oauth.v2.access.

`fake.authorization_code(team_id, ...)` stands for a person clicking Allow on
slack.com/oauth/v2/authorize: it returns the `code` Slack would append to the redirect URL.
oauth.v2.access then trades it, once and within 10 minutes of the fake's clock, for a fresh
bot token, answering the fields Bolt's OAuthFlow reads (the shapes on
api.slack.com/enterprise/apps/reference and docs.slack.dev/reference/methods/oauth.v2.access).
The client authenticates with HTTP Basic (what slack_sdk's oauth_v2_access sends) or
client_id/client_secret form fields. Errors, as Slack names them: `invalid_client_id` (missing
or unknown client), `bad_client_secret`, `invalid_code` (unknown, used or expired),
`bad_redirect_uri` (not the one the authorize step used).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from playground.fakeslack.teams import Teams
from playground.fakeslack.workspace import APP_ID, SlackError

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "fake-client-secret"  # noqa: S105 - the fake's own, never a real secret
CODE_LIFETIME = 600.0  # seconds: Slack's codes expire after ten minutes
BOT_SCOPES = ("commands", "chat:write", "im:write", "users:read")


@dataclass
class PendingCode:
    """A code the authorize page issued and nobody has traded yet."""

    team_id: str
    installer: str
    scopes: tuple[str, ...]
    user_scopes: tuple[str, ...]
    org_wide: bool
    redirect_uri: str | None
    issued_at: float


class OAuth:
    """The fake's OAuth app registration, its pending codes and the exchange."""

    def __init__(self, teams: Teams, clock: Callable[[], float]) -> None:
        self.teams = teams
        self.clock = clock
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self._codes: dict[str, PendingCode] = {}
        self._serial = itertools.count(1)

    def authorization_code(
        self,
        team_id: str,
        *,
        installer: str,
        scopes: Iterable[str] = BOT_SCOPES,
        user_scopes: Iterable[str] = (),
        org_wide: bool = False,
        redirect_uri: str | None = None,
    ) -> str:
        """The code Slack redirects with after `installer` clicks Allow in `team_id`."""
        ws = self.teams.workspace(team_id)
        if installer not in ws.users:
            raise ValueError(f"{installer} is not in {team_id}")
        if org_wide and ws.enterprise_id is None:
            raise ValueError(f"{team_id} is in no Enterprise Grid org: no org-wide install")
        code = f"{next(self._serial)}.{secrets.token_hex(16)}"
        self._codes[code] = PendingCode(
            team_id,
            installer,
            tuple(scopes),
            tuple(user_scopes),
            org_wide,
            redirect_uri,
            self.clock(),
        )
        return code

    def access(self, args: dict[str, Any], authorization: str) -> dict[str, Any]:
        """oauth.v2.access: check the client, spend the code, issue the token(s)."""
        client_id, client_secret = _client(args, authorization)
        if client_id != self.client_id:
            raise SlackError("invalid_client_id")
        if client_secret != self.client_secret:
            raise SlackError("bad_client_secret")
        pending = self._codes.pop(str(args.get("code") or ""), None)
        if pending is None or self.clock() - pending.issued_at > CODE_LIFETIME:
            raise SlackError("invalid_code")
        if pending.redirect_uri and args.get("redirect_uri") != pending.redirect_uri:
            raise SlackError("bad_redirect_uri")
        return self._installed(pending)

    def _installed(self, pending: PendingCode) -> dict[str, Any]:
        ws = self.teams.workspace(pending.team_id)
        bot = self.teams.issue_token(pending.team_id, org_wide=pending.org_wide)
        org = self.teams.orgs.get(ws.enterprise_id or "")
        authed_user: dict[str, Any] = {"id": pending.installer}
        if pending.user_scopes:
            user = self.teams.issue_token(
                pending.team_id, org_wide=pending.org_wide, user_id=pending.installer
            )
            authed_user |= {
                "scope": ",".join(pending.user_scopes),
                "access_token": user.token,
                "token_type": "user",
            }
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": authed_user,
            "scope": ",".join(pending.scopes),
            "token_type": "bot",
            "access_token": bot.token,
            "bot_user_id": bot.bot_user_id,
            "team": None if pending.org_wide else {"id": ws.team_id, "name": ws.name},
            "enterprise": {"id": org.enterprise_id, "name": org.name} if org else None,
            "is_enterprise_install": pending.org_wide,
        }


def _client(args: dict[str, Any], authorization: str) -> tuple[str, str]:
    """(client_id, client_secret) from an HTTP Basic header, else from the form fields."""
    if authorization.startswith("Basic "):
        try:
            decoded = base64.b64decode(authorization.removeprefix("Basic ").strip()).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise SlackError("invalid_client_id") from None
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    return str(args.get("client_id") or ""), str(args.get("client_secret") or "")
