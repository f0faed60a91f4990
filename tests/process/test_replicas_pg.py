"""Three real `mentorbot run` processes on one PostgreSQL, requests spread over them: they start
together (and migrate once), an event Slack delivers to all three has one effect, and 50
clicks of "I can help" spread over them have one winner."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from playground.fakeslack import ALICE, TEAM_ID, FakeSlack, SlackSender, find_button
from storage.models import RequestStatus, WorkspaceSettings
from storage.store import Store
from tests.flows import DETAILS, SECRET, replicas, submit_request
from tests.postgres import PostgresServer

pytestmark = pytest.mark.slow

POOL = "C0POOL"
REPLICAS = 3
CLAIMERS = 50


async def _pool_post(fake: FakeSlack) -> object:
    for _ in range(200):
        posts = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == POOL]
        if posts:
            return posts[-1]
        await asyncio.sleep(0.05)
    raise AssertionError("the request never reached the pool channel")


def _taken(fake: FakeSlack) -> list[str]:
    return [
        str(call.args.get("text"))
        for call in fake.calls_to("response_url")
        if "Already taken" in str(call.args.get("text"))
    ]


async def test_three_replicas_one_effect_per_event_and_one_winner_per_claim(
    fake_slack: FakeSlack, tmp_path: Path, pg_url: str, pg_server: PostgresServer
) -> None:
    async with await Store.open(pg_url) as store:
        await store.migrate()
        settings = WorkspaceSettings(team_id=TEAM_ID, pool_channel_id=POOL)
        await store.save_workspace_settings(settings, "U0ADMIN", datetime.now(UTC))
    claimers = [f"U{8000 + n}" for n in range(CLAIMERS)]
    for user in claimers:
        fake_slack.add_user(user)

    async with replicas(fake_slack, tmp_path, pg_url, REPLICAS) as bots:
        senders = [
            SlackSender(bot.url, SECRET, response_url_base=fake_slack.response_url_base)
            for bot in bots
        ]
        database = pg_url.rsplit("/", 1)[-1]
        assert pg_server.psql("SELECT count(*) FROM alembic_version", database) == "1"

        # Slack delivers one ask to every replica (a retry, a reconnect): one prompt in all.
        ask = {
            "type": "message",
            "user": ALICE,
            "channel": "C0GENERAL",
            "text": "Do you have a few minutes to talk about my promotion case?",
            "ts": "1700000000.000300",
        }
        replies = await asyncio.gather(
            *(sender.event(ask, event_id="EvReplicas1") for sender in senders)
        )
        assert [reply.status for reply in replies] == [200] * REPLICAS
        await asyncio.sleep(0.5)
        assert len(fake_slack.calls_to("chat.postEphemeral")) == 1

        # A pool request, then 50 people click "I can help" at once on three replicas.
        await senders[0].command("ask", user_id=ALICE)
        await submit_request(
            senders[0],
            fake_slack,
            {"What is it about?": "Career path", "What's on your mind?": DETAILS},
        )
        post = await _pool_post(fake_slack)
        button = find_button(post, "I can help")
        clicks = await asyncio.gather(
            *(
                senders[n % REPLICAS].click(button, post, user_id=user)
                for n, user in enumerate(claimers)
            )
        )
        assert all(reply.status == 200 for reply in clicks)

        async with await Store.open(pg_url) as store:
            [request] = (await store.home_data(TEAM_ID, ALICE, datetime.now(UTC), 10)).requests
        assert request.status is RequestStatus.CLAIMED
        assert request.claimed_by in claimers
        # The losers hear who won through their response_urls, after Slack had its answer.
        expected = [f"Already taken by <@{request.claimed_by}>."] * (CLAIMERS - 1)
        for _ in range(100):
            if len(_taken(fake_slack)) >= len(expected):
                break
            await asyncio.sleep(0.1)
        assert _taken(fake_slack) == expected
    for bot in bots:
        assert "Traceback" not in bot.logs()
