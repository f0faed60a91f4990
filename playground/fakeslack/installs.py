"""What a test steers about workspaces and installs: FakeSlack's side of teams.py and oauth.py.

`fake.add_team(...)` adds a workspace (and installs the app there), `fake.team(id)` is its
state, `fake.token_for(id)` its bot token, `fake.start_function(...)` starts a workflow
step's execution, `fake.authorization_code(...)` what Slack's
authorize page gives after Allow, and `fake.uninstall` / `fake.revoke_tokens` kill tokens the
way Slack does (see teams.py for the rules and the evidence).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from playground.fakeslack.functions import FunctionRun, new_function_run
from playground.fakeslack.oauth import BOT_SCOPES, OAuth
from playground.fakeslack.teams import Grant, Teams
from playground.fakeslack.workspace import BOT_USER_ID, TEAM_ID, Workspace

TOKEN = "xoxb-test-token"  # noqa: S105 - the fake's own, never a real token


class Installs:
    """FakeSlack's multi-workspace controls; FakeSlack sets the attributes below."""

    teams: Teams
    oauth: OAuth
    tokens: set[str]
    base_url: str
    _default_grants: dict[str, Grant]

    def add_team(
        self,
        team_id: str,
        domain: str,
        *,
        users: Iterable[str] = (),
        enterprise_id: str | None = None,
        enterprise_name: str | None = None,
        name: str | None = None,
        token: bool = True,
    ) -> Workspace:
        """Another workspace with these people; with token=True (the default) the app is
        already installed there: `fake.token_for(team_id)` is its bot token."""
        ws = self.teams.add_team(
            team_id,
            domain,
            name=name,
            users=users,
            enterprise_id=enterprise_id,
            enterprise_name=enterprise_name,
        )
        ws.base_url = self.base_url
        if token:
            self.teams.issue_token(team_id)
        return ws

    def start_function(
        self,
        callback_id: str,
        inputs: Mapping[str, Any],
        *,
        team_id: str = TEAM_ID,
        output_parameters: Mapping[str, dict[str, Any]] | None = None,
    ) -> FunctionRun:
        """Start a workflow step's execution in a team, as Workflow Builder does: its id and
        the bot token its function_executed event carries, which acts on that team. Send
        the event with `SlackSender.function_executed(run)`."""
        ws = self.teams.workspace(team_id)
        run = new_function_run(ws, callback_id, inputs, output_parameters)
        grant = Grant(run.token, team_id, ws.enterprise_id, ws.bot_user_id, kind="function")
        self.teams.grants[run.token] = grant
        return run

    def team(self, team_id: str) -> Workspace:
        """A workspace's state (users, channels, messages, views) by team id."""
        return self.teams.workspace(team_id)

    def token_for(self, team_id: str, *, org_wide: bool = False) -> str:
        """The newest live bot token of a team (T…), or with org_wide of its org install;
        a fresh one when there is none. T0001's is `TOKEN`."""
        ws = self.teams.workspace(team_id)
        owner = str(ws.enterprise_id) if org_wide else team_id
        live = [
            g for g in self.teams.grants_of(owner) if g.kind == "bot" and g.org_wide == org_wide
        ]
        if live:
            return live[-1].token
        default = self._grant(TOKEN) if team_id == TEAM_ID and not org_wide else None
        if default is not None and default.dead is None:
            return TOKEN
        return self.teams.issue_token(team_id, org_wide=org_wide).token

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
        """The `code` Slack redirects with once `installer` clicked Allow (org_wide: for the
        whole Enterprise Grid org of `team_id`); oauth.v2.access trades it once, within 10 min."""
        return self.oauth.authorization_code(
            team_id,
            installer=installer,
            scopes=scopes,
            user_scopes=user_scopes,
            org_wide=org_wide,
            redirect_uri=redirect_uri,
        )

    def uninstall(self, owner: str) -> dict[str, list[str]]:
        """The app is removed from a team (T…) or an org (E…): its bot tokens now answer
        account_inactive, its user tokens token_revoked. Returns the tokens_revoked `tokens`."""
        grants = self._live_grants(owner)
        bots = self.teams.kill([g for g in grants if g.kind == "bot"], "account_inactive")
        users = self.teams.kill([g for g in grants if g.kind == "user"], "token_revoked")
        return {"oauth": users["oauth"], "bot": bots["bot"]}

    def revoke_tokens(
        self, owner: str, *, tokens: Iterable[str] | None = None
    ) -> dict[str, list[str]]:
        """Revoke a team's (T…) or org's (E…) tokens, or only `tokens` of them: they answer
        token_revoked from now on. Returns the tokens_revoked event's `tokens`."""
        grants = self._live_grants(owner)
        if tokens is not None:
            chosen = set(tokens)
            grants = [grant for grant in grants if grant.token in chosen]
        return self.teams.kill(grants, "token_revoked")

    def _live_grants(self, owner: str) -> list[Grant]:
        if owner == TEAM_ID:
            for token in self.tokens:
                if not token.startswith("xapp-"):
                    self._grant(token)
            live = [g for g in self._default_grants.values() if g.dead is None]
            return live + self.teams.grants_of(owner)
        return self.teams.grants_of(owner)

    def _grant(self, token: str) -> Grant | None:
        """What a token may act on: an issued token, or one of `self.tokens` (team T0001)."""
        if token in self.teams.grants:
            return self.teams.grants[token]
        if token not in self.tokens:
            return None
        if token not in self._default_grants:
            self._default_grants[token] = Grant(token, TEAM_ID, None, BOT_USER_ID)
        return self._default_grants[token]
