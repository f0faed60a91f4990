"""The test harness itself: the fake Web API through the real slack_sdk, the signed requests
through a real Bolt app, and the Block Kit limits Slack enforces."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from playground.fakeslack import (
    ALICE,
    BOB,
    BOT_USER_ID,
    CAROL,
    GENERAL,
    TOKEN,
    FakeSlack,
    SlackSender,
    block_texts,
    button_labels,
    check_message,
    check_view,
    find_button,
    find_input,
    serve_in_thread,
    sign,
)

SECRET = "harness-signing-secret"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(label: str, action_id: str, value: str = "v") -> dict[str, Any]:
    text = {"type": "plain_text", "text": label}
    return {"type": "button", "text": text, "action_id": action_id, "value": value}


def modal(title: str = "Ask a mentor", **extra: Any) -> dict[str, Any]:
    view = {"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": []}
    return {**view, **extra}


@pytest.fixture
async def client(fake_slack: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    # No retry handlers: a test sees every answer exactly as Slack gave it.
    async with aiohttp.ClientSession() as session:
        yield AsyncWebClient(
            token=TOKEN, base_url=fake_slack.url, session=session, retry_handlers=[]
        )


async def test_starts_fast_on_a_free_port_and_answers_auth_test() -> None:
    started = time.perf_counter()
    async with FakeSlack() as fake:
        assert time.perf_counter() - started < 0.5
        assert fake.url == f"http://127.0.0.1:{fake.port}/api/"
        answer = await AsyncWebClient(token=TOKEN, base_url=fake.url).auth_test()
    assert answer["user_id"] == BOT_USER_ID
    assert answer["bot_id"].startswith("B")
    assert answer["team_id"] == "T0001"
    assert answer["url"].startswith("https://")
    assert fake.calls[0].method == "auth.test"
    assert fake.calls[0].token == TOKEN


async def test_a_token_is_required_and_checked(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as missing:
        await AsyncWebClient(base_url=fake_slack.url).auth_test()
    with pytest.raises(SlackApiError) as wrong:
        await AsyncWebClient(token="xoxb-revoked", base_url=fake_slack.url).auth_test()
    # Like Slack, a token inside a JSON body does not count: it must be a Bearer header.
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake_slack.url}auth.test", json={"token": TOKEN}) as response,
    ):
        in_body = await response.json()
    assert missing.value.response["error"] == "not_authed"
    assert wrong.value.response["error"] == "invalid_auth"
    assert in_body == {"ok": False, "error": "not_authed"}
    assert [call.ok for call in fake_slack.calls] == [False, False, False]


async def test_post_message_with_blocks_as_json_and_as_form(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    blocks = [section("*Career chat?*"), {"type": "actions", "elements": [button("Accept", "a")]}]
    as_json = await client.chat_postMessage(channel=GENERAL, text="Career chat?", blocks=blocks)
    form = {"channel": GENERAL, "text": "again", "blocks": json.dumps(blocks[:1])}
    as_form = await client.api_call("chat.postMessage", data=form)

    first, second = fake_slack.calls_to("chat.postMessage")
    assert first.content_type == "application/json"
    assert second.content_type == "application/x-www-form-urlencoded"
    assert first.args["blocks"] == blocks
    assert second.args["blocks"] == blocks[:1]  # decoded from the form's JSON string
    assert as_json["channel"] == GENERAL
    assert float(as_json["ts"]) < float(as_form["ts"])
    assert as_json["message"]["bot_id"] == "B0BOT"
    assert as_json["message"]["blocks"][0]["block_id"]  # Slack fills in missing block ids
    assert [m["text"] for m in fake_slack.messages(GENERAL)] == ["Career chat?", "again"]


async def test_messages_can_be_updated_and_deleted(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel=ALICE, text="Pending")
    channel = posted["channel"]
    assert channel.startswith("D")  # posting to a user id lands in the bot's DM
    updated = await client.chat_update(channel=channel, ts=posted["ts"], text="Accepted")
    assert updated["text"] == "Accepted"
    assert [m["text"] for m in fake_slack.messages(channel)] == ["Accepted"]
    await client.chat_delete(channel=channel, ts=posted["ts"])
    assert fake_slack.messages(channel) == []
    with pytest.raises(SlackApiError) as gone:
        await client.chat_update(channel=channel, ts=posted["ts"], text="again")
    assert gone.value.response["error"] == "message_not_found"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"channel": GENERAL}, "no_text"),
        ({"text": "hi"}, "channel_not_found"),
        ({"channel": "not-a-channel", "text": "hi"}, "channel_not_found"),
        ({"channel": "U404", "text": "hi"}, "channel_not_found"),
        ({"channel": GENERAL, "text": "x" * 40_001}, "msg_too_long"),
        ({"channel": GENERAL, "text": "x", "blocks": "[not json"}, "invalid_blocks_format"),
    ],
)
async def test_post_message_refusals_use_slacks_error_names(
    client: AsyncWebClient, args: dict[str, Any], error: str
) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("chat.postMessage", data=args)
    assert refused.value.response["error"] == error


async def test_conversations_open_gives_stable_ids(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    dm = await client.conversations_open(users=ALICE)
    again = await client.conversations_open(users=[ALICE])
    group = await client.conversations_open(users=f"{BOB},{ALICE}")
    same_group = await client.conversations_open(users=[ALICE, BOB])
    assert dm["channel"]["id"].startswith("D")
    assert again["channel"]["id"] == dm["channel"]["id"]
    assert again["already_open"] is True
    assert group["channel"]["id"][0] in "GC"
    assert same_group["channel"]["id"] == group["channel"]["id"] != dm["channel"]["id"]
    assert fake_slack.dm_channel(ALICE) == dm["channel"]["id"]
    members = await client.conversations_members(channel=group["channel"]["id"])
    assert sorted(members["members"]) == sorted([ALICE, BOB, BOT_USER_ID])
    with pytest.raises(SlackApiError) as unknown:
        await client.conversations_open(users="U404")
    assert unknown.value.response["error"] == "user_not_found"


async def test_conversations_info_says_whether_the_bot_is_a_member(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.add_channel("C0OUT", "outside", members=[ALICE, BOB])
    fake_slack.add_channel("G0SECRET", "secret", members=[ALICE], is_private=True)
    joined = await client.conversations_info(channel=GENERAL)
    assert joined["channel"]["is_member"] is True
    outside = await client.conversations_info(channel="C0OUT")
    assert outside["channel"]["is_member"] is False
    with pytest.raises(SlackApiError) as hidden:
        await client.conversations_info(channel="G0SECRET")
    assert hidden.value.response["error"] == "channel_not_found"


async def test_posting_needs_a_live_channel_the_bot_is_in(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    for channel_id, private in (("C0POOL", False), ("G0POOL", True), ("C0OLD", False)):
        fake_slack.add_channel(channel_id, is_private=private)
        await client.chat_postMessage(channel=channel_id, text="hello")
    fake_slack.remove_member("C0POOL", BOT_USER_ID)
    fake_slack.remove_member("G0POOL", BOT_USER_ID)
    fake_slack.archive("C0OLD")
    for channel_id, error in (
        ("C0POOL", "not_in_channel"),
        ("G0POOL", "channel_not_found"),  # a private channel hides from a bot outside it
        ("C0OLD", "is_archived"),
    ):
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel=channel_id, text="hello")
        assert refused.value.response["error"] == error
    members = await client.conversations_members(channel="C0POOL")
    assert BOT_USER_ID not in members["members"]
    assert ALICE in members["members"]


async def test_users_info_has_time_zones_and_refuses_strangers(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.add_user("U0DAN", "dan", tz="Pacific/Auckland", is_admin=True)
    carol = (await client.users_info(user=CAROL))["user"]
    dan = (await client.users_info(user="U0DAN"))["user"]
    assert carol["tz"] == "Asia/Kolkata"
    assert carol["tz_offset"] == 19_800
    assert carol["profile"]["display_name"] == "carol"
    assert carol["is_bot"] is False
    assert dan["is_admin"] is True
    assert dan["team_id"] == "T0001"
    with pytest.raises(SlackApiError) as stranger:
        await client.users_info(user="U404")
    assert stranger.value.response["error"] == "user_not_found"


async def test_users_list_pages_with_cursors(client: AsyncWebClient) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        page = await client.users_list(limit=2, cursor=cursor)
        seen += [user["id"] for user in page["members"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == [BOT_USER_ID, ALICE, BOB, CAROL]


async def test_custom_profile_fields_and_their_values(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.add_profile_field("Xf0SKILLS1", "Skills", hint="What you know well")
    fake_slack.add_profile_field("Xf0SECRET1", "Badge number", is_hidden=True)
    fake_slack.set_profile_field(ALICE, "Xf0SKILLS1", "Python; negotiation")
    team = (await client.team_profile_get())["profile"]["fields"]
    assert [(f["id"], f["label"], f["type"], f["ordering"]) for f in team] == [
        ("Xf0SKILLS1", "Skills", "text", 0),
        ("Xf0SECRET1", "Badge number", "text", 1),
    ]
    visible = (await client.team_profile_get(visibility="visible"))["profile"]["fields"]
    assert [f["id"] for f in visible] == ["Xf0SKILLS1"]
    alice = (await client.users_profile_get(user=ALICE))["profile"]
    assert alice["fields"] == {"Xf0SKILLS1": {"value": "Python; negotiation", "alt": ""}}
    assert alice["display_name"] == "alice"
    labelled = await client.users_profile_get(user=ALICE, include_labels=True)
    assert labelled["profile"]["fields"]["Xf0SKILLS1"]["label"] == "Skills"
    # Nothing filled in: Slack sends an empty list there, not an empty object.
    assert (await client.users_profile_get(user=BOB))["profile"]["fields"] == []
    with pytest.raises(SlackApiError) as stranger:
        await client.users_profile_get(user="U404")
    assert stranger.value.response["error"] == "user_not_found"
    fake_slack.withheld_scopes.add("users.profile:read")
    for call in (client.team_profile_get(), client.users_profile_get(user=ALICE)):
        with pytest.raises(SlackApiError) as refused:
            await call
        assert refused.value.response["error"] == "missing_scope"
        assert refused.value.response["needed"] == "users.profile:read"


async def test_a_429_reaches_slack_sdk_with_retry_after(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=2, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as limited:
            await client.chat_postMessage(channel=GENERAL, text="hi")
        assert limited.value.response.status_code == 429
        assert limited.value.response.headers["Retry-After"] == "2"
        assert limited.value.response["error"] == "ratelimited"
    assert (await client.chat_postMessage(channel=GENERAL, text="hi"))["ok"] is True
    assert [call.status for call in fake_slack.calls] == [429, 429, 200]


async def test_slack_sdks_retry_handler_honours_the_429(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=0)
    retrying = AsyncWebClient(
        token=TOKEN, base_url=fake_slack.url, retry_handlers=[AsyncRateLimitErrorRetryHandler()]
    )
    assert (await retrying.chat_postMessage(channel=GENERAL, text="hi"))["ok"] is True
    assert [call.status for call in fake_slack.calls] == [429, 200]


async def test_500s_and_forced_errors_can_be_injected(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.fail_next("views.publish", status=500)
    fake_slack.fail_next("*", error="channel_not_found")
    with pytest.raises(SlackApiError) as broken:
        await client.views_publish(user_id=ALICE, view={"type": "home", "blocks": []})
    with pytest.raises(SlackApiError) as forced:
        await client.chat_postMessage(channel=GENERAL, text="hi")
    assert broken.value.response.status_code == 500
    assert broken.value.response["error"] == "internal_error"
    assert forced.value.response.status_code == 200
    assert forced.value.response["error"] == "channel_not_found"
    assert (await client.chat_postMessage(channel=GENERAL, text="hi"))["ok"] is True
    assert [(c.status, c.error) for c in fake_slack.calls] == [
        (500, "internal_error"),
        (200, "channel_not_found"),
        (200, None),
    ]


async def test_the_channel_rate_limit_answers_429_per_channel(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.enforce_channel_rate(per_second=0.1)  # slow enough that no stall refills it
    await client.chat_postMessage(channel=GENERAL, text="one")
    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel=GENERAL, text="two")
    await client.chat_postMessage(channel="C2", text="elsewhere")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "10"


async def test_unknown_methods_are_refused(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as unknown:
        await client.api_call("chat.frobnicate", json={"channel": GENERAL})
    assert unknown.value.response["error"] == "unknown_method"


async def test_51_blocks_are_invalid_blocks(client: AsyncWebClient) -> None:
    fifty = [section(f"line {i}") for i in range(50)]
    assert (await client.chat_postMessage(channel=GENERAL, text="ok", blocks=fifty))["ok"]
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=GENERAL, text="no", blocks=[*fifty, section("51")])
    assert refused.value.response["error"] == "invalid_blocks"
    assert "[json-pointer:/blocks]" in refused.value.response["response_metadata"]["messages"][0]


async def test_a_25_character_modal_title_is_refused(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    trigger = SlackSender("http://unused", SECRET).new_trigger_id()
    with pytest.raises(SlackApiError) as refused:
        await client.views_open(trigger_id=trigger, view=modal("x" * 25))
    opened = await client.views_open(trigger_id=trigger, view=modal("x" * 24))
    assert refused.value.response["error"] == "invalid_arguments"
    messages = refused.value.response["response_metadata"]["messages"]
    assert messages == ["[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"]
    assert opened["view"]["id"].startswith("V")
    assert fake_slack.view(opened["view"]["id"])["title"]["text"] == "x" * 24


@pytest.mark.parametrize(
    ("trigger_id", "error"),
    [(None, "invalid_arguments"), ("not-a-trigger", "invalid_trigger_id")],
)
async def test_views_open_needs_a_real_trigger(
    client: AsyncWebClient, trigger_id: str | None, error: str
) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("views.open", json={"trigger_id": trigger_id, "view": modal()})
    assert refused.value.response["error"] == error


async def test_a_trigger_id_works_once(client: AsyncWebClient) -> None:
    trigger = SlackSender("http://unused", SECRET).new_trigger_id()
    await client.views_open(trigger_id=trigger, view=modal())
    with pytest.raises(SlackApiError) as reused:
        await client.views_open(trigger_id=trigger, view=modal())
    assert reused.value.response["error"] == "exchanged_trigger_id"


async def test_views_update_refuses_a_stale_hash(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    trigger = SlackSender("http://unused", SECRET).new_trigger_id()
    opened = (await client.views_open(trigger_id=trigger, view=modal("One")))["view"]
    updated = await client.views_update(
        view_id=opened["id"], hash=opened["hash"], view=modal("Two")
    )
    assert updated["view"]["id"] == opened["id"]
    assert updated["view"]["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as stale:
        await client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Three"))
    assert stale.value.response["error"] == "hash_conflict"
    assert fake_slack.view(opened["id"])["title"]["text"] == "Two"


async def test_views_publish_keeps_one_home_per_person(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    home = {"type": "home", "blocks": [section("Welcome")]}
    first = await client.views_publish(user_id=ALICE, view=home)
    second = await client.views_publish(user_id=ALICE, view={**home, "blocks": [section("Hi")]})
    assert first["view"]["id"] == second["view"]["id"]
    shown = fake_slack.home_view(ALICE)
    assert shown is not None
    assert block_texts(shown) == "Hi"
    assert fake_slack.home_view(BOB) is None


async def test_files_upload_v2_round_trip(fake_slack: FakeSlack, client: AsyncWebClient) -> None:
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    done = await client.files_upload_v2(
        channel=GENERAL, content=ics, filename="session.ics", title="Your session"
    )
    file_id = done["file"]["id"]
    assert fake_slack.uploads[file_id].data == ics
    assert done["file"]["title"] == "Your session"
    assert done["file"]["mimetype"] == "text/calendar"
    assert [c.method for c in fake_slack.calls] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    shared = fake_slack.messages(GENERAL)[-1]
    assert shared["files"][0]["id"] == file_id


async def test_multipart_uploads_reactions_and_permalinks(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    form = aiohttp.FormData({"channels": GENERAL, "filename": "notes.txt"})
    form.add_field("file", b"action plan", filename="notes.txt")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake_slack.url}files.upload", data=form, headers=headers) as response,
    ):
        uploaded = await response.json()
    [call] = fake_slack.calls_to("files.upload")
    assert call.content_type == "multipart/form-data"
    assert call.files == {"file": b"action plan"}
    assert fake_slack.uploads[uploaded["file"]["id"]].data == b"action plan"
    await client.reactions_add(channel=GENERAL, name="eyes", timestamp="1700000000.000100")
    with pytest.raises(SlackApiError) as twice:
        await client.reactions_add(channel=GENERAL, name="eyes", timestamp="1700000000.000100")
    link = await client.chat_getPermalink(channel=GENERAL, message_ts="1700000000.000100")
    assert twice.value.response["error"] == "already_reacted"
    assert link["permalink"].endswith("/archives/C1/p1700000000000100")
    fake_slack.clear()
    assert fake_slack.calls == []


def test_blocking_tests_and_subprocesses_can_use_a_threaded_fake() -> None:
    script = (
        "import sys; from slack_sdk import WebClient; "
        "print(WebClient(token=sys.argv[1], base_url=sys.argv[2]).auth_test()['user_id'])"
    )
    with serve_in_thread() as fake:
        result = subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
            [sys.executable, "-c", script, TOKEN, fake.url],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.stdout.strip() == BOT_USER_ID, result.stderr
    assert [call.method for call in fake.calls] == ["auth.test"]


# -- signed requests, checked by a real Bolt app ----------------------------------------------

Seen = list[tuple[str, dict[str, Any]]]


@pytest.fixture
async def bolt(fake_slack: FakeSlack) -> AsyncIterator[tuple[SlackSender, Seen]]:
    """A bare Bolt app (not mentorbot) that records what it parsed out of each request."""
    seen: Seen = []
    client = AsyncWebClient(token=TOKEN, base_url=fake_slack.url)
    app = AsyncApp(client=client, signing_secret=SECRET, process_before_response=True)

    @app.command("/mentor")
    async def on_command(ack: Any, command: dict[str, Any]) -> None:
        seen.append(("command", command))
        await ack("got it")

    @app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        seen.append(("message", event))

    @app.action("accept")
    async def on_accept(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        seen.append(("action", body))
        await respond(replace_original=True, text="Accepted")

    @app.view("ask")
    async def on_submit(ack: Any, view: dict[str, Any]) -> None:
        seen.append(("view", view))
        await ack()

    @app.function("request_mentoring")
    async def on_step(inputs: dict[str, Any], client: AsyncWebClient, complete: Any) -> None:
        seen.append(("function", {"inputs": inputs, "token": client.token}))
        await complete({"status": "open"})

    @app.shortcut("ask_for_mentoring")
    async def on_shortcut(ack: Any, shortcut: dict[str, Any]) -> None:
        await ack()
        seen.append(("shortcut", shortcut))

    runner = web.AppRunner(app.web_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield SlackSender(url, SECRET, response_url_base=fake_slack.response_url_base), seen
    finally:
        await runner.cleanup()


async def test_bolt_takes_a_signed_slash_command(bolt: tuple[SlackSender, Seen]) -> None:
    sender, seen = bolt
    reply = await sender.command("help")
    assert reply.status == 200
    assert reply.body == "got it"  # Bolt answers a text-only ack as text/plain
    [(kind, command)] = seen
    assert kind == "command"
    assert (command["text"], command["user_id"], command["channel_id"]) == ("help", ALICE, GENERAL)
    assert re.fullmatch(r"\d+\.\d+\.[0-9a-f]+", command["trigger_id"])
    assert command["response_url"].startswith("http://127.0.0.1:")


@pytest.mark.parametrize(
    "how", [{"signed": False}, {"timestamp_offset": -360}, {"secret": "not-the-secret"}]
)
async def test_bolt_refuses_badly_signed_requests(
    bolt: tuple[SlackSender, Seen], how: dict[str, Any]
) -> None:
    sender, seen = bolt
    reply = await sender.command("help", **how)
    assert reply.status == 401
    assert seen == []


async def test_bolt_answers_url_verification_and_sees_message_events(
    bolt: tuple[SlackSender, Seen],
) -> None:
    sender, seen = bolt
    assert (await sender.url_verification("c-123")).body == {"challenge": "c-123"}
    reply = await sender.message("do you have a few minutes?", user_id=BOB, channel_id="C2")
    assert reply.status == 200
    assert seen == [("message", reply.sent["event"])]
    assert reply.sent["event"]["channel_type"] == "channel"


async def test_clicking_a_posted_button_reaches_bolt_and_respond_replaces_it(
    bolt: tuple[SlackSender, Seen], fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    sender, seen = bolt
    actions = {"type": "actions", "elements": [button("Accept", "accept", "req-7")]}
    await client.chat_postMessage(channel=GENERAL, text="New ask", blocks=[section("Ask"), actions])
    posted = fake_slack.calls_to("chat.postMessage")[-1]
    reply = await sender.click(find_button(posted, "Accept"), posted, user_id=BOB)
    assert reply.status == 200
    [(_, body)] = seen
    assert body["actions"][0]["value"] == "req-7"
    assert body["actions"][0]["block_id"] == posted.response["message"]["blocks"][1]["block_id"]
    assert body["container"]["message_ts"] == posted.response["ts"]
    assert body["user"]["id"] == BOB
    assert [m["text"] for m in fake_slack.messages(GENERAL)] == ["Accepted"]


async def test_a_modal_is_submitted_with_slack_shaped_state(
    bolt: tuple[SlackSender, Seen], client: AsyncWebClient
) -> None:
    sender, seen = bolt
    area = {"type": "static_select", "options": [{"text": _plain("Career"), "value": "career"}]}
    blocks = [
        _input(),
        {"type": "input", "label": _plain("Area"), "element": area},
        {"type": "input", "label": _plain("Mentor"), "element": {"type": "users_select"}},
        {"type": "input", "label": _plain("When"), "element": {"type": "datetimepicker"}},
        {**_input(), "block_id": "note", "label": _plain("Note"), "optional": True},
    ]
    view = modal(callback_id="ask", submit=_plain("Send"), blocks=blocks, private_metadata="r1")
    opened = await client.views_open(trigger_id=sender.new_trigger_id(), view=view)
    when = datetime(2030, 1, 2, 9, 30, tzinfo=UTC)
    answers = {"Topic": "Career growth", "Area": "Career", "Mentor": BOB, "When": when}
    with pytest.raises(AssertionError, match=r"no answer: \['Area', 'Mentor', 'When'\]"):
        await sender.view_submission(opened, {"Topic": "Career growth"})
    reply = await sender.view_submission(opened, answers)
    assert reply.status == 200
    [(_, submitted)] = seen
    values = list(submitted["state"]["values"].values())
    assert values[0]["topic"] == {"type": "plain_text_input", "value": "Career growth"}
    assert next(iter(values[1].values()))["selected_option"]["value"] == "career"
    assert next(iter(values[2].values()))["selected_user"] == BOB
    assert next(iter(values[3].values()))["selected_date_time"] == int(when.timestamp())
    assert values[4]["topic"]["value"] is None  # Slack sends unanswered optional inputs empty
    assert submitted["private_metadata"] == "r1"
    assert submitted["id"] == opened["view"]["id"]


async def test_a_message_shortcut_carries_the_message(bolt: tuple[SlackSender, Seen]) -> None:
    sender, seen = bolt
    reply = await sender.shortcut_message("ask_for_mentoring", "can someone review my PR?")
    assert reply.status == 200
    [(_, shortcut)] = seen
    assert shortcut["type"] == "message_action"
    assert shortcut["message"]["text"] == "can someone review my PR?"
    assert shortcut["message"]["user"] == BOB


# -- finding things in what the bot sent ---------------------------------------------------


def test_find_button_names_the_buttons_it_did_find() -> None:
    blocks = [
        section("Pick one"),
        {"type": "actions", "elements": [button("Accept", "a"), button("Decline", "d")]},
    ]
    assert find_button(blocks, "decline")["action_id"] == "d"
    assert button_labels(blocks) == ["Accept", "Decline"]
    with pytest.raises(AssertionError, match=r"no button 'Snooze'.*\['Accept', 'Decline'\]"):
        find_button(blocks, "Snooze")


def test_block_texts_is_what_a_person_reads() -> None:
    view = modal(
        "Offer times",
        blocks=[
            section("*Pick* a slot"),
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Times in CET"}]},
            {"type": "actions", "elements": [button("Book", "book", value="secret-id")]},
            _input(),
        ],
    )
    assert block_texts(view) == "Offer times\n*Pick* a slot\nTimes in CET\nBook\nTopic"
    assert find_input(view, "topic")["element"]["action_id"] == "topic"
    assert block_texts({"text": "plain message"}) == "plain message"


# -- signing -------------------------------------------------------------------------------


def test_sign_matches_slack_sdks_verifier() -> None:
    body = b'{"type":"event_callback","event":{"type":"app_mention"}}'
    now = int(time.time())
    headers = sign(body, SECRET, now)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(body, headers)
    assert headers["X-Slack-Signature"] == verifier.generate_signature(
        timestamp=str(now), body=body
    )
    assert not SignatureVerifier("other-secret").is_valid_request(body, headers)
    assert not verifier.is_valid_request(body, sign(body, SECRET, now - 360))


# -- Block Kit limits ----------------------------------------------------------------------


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def _select(options: int, text: str = "Option") -> dict[str, Any]:
    choices = [{"text": _plain(text), "value": str(i)} for i in range(options)]
    return {"type": "static_select", "action_id": "pick", "options": choices}


@pytest.mark.parametrize(
    ("blocks", "pointer"),
    [
        ([section("x" * 3001)], "/blocks/0/text/text"),
        ([section("")], "/blocks/0/text/text"),
        ([{"type": "header", "text": _plain("x" * 151)}], "/blocks/0/text/text"),
        ([{"type": "actions", "elements": [button("x" * 76, "a")]}], "/blocks/0/elements/0/text"),
        ([{"type": "actions", "elements": [button("ok", "a" * 256)]}], "elements/0/action_id"),
        ([{**section("x"), "block_id": "b" * 256}], "/blocks/0/block_id"),
        ([{**section("x"), "block_id": "same"}, {"type": "divider", "block_id": "same"}], "/1/"),
        ([{"type": "context", "elements": [_plain("c")] * 11}], "/blocks/0/elements"),
        ([{"type": "actions", "elements": [button("b", f"a{i}") for i in range(26)]}], "elements"),
        ([{"type": "section", "fields": [_plain("f")] * 11}], "/blocks/0/fields"),
        ([{"type": "section", "fields": [_plain("f" * 2001)]}], "/blocks/0/fields/0/text"),
        ([{**section("x"), "accessory": _select(101)}], "/blocks/0/accessory/options"),
        ([{**section("x"), "accessory": _select(2, "o" * 76)}], "/accessory/options/0/text"),
        ([{"type": "carousel"}], "/blocks/0/type"),
        ([{"type": "section"}], "/blocks/0"),
    ],
)
def test_message_blocks_beyond_slacks_limits_are_invalid(
    blocks: list[dict[str, Any]], pointer: str
) -> None:
    rejection = check_message("fallback", blocks)
    assert rejection is not None
    assert rejection.error == "invalid_blocks"
    assert any(pointer in message for message in rejection.messages), rejection.messages


def test_blocks_right_at_the_limits_pass() -> None:
    blocks = [
        {"type": "header", "text": _plain("h" * 150)},
        {**section("s" * 3000), "block_id": "b" * 255, "accessory": _select(100, "o" * 75)},
        {"type": "section", "fields": [_plain("f" * 2000)] * 10},
        {"type": "context", "elements": [_plain("c")] * 10},
        {"type": "actions", "elements": [button("b" * 75, f"a{i}") for i in range(25)]},
    ]
    assert check_message("t" * 40_000, blocks) is None


def _input(**element: Any) -> dict[str, Any]:
    field = {"type": "plain_text_input", "action_id": "topic", **element}
    return {"type": "input", "block_id": "topic", "label": _plain("Topic"), "element": field}


@pytest.mark.parametrize(
    ("view", "pointer"),
    [
        (modal("x" * 25), "/view/title/text"),
        (modal(submit=_plain("s" * 25)), "/view/submit/text"),
        (modal(close=_plain("c" * 25)), "/view/close/text"),
        (modal(private_metadata="m" * 3001), "/view/private_metadata"),
        (modal(callback_id="c" * 256), "/view/callback_id"),
        (modal(blocks=[section("x")] * 101), "/view/blocks"),
        (modal(blocks=[_input(max_length=3001)], submit=_plain("Send")), "element/max_length"),
        (modal(blocks=[_input()]), "/view/submit"),
        ({"type": "modal", "blocks": []}, "/view/title"),
        ({"type": "dialog", "blocks": []}, "/view/type"),
        ({"type": "home"}, "/view/blocks"),
    ],
)
def test_views_beyond_slacks_limits_are_invalid_arguments(
    view: dict[str, Any], pointer: str
) -> None:
    rejection = check_view(view)
    assert rejection is not None
    assert rejection.error == "invalid_arguments"
    assert any(pointer in message for message in rejection.messages), rejection.messages


def test_a_full_modal_within_the_limits_passes() -> None:
    view = modal(
        "t" * 24,
        submit=_plain("s" * 24),
        close=_plain("c" * 24),
        private_metadata="m" * 3000,
        callback_id="c" * 255,
        blocks=[section("x")] * 99 + [_input(max_length=3000)],
    )
    assert check_view(view) is None


async def test_a_deactivated_user_is_shown_deleted_and_gets_no_new_dm(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    await client.conversations_open(users=ALICE)
    fake_slack.deactivate_user(BOB)
    fake_slack.deactivate_user(ALICE)
    assert (await client.users_info(user=BOB))["user"]["deleted"] is True
    with pytest.raises(SlackApiError) as refused:
        await client.conversations_open(users=BOB)
    assert refused.value.response["error"] == "user_disabled"
    info = await client.conversations_info(channel=fake_slack.dm_channel(ALICE))
    assert info["channel"]["is_user_deleted"] is True


async def test_a_step_execution_completes_once_with_its_own_token(fake_slack: FakeSlack) -> None:
    outputs = {"request_id": {"type": "integer", "is_required": True}}
    run = fake_slack.start_function(
        "request_mentoring", {"mentee_id": ALICE}, output_parameters=outputs
    )
    client = AsyncWebClient(token=run.token, base_url=fake_slack.url)
    assert (await client.auth_test())["team_id"] == "T0001"  # the step's token acts on its team
    with pytest.raises(SlackApiError) as wrong:
        await client.functions_completeSuccess(
            function_execution_id=run.execution_id, outputs={"request_id": "seven"}
        )
    assert wrong.value.response["error"] == "parameter_validation_failed"
    await client.functions_completeSuccess(
        function_execution_id=run.execution_id, outputs={"request_id": 7}
    )
    assert (run.state, run.outputs) == ("completed", {"request_id": 7})
    with pytest.raises(SlackApiError) as again:
        await client.functions_completeError(function_execution_id=run.execution_id, error="late")
    assert again.value.response["error"] == "execution_not_in_running_state"
    with pytest.raises(SlackApiError) as unknown:
        await client.functions_completeError(function_execution_id="Fx404", error="what")
    assert unknown.value.response["error"] == "function_execution_not_found"
    assert run.completions == ["success", "success", "error"]
    # A step's token is never the team's bot token that installs hand out.
    assert fake_slack.token_for("T0001") != run.token


async def test_function_executed_reaches_bolts_function_listener(
    bolt: tuple[SlackSender, Seen], fake_slack: FakeSlack
) -> None:
    sender, seen = bolt
    run = fake_slack.start_function("request_mentoring", {"mentee_id": ALICE})
    reply = await sender.function_executed(run)
    assert reply.status == 200
    # Bolt swapped in the execution's own token, and completed the step with it.
    assert seen == [("function", {"inputs": {"mentee_id": ALICE}, "token": run.token})]
    assert (run.state, run.outputs) == ("completed", {"status": "open"})
    assert fake_slack.calls_to("functions.completeSuccess")[0].token == run.token
