"""The fake's fault injection aimed at one person or one conversation, its random faults for a
soak, late answers, and the history reads that find a message by its metadata."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from playground.fakeslack import ALICE, BOB, CAROL, GENERAL, TOKEN, FakeSlack


@pytest.fixture
async def client(fake_slack: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    async with aiohttp.ClientSession() as session:
        yield AsyncWebClient(
            token=TOKEN, base_url=fake_slack.url, session=session, retry_handlers=[]
        )


async def outcome(call: Any) -> str:
    """'ok', or the HTTP status and Slack's error name of a refused call."""
    try:
        await call
    except SlackApiError as error:
        return f"{error.response.status_code} {error.response['error']}"
    return "ok"


async def test_a_failure_aimed_at_one_person_spares_the_others(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.fail_next("conversations.open", status=500, user=BOB, times=2)
    opened = [await outcome(client.conversations_open(users=who)) for who in (ALICE, BOB, CAROL)]
    assert opened == ["ok", "500 internal_error", "ok"]
    assert await outcome(client.conversations_open(users=BOB)) == "500 internal_error"
    assert await outcome(client.conversations_open(users=BOB)) == "ok"  # used up


async def test_a_failure_aimed_at_a_person_hits_posts_to_their_dm(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    alice_dm = (await client.conversations_open(users=ALICE))["channel"]["id"]
    bob_dm = (await client.conversations_open(users=BOB))["channel"]["id"]
    fake_slack.fail_next("chat.postMessage", error="fatal_error", user=BOB, times=3)
    results = [
        await outcome(client.chat_postMessage(channel=where, text="hi"))
        for where in (alice_dm, bob_dm, BOB, GENERAL)
    ]
    assert results == ["ok", "200 fatal_error", "200 fatal_error", "ok"]
    assert await outcome(client.users_info(user=BOB)) == "ok"  # only chat.postMessage was aimed


async def test_a_failure_aimed_at_a_channel_and_the_old_api_together(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=7, channel="C9")
    fake_slack.fail_next("chat.postMessage", status=500)  # untargeted: the next call at all
    assert await outcome(client.chat_postMessage(channel=GENERAL, text="a")) == "500 internal_error"
    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel="C9", text="b")
    assert limited.value.response.headers["Retry-After"] == "7"
    assert await outcome(client.chat_postMessage(channel="C9", text="c")) == "ok"


async def test_random_failures_follow_their_rates_and_seed(fake_slack: FakeSlack) -> None:
    async def soak(seed: int) -> list[str]:
        fake_slack.fail_randomly("users.info", rate_500=0.2, rate_429=0.1, seed=seed)
        async with aiohttp.ClientSession() as session:
            client = AsyncWebClient(
                token=TOKEN, base_url=fake_slack.url, session=session, retry_handlers=[]
            )
            return [await outcome(client.users_info(user=ALICE)) for _ in range(400)]

    first, again = await soak(3), await soak(3)
    assert first == again  # the same seed fails the same calls
    assert 50 <= first.count("500 internal_error") <= 110
    assert 20 <= first.count("429 ratelimited") <= 60
    fake_slack.fail_randomly("users.info")  # zero rates: stop
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token=TOKEN, base_url=fake_slack.url, session=session)
        assert (await client.users_info(user=ALICE))["ok"] is True
    with pytest.raises(ValueError, match="rates"):
        fake_slack.fail_randomly("users.info", rate_500=0.8, rate_429=0.3)


async def test_random_failures_can_aim_at_one_person(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.fail_randomly("users.info", rate_500=1.0, user=CAROL)
    assert await outcome(client.users_info(user=CAROL)) == "500 internal_error"
    assert await outcome(client.users_info(user=ALICE)) == "ok"


async def test_an_answer_only_delay_posts_before_it_answers(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.delay("chat.postMessage", 0.5, answer_only=True)
    started = time.perf_counter()
    posting = asyncio.ensure_future(client.chat_postMessage(channel=GENERAL, text="early"))
    await asyncio.sleep(0.2)
    assert [m["text"] for m in fake_slack.messages(GENERAL)] == ["early"]  # not answered yet
    assert not posting.done()
    await posting
    assert time.perf_counter() - started >= 0.5


async def test_history_returns_metadata_only_when_asked(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    tag = {"event_type": "outbox_message_posted", "event_payload": {"row": 7}}
    dm = (await client.conversations_open(users=ALICE))["channel"]["id"]
    first = await client.chat_postMessage(channel=dm, text="one")
    second = await client.chat_postMessage(channel=ALICE, text="two", metadata=tag)
    assert second["message"]["metadata"] == tag
    plain = await client.conversations_history(channel=dm)
    assert [m["text"] for m in plain["messages"]] == ["two", "one"]  # newest first
    assert all("metadata" not in m for m in plain["messages"])
    full = await client.conversations_history(channel=dm, include_all_metadata=True)
    assert full["messages"][0]["metadata"] == tag
    after_first = await client.conversations_history(channel=dm, oldest=first["ts"])
    assert [m["text"] for m in after_first["messages"]] == ["two"]  # oldest is exclusive
    both = await client.conversations_history(channel=dm, oldest=first["ts"], inclusive=True)
    assert len(both["messages"]) == 2
    page = await client.conversations_history(channel=dm, limit=1)
    assert page["has_more"] is True
    rest = await client.conversations_history(
        channel=dm, limit=1, cursor=page["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in rest["messages"]] == ["one"]
    assert rest["has_more"] is False


async def test_history_and_replies_keep_threads_apart(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    parent = await client.chat_postMessage(channel=GENERAL, text="parent")
    tag = {"event_type": "outbox_message_posted", "event_payload": {"row": 1}}
    await client.chat_postMessage(
        channel=GENERAL, text="reply", thread_ts=parent["ts"], metadata=tag
    )
    history = await client.conversations_history(channel=GENERAL)
    assert [m["text"] for m in history["messages"]] == ["parent"]
    replies = await client.conversations_replies(
        channel=GENERAL, ts=parent["ts"], include_all_metadata=True
    )
    assert [m["text"] for m in replies["messages"]] == ["parent", "reply"]
    assert replies["messages"][1]["metadata"] == tag
    assert await outcome(client.conversations_replies(channel=GENERAL, ts="1.2")) == (
        "200 thread_not_found"
    )


async def test_history_refusals_and_bad_metadata(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.add_channel("C7", "private-elsewhere", members=[ALICE], is_private=True)
    fake_slack.add_channel("C8", "public-elsewhere", members=[ALICE])
    assert await outcome(client.conversations_history(channel="C7")) == "200 channel_not_found"
    assert await outcome(client.conversations_history(channel="C8")) == "200 not_in_channel"
    assert await outcome(client.conversations_history(channel="D404")) == "200 channel_not_found"
    bad: dict[str, Any] = {"event_type": "x", "event_payload": "not an object"}
    assert await outcome(client.chat_postMessage(channel=GENERAL, text="t", metadata=bad)) == (
        "200 invalid_metadata_schema"
    )


async def test_a_cut_drops_the_connection_before_anything_happens(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.cut("chat.postMessage", 2)
    for _ in range(2):
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await client.chat_postMessage(channel=GENERAL, text="lost")
    assert fake_slack.messages(GENERAL) == []  # nothing was posted
    assert await outcome(client.chat_postMessage(channel=GENERAL, text="back")) == "ok"
    assert [m["text"] for m in fake_slack.messages(GENERAL)] == ["back"]
