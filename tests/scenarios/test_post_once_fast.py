"""The ask path's own Web API post (bot/slack_client.py `post_once_fast`), against the fake.

It replaces slack_sdk's call on the hottest path, so each test holds it to what the client
did there: the same request, the same error, as many tries, the same waits.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_client import RETRIES, post_once_fast, with_retries
from playground.fakeslack import ALICE, GENERAL, TOKEN, FakeSlack

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "Want to turn this…?"}}]


@pytest.fixture
async def client(fake_slack: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    async with aiohttp.ClientSession() as session:
        yield with_retries(AsyncWebClient(token=TOKEN, base_url=fake_slack.url, session=session))


def posts(fake: FakeSlack) -> list[tuple[int, bool]]:
    return [(call.status, call.ok) for call in fake.calls_to("chat.postEphemeral")]


async def test_it_sends_what_the_client_sends(
    client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    arguments = {"channel": GENERAL, "user": ALICE, "text": "hi", "blocks": BLOCKS}
    await client.chat_postEphemeral(**arguments, thread_ts=None)
    await post_once_fast(client, "chat.postEphemeral", **arguments, thread_ts=None)
    by_client, fast = fake_slack.calls_to("chat.postEphemeral")
    assert fast.args == by_client.args == arguments  # None left out, as slack_sdk does
    assert (fast.token, fast.content_type) == (by_client.token, by_client.content_type)
    assert fast.ok


async def test_slacks_refusal_raises_the_clients_error(
    client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    with pytest.raises(SlackApiError) as caught:
        await post_once_fast(client, "chat.postEphemeral", channel=GENERAL, user="U404", text="x")
    assert caught.value.response.get("error") == "user_not_in_channel"
    assert caught.value.response.status_code == 200
    assert posts(fake_slack) == [(200, False)]  # refused once, never tried again


async def test_a_429_waits_retry_after_and_counts_as_the_first_try(
    client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.postEphemeral", status=429, retry_after=1)
    began = time.monotonic()
    await post_once_fast(client, "chat.postEphemeral", channel=GENERAL, user=ALICE, text="x")
    assert time.monotonic() - began >= 1.0
    assert posts(fake_slack) == [(429, False), (200, True)]


async def test_server_errors_get_as_many_tries_as_through_the_client(
    client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.postEphemeral", status=500, times=RETRIES + 1)
    with pytest.raises(SlackApiError) as caught:
        await post_once_fast(client, "chat.postEphemeral", channel=GENERAL, user=ALICE, text="x")
    assert caught.value.response.status_code == 500
    assert posts(fake_slack) == [(500, False)] * (RETRIES + 1)
    # One failure fewer, and the last try gets through.
    fake_slack.calls.clear()
    fake_slack.fail_next("chat.postEphemeral", status=503, times=RETRIES)
    await post_once_fast(client, "chat.postEphemeral", channel=GENERAL, user=ALICE, text="x")
    assert posts(fake_slack) == [(503, False)] * RETRIES + [(200, True)]


async def test_a_502_is_an_error_at_once_as_through_the_client(
    client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.postEphemeral", status=502)
    with pytest.raises(SlackApiError):
        await post_once_fast(client, "chat.postEphemeral", channel=GENERAL, user=ALICE, text="x")
    assert posts(fake_slack) == [(502, False)]


async def test_a_lost_connection_is_retried_after_a_backoff() -> None:
    # Nothing listens there: each try is refused, the retries wait slack_sdk's backoff (0.5 s
    # first), and the error left is the connection's, as through the client.
    async with aiohttp.ClientSession() as session:
        closed = AsyncWebClient(token=TOKEN, base_url="http://127.0.0.1:9/api/", session=session)
        began = time.monotonic()
        with pytest.raises(aiohttp.ClientOSError):
            await post_once_fast(
                with_retries(closed), "chat.postEphemeral", channel=GENERAL, text="x"
            )
        assert time.monotonic() - began >= 0.5 * RETRIES


async def test_without_a_session_it_is_the_clients_call(fake_slack: FakeSlack) -> None:
    await post_once_fast(
        AsyncWebClient(token=TOKEN, base_url=fake_slack.url),
        "chat.postEphemeral",
        channel=GENERAL,
        user=ALICE,
        text="x",
    )
    assert posts(fake_slack) == [(200, True)]


async def test_a_slack_slower_than_the_sessions_timeout_fails_once_as_through_the_client(
    fake_slack: FakeSlack,
) -> None:
    # slack_sdk applies its own `timeout` only to a session it makes: with ours, the session's.
    fake_slack.delay("chat.postEphemeral", 1.0)
    quick = aiohttp.ClientTimeout(total=0.2)
    async with aiohttp.ClientSession(timeout=quick) as session:
        slow = with_retries(AsyncWebClient(token=TOKEN, base_url=fake_slack.url, session=session))
        for post in (
            lambda: slow.api_call("chat.postEphemeral", json={"channel": GENERAL, "text": "x"}),
            lambda: post_once_fast(slow, "chat.postEphemeral", channel=GENERAL, text="x"),
        ):
            began = time.monotonic()
            with pytest.raises(TimeoutError):
                await post()
            assert time.monotonic() - began < 0.9  # given up at the timeout, not retried
    await asyncio.sleep(1.2)  # the fake records a call once its wait is over
    assert len(fake_slack.calls_to("chat.postEphemeral")) == 2  # one try each
