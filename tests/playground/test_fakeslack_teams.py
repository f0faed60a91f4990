"""Several workspaces in one fake: isolation, OAuth installs, org-wide tokens, uninstalls,
and the sender speaking for a team; all through the real slack_sdk over HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.internals import (
    extract_enterprise_id,
    extract_is_enterprise_install,
    extract_team_id,
)
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import FileInstallationStore
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from playground.fakeslack import (
    ALICE,
    CLIENT_ID,
    CLIENT_SECRET,
    GENERAL,
    TEAM_ID,
    TOKEN,
    FakeSlack,
    SlackSender,
)

# slack_sdk's oauth_v2_access builds an aiohttp BasicAuth, which aiohttp now deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

SECRET = "teams-signing-secret"
ORG = "E0ORG"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    """T0001 as always, plus T0002 (Dana, Eli) and an org E0ORG with T0003 and T0004, where
    Wanda works in both and Xavier only in T0004."""
    async with FakeSlack() as running:
        running.add_team("T0002", "second-team", users=["U21", "U22"])
        running.add_team("T0003", "org-east", users=["W31", "W32"], enterprise_id=ORG)
        running.add_team("T0004", "org-west", users=["W31", "W41"], enterprise_id=ORG)
        yield running


def client(fake: FakeSlack, token: str) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=fake.url)


async def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return str(caught.value.response["error"])


async def test_two_teams_keep_their_own_state(fake: FakeSlack) -> None:
    first, second = client(fake, TOKEN), client(fake, fake.token_for("T0002"))
    other_general = fake.team("T0002").general
    await first.chat_postMessage(channel=GENERAL, text="hello one")
    await second.chat_postMessage(channel=other_general, text="hello two")
    dm = await second.conversations_open(users="U21")

    assert [m["text"] for m in fake.messages(GENERAL)] == ["hello one"]
    assert [m["text"] for m in fake.team("T0002").messages(other_general)] == ["hello two"]
    assert fake.dm_channel("U21") is None  # the DM lives in T0002 only
    assert fake.team("T0002").dm_channel("U21") == dm["channel"]["id"]
    listed = await second.users_list()
    assert {u["id"] for u in listed["members"]} == {"U21", "U22", "U0002BOT"}
    assert (await second.auth_test())["team_id"] == "T0002"
    assert (await first.auth_test())["team_id"] == TEAM_ID


async def test_a_token_only_acts_on_its_own_team(fake: FakeSlack) -> None:
    second = client(fake, fake.token_for("T0002"))
    assert await error_of(second.users_info(user=ALICE)) == "user_not_found"
    assert await error_of(second.conversations_open(users=ALICE)) == "user_not_found"
    assert await error_of(second.chat_postMessage(channel=ALICE, text="hi")) == (
        "channel_not_found"
    )
    # C1 is T0001's #general: not a channel T0002's bot can create or post in.
    assert await error_of(second.chat_postMessage(channel=GENERAL, text="hi")) == (
        "channel_not_found"
    )
    # A team_id argument doesn't move a workspace token: Slack ignores it.
    answer = await second.users_list(team_id=TEAM_ID)
    assert ALICE not in {u["id"] for u in answer["members"]}
    assert {c.team_id for c in fake.calls_to("users.list")} == {"T0002"}


async def test_every_call_records_the_team_and_token_it_used(fake: FakeSlack) -> None:
    tokens = {TEAM_ID: TOKEN, "T0002": fake.token_for("T0002")}
    for team_id, token in tokens.items():
        await client(fake, token).chat_postMessage(channel=fake.team(team_id).general, text="x")
    for team_id, token in tokens.items():
        [call] = fake.calls_to("chat.postMessage", team_id=team_id)
        assert call.token == token
        assert call.ok


async def test_oauth_v2_access_installs_a_workspace(fake: FakeSlack) -> None:
    code = fake.authorization_code("T0002", installer="U21", user_scopes=["search:read"])
    anonymous = AsyncWebClient(base_url=fake.url)
    answer = await anonymous.oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
    )
    assert answer["team"] == {"id": "T0002", "name": "Second Team"}
    assert answer["enterprise"] is None
    assert answer["is_enterprise_install"] is False
    assert answer["token_type"] == "bot"
    assert answer["bot_user_id"] == "U0002BOT"
    assert answer["app_id"] == "A0MENTOR"
    assert "chat:write" in answer["scope"].split(",")
    assert answer["authed_user"]["id"] == "U21"
    assert answer["authed_user"]["access_token"].startswith("xoxp-")
    assert answer["authed_user"]["scope"] == "search:read"
    # slack_sdk sends the client's credentials as HTTP Basic auth.
    [call] = fake.calls_to("oauth.v2.access")
    assert call.team_id == "T0002"
    assert "client_secret" not in call.args
    # The new token works, for T0002 only.
    new = client(fake, answer["access_token"])
    assert (await new.auth_test())["team_id"] == "T0002"


async def test_oauth_v2_access_takes_form_credentials_too(fake: FakeSlack) -> None:
    code = fake.authorization_code("T0002", installer="U22")
    anonymous = AsyncWebClient(base_url=fake.url)
    fields = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": code}
    answer = await anonymous.api_call("oauth.v2.access", data=fields)
    assert answer["authed_user"] == {"id": "U22"}
    [call] = fake.calls_to("oauth.v2.access")
    assert call.args["client_id"] == CLIENT_ID


@pytest.mark.parametrize("org_wide", [False, True])
async def test_bolts_oauth_flow_installs_from_the_fake(
    fake: FakeSlack, org_wide: bool, tmp_path: Path
) -> None:
    """Bolt's own exchange (oauth.v2.access, then auth.test for bot_id) reads what it needs."""
    settings = AsyncOAuthSettings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        installation_store=FileInstallationStore(base_dir=str(tmp_path)),
    )
    flow = AsyncOAuthFlow(client=AsyncWebClient(base_url=fake.url), settings=settings)
    team_id = "T0004" if org_wide else "T0002"
    installer = "W41" if org_wide else "U21"
    code = fake.authorization_code(team_id, installer=installer, org_wide=org_wide)
    installation = await flow.run_installation(code)
    assert installation is not None
    assert installation.is_enterprise_install is org_wide
    assert installation.team_id == (None if org_wide else "T0002")
    assert installation.enterprise_id == (ORG if org_wide else None)
    assert installation.bot_id == ("B0ORGBOT" if org_wide else "B0002BOT")
    assert installation.user_id == installer
    assert installation.bot_token == fake.token_for(team_id, org_wide=org_wide)
    if org_wide:
        assert installation.enterprise_url == "https://org-e0org.enterprise.slack.com/"


async def test_oauth_v2_access_installs_an_org(fake: FakeSlack) -> None:
    code = fake.authorization_code("T0003", installer="W31", org_wide=True)
    anonymous = AsyncWebClient(base_url=fake.url)
    answer = await anonymous.oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
    )
    assert answer["team"] is None
    assert answer["enterprise"] == {"id": ORG, "name": f"Org {ORG}"}
    assert answer["is_enterprise_install"] is True
    assert answer["bot_user_id"] == "W0ORGBOT"
    org = client(fake, answer["access_token"])
    identity = await org.auth_test()
    assert identity["enterprise_id"] == ORG
    assert identity["is_enterprise_install"] is True
    assert identity["url"].endswith(".enterprise.slack.com/")


@pytest.mark.parametrize(
    ("client_id", "client_secret", "error"),
    [
        ("", CLIENT_SECRET, "invalid_client_id"),
        ("999.999", CLIENT_SECRET, "invalid_client_id"),
        (CLIENT_ID, "wrong-secret", "bad_client_secret"),
    ],
)
async def test_oauth_v2_access_checks_the_client(
    fake: FakeSlack, client_id: str, client_secret: str, error: str
) -> None:
    code = fake.authorization_code("T0002", installer="U21")
    anonymous = AsyncWebClient(base_url=fake.url)
    call = anonymous.oauth_v2_access(client_id=client_id, client_secret=client_secret, code=code)
    assert await error_of(call) == error


async def test_a_code_works_once_and_only_for_ten_minutes() -> None:
    clock = Clock()
    async with FakeSlack(clock=clock) as fake:
        fake.add_team("T0002", "second-team", users=["U21"])
        anonymous = AsyncWebClient(base_url=fake.url)

        def trade(code: str) -> Any:
            return anonymous.oauth_v2_access(
                client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
            )

        code = fake.authorization_code("T0002", installer="U21")
        assert (await trade(code))["ok"]
        assert await error_of(trade(code)) == "invalid_code"
        assert await error_of(trade("1.not-a-code")) == "invalid_code"
        late = fake.authorization_code("T0002", installer="U21")
        clock.now += 601
        assert await error_of(trade(late)) == "invalid_code"


async def test_a_redirect_uri_must_match_the_authorize_step(fake: FakeSlack) -> None:
    code = fake.authorization_code("T0002", installer="U21", redirect_uri="https://a/cb")
    anonymous = AsyncWebClient(base_url=fake.url)
    call = anonymous.oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code, redirect_uri="https://b/cb"
    )
    assert await error_of(call) == "bad_redirect_uri"


async def test_uninstall_and_revoke_stop_the_tokens(fake: FakeSlack) -> None:
    second_token, default = fake.token_for("T0002"), client(fake, TOKEN)
    assert fake.uninstall("T0002") == {"oauth": [], "bot": ["U0002BOT"]}
    assert await error_of(client(fake, second_token).auth_test()) == "account_inactive"
    assert (await default.auth_test())["ok"]  # other teams go on

    assert fake.revoke_tokens(TEAM_ID) == {"oauth": [], "bot": ["U0BOT"]}
    assert await error_of(default.chat_postMessage(channel=GENERAL, text="x")) == ("token_revoked")
    # Installing again issues a new token that works; the old one stays dead.
    code = fake.authorization_code("T0002", installer="U21")
    answer = await AsyncWebClient(base_url=fake.url).oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
    )
    assert answer["access_token"] != second_token
    assert (await client(fake, answer["access_token"]).auth_test())["ok"]
    assert fake.token_for("T0002") == answer["access_token"]
    assert await error_of(client(fake, "xoxb-never-issued").auth_test()) == "invalid_auth"


async def test_an_org_token_acts_in_each_granted_workspace(fake: FakeSlack) -> None:
    org = client(fake, fake.token_for("T0003", org_wide=True))
    east, west = fake.team("T0003").general, fake.team("T0004").general
    await org.chat_postMessage(channel=east, text="east")
    await org.chat_postMessage(channel=west, text="west")
    # W41 is only in T0004: the person named decides the workspace.
    dm = await org.conversations_open(users="W41")
    assert fake.team("T0004").dm_channel("W41") == dm["channel"]["id"]

    assert [m["text"] for m in fake.team("T0003").messages(east)] == ["east"]
    assert [m["text"] for m in fake.team("T0004").messages(west)] == ["west"]
    posts = fake.calls_to("chat.postMessage")
    assert [(c.team_id, c.enterprise_id) for c in posts] == [("T0003", ORG), ("T0004", ORG)]
    assert len({c.token for c in posts}) == 1


async def test_an_org_token_needs_team_id_to_list_a_workspace(fake: FakeSlack) -> None:
    org = client(fake, fake.token_for("T0003", org_wide=True))
    assert await error_of(org.users_list()) == "missing_argument"
    west = await org.users_list(team_id="T0004")
    assert {u["id"] for u in west["members"]} == {"W31", "W41", "W0ORGBOT"}
    assert await error_of(org.users_list(team_id="T0002")) == "team_access_not_granted"


async def test_an_org_shares_its_people_across_workspaces(fake: FakeSlack) -> None:
    east, west = fake.team("T0003"), fake.team("T0004")
    assert east.users["W31"] is west.users["W31"]
    assert west.users["W31"]["enterprise_user"]["teams"] == ["T0003", "T0004"]
    with pytest.raises(ValueError, match="ids are global"):
        fake.add_team("T0005", "outsider", users=["U21"])


# -- the sender speaks for a team ----------------------------------------------------------


@pytest.fixture
async def inbox() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A bare HTTP endpoint that checks Slack's signature and keeps each parsed body."""
    received: list[dict[str, Any]] = []
    verifier = SignatureVerifier(SECRET)

    async def keep(request: web.Request) -> web.Response:
        raw = await request.read()
        if not verifier.is_valid_request(raw, dict(request.headers)):
            return web.Response(status=401)
        if request.content_type == "application/json":
            received.append(json.loads(raw))
        else:
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            received.append(json.loads(form["payload"]) if "payload" in form else form)
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/slack/events", keep)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", received
    finally:
        await runner.cleanup()


async def test_the_sender_defaults_to_t0001(inbox: tuple[str, list[dict[str, Any]]]) -> None:
    url, received = inbox
    sender = SlackSender(url, SECRET)
    await sender.command("help")
    await sender.message("hi")
    command, event = received
    assert (command["team_id"], command["channel_id"]) == (TEAM_ID, GENERAL)
    assert "enterprise_id" not in command
    assert event["authorizations"][0]["enterprise_id"] is None
    assert extract_team_id(event) == TEAM_ID


async def test_the_sender_speaks_for_another_team_and_an_org_install(
    fake: FakeSlack, inbox: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = inbox
    second = SlackSender(url, SECRET).for_team(fake.team("T0002"))
    org = SlackSender(url, SECRET).for_team(fake.team("T0004"), org_wide=True)
    await second.command("help", user_id="U21")
    await org.command("help", user_id="W41")
    await org.message("hi", user_id="W41")
    await org.shortcut("ask", user_id="W41")
    await org.block_action("accept", "v", user_id="W41")
    command, org_command, event, shortcut, click = received

    assert (command["team_id"], command["team_domain"]) == ("T0002", "second-team")
    assert command["channel_id"] == fake.team("T0002").general
    assert command["is_enterprise_install"] == "false"
    assert (org_command["enterprise_id"], org_command["is_enterprise_install"]) == (ORG, "true")
    assert event["team_id"] == "T0004"
    assert event["enterprise_id"] == ORG
    assert event["authorizations"] == [
        {
            "enterprise_id": ORG,
            "team_id": "T0004",
            "user_id": "W0ORGBOT",
            "is_bot": True,
            "is_enterprise_install": True,
        }
    ]
    for payload in (org_command, event, shortcut, click):
        # What Bolt reads to look up the installation.
        assert extract_enterprise_id(payload) == ORG
        assert extract_is_enterprise_install(payload) is True
        assert extract_team_id(payload) == "T0004"
    assert shortcut["user"]["team_id"] == "T0004"


async def test_a_view_says_which_workspace_installed_the_app_that_opened_it(
    fake: FakeSlack, inbox: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = inbox
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Ask"}, "blocks": []}
    opened = await client(fake, fake.token_for("T0002")).views_open(trigger_id="1.2.3", view=modal)
    view = opened["view"]
    assert view["app_installed_team_id"] == "T0002"
    # Submitted from another workspace (a Slack Connect channel): the view still says T0002,
    # and Bolt authorizes with that; a sender told otherwise stamps its own.
    await SlackSender(url, SECRET).view_submission(view)
    await SlackSender(url, SECRET, app_installed_team_id="T0009").view_submission(view)
    connect, stamped = received
    assert (connect["team"]["id"], extract_team_id(connect)) == (TEAM_ID, "T0002")
    assert extract_team_id(stamped) == "T0009"
    assert view["app_installed_team_id"] == "T0002"  # the caller's view is left as it was


async def test_the_sender_sends_uninstall_and_revoke_events(
    fake: FakeSlack, inbox: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = inbox
    second = SlackSender(url, SECRET).for_team(fake.team("T0002"))
    revoked = fake.revoke_tokens("T0002")
    await second.tokens_revoked(revoked)
    await second.app_uninstalled()
    tokens_event, uninstalled = received
    assert tokens_event["team_id"] == "T0002"
    assert tokens_event["event"]["tokens"] == {"oauth": [], "bot": ["U0002BOT"]}
    assert uninstalled["event"]["type"] == "app_uninstalled"
    assert uninstalled["team_id"] == "T0002"


async def test_token_for_t0001_is_the_default_until_revoked(fake: FakeSlack) -> None:
    assert fake.token_for(TEAM_ID) == TOKEN
    fake.revoke_tokens(TEAM_ID)
    fresh = fake.token_for(TEAM_ID)
    assert fresh != TOKEN
    assert (await client(fake, fresh).auth_test())["team_id"] == TEAM_ID


async def test_a_response_url_edits_the_message_in_its_own_team(fake: FakeSlack) -> None:
    second = fake.team("T0002")
    posted = await client(fake, fake.token_for("T0002")).chat_postMessage(
        channel=second.general, text="Accept?"
    )
    sender = SlackSender("http://unused", SECRET, response_url_base=fake.response_url_base)
    url = sender.for_team(second).response_url("actions", second.general, posted["ts"])
    async with aiohttp.ClientSession() as session:
        body = {"replace_original": True, "text": "Accepted"}
        async with session.post(url, json=body) as answer:
            assert answer.status == 200
    assert [m["text"] for m in second.messages(second.general)] == ["Accepted"]
