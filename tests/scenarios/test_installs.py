"""Installs by OAuth, end to end: "Add to Slack" in two workspaces, each served with its own
token; an uninstall mid-flow; a reinstall; forged and replayed states; an org-wide install.

The bot runs with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET and no bot token, against the fake
Slack, which issues codes and tokens (oauth.v2.access) and kills them on uninstall as Slack does.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
from slack_bolt.context.async_context import AsyncBoltContext

from bot.clock import FrozenClock
from bot.lifecycle import Runtime, running
from bot.logs import hold_libraries
from bot.oauth import NOT_INSTALLED
from bot.retention import delete_removed_workspaces
from playground.fakeslack import (
    CLIENT_ID,
    CLIENT_SECRET,
    TEAM_ID,
    FakeSlack,
    SlackSender,
    find_button,
)
from storage.models import OutboxStatus, RequestStatus
from storage.outbox import UNINSTALLED
from tests.conftest import SIGNING_SECRET, bot_settings, deliver_due, replies_sent
from tests.flows import WED_10_NY, offer, opened_modal, pick_buttons, submit_request, told

pytestmark = pytest.mark.filterwarnings(
    # slack_sdk's oauth.v2.access builds an aiohttp BasicAuth the way aiohttp now deprecates.
    "ignore::DeprecationWarning"
)

B, C = "T0002", "T0003"
PEOPLE = {B: ("UB0MENTEE", "UB0MENTOR"), C: ("UC0MENTEE", "UC0MENTOR")}
COOKIE = "slack-app-oauth-state"


@pytest.fixture
async def oauth_bot(
    fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[Runtime]:
    """The bot with installs by OAuth, on the frozen clock, with no workspace installed yet."""
    for team, people in PEOPLE.items():
        fake_slack.add_team(team, f"team-{team.lower()}", users=people, token=False)
    settings = bot_settings(
        fake_slack,
        tmp_path,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        MENTORBOT_TICK_SECONDS="3600",
    )
    async with running(settings, clock=clock) as runtime:
        yield runtime


def sender(bot: Runtime, fake: FakeSlack, team: str, *, org_wide: bool = False) -> SlackSender:
    base = SlackSender(
        f"http://127.0.0.1:{bot.port}",
        SIGNING_SECRET,
        response_url_base=fake.response_url_base,
        settle=replies_sent,
    )
    return base.for_team(fake.team(team), org_wide=org_wide)


async def start_install(bot: Runtime) -> str:
    """Open /slack/install as a browser would; the state it hands to Slack's consent page."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{bot.port}/slack/install", allow_redirects=False) as page,
    ):
        html = await page.text()
        cookie = page.cookies[COOKIE].value
    assert page.status == 200
    assert "Add to Slack" in html
    link = re.search(r'href="([^"]*/oauth/v2/authorize\?[^"]*)"', html)
    assert link is not None, html
    query = parse_qs(urlparse(link[1].replace("&amp;", "&")).query)
    assert query["state"] == [cookie]
    assert query["client_id"] == [CLIENT_ID]
    assert "chat:write" in query["scope"][0]
    return cookie


async def finish_install(bot: Runtime, code: str, state: str, cookie: str) -> tuple[int, str]:
    """Slack sends the browser back with the code and the state, the cookie alongside."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            f"http://127.0.0.1:{bot.port}/slack/oauth_redirect",
            params={"code": code, "state": state},
            headers={"Cookie": f"{COOKIE}={cookie}"},
            allow_redirects=False,
        ) as page,
    ):
        return page.status, await page.text()


async def install(bot: Runtime, fake: FakeSlack, team: str, *, org_wide: bool = False) -> str:
    """Add to Slack, allowed by the team's first person; returns the bot token it got."""
    state = await start_install(bot)
    installer = PEOPLE.get(team, ("W31",))[0]
    code = fake.authorization_code(team, installer=installer, org_wide=org_wide)
    status, _ = await finish_install(bot, code, state, state)
    assert status == 200
    return fake.token_for(team, org_wide=org_wide)


async def book(
    slack: SlackSender,
    fake: FakeSlack,
    bot: Runtime,
    team: str,
    people: tuple[str, str] | None = None,
) -> None:
    """The team's mentee asks its mentor, who accepts and offers a time the mentee picks."""
    mentee, mentor = people or PEOPLE[team]
    await slack.command(f"ask <@{mentor}>", user_id=mentee)
    answers = {"What is it about?": "Career path", "What's on your mind?": "my next step"}
    await submit_request(slack, fake, answers, user_id=mentee)
    await bot.background.drain(5)
    request = dm_to(fake, team, mentor)
    await slack.click(find_button(request, "Accept"), request, user_id=mentor)
    await offer(slack, fake, bot, {"Time 1": WED_10_NY}, mentor=mentor, source=request)
    slots = dm_to(fake, team, mentee)
    await slack.click(pick_buttons(slots)[0], slots, user_id=mentee)
    await bot.background.drain(5)


def dm_to(fake: FakeSlack, team: str, user_id: str) -> Any:
    """The bot's latest DM to a person of this workspace."""
    channel = fake.team(team).dm_channel(user_id)
    posts = fake.calls_to("chat.postMessage", team_id=team)
    return [call for call in posts if call.args.get("channel") == channel][-1]


def calls_since(fake: FakeSlack, start: int) -> list[Any]:
    return [call for call in fake.calls[start:] if call.method != "oauth.v2.access"]


async def test_two_workspaces_install_and_each_is_served_with_its_own_token(
    oauth_bot: Runtime, fake_slack: FakeSlack
) -> None:
    tokens = {team: await install(oauth_bot, fake_slack, team) for team in (B, C)}
    assert tokens[B] != tokens[C]
    installed = await oauth_bot.store.installations()
    assert [(i.team_id, i.installer_user_id) for i in installed] == [
        (B, PEOPLE[B][0]),
        (C, PEOPLE[C][0]),
    ]
    start = len(fake_slack.calls)
    slack = {team: sender(oauth_bot, fake_slack, team) for team in (B, C)}
    await book(slack[B], fake_slack, oauth_bot, B)
    await book(slack[C], fake_slack, oauth_bot, C)

    calls = calls_since(fake_slack, start)
    by_team = {team: [c for c in calls if c.team_id == team] for team in (B, C)}
    for team in (B, C):
        assert len(by_team[team]) >= 8  # modal, DMs, edits, the booking for both
        assert {call.token for call in by_team[team]} == {tokens[team]}
    # Every Web API call acted in B or C, never the default workspace (uploads and
    # response_urls carry no token).
    web_api = [call for call in calls if call.method not in ("upload", "response_url")]
    assert {call.team_id for call in web_api} == {B, C}
    assert all(call.status == 200 for call in calls)
    refused = [c for c in web_api if not c.response.get("ok")]
    assert refused == []  # no call ever named the other workspace's people or channels
    for team in (B, C):
        posts = fake_slack.calls_to("chat.postMessage", team_id=team)
        assert any("booked" in str(call.args).lower() for call in posts)


async def test_an_uninstall_stops_its_nudges_and_a_reinstall_brings_the_data_back(
    oauth_bot: Runtime, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    for team in (B, C):
        await install(oauth_bot, fake_slack, team)
    slack = {team: sender(oauth_bot, fake_slack, team) for team in (B, C)}
    for team in (B, C):
        await book(slack[team], fake_slack, oauth_bot, team)
    pending = await oauth_bot.store.list_outbox([OutboxStatus.PENDING])
    assert {row.team_id for row in pending} == {B, C}  # reminders for both

    # C removes mentorbot mid-flow: Slack kills the token and sends the event.
    fake_slack.uninstall(C)
    await slack[C].app_uninstalled()
    pending = await oauth_bot.store.list_outbox([OutboxStatus.PENDING])
    assert {row.team_id for row in pending} == {B}
    cancelled = await oauth_bot.store.list_outbox([OutboxStatus.CANCELLED])
    # (B's first deliveries called off their own safety-net rows: cancelled for another reason.)
    assert {row.team_id for row in cancelled if row.last_error == UNINSTALLED} == {C}

    start = len(fake_slack.calls)
    clock.advance(days=2)
    await deliver_due(oauth_bot)
    sent = calls_since(fake_slack, start)
    assert sent
    assert {call.team_id for call in sent} == {B}  # B's reminders went, C's didn't
    assert await oauth_bot.store.list_outbox([OutboxStatus.FAILED]) == []
    # A request from C now is answered as Bolt answers an app no longer installed.
    await slack[C].command("help", user_id=PEOPLE[C][0])
    assert told(fake_slack)[-1] == NOT_INSTALLED

    # Reinstalled within the retention: its requests are where they were.
    await install(oauth_bot, fake_slack, C)
    answered = len(told(fake_slack))
    reply = await slack[C].command("sessions", user_id=PEOPLE[C][0])
    assert "no upcoming sessions" in reply.body["text"]  # served again (the session is past)
    assert told(fake_slack)[answered:] == []
    [row] = [i for i in await oauth_bot.store.installations() if i.team_id == C]
    assert row.bot_token is not None
    assert row.uninstalled_at is None
    found = [await oauth_bot.store.get_request(C, request_id) for request_id in range(1, 5)]
    [request] = [item for item in found if item is not None]
    assert (request.mentee_id, request.mentor_id) == PEOPLE[C]
    assert request.status is RequestStatus.SCHEDULED


async def pending_kinds(bot: Runtime, team: str) -> list[str]:
    pending = await bot.store.list_outbox([OutboxStatus.PENDING])
    return sorted(row.kind for row in pending if row.team_id == team)


async def test_a_reinstall_plans_the_weekly_digest_and_the_ongoing_1_1s_again(
    oauth_bot: Runtime, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    # Both are chains (each message sent plans the next): the uninstall cancels the link
    # waiting, and the reinstall, the same day, plans it again.
    await install(oauth_bot, fake_slack, B)
    slack, (mentee, mentor) = sender(oauth_bot, fake_slack, B), PEOPLE[B]
    await book(slack, fake_slack, oauth_bot, B)
    fake_slack.team(B).users[mentor]["is_admin"] = True
    await slack.command("settings", user_id=mentor)
    settings = opened_modal(fake_slack)
    assert not (await slack.view_submission(settings, {"Weekly digest": "on"}, user_id=mentor)).body
    listed = await slack.command(f"notes <@{mentee}>", user_id=mentor)
    await slack.click(find_button(listed.body, "Log notes"), listed.body, user_id=mentor)
    notes = opened_modal(fake_slack)
    await slack.view_submission(notes, {"What next?": "ongoing_weekly"}, user_id=mentor)
    await oauth_bot.background.drain(5)
    chains = ["digest.weekly", "relationship.tick", "relationship.tick"]
    before = [k for k in await pending_kinds(oauth_bot, B) if k in chains]
    assert before == chains

    fake_slack.uninstall(B)
    await slack.app_uninstalled()
    assert await pending_kinds(oauth_bot, B) == []
    for _ in range(2):  # a second "Add to Slack" plans nothing twice
        await install(oauth_bot, fake_slack, B)
        await oauth_bot.background.drain(5)
        assert await pending_kinds(oauth_bot, B) == chains

    start = len(fake_slack.calls)
    for _ in range(15):  # two weeks, a day at a time
        clock.advance(days=1)
        await deliver_due(oauth_bot)
    posts = [c for c in calls_since(fake_slack, start) if c.method == "chat.postMessage"]
    channel = fake_slack.team(B).dm_channel
    to_mentor = [c.args["text"] for c in posts if c.args["channel"] == channel(mentor)]
    to_mentee = [c.args["text"] for c in posts if c.args["channel"] == channel(mentee)]
    assert len([text for text in to_mentor if "Mentoring last week" in text]) == 2
    assert len([text for text in to_mentee if "Time for your weekly 1:1" in text]) == 2


async def test_one_workspace_started_again_after_an_uninstall_plans_its_digest_again(
    fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock
) -> None:
    # With SLACK_BOT_TOKEN, starting again with a token that works is the reinstall.
    admin = "U0ADMIN1"
    fake_slack.add_user(admin, "ada", real_name="Ada Admin")
    env = {"MENTORBOT_ADMINS": admin, "MENTORBOT_TICK_SECONDS": "3600"}
    async with running(bot_settings(fake_slack, tmp_path, **env), clock=clock) as bot:
        slack = sender(bot, fake_slack, TEAM_ID)
        await slack.command("settings", user_id=admin)
        reply = await slack.view_submission(
            opened_modal(fake_slack), {"Weekly digest": "on"}, user_id=admin
        )
        assert not reply.body
        assert await pending_kinds(bot, TEAM_ID) == ["digest.weekly"]
        fake_slack.uninstall(TEAM_ID)
        await slack.app_uninstalled()
        assert await pending_kinds(bot, TEAM_ID) == []
    token = fake_slack.token_for(TEAM_ID)
    settings = bot_settings(fake_slack, tmp_path, SLACK_BOT_TOKEN=token, **env)
    async with running(settings, clock=clock) as bot:
        await bot.background.drain(5)
        assert await pending_kinds(bot, TEAM_ID) == ["digest.weekly"]


async def test_the_short_way_learns_each_workspace_and_forgets_it_on_uninstall(
    oauth_bot: Runtime, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """Channel messages skip Bolt once a workspace's bot is known (bot/app.py): learned from
    Bolt's authorize of each workspace's first message, and dropped with an uninstall."""
    for team in (B, C):
        await install(oauth_bot, fake_slack, team)
    slack = {team: sender(oauth_bot, fake_slack, team) for team in (B, C)}
    known = oauth_bot.app.known_bots
    for team in (B, C):
        assert known.find(AsyncBoltContext(team_id=team)) is None
        await slack[team].message("standup moved to 10", user_id=PEOPLE[team][0])
        bot = known.find(AsyncBoltContext(team_id=team))
        assert bot is not None
        assert bot.user_id == fake_slack.team(team).bot_user_id
    # An ask now is handled without Bolt, and its prompt speaks with its own workspace's token.
    ask = "do you have a few minutes to talk about my promotion case?"
    for team in (B, C):
        start = len(fake_slack.calls)
        await slack[team].message(ask, user_id=PEOPLE[team][0])
        [prompt] = calls_since(fake_slack, start)
        assert (prompt.method, prompt.team_id) == ("chat.postEphemeral", team)

    # Installed again (a new token): what was learned goes, and Bolt authorizes afresh.
    await install(oauth_bot, fake_slack, B)
    assert known.find(AsyncBoltContext(team_id=B)) is None
    await slack[B].message("standup moved to 11", user_id=PEOPLE[B][0])
    assert known.find(AsyncBoltContext(team_id=B)) is not None

    fake_slack.uninstall(C)
    await slack[C].app_uninstalled()
    assert known.find(AsyncBoltContext(team_id=C)) is None
    start = len(fake_slack.calls)
    with caplog.at_level(logging.INFO):
        reply = await slack[C].message(ask + " (again)", user_id=PEOPLE[C][0])
    assert reply.status == 200
    assert f"no installation for team={C}" in caplog.text  # Bolt's authorize, not the door
    assert calls_since(fake_slack, start) == []  # no prompt into a workspace that left
    assert known.find(AsyncBoltContext(team_id=C)) is None


async def test_a_modal_used_from_another_workspace_is_served_in_the_installing_one(
    oauth_bot: Runtime, fake_slack: FakeSlack
) -> None:
    # A modal B's app opened, submitted from a Slack Connect channel by someone of C (which
    # hasn't installed mentorbot): the payload's team is C, view.app_installed_team_id is B.
    # Bolt authorizes with B's install, and the request is B's too.
    token = await install(oauth_bot, fake_slack, B)
    mentee, mentor = PEOPLE[B]
    await sender(oauth_bot, fake_slack, B).command(f"ask <@{mentor}>", user_id=mentee)
    view = opened_modal(fake_slack)
    assert view["app_installed_team_id"] == B
    start = len(fake_slack.calls)
    answers = {"What is it about?": "Career path", "What's on your mind?": "from a shared channel"}
    guest = PEOPLE[C][0]
    reply = await sender(oauth_bot, fake_slack, C).view_submission(view, answers, user_id=guest)
    assert "errors" not in str(reply.body)
    await oauth_bot.background.drain(5)
    request = await oauth_bot.store.get_request(B, 1)
    assert request is not None
    assert (request.mentee_id, request.mentor_id) == (guest, mentor)
    assert await oauth_bot.store.get_request(C, 1) is None
    api = [call for call in calls_since(fake_slack, start) if call.method != "response_url"]
    assert any(call.method == "chat.postMessage" for call in api)  # the mentor's DM
    assert {call.token for call in api} == {token}
    pending = await oauth_bot.store.list_outbox([OutboxStatus.PENDING])
    assert pending
    assert {row.team_id for row in pending} == {B}


async def test_a_forged_expired_or_replayed_state_installs_nothing(
    oauth_bot: Runtime, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    # Forged: a state this bot never issued, cookie and all.
    code = fake_slack.authorization_code(B, installer=PEOPLE[B][0])
    status, _ = await finish_install(oauth_bot, code, "forged", "forged")
    assert status != 200
    # A real state, but another browser's cookie (CSRF).
    state = await start_install(oauth_bot)
    status, _ = await finish_install(oauth_bot, code, state, "someone-else")
    assert status != 200
    # Expired: eleven minutes after it was issued.
    state = await start_install(oauth_bot)
    clock.advance(minutes=11)
    status, _ = await finish_install(oauth_bot, code, state, state)
    assert status != 200
    assert await oauth_bot.store.installations() == []
    assert fake_slack.calls_to("oauth.v2.access") == []  # refused before Slack was asked
    # The real thing, then the same answer replayed.
    state = await start_install(oauth_bot)
    status, _ = await finish_install(oauth_bot, code, state, state)
    assert status == 200
    again = fake_slack.authorization_code(B, installer=PEOPLE[B][0])
    status, _ = await finish_install(oauth_bot, again, state, state)
    assert status != 200
    assert len(fake_slack.calls_to("oauth.v2.access")) == 1


async def test_a_workspace_that_never_installed_is_told_and_nothing_else_happens(
    oauth_bot: Runtime, fake_slack: FakeSlack
) -> None:
    reply = await sender(oauth_bot, fake_slack, B).command("help", user_id=PEOPLE[B][0])
    assert reply.status == 200
    assert told(fake_slack) == [NOT_INSTALLED]
    assert [call.method for call in fake_slack.calls] == ["response_url"]


async def test_an_org_wide_install_serves_every_workspace_of_the_org(
    fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock
) -> None:
    org = "E0001"
    for team in ("T0004", "T0005"):
        fake_slack.add_team(team, f"org-{team.lower()}", users=["W41", "W42"], enterprise_id=org)
    settings = bot_settings(
        fake_slack,
        tmp_path,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
    )
    async with running(settings, clock=clock) as bot:
        state = await start_install(bot)
        code = fake_slack.authorization_code("T0004", installer="W41", org_wide=True)
        status, _ = await finish_install(bot, code, state, state)
        assert status == 200
        [installed] = await bot.store.installations()
        assert (installed.install_key, installed.is_enterprise_install) == (org, True)
        token = fake_slack.token_for("T0004", org_wide=True)
        start = len(fake_slack.calls)
        for team in ("T0004", "T0005"):
            slack = sender(bot, fake_slack, team, org_wide=True)
            await slack.command("ask <@W42>", user_id="W41")
            await bot.background.drain(5)
        opened = [c for c in calls_since(fake_slack, start) if c.method == "views.open"]
        assert [call.token for call in opened] == [token, token]
        assert [call.team_id for call in opened] == ["T0004", "T0005"]

        # A session booked in one of the org's workspaces: its reminder, sent by the outbox
        # (which knows only the row's team), goes out with the org's token.
        await book(
            sender(bot, fake_slack, "T0004", org_wide=True),
            fake_slack,
            bot,
            "T0004",
            ("W41", "W42"),
        )
        start = len(fake_slack.calls)
        clock.advance(days=1, minutes=-15 + 60 * -1)  # 15 minutes before Wed 10:00 New York
        await deliver_due(bot)
        reminders = [c for c in calls_since(fake_slack, start) if c.method == "chat.postMessage"]
        assert reminders
        assert {(call.token, call.team_id) for call in reminders} == {(token, "T0004")}

        # Removed from the whole org: every workspace's waiting rows are cancelled, not only
        # those of the workspace whose event says so (T0005 has none).
        assert {r.team_id for r in await bot.store.list_outbox([OutboxStatus.PENDING])} == {"T0004"}
        fake_slack.uninstall(org)
        await sender(bot, fake_slack, "T0005", org_wide=True).app_uninstalled()
        assert await bot.store.list_outbox([OutboxStatus.PENDING]) == []
        [removed] = await bot.store.installations()
        assert (removed.install_key, removed.bot_token) == (org, None)


async def test_revoked_bot_tokens_stop_the_workspace_and_no_token_reaches_a_log(
    oauth_bot: Runtime,
    fake_slack: FakeSlack,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    hold_libraries("DEBUG")  # as `mentorbot run` does at MENTORBOT_LOG_LEVEL=DEBUG
    tokens = {team: await install(oauth_bot, fake_slack, team) for team in (B, C)}
    slack = {team: sender(oauth_bot, fake_slack, team) for team in (B, C)}
    for team in (B, C):
        await book(slack[team], fake_slack, oauth_bot, team)
    # Only a user's token revoked: mentorbot keeps none, so nothing changes.
    await slack[B].tokens_revoked({"oauth": [PEOPLE[B][0]], "bot": []})
    assert {i.team_id for i in await oauth_bot.store.installations() if i.bot_token} == {B, C}
    await slack[B].tokens_revoked(fake_slack.revoke_tokens(B))
    assert {i.team_id for i in await oauth_bot.store.installations() if i.bot_token} == {C}
    start = len(fake_slack.calls)
    clock.advance(days=2)
    await deliver_due(oauth_bot)
    assert {call.team_id for call in calls_since(fake_slack, start)} == {C}
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for token in tokens.values():
        assert token not in logged
    assert "xoxb-" not in logged


async def test_the_daily_job_deletes_a_removed_workspace_after_the_retention_only(
    oauth_bot: Runtime, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    for team in (B, C):
        await install(oauth_bot, fake_slack, team)
        await book(sender(oauth_bot, fake_slack, team), fake_slack, oauth_bot, team)
    fake_slack.uninstall(C)
    await sender(oauth_bot, fake_slack, C).app_uninstalled()
    clock.advance(days=29)
    assert await delete_removed_workspaces(oauth_bot.store, clock, 30) == 0
    clock.advance(days=1, seconds=1)
    assert await delete_removed_workspaces(oauth_bot.store, clock, 30) == 1
    assert [i.team_id for i in await oauth_bot.store.installations()] == [B]
    for team, kept in ((B, 1), (C, 0)):
        found = [await oauth_bot.store.get_request(team, request_id) for request_id in range(1, 5)]
        assert len([item for item in found if item is not None]) == kept
        assert (await oauth_bot.store.get_person(team, PEOPLE[team][0]) is not None) == bool(kept)
