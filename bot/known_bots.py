"""Which bot serves each workspace, as Bolt's authorize last found it.

The short way for channel messages (bot/app.py) runs the message listener without Bolt, so it
needs what Bolt's authorize would have put in the context: the bot's user id and token. With
SLACK_BOT_TOKEN that is one bot for everything, known from auth.test at start. With installs
by OAuth it is taken only from an authorization Bolt made recently: an uninstall or reinstall
handled by another replica shows within the installs' cache time. bot/installs.py's Workspaces
keeps the one instance and forgets it with its installs.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import NamedTuple

from slack_bolt.context.async_context import AsyncBoltContext

CACHE_SIZE = 1000


class KnownBot(NamedTuple):
    user_id: str
    token: str


class KnownBots:
    """The bot by (enterprise, team), learned from each request Bolt authorized."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._only: KnownBot | None = None
        self._found: OrderedDict[tuple[str | None, str | None], tuple[KnownBot, float]]
        self._found = OrderedDict()

    def serve_all(self, bot: KnownBot) -> None:
        """One token answers every request (SLACK_BOT_TOKEN), as Bolt's single-team
        authorize does: what auth.test said of it at start holds until forgotten."""
        self._only = bot

    def learn(self, context: AsyncBoltContext) -> None:
        """Keep what Bolt's authorize found for this request's workspace, if it found a bot."""
        if context.authorize_result is None or not context.bot_user_id or not context.bot_token:
            return
        key = (context.enterprise_id, context.team_id)
        if key in self._found:
            self._found.move_to_end(key)
        bot = KnownBot(context.bot_user_id, context.bot_token)
        self._found[key] = (bot, time.monotonic() + self._seconds)
        if len(self._found) > CACHE_SIZE:
            self._found.popitem(last=False)

    def find(self, context: AsyncBoltContext) -> KnownBot | None:
        """The bot serving the request's workspace, or None when Bolt must authorize it."""
        if self._only is not None:
            return self._only
        found = self._found.get((context.enterprise_id, context.team_id))
        if found is None or time.monotonic() >= found[1]:
            return None
        return found[0]

    def forget(self) -> None:
        """Drop everything: an install changed in this process."""
        self._only = None
        self._found.clear()
