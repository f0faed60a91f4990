"""KnownBots: what the short way may take from Bolt's last authorization of a workspace."""

from __future__ import annotations

import time

import pytest
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.async_context import AsyncBoltContext

from bot import known_bots
from bot.known_bots import KnownBot, KnownBots


def authorized(team: str, bot_user: str | None, enterprise: str | None = None) -> AsyncBoltContext:
    context = AsyncBoltContext(team_id=team, enterprise_id=enterprise)
    context["authorize_result"] = AuthorizeResult(
        enterprise_id=enterprise, team_id=team, bot_user_id=bot_user, bot_token="xoxb-x"
    )
    context["bot_token"] = "xoxb-x"
    if bot_user is not None:
        context["bot_user_id"] = bot_user
    return context


def user(known: KnownBots, context: AsyncBoltContext) -> str | None:
    bot = known.find(context)
    return None if bot is None else bot.user_id


def test_a_workspace_is_known_by_its_team_and_org() -> None:
    known = KnownBots(30)
    known.learn(authorized("T1", "UB1"))
    known.learn(authorized("T1", "UB2", enterprise="E1"))
    assert user(known, AsyncBoltContext(team_id="T1")) == "UB1"
    assert user(known, AsyncBoltContext(team_id="T1", enterprise_id="E1")) == "UB2"
    assert user(known, AsyncBoltContext(team_id="T2")) is None


def test_nothing_is_learned_without_an_authorization_that_names_a_bot_user() -> None:
    known = KnownBots(30)
    known.learn(AsyncBoltContext(team_id="T1"))  # not authorized (an uninstall event)
    known.learn(authorized("T2", None))
    assert user(known, AsyncBoltContext(team_id="T1")) is None
    assert user(known, AsyncBoltContext(team_id="T2")) is None


def test_what_was_learned_lasts_its_seconds_then_bolt_decides_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    known = KnownBots(seconds=30)
    known.learn(authorized("T1", "UB1"))
    now[0] += 29.9
    assert user(known, AsyncBoltContext(team_id="T1")) == "UB1"
    now[0] += 0.1
    assert user(known, AsyncBoltContext(team_id="T1")) is None


def test_forget_drops_everything_and_the_oldest_go_first_past_the_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(known_bots, "CACHE_SIZE", 2)
    known = KnownBots(30)
    for team in ("T1", "T2"):
        known.learn(authorized(team, f"U{team}"))
    known.learn(authorized("T1", "UT1"))  # seen again: now the newest
    known.learn(authorized("T3", "UT3"))
    assert [user(known, AsyncBoltContext(team_id=t)) for t in ("T1", "T2", "T3")] == [
        "UT1",
        None,
        "UT3",
    ]
    known.forget()
    assert user(known, AsyncBoltContext(team_id="T1")) is None


def test_one_bot_serves_every_workspace_until_forgotten() -> None:
    known = KnownBots(30)
    known.serve_all(KnownBot("UB1", "xoxb-1"))
    assert known.find(AsyncBoltContext(team_id="T9")) == KnownBot("UB1", "xoxb-1")
    assert known.find(AsyncBoltContext()) == KnownBot("UB1", "xoxb-1")
    known.forget()
    assert known.find(AsyncBoltContext(team_id="T9")) is None
