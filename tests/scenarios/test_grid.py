"""Enterprise Grid, end to end: one org-wide install serving two workspaces of an org.

A mentee in one workspace finds a mentor whose profile lives in another, asks, and the mentor
accepts and offers a time from their own workspace; the mentee books it. The org's pool
channel takes the asks of a workspace with no pool of its own. A workspace outside the org, or
one of the org served by an install of its own, sees nothing across.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.lifecycle import Runtime, running
from bot.retention import delete_removed_workspaces
from handlers import ids
from handlers.blocks.intro_modal import read_intro_metadata
from playground.fakeslack import (
    CLIENT_ID,
    CLIENT_SECRET,
    FakeSlack,
    SlackSender,
    block_texts,
    find_button,
    state_values,
)
from storage.models import IntroStatus, OutboxStatus, Request, RequestStatus, Session
from tests.conftest import SIGNING_SECRET, bot_settings, deliver_due, replies_sent
from tests.flows import (
    NOT_YOURS,
    WED_10_NY,
    home_of,
    open_home,
    opened_modal,
    pick_buttons,
    told,
)
from tests.scenarios.conftest import ENGINES
from tests.scenarios.test_installs import finish_install, start_install

pytestmark = [
    # slack_sdk's oauth.v2.access builds an aiohttp BasicAuth the way aiohttp now deprecates.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    # The org's queries look across workspaces: both engines run them.
    pytest.mark.parametrize("engine", ENGINES, indirect=True),
]

ORG = "E0009"
SALES, ENG, LEGAL = "T0006", "T0007", "T0009"  # the org's workspaces
OTHER = "T0008"  # a workspace of no org, with its own install
MENTEE, ADMIN = "W61", "W62"  # in Sales
MENTOR, BYSTANDER = "W71", "W72"  # in Eng
LAWYER = "W91"  # in Legal, which has an install of its own
PARALEGAL = "W92"  # in Legal, added by the tests that need a second person there
OUTSIDER = "U81"  # in the other company
ORG_POOL = "C0006ORGPOOL"
DAY = timedelta(days=1)
ASK = {"What is it about?": "Career path", "What's on your mind?": "salary negotiation"}


@dataclass
class Grid:
    bot: Runtime
    fake: FakeSlack
    org_token: str

    def sender(self, team: str) -> SlackSender:
        base = SlackSender(
            f"http://127.0.0.1:{self.bot.port}",
            SIGNING_SECRET,
            response_url_base=self.fake.response_url_base,
            settle=replies_sent,
        )
        return base.for_team(self.fake.team(team), org_wide=team in (SALES, ENG))

    async def install(self, team: str, installer: str, *, org_wide: bool = False) -> None:
        state = await start_install(self.bot)
        code = self.fake.authorization_code(team, installer=installer, org_wide=org_wide)
        status, _ = await finish_install(self.bot, code, state, state)
        assert status == 200

    async def profile(self, team: str, user_id: str, tags: str) -> None:
        """The mentor fills in /mentor profile in their own workspace."""
        slack = self.sender(team)
        await slack.command("profile", user_id=user_id)
        reply = await slack.view_submission(
            opened_modal(self.fake), {ids.PROFILE_TAGS_BLOCK: tags}, user_id=user_id
        )
        assert "errors" not in str(reply.body)
        assert await self.bot.store.get_profile(team, user_id) is not None

    def dms_to(self, user_id: str) -> list[Any]:
        """The bot's DMs to a person, in whichever workspace their DM was opened."""
        found = []
        for team in (SALES, ENG, LEGAL, OTHER):
            channel = self.fake.team(team).dm_channel(user_id)
            posts = self.fake.calls_to("chat.postMessage", team_id=team)
            found += [call for call in posts if channel and call.args.get("channel") == channel]
        return found

    def dm_to(self, user_id: str) -> Any:
        """The bot's latest DM to a person."""
        return self.dms_to(user_id)[-1]


@pytest.fixture
async def grid(
    fake_slack: FakeSlack,
    tmp_path: Path,
    clock: FrozenClock,
    engine: str,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Grid]:
    """Sales and Eng served by the org-wide install, Legal (of the org) by its own, and a
    workspace of another company by its own."""
    teams = {
        SALES: ("Acme Sales", [MENTEE, ADMIN]),
        ENG: ("Acme Eng", [MENTOR, BYSTANDER]),
        LEGAL: ("Acme Legal", [LAWYER]),
    }
    for team, (name, people) in teams.items():
        fake_slack.add_team(
            team,
            name.lower().replace(" ", "-"),
            name=name,
            users=people,
            enterprise_id=ORG,
            enterprise_name="Acme",
        )
    fake_slack.add_team(OTHER, "other-co", name="Other Co", users=[OUTSIDER, "U82"])
    settings = bot_settings(
        fake_slack,
        tmp_path,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        MENTORBOT_TICK_SECONDS="3600",
        **({"MENTORBOT_DB": str(request.getfixturevalue("pg_url"))} if engine != "sqlite" else {}),
    )
    async with running(settings, clock=clock) as bot:
        grid = Grid(bot, fake_slack, "")
        await grid.install(SALES, ADMIN, org_wide=True)
        grid.org_token = fake_slack.token_for(SALES, org_wide=True)
        # Legal was served by the org first, then installed on its own (which wins).
        await grid.sender(LEGAL).command("help", user_id=LAWYER)
        await grid.install(LEGAL, LAWYER)
        await grid.install(OTHER, OUTSIDER)
        await grid.profile(ENG, MENTOR, "negotiation")
        await grid.profile(LEGAL, LAWYER, "negotiation")
        await grid.profile(OTHER, OUTSIDER, "negotiation")
        yield grid


async def test_a_mentee_finds_and_books_a_mentor_of_another_workspace_of_the_org(
    grid: Grid,
) -> None:
    fake, bot = grid.fake, grid.bot
    eng = grid.sender(ENG)
    start = len(fake.calls)

    request, dm = await ask_the_eng_mentor(grid)
    # Someone else of the org can't act on it, even from the mentor's workspace.
    await eng.click(find_button(dm, "Accept"), dm, user_id=BYSTANDER)
    assert told(fake)[-1] == NOT_YOURS
    assert await bot.store.get_request(SALES, request.id) == request

    # The mentor accepts and offers a time from their own workspace.
    await eng.click(find_button(dm, "Accept"), dm, user_id=MENTOR)
    await bot.background.drain(5)
    accepted = await bot.store.get_request(SALES, request.id)
    assert accepted is not None
    assert accepted.status is RequestStatus.ACCEPTED
    session = await offer_a_time_and_book(grid, dm, request)
    assert (session.team_id, session.mentor_id, session.mentee_id) == (SALES, MENTOR, MENTEE)
    assert session.starts_at == WED_10_NY
    for person in (MENTOR, MENTEE):
        assert any("You're booked" in str(dm.args) for dm in grid.dms_to(person))

    # The mentor's session buttons work from their workspace too.
    confirmation = next(dm for dm in grid.dms_to(MENTOR) if "You're booked" in str(dm.args))
    opened = len(fake.calls_to("views.open"))
    await eng.click(find_button(confirmation, "Reschedule"), confirmation, user_id=MENTOR)
    assert len(fake.calls_to("views.open")) == opened + 1
    assert opened_modal(fake)["callback_id"] == ids.OFFER_MODAL
    await eng.click(find_button(confirmation, "Log notes"), confirmation, user_id=MENTOR)
    notes = opened_modal(fake)
    assert notes["callback_id"] == ids.NOTES_MODAL
    reply = await eng.view_submission(notes, {"Private notes": "Good talk"}, user_id=MENTOR)
    assert "errors" not in str(reply.body)
    note = await bot.store.own_note_for_session(SALES, MENTOR, session.id)
    assert note is not None
    assert note.team_id == SALES

    # Every Web API call on the way carried the org install's one token (a file's bytes go to
    # the upload URL Slack handed out, with no token, as they do in Slack).
    api = [c for c in fake.calls[start:] if c.method not in ("response_url", "upload")]
    assert api
    assert {call.token for call in api} == {grid.org_token}


async def ask_the_eng_mentor(
    grid: Grid, team: str = SALES, mentee: str = MENTEE
) -> tuple[Request, Any]:
    """A mentee (of Sales) finds the mentor of Eng and asks them: the request and its DM."""
    fake, bot, slack = grid.fake, grid.bot, grid.sender(team)
    reply = await slack.command("find negotiation", user_id=mentee)
    shown = block_texts(reply.body["blocks"])
    assert f"<@{MENTOR}>" in shown
    # Labelled with the mentor's workspace when it isn't the asker's.
    assert ("in Acme Eng" in shown) == (team != ENG)
    assert f"<@{LAWYER}>" not in shown  # Legal has its own install: not served with Sales
    assert f"<@{OUTSIDER}>" not in shown
    ask = next(b["accessory"] for b in reply.body["blocks"] if "accessory" in b)
    assert ask["value"] == MENTOR

    await slack.block_action(ids.FIND_ASK, ask["value"], user_id=mentee)
    modal = opened_modal(fake)
    assert f"'initial_user': '{MENTOR}'" in str(modal)
    answer = await slack.view_submission(modal, ASK, user_id=mentee)
    assert "errors" not in str(answer.body)
    await bot.background.drain(5)
    dm = grid.dm_to(MENTOR)
    request = await request_behind(bot, team, dm, "Accept")
    assert (request.team_id, request.mentor_id, request.mentee_id) == (team, MENTOR, mentee)
    assert dm.team_id == ENG  # the mentor's DM, opened in their own workspace
    return request, dm


async def offer_a_time_and_book(grid: Grid, source: Any, request: Request) -> Session:
    """The mentor presses Offer times on `source` (a DM or their Home) in Eng and offers
    Wednesday 10:00; the mentee of Sales picks it."""
    fake, bot = grid.fake, grid.bot
    await grid.sender(ENG).click(find_button(source, "Offer times"), source, user_id=MENTOR)
    offer_modal = opened_modal(fake)
    assert offer_modal["callback_id"] == ids.OFFER_MODAL
    answer = {"Time 1": WED_10_NY}
    reply = await grid.sender(ENG).view_submission(offer_modal, answer, user_id=MENTOR)
    assert "errors" not in str(reply.body)
    await bot.background.drain(5)
    slots = grid.dm_to(MENTEE)
    await grid.sender(SALES).click(pick_buttons(slots)[0], slots, user_id=MENTEE)
    await bot.background.drain(5)
    session = await bot.store.confirmed_session_for_request(SALES, request.id)
    assert session is not None
    return session


async def test_a_mentors_home_and_sessions_list_their_part_in_another_workspace(
    grid: Grid,
) -> None:
    fake, bot = grid.fake, grid.bot
    eng, sales = grid.sender(ENG), grid.sender(SALES)
    request, _ = await ask_the_eng_mentor(grid)

    # The request lives in Sales; the mentor's Home, in Eng, lists it with its Accept.
    home = await open_home(eng, fake, MENTOR)
    assert f"<@{MENTEE}> · *Career path*" in block_texts(home)
    assert "No one is waiting on you" in block_texts(await open_home(eng, fake, BYSTANDER))

    # A bystander of Eng pressing it (a forged click) changes nothing; the mentor's works.
    await eng.click(find_button(home, "Accept"), home, user_id=BYSTANDER)
    await bot.background.drain(5)
    assert (await bot.store.get_request(SALES, request.id)) == request
    await eng.click(find_button(home, "Accept"), home, user_id=MENTOR)
    await bot.background.drain(5)
    accepted = await bot.store.get_request(SALES, request.id)
    assert accepted is not None
    assert accepted.status is RequestStatus.ACCEPTED
    after = home_of(fake, MENTOR)
    assert "You accepted" in block_texts(after)
    assert any("accepted your request" in str(dm.args) for dm in grid.dms_to(MENTEE))

    # Offer times from the Home, in Eng; the mentee books in Sales.
    await offer_a_time_and_book(grid, after, request)

    # Booked: the session shows on the mentor's Home and in their /mentor sessions, in Eng,
    # and not on a bystander's.
    booked = block_texts(await open_home(eng, fake, MENTOR))
    assert f"min mentoring <@{MENTEE}>" in booked
    assert "Nothing booked" in block_texts(await open_home(eng, fake, BYSTANDER))
    listed = await eng.command("sessions", user_id=MENTOR)
    assert f"<@{MENTEE}>" in block_texts(listed.body["blocks"])
    assert find_button(listed.body, "Reschedule")
    none = await eng.command("sessions", user_id=BYSTANDER)
    assert f"<@{MENTEE}>" not in str(none.body)
    # The mentee's own Home, in Sales, as before.
    assert f"with <@{MENTOR}>" in block_texts(await open_home(sales, fake, MENTEE))

    # A colleague of Eng asks the mentor too: the time booked in Sales is taken in Eng.
    _, dm = await ask_the_eng_mentor(grid, ENG, BYSTANDER)
    await eng.click(find_button(dm, "Accept"), dm, user_id=MENTOR)
    await bot.background.drain(5)
    await eng.click(find_button(dm, "Offer times"), dm, user_id=MENTOR)
    reply = await eng.view_submission(opened_modal(fake), {"Time 1": WED_10_NY}, user_id=MENTOR)
    assert "This overlaps a session you already booked" in str(reply.body["errors"])


async def test_a_mentors_export_and_forget_reach_the_orgs_other_workspaces(grid: Grid) -> None:
    # User ids are global in the org: what the mentor of Eng did on a request made in Sales
    # is theirs to export, and goes when they forget, from Eng.
    fake, bot = grid.fake, grid.bot
    sales, eng = grid.sender(SALES), grid.sender(ENG)
    await sales.command(f"ask <@{MENTOR}>", user_id=MENTEE)
    assert "errors" not in str(
        (await sales.view_submission(opened_modal(fake), ASK, user_id=MENTEE)).body
    )
    await bot.background.drain(5)
    dm = grid.dm_to(MENTOR)
    request = await request_behind(bot, SALES, dm, "Accept")
    await eng.click(find_button(dm, "Accept"), dm, user_id=MENTOR)
    await bot.background.drain(5)

    await eng.command("export", user_id=MENTOR)
    await bot.background.drain(5)
    [upload] = [u for u in fake.team(ENG).uploads.values() if u.filename.endswith(".json")]
    assert upload.data is not None
    export = json.loads(upload.data)
    assert export["team_id"] == ENG
    [there] = export["other_workspaces"]
    assert there["team_id"] == SALES
    assert [r["id"] for r in there["requests"]] == [request.id]
    # The mentee's, from Sales, has the request at home and nothing from Eng, where they
    # did nothing.
    await sales.command("export", user_id=MENTEE)
    await bot.background.drain(5)
    uploads = [u for u in fake.team(SALES).uploads.values() if u.filename.endswith(".json")]
    assert uploads[-1].data is not None
    theirs = json.loads(uploads[-1].data)
    assert [r["id"] for r in theirs["requests"]] == [request.id]
    assert "other_workspaces" not in theirs

    await eng.command("forget", user_id=MENTOR)
    await eng.view_submission(fake.calls_to("views.open")[-1].response["view"], user_id=MENTOR)
    await bot.background.drain(5)
    forgotten = await bot.store.get_request(SALES, request.id)
    assert forgotten is not None
    assert forgotten.mentor_id != MENTOR
    assert forgotten.mentee_id == MENTEE
    assert await bot.store.get_profile(ENG, MENTOR) is None


async def test_a_mentor_of_another_workspace_passes_a_request_on_with_an_intro(
    grid: Grid, clock: FrozenClock
) -> None:
    # The mentor of Eng can't help with a request made in Sales and suggests someone: the
    # intro is kept in Sales with the request, the request becomes referred there.
    fake, bot = grid.fake, grid.bot
    sales, eng = grid.sender(SALES), grid.sender(ENG)
    await sales.command(f"ask <@{MENTOR}>", user_id=MENTEE)
    reply = await sales.view_submission(opened_modal(fake), ASK, user_id=MENTEE)
    assert "errors" not in str(reply.body)
    await bot.background.drain(5)
    dm = grid.dm_to(MENTOR)
    request = await request_behind(bot, SALES, dm, "Suggest someone else")

    await eng.click(find_button(dm, "Suggest someone else"), dm, user_id=MENTOR)
    modal = opened_modal(fake)
    assert modal["callback_id"] == ids.INTRO_MODAL
    assert f"Passing on <@{MENTEE}>'s request" in block_texts(modal)
    why = "She ran the sales team's salary bands for years."

    # Picking the expert redraws the modal from Sales' rows: the request stays with it.
    modal["state"] = {
        "values": state_values(modal, {"Who should they meet?": ADMIN, "Why this connection?": why})
    }
    await eng.block_action(
        ids.INTRO_EXPERT_ACTION,
        user_id=MENTOR,
        block_id=ids.INTRO_EXPERT_BLOCK,
        view=modal,
        action={"type": "users_select", "selected_user": ADMIN},
    )
    [update] = fake.calls_to("views.update")[-1:]
    assert update.ok, update.response
    redrawn = dict(update.response["view"])
    assert f"Passing on <@{MENTEE}>'s request" in block_texts(redrawn)
    assert read_intro_metadata(redrawn["private_metadata"])[0] == request.id

    # The intro lives in Sales, so its expert must be someone of Sales: their answer comes
    # from there. Someone of Eng only is refused inline.
    refused = await eng.view_submission(
        redrawn, {"Who should they meet?": BYSTANDER, "Why this connection?": why}, user_id=MENTOR
    )
    assert "workspace this introduction belongs to" in str(
        refused.body["errors"][ids.INTRO_EXPERT_BLOCK]
    )
    reply = await eng.view_submission(
        redrawn, {"Who should they meet?": ADMIN, "Why this connection?": why}, user_id=MENTOR
    )
    assert not reply.body
    await bot.background.drain(5)
    since = clock.now() - DAY
    assert await bot.store.last_intro_of_pair(ENG, MENTEE, ADMIN, since, MENTOR) is None
    intro = await bot.store.last_intro_of_pair(SALES, MENTEE, ADMIN, since, MENTOR)
    assert intro is not None
    assert (intro.introducer_id, intro.from_request_id) == (MENTOR, request.id)

    # The expert says yes from Sales; the request is referred there and stops nudging. (Slack
    # keeps a Grid org's group DMs at the org level; the fake opens one only among people of
    # one workspace, so the mentor joins Sales too for the three-way DM.)
    fake.teams.add_member(SALES, MENTOR)
    ask_dm = grid.dm_to(ADMIN)
    assert "Their request is about *Career path*" in block_texts(ask_dm)
    await sales.click(find_button(ask_dm, "Happy to help"), ask_dm, user_id=ADMIN)
    await bot.background.drain(5)
    await deliver_due(bot)
    accepted = await bot.store.get_intro(SALES, intro.id)
    assert accepted is not None
    assert accepted.status is IntroStatus.ACCEPTED
    referred = await bot.store.get_request(SALES, request.id)
    assert referred is not None
    assert referred.status is RequestStatus.REFERRED
    assert fake.team(SALES).dm_channel(MENTOR, MENTEE, ADMIN) is not None  # the three-way DM
    pending = await bot.store.list_outbox([OutboxStatus.PENDING])
    assert not [m for m in pending if m.kind.startswith("request.") and m.subject_id == request.id]


async def pending_teams(bot: Runtime) -> set[str]:
    """The workspaces with timed messages still waiting."""
    return {row.team_id for row in await bot.store.list_outbox([OutboxStatus.PENDING])}


async def requests_of(bot: Runtime, team: str) -> list[Request]:
    found = [await bot.store.get_request(team, request_id) for request_id in range(1, 9)]
    return [request for request in found if request is not None]


async def test_an_org_wide_uninstall_stops_every_workspace_and_a_reinstall_keeps_them(
    grid: Grid, clock: FrozenClock
) -> None:
    fake, bot = grid.fake, grid.bot
    await ask_the_eng_mentor(grid)  # a request in Sales
    await ask_the_eng_mentor(grid, ENG, BYSTANDER)  # and one in Eng
    fake.team(SALES).users[ADMIN]["is_admin"] = True  # who takes the weekly digest
    await grid.sender(SALES).command("settings", user_id=ADMIN)
    digest_on = {"Weekly digest": "on"}
    assert not (
        await grid.sender(SALES).view_submission(opened_modal(fake), digest_on, user_id=ADMIN)
    ).body
    assert {SALES, ENG} <= await pending_teams(bot)

    # The org removes mentorbot; Slack's event comes from one of its workspaces, and says
    # it was the org-wide install only in its `authorizations`.
    fake.uninstall(ORG)
    reply = await grid.sender(ENG).app_uninstalled()
    assert reply.status == 200
    installs = {i.install_key: i for i in await bot.store.installations()}
    assert ENG not in installs  # not taken for the uninstall of one workspace
    assert installs[ORG].bot_token is None
    assert installs[ORG].uninstalled_at == clock.now()
    assert not {SALES, ENG} & await pending_teams(bot)  # both, not only the event's

    # Installed again the next day: 30 days on, the daily job deletes nothing of theirs.
    kept = {team: await requests_of(bot, team) for team in (SALES, ENG)}
    clock.advance(days=1)
    await grid.install(SALES, ADMIN, org_wide=True)
    await bot.background.drain(5)
    pending = await bot.store.list_outbox([OutboxStatus.PENDING])
    assert [(row.team_id, row.kind) for row in pending] == [(SALES, "digest.weekly")]
    clock.advance(days=30)
    assert await delete_removed_workspaces(bot.store, clock, 30) == 0
    for team in (SALES, ENG):
        assert kept[team]
        assert await requests_of(bot, team) == kept[team]
    assert await bot.store.get_profile(ENG, MENTOR) is not None


async def ask_the_lawyer(grid: Grid, asker: str) -> None:
    slack = grid.sender(LEGAL)
    await slack.command(f"ask <@{LAWYER}>", user_id=asker)
    reply = await slack.view_submission(opened_modal(grid.fake), ASK, user_id=asker)
    assert "errors" not in str(reply.body)
    await grid.bot.background.drain(5)


async def test_a_workspace_that_removes_its_own_install_goes_on_with_the_org(
    grid: Grid, clock: FrozenClock
) -> None:
    # Legal, served by the org before it installed on its own, removes its own install: the
    # org-wide install serves it again, so its messages go on and its data stays.
    fake, bot = grid.fake, grid.bot
    fake.teams.add_member(LEGAL, PARALEGAL)
    await ask_the_lawyer(grid, PARALEGAL)
    assert LEGAL in await pending_teams(bot)
    fake.uninstall(LEGAL)
    await grid.sender(LEGAL).app_uninstalled()
    assert LEGAL in await pending_teams(bot)
    served = await bot.store.find_installation(LEGAL, ORG)
    assert served is not None
    assert served.is_enterprise_install

    clock.advance(days=2)
    await ask_the_lawyer(grid, PARALEGAL)  # through the org's install
    made = await requests_of(bot, LEGAL)
    assert len(made) == 2
    clock.advance(days=29)
    assert await delete_removed_workspaces(bot.store, clock, 30) == 0
    assert await requests_of(bot, LEGAL) == made
    assert await bot.store.get_profile(LEGAL, LAWYER) is not None


async def test_an_org_wide_removal_leaves_a_workspace_with_its_own_install_alone(
    grid: Grid, clock: FrozenClock
) -> None:
    fake, bot = grid.fake, grid.bot
    fake.teams.add_member(LEGAL, PARALEGAL)
    await ask_the_lawyer(grid, PARALEGAL)
    await ask_the_eng_mentor(grid)
    fake.uninstall(ORG)
    await grid.sender(SALES).app_uninstalled()
    assert await pending_teams(bot) & {SALES, ENG, LEGAL} == {LEGAL}
    kept = await requests_of(bot, LEGAL)
    clock.advance(days=31)
    assert await delete_removed_workspaces(bot.store, clock, 30) == 1
    assert await requests_of(bot, SALES) == []
    assert await requests_of(bot, LEGAL) == kept
    assert await bot.store.get_profile(LEGAL, LAWYER) is not None
    assert ORG not in {i.install_key for i in await bot.store.installations()}


async def request_behind(bot: Runtime, team: str, source: Any, label: str) -> Request:
    """The request a button of this message carries, as stored in `team`."""
    request = await bot.store.get_request(team, int(find_button(source, label)["value"]))
    assert request is not None
    return request


def org_admin(fake: FakeSlack, team: str, user_id: str) -> None:
    """Make someone an admin of their workspace and of the whole org."""
    user = fake.team(team).users[user_id]
    user["is_admin"] = True
    user["enterprise_user"]["is_admin"] = True


def posts_in(fake: FakeSlack, channel: str) -> list[Any]:
    calls = fake.calls_to("chat.postMessage")
    return [c for c in calls if c.args.get("channel") == channel and not c.args.get("thread_ts")]


async def ask_the_pool(grid: Grid, team: str, user_id: str) -> None:
    slack = grid.sender(team)
    await slack.command("ask", user_id=user_id)
    reply = await slack.view_submission(opened_modal(grid.fake), ASK, user_id=user_id)
    assert "errors" not in str(reply.body)
    await grid.bot.background.drain(5)


async def test_the_org_pool_channel_takes_asks_of_workspaces_without_their_own(
    grid: Grid, clock: FrozenClock
) -> None:
    fake, bot = grid.fake, grid.bot
    sales, eng = grid.sender(SALES), grid.sender(ENG)
    org_admin(fake, SALES, ADMIN)
    fake.team(ENG).users[BYSTANDER]["is_admin"] = True  # a workspace admin only
    fake.team(SALES).add_channel(ORG_POOL, "acme-mentors")

    # A workspace admin who isn't an org admin doesn't see the org's input, and a forged
    # form with it changes nothing.
    await eng.command("settings", user_id=BYSTANDER)
    assert ids.SETTINGS_ORG_POOL_BLOCK not in str(opened_modal(fake))
    await sales.command("settings", user_id=ADMIN)
    view = opened_modal(fake)
    assert "Organization pool channel" in str(view)
    forged = await eng.view_submission(
        view, {"Organization pool channel": ORG_POOL}, user_id=BYSTANDER
    )
    assert "organization" in forged.body["errors"][ids.SETTINGS_ORG_POOL_BLOCK]
    assert await bot.store.org_pool(ENG) is None

    # A channel the bot can't post in is refused inline; then the org admin sets it.
    fake.team(SALES).add_channel("C0006OUT", "outside", members=[ADMIN])
    reply = await sales.view_submission(
        view, {"Organization pool channel": "C0006OUT"}, user_id=ADMIN
    )
    assert "/invite" in reply.body["errors"][ids.SETTINGS_ORG_POOL_BLOCK]
    reply = await sales.view_submission(
        view, {"Organization pool channel": ORG_POOL}, user_id=ADMIN
    )
    assert "errors" not in str(reply.body)
    pool = await bot.store.org_pool(ENG)
    assert pool is not None
    assert (pool.channel_id, pool.team_id) == (ORG_POOL, SALES)
    assert (await bot.store.get_workspace_settings(SALES)).pool_channel_id is None

    # Eng has no pool of its own: its pool ask goes to the org's, and someone of Sales takes it.
    await ask_the_pool(grid, ENG, BYSTANDER)
    [post] = posts_in(fake, ORG_POOL)
    assert post.token == grid.org_token
    pooled = await request_behind(bot, ENG, post, "I can help")
    await sales.click(find_button(post, "I can help"), post, user_id=MENTEE)
    taken = await bot.store.get_request(ENG, pooled.id)
    assert taken is not None
    assert (taken.team_id, taken.status, taken.claimed_by) == (
        ENG,
        RequestStatus.CLAIMED,
        MENTEE,
    )

    # A workspace's own pool channel still wins.
    fake.team(SALES).add_channel("C0006POOL", "sales-mentors")
    own = replace(await bot.store.get_workspace_settings(SALES), pool_channel_id="C0006POOL")
    await bot.store.save_workspace_settings(own, ADMIN, clock.now())
    await ask_the_pool(grid, SALES, ADMIN)
    assert len(posts_in(fake, "C0006POOL")) == 1
    assert len(posts_in(fake, ORG_POOL)) == 1

    # Neither Legal (of the org, with its own install) nor a workspace of no org uses it.
    assert await bot.store.org_pool(LEGAL) is None
    assert await bot.store.org_pool(OTHER) is None


async def test_an_org_admins_settings_open_in_time_when_slack_is_slow(grid: Grid) -> None:
    # The admin check, the profile fields and the org-admin check (users.info, asked fresh)
    # run side by side: one after another they would pass the trigger_id's 3 s.
    fake = grid.fake
    org_admin(fake, SALES, ADMIN)
    fake.delay("users.info", 1.2)
    fake.delay("team.profile.get", 1.2)
    started = time.monotonic()
    await grid.sender(SALES).command("settings", user_id=ADMIN)
    took = time.monotonic() - started
    assert took < 2.5, f"the modal opened after {took:.1f} s"
    assert "Organization pool channel" in str(opened_modal(fake))


async def test_workspaces_outside_the_served_org_see_nothing_across(grid: Grid) -> None:
    fake, bot = grid.fake, grid.bot
    sales, legal, other = grid.sender(SALES), grid.sender(LEGAL), grid.sender(OTHER)

    reply = await other.command("find negotiation", user_id="U82")
    shown = block_texts(reply.body["blocks"])
    assert f"<@{OUTSIDER}>" in shown
    assert f"<@{MENTOR}>" not in shown
    assert "Acme" not in shown
    reply = await legal.command("find negotiation", user_id=LAWYER)
    shown = block_texts(reply.body["blocks"])
    assert f"<@{MENTOR}>" not in shown
    assert "Acme Eng" not in shown

    # Sales names Legal's lawyer directly: Legal is served by its own install, so the
    # lawyer's click from there is answered as if the request did not exist.
    await sales.command(f"ask <@{LAWYER}>", user_id=MENTEE)
    reply = await sales.view_submission(opened_modal(fake), ASK, user_id=MENTEE)
    assert "errors" not in str(reply.body)
    await bot.background.drain(5)
    request = await request_behind(bot, SALES, grid.dm_to(LAWYER), "Accept")
    await legal.block_action(ids.REQUEST_ACCEPT, str(request.id), user_id=LAWYER)
    assert told(fake)[-1] == NOT_YOURS
    # And a workspace of no org, forging the same button, changes nothing either.
    await other.block_action(ids.REQUEST_ACCEPT, str(request.id), user_id=OUTSIDER)
    assert told(fake)[-1] == NOT_YOURS
    assert await bot.store.get_request(SALES, request.id) == request
