"""Several workspaces in one FakeSlack: teams, Enterprise Grid orgs and the tokens that act on them.

Which workspace a Web API call acts on, as Slack decides it (and so does the fake):
- A workspace-level token acts on its own team. Slack ignores a `team_id` argument sent with it
  ("ignored if the API call is sent using a workspace-level token": api.slack.com/enterprise/
  apps/changes-apis), and another team's ids are unknown to it: `channel_not_found`,
  `user_not_found`.
- An org-wide token (one token for an Enterprise Grid org, `is_enterprise_install: true`) acts
  in every workspace of the org the app was added to.
  - users.list, conversations.list and users.conversations take `team_id`, "required if org
    token is used" (their docs; slack_sdk has the argument on exactly these); without it Slack
    answers `missing_argument` (reported in sgratzl/slack-cleaner#101 and lyft/omnibot#44).
  - A `team_id` of a workspace the app wasn't added to answers `team_access_not_granted`
    (bolt-js#998 shows that error for an org app outside its workspaces).
  - Every other method has no team_id of its own (chat.postMessage, conversations.open,
    users.info, views.*): ids are unique across an org, so the conversation, person or view
    named decides the workspace. The fake takes the workspace a `team_id` names (Bolt's
    client sends the request's with every call) if it holds the channel, the user (`user`,
    `user_id`, `users`) or the view, else the first other granted workspace (in the order
    they were added) that does; when none does, the named (or first granted) workspace
    answers, which then says channel_not_found / user_not_found.
  - auth.teams.list lists the workspaces the app was added to, with their names.
  - auth.test answers for the org: enterprise_id, is_enterprise_install true, url
    https://<org>.enterprise.slack.com/ (Bolt stores that url as enterprise_url), and team_id
    = the enterprise id, as org tokens have answered in practice; no doc page states that.
- In an org, user ids are global: a person added to two of its workspaces is one `user` object
  in both (one W… id), and the org's workspaces share one bot user, the org-level app's.
- Tokens die the way Slack kills them: after an uninstall a bot token answers
  `account_inactive` ("token is for a deleted user or workspace when using a bot token"; the
  symptom in bolt-python#1029) and a user token `token_revoked`; a revoked token
  (tokens_revoked) answers `token_revoked`. A token the fake never issued is `invalid_auth`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from playground.fakeslack.workspace import SlackError, Workspace

# Methods whose docs say team_id is "required if org token is used".
LISTS_A_WORKSPACE = frozenset({"users.list", "conversations.list", "users.conversations"})


@dataclass
class Grant:
    """One token the fake accepts and what it acts on: a team, or an org's granted teams."""

    token: str
    team_id: str | None  # None for an org-wide token
    enterprise_id: str | None
    bot_user_id: str
    kind: str = "bot"  # or "user" (an installer's xoxp- token), or "function" (a step's)
    user_id: str = ""  # whose token a user token is
    teams: list[str] = field(default_factory=list)  # an org token's granted workspaces
    dead: str | None = None  # the error a revoked or uninstalled token answers

    @property
    def org_wide(self) -> bool:
        """True for a token installed on a whole Enterprise Grid org."""
        return self.team_id is None


@dataclass
class Org:
    """An Enterprise Grid organization: its id, name, domain and workspaces, in order."""

    enterprise_id: str
    name: str
    domain: str
    teams: list[str] = field(default_factory=list)

    @property
    def bot_user_id(self) -> str:
        """The org-level app's bot user, one W… id across the org."""
        return f"W{self.enterprise_id[1:]}BOT"


class Teams:
    """Every workspace of a FakeSlack, by team id, and the tokens issued for them."""

    def __init__(self, default: Workspace) -> None:
        self.default = default
        self.workspaces: dict[str, Workspace] = {default.team_id: default}
        self.orgs: dict[str, Org] = {}
        self.grants: dict[str, Grant] = {}
        self._serial = itertools.count(1)
        default.elsewhere = self._elsewhere(default.team_id)

    def _elsewhere(self, team_id: str) -> Callable[[str], bool]:
        def held_by_another(channel_id: str) -> bool:
            return any(
                channel_id in ws.channels for tid, ws in self.workspaces.items() if tid != team_id
            )

        return held_by_another

    def add_team(
        self,
        team_id: str,
        domain: str,
        *,
        name: str | None = None,
        users: Iterable[str] = (),
        enterprise_id: str | None = None,
        enterprise_name: str | None = None,
    ) -> Workspace:
        """A new workspace with these people (ids), its own #general and its bot user."""
        if team_id in self.workspaces:
            raise ValueError(f"team {team_id} exists already")
        org = self._org(enterprise_id, enterprise_name) if enterprise_id else None
        tag = team_id[1:]
        ws = Workspace(
            clock=self.default.clock,
            default_users=False,
            team_id=team_id,
            domain=domain,
            name=name or domain.replace("-", " ").title(),
            bot_user_id=org.bot_user_id if org else f"U{tag}BOT",
            bot_id=f"B{enterprise_id[1:] if enterprise_id else tag}BOT",
            enterprise_id=enterprise_id,
            general=f"C{tag}GENERAL",
        )
        ws.base_url = self.default.base_url
        ws.enterprise_name = org.name if org else None
        ws.id_tag = tag
        ws.elsewhere = self._elsewhere(team_id)
        if org is not None and org.teams:
            # File ids are unique across an org: one file may be shared in any of its workspaces.
            ws.uploads = self.workspace(org.teams[0]).uploads
        self.workspaces[team_id] = ws
        for user_id in users:
            self.add_member(team_id, user_id)
        if org is not None:
            org.teams.append(team_id)
        return ws

    def _org(self, enterprise_id: str, name: str | None) -> Org:
        if enterprise_id not in self.orgs:
            label = name or f"Org {enterprise_id}"
            domain = label.lower().replace(" ", "-")
            self.orgs[enterprise_id] = Org(enterprise_id, label, domain)
        return self.orgs[enterprise_id]

    def add_member(self, team_id: str, user_id: str, **profile: Any) -> dict[str, Any]:
        """Put a person in a workspace; in an org, someone already in another of its
        workspaces joins as the same user object."""
        ws = self.workspace(team_id)
        for other in self.workspaces.values():
            if other is ws or user_id not in other.users:
                continue
            if ws.enterprise_id is None or other.enterprise_id != ws.enterprise_id:
                raise ValueError(f"{user_id} belongs to {other.team_id}: ids are global in Slack")
            user = other.users[user_id]
            ws.users[user_id] = user
            user["enterprise_user"]["teams"].append(team_id)
            return user
        user = ws.add_user(user_id, **profile)
        if ws.enterprise_id is not None:
            org = self.orgs[ws.enterprise_id]
            user["enterprise_user"] = {
                "id": user_id,
                "enterprise_id": org.enterprise_id,
                "enterprise_name": org.name,
                "is_admin": False,
                "is_owner": False,
                "teams": [team_id],
            }
        return user

    def workspace(self, team_id: str) -> Workspace:
        """One workspace by team id."""
        try:
            return self.workspaces[team_id]
        except KeyError:
            raise KeyError(f"no team {team_id}; add it with fake.add_team") from None

    # -- tokens ----------------------------------------------------------------------------

    def issue_token(
        self, team_id: str, *, org_wide: bool = False, user_id: str | None = None
    ) -> Grant:
        """A fresh bot token for a team or (org_wide) its whole org; with user_id, a user token."""
        ws = self.workspace(team_id)
        org = self.orgs.get(ws.enterprise_id or "")
        if org_wide and org is None:
            raise ValueError(f"{team_id} is in no Enterprise Grid org")
        owner = org.enterprise_id if org_wide and org else team_id
        kind = "user" if user_id else "bot"
        token = f"xox{'p' if user_id else 'b'}-{owner}-{next(self._serial):04d}-fake"
        grant = Grant(
            token=token,
            team_id=None if org_wide else team_id,
            enterprise_id=ws.enterprise_id,
            bot_user_id=ws.bot_user_id,
            kind=kind,
            user_id=user_id or "",
            teams=list(org.teams) if org_wide and org else [team_id],
        )
        self.grants[token] = grant
        return grant

    def kill(self, grants: Iterable[Grant], error: str) -> dict[str, list[str]]:
        """Make these tokens answer `error`; the tokens_revoked `tokens` they stand for."""
        revoked: dict[str, list[str]] = {"oauth": [], "bot": []}
        for grant in grants:
            if grant.dead is None:
                grant.dead = error
            who = grant.user_id if grant.kind == "user" else grant.bot_user_id
            bucket = revoked["oauth" if grant.kind == "user" else "bot"]
            if who not in bucket:
                bucket.append(who)
        return revoked

    def grants_of(self, owner: str) -> list[Grant]:
        """The live tokens of a team (T…) or of an org-wide install (E…)."""
        return [
            grant
            for grant in self.grants.values()
            if grant.dead is None
            and grant.kind != "function"
            and (grant.team_id == owner or (grant.org_wide and grant.enterprise_id == owner))
        ]

    # -- which workspace a call acts on ----------------------------------------------------

    def acting_on(self, grant: Grant, method: str, args: dict[str, Any]) -> Workspace:
        """The workspace a call with this token acts on (see the module docstring)."""
        if not grant.org_wide:
            return self.workspace(str(grant.team_id))
        wanted = args.get("team_id")
        if wanted and wanted not in grant.teams:
            raise SlackError("team_access_not_granted")
        if method in LISTS_A_WORKSPACE:
            if not wanted:
                raise SlackError("missing_argument")
            return self.workspace(str(wanted))
        # The named workspace first (Bolt's client sends the request's team_id with every
        # call), then the others: a person or conversation of another workspace of the org
        # is still found there, as ids are unique across an org.
        order = [str(wanted)] if wanted else []
        order += [team_id for team_id in grant.teams if team_id != wanted]
        granted = [self.workspace(team_id) for team_id in order]
        if not granted:
            raise SlackError("team_access_not_granted")
        for ws in granted:
            if _holds(ws, args):
                return ws
        return granted[0]

    def org_auth_test(self, grant: Grant) -> dict[str, Any]:
        """auth.test for an org-wide token: the org, not one of its workspaces."""
        org = self.orgs[str(grant.enterprise_id)]
        bot = self.workspace(grant.teams[0]) if grant.teams else self.default
        return {
            "ok": True,
            "url": f"https://{org.domain}.enterprise.slack.com/",
            "team": org.name,
            "user": "mentorbot",
            "team_id": org.enterprise_id,
            "user_id": grant.bot_user_id,
            "bot_id": bot.bot_id,
            "enterprise_id": org.enterprise_id,
            "is_enterprise_install": True,
        }

    def org_teams_list(self, grant: Grant) -> dict[str, Any]:
        """auth.teams.list for an org-wide token: the workspaces the app was added to."""
        teams = [self.workspace(team_id) for team_id in grant.teams]
        return {"ok": True, "teams": [{"id": ws.team_id, "name": ws.name} for ws in teams]}

    def holder_of(self, channel_id: str) -> Workspace:
        """The workspace that has this conversation (the default one when none has)."""
        for ws in self.workspaces.values():
            if channel_id in ws.channels:
                return ws
        return self.default


def _holds(ws: Workspace, args: dict[str, Any]) -> bool:
    """Whether a call's channel, person or view lives in this workspace."""
    for name in ("channel", "channel_id"):
        where = args.get(name)
        if isinstance(where, str) and (where in ws.channels or where in ws.users):
            return True  # a U… id posts in the bot's DM with that person
    people = args.get("users") or args.get("user") or args.get("user_id")
    if isinstance(people, str):
        people = people.split(",")
    if isinstance(people, list) and people:
        return all(str(uid).strip() in ws.users for uid in people)
    return bool(args.get("view_id") and args["view_id"] in ws.views)
