"""Isolation between workspaces: a request signed for team B never reads, changes or tells of
team A's rows, even when its user id string is one that also has data in team A.

Every test drives the real bot through signed requests: team A is the fake's own T0001, team B
is "T0002", sent by a second SlackSender. A refused click is checked three ways: the clicker is
told why, nothing else reaches Slack, and the database is the same before and after; then the
same click from team A works, so it was the team that was refused, not the button.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers import ids
from playground.fakeslack import (
    ALICE,
    BOB,
    CAROL,
    TEAM_ID,
    FakeSlack,
    SlackSender,
    all_buttons,
    block_texts,
)
from storage.models import SubjectType
from tests.conftest import SIGNING_SECRET, deliver_due, replies_sent
from tests.flows import (
    DAVE,
    DETAILS,
    THU_11_NY,
    WED_10_NY,
    accepted_request,
    add_dave,
    ask,
    introduce,
    latest_dm,
    log_notes,
    offer,
    open_home,
    opened_modal,
    pick_buttons,
    set_pool,
)

TEAM_A, TEAM_B = TEAM_ID, "T0002"
Table = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
def other(clocked_bot: Runtime, fake_slack: FakeSlack) -> SlackSender:
    """Signed requests from team B to the same bot. Its modals and Home are team B's own (the
    fake, with one token for both, stores them as team A's): a form of team A's used from
    team B is a Slack Connect submission, served in team A (test_installs.py)."""
    return SlackSender(
        f"http://127.0.0.1:{clocked_bot.port}",
        SIGNING_SECRET,
        team_id=TEAM_B,
        response_url_base=fake_slack.response_url_base,
        settle=replies_sent,
        app_installed_team_id=TEAM_B,
    )


def database(bot: Runtime, *, but_people_of: str = "") -> Table:
    """Every row of every table, to compare before and after; `but_people_of` leaves out that
    team's people rows (publishing someone's Home records their visit, in their own team)."""
    with sqlite3.connect(bot.settings.db_path) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        tables = {
            name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr)  # noqa: S608
            for name in names
        }
    tables["people"] = [row for row in tables["people"] if row[0] != but_people_of]
    return tables


def first_id(bot: Runtime, table: str) -> int:
    """The lowest id in `table`, which may carry a WHERE clause."""
    with sqlite3.connect(bot.settings.db_path) as conn:
        found = conn.execute(f"SELECT min(id) FROM {table}").fetchone()  # noqa: S608
    assert found is not None
    assert found[0] is not None, f"no row in {table}"
    return int(found[0])


def teams_of(bot: Runtime, table: str) -> set[str]:
    with sqlite3.connect(bot.settings.db_path) as conn:
        return {row[0] for row in conn.execute(f"SELECT team_id FROM {table}")}  # noqa: S608


def posted_button(fake: FakeSlack, action_id: str, value: str) -> tuple[dict[str, Any], Any]:
    """A button the bot posted in some message, and that message as it looks now."""
    for channel in list(fake.channels):
        for message in fake.messages(channel):
            for button in all_buttons(message):
                if button.get("action_id") == action_id and button.get("value") == value:
                    return button, {**message, "channel": channel}
    raise AssertionError(f"no {action_id} button with value {value} was posted")


def shown_button(surface: Any, action_id: str, value: str) -> dict[str, Any]:
    """The button on a Home tab or an ephemeral listing."""
    for button in all_buttons(surface):
        if button.get("action_id") == action_id and button.get("value") == value:
            return button
    raise AssertionError(f"no {action_id} button with value {value} shown")


# -- team A's world, one stage per kind of button ------------------------------------------


@dataclass
class World:
    slack: SlackSender
    fake: FakeSlack
    bot: Runtime
    clock: FrozenClock


async def asked(world: World) -> None:
    """Alice asked Bob; the request is open."""
    await ask(world.slack, world.fake, world.bot, BOB)


async def nudged(world: World) -> None:
    """Alice asked Bob a day ago and he hasn't answered: he was nudged."""
    await asked(world)
    world.clock.advance(days=1)
    await deliver_due(world.bot)


async def pooled(world: World) -> None:
    """Alice asked the mentor pool; nobody has offered yet."""
    await set_pool(world.bot)
    await ask(world.slack, world.fake, world.bot, None)


async def accepted(world: World) -> None:
    """Alice asked Bob, who accepted."""
    await accepted_request(world.slack, world.fake, world.bot)


async def offered(world: World) -> None:
    """Bob offered Alice one time; she hasn't picked it."""
    source = await accepted_request(world.slack, world.fake, world.bot)
    await offer(world.slack, world.fake, world.bot, {"Time 1": WED_10_NY}, source=source)


async def booked(world: World) -> None:
    """Alice picked Bob's time: a confirmed session."""
    await offered(world)
    slots = latest_dm(world.fake, ALICE)
    await world.slack.click(pick_buttons(slots)[0], slots, user_id=ALICE)
    await world.bot.background.drain(5)


async def met_asked(world: World) -> None:
    """The session's time has passed and Bob was asked whether they met."""
    await booked(world)
    world.clock.advance(days=1)
    await deliver_due(world.bot)


async def planned(world: World) -> None:
    """The session was held, Bob logged notes with a step for Alice and a weekly check-in,
    and a week on the check-in was asked."""
    await booked(world)
    world.clock.advance(days=1)
    button, where = posted_button(
        world.fake, ids.SESSION_LOG_NOTES, str(first_id(world.bot, "sessions"))
    )
    await world.slack.click(button, where, user_id=BOB)
    answers = {
        "Private notes": "Team A's private notes",
        "Step 1": "Draft the promo case",
        "Step 1: who": "Them",
        "Step 1: due": date(2026, 3, 20),
        "What next?": "checkin_1w",
    }
    await log_notes(world.slack, world.fake, world.bot, answers, user_id=BOB)
    world.clock.advance(weeks=1)
    await deliver_due(world.bot)


async def history_listed(world: World) -> Any:
    """After `planned`, Bob lists his notes about Alice; returns the listing (its Edit button)."""
    await planned(world)
    listed = await world.slack.command(f"notes <@{ALICE}>", user_id=BOB)
    return listed.body


async def introduced(world: World) -> None:
    """Carol introduced Alice to Dave, who hasn't answered."""
    add_dave(world.fake)
    await introduce(world.slack, world.fake, world.bot)


async def intro_accepted(world: World) -> None:
    """Dave said yes to Carol's intro; Alice and he have a group DM with Book time."""
    await introduced(world)
    button, where = posted_button(world.fake, ids.INTRO_ACCEPT, str(first_id(world.bot, "intros")))
    await world.slack.click(button, where, user_id=DAVE)


@dataclass(frozen=True)
class Case:
    """A button of team A's, pressed by the person it is for (`clicker`), from team B."""

    action_id: str
    stage: Callable[[World], Awaitable[Any]]  # returns where the button is, or None: posted
    table: str  # whose id the button carries (a table, or a table with a WHERE clause)
    clicker: str
    home: bool = False  # the button is on App Home, so the answer is a notice there

    def __str__(self) -> str:
        return self.action_id


CLICKS = (
    Case(ids.REQUEST_ACCEPT, asked, "requests", BOB),
    Case(ids.REQUEST_DECLINE, asked, "requests", BOB),
    Case(ids.REQUEST_SUGGEST, asked, "requests", BOB),
    Case(ids.REQUEST_CANCEL, asked, "requests", ALICE),
    Case(ids.REQUEST_CLAIM, pooled, "requests", CAROL),
    Case(ids.HOME_ACCEPT, asked, "requests", BOB, home=True),
    Case(ids.HOME_CANCEL_REQUEST, asked, "requests", ALICE, home=True),
    Case(ids.NUDGE_SNOOZE_DAY, nudged, "outbox WHERE kind = 'request.nudge'", BOB),
    Case(ids.NUDGE_SNOOZE_WEEK, nudged, "outbox WHERE kind = 'request.nudge'", BOB),
    Case(ids.NUDGE_STOP, nudged, "outbox WHERE kind = 'request.nudge'", BOB),
    Case(ids.OFFER_TIMES, accepted, "requests", BOB),
    Case(ids.HOME_OFFER_TIMES, accepted, "requests", BOB, home=True),
    Case(ids.SLOT_PICK, offered, "offered_slots", ALICE),
    Case(ids.SLOTS_NONE_WORK, offered, "requests", ALICE),
    Case(ids.SESSION_CANCEL, booked, "sessions", ALICE),
    Case(ids.SESSION_RESCHEDULE, booked, "sessions", BOB),
    Case(ids.SESSION_LOG_NOTES, booked, "sessions", BOB),
    Case(ids.SESSION_HELD, met_asked, "sessions", BOB),
    Case(ids.SESSION_MOVED, met_asked, "sessions", BOB),
    Case(ids.SESSION_MISSED, met_asked, "sessions", BOB),
    Case(ids.ITEM_DONE, planned, "action_items", ALICE),
    Case(ids.HOME_ITEM_DONE, planned, "action_items", ALICE, home=True),
    Case(ids.CHECKIN_ALL_DONE, planned, "checkins", ALICE),
    Case(ids.CHECKIN_STILL_WORKING, planned, "checkins", ALICE),
    Case(ids.CHECKIN_ANOTHER_CHAT, planned, "checkins", ALICE),
    Case(ids.NOTES_EDIT, history_listed, "notes", BOB),
    Case(ids.INTRO_ACCEPT, introduced, "intros", DAVE),
    Case(ids.INTRO_DECLINE, introduced, "intros", DAVE),
    Case(ids.INTRO_BOOK, intro_accepted, "intros", ALICE),
)

# Methods by which the bot shows or changes something; a refused click calls none of them
# (its one answer goes to the clicker's response_url, or to their own Home).
SHOWING = ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "views.push")


def shown_since(fake: FakeSlack, start: int) -> list[str]:
    return [c.method for c in fake.calls[start:] if c.method in SHOWING]


@pytest.mark.parametrize("case", CLICKS, ids=str)
async def test_a_click_from_another_team_is_refused_and_changes_nothing(
    case: Case,
    clocked_slack: SlackSender,
    other: SlackSender,
    fake_slack: FakeSlack,
    clocked_bot: Runtime,
    clock: FrozenClock,
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    listing = await case.stage(World(slack, fake, bot, clock))
    await bot.background.drain(5)
    await deliver_due(bot)  # team A's own work is done before team B clicks
    value = str(first_id(bot, case.table))
    if case.home:
        home = await open_home(slack, fake, case.clicker)
        button, source = shown_button(home, case.action_id, value), home
    elif listing is not None:
        button, source = shown_button(listing, case.action_id, value), listing
    else:
        button, source = posted_button(fake, case.action_id, value)
    skip = TEAM_B if case.home else ""
    before = database(bot, but_people_of=skip)

    answer = await refusal_of(other, fake, bot, case, button, source)

    assert refused(answer), answer
    assert database(bot, but_people_of=skip) == before
    # Team B hears exactly what it hears of an id that exists nowhere: nothing of team A.
    ghost = {**button, "value": "987654321"}
    assert await refusal_of(other, fake, bot, case, ghost, source) == answer

    # The same press from team A does something: the button was live, the team was refused.
    start = len(fake.calls)
    await slack.click(button, source, user_id=case.clicker)
    await bot.background.drain(5)
    await deliver_due(bot)
    assert database(bot) != before or shown_since(fake, start), "team A's click did nothing"


async def refusal_of(
    sender: SlackSender,
    fake: FakeSlack,
    bot: Runtime,
    case: Case,
    button: dict[str, Any],
    source: Any,
) -> str:
    """Press `button` as `case.clicker` through `sender`; what they alone were told. Nothing
    else may reach Slack: no message, update or modal."""
    start = len(fake.calls)
    await sender.click(button, source, user_id=case.clicker)
    await bot.background.drain(5)
    assert shown_since(fake, start) == []
    if case.home:
        return await home_notice(fake, case.clicker, start)
    answers = [c.args for c in fake.calls[start:] if c.method == "response_url"]
    assert len(answers) == 1, answers
    assert answers[0].get("response_type") == "ephemeral"
    assert not answers[0].get("replace_original")
    return str(answers[0].get("text"))


REFUSALS = (
    "This isn't yours, so I didn't change anything.",
    # Unknown ids read as gone: the same answer as for an id of no team at all.
    "That step was removed from the plan, so there's nothing to tick.",
    "I can't find those notes any more, so there's nothing to edit.",
)


def refused(text: str) -> bool:
    return any(refusal in text for refusal in REFUSALS)


async def home_notice(fake: FakeSlack, user_id: str, start: int) -> str:
    """The notice on top of the Home tab published for `user_id` since call `start`; the rest
    of that tab shows none of team A's rows."""
    published = [
        c
        for c in fake.calls[start:]
        if c.method == "views.publish" and c.args.get("user_id") == user_id
    ]
    assert len(published) == 1, published
    view = published[0].response["view"]
    assert_nothing_of_team_a(block_texts(view))
    return block_texts({"blocks": view["blocks"][:1]})


def assert_nothing_of_team_a(text: str) -> None:
    """Team A's people and words are absent from something shown in team B."""
    for trace in (f"<@{ALICE}>", f"<@{BOB}>", f"<@{CAROL}>", f"<@{DAVE}>", "Career path"):
        assert trace not in text, (trace, text)


# -- modals: a form opened in team A, submitted from team B --------------------------------


async def held(world: World) -> None:
    """A booked session that has ended, so its notes can be logged."""
    await booked(world)
    world.clock.advance(days=1)


@dataclass(frozen=True)
class Form:
    """A modal team A's `submitter` opened with `opener`, carrying an id of `table`."""

    callback_id: str
    stage: Callable[[World], Awaitable[Any]]
    opener: str
    table: str
    submitter: str
    answers: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.callback_id}-{self.table}"


FORMS = (
    Form(ids.DECLINE_MODAL, asked, ids.REQUEST_DECLINE, "requests", BOB, {"decline_reason": "B"}),
    Form(ids.OFFER_MODAL, accepted, ids.OFFER_TIMES, "requests", BOB, {"Time 1": THU_11_NY}),
    Form(ids.PROPOSE_MODAL, offered, ids.SLOTS_NONE_WORK, "requests", ALICE, {"Time 1": THU_11_NY}),
    Form(
        ids.SESSION_CANCEL_MODAL,
        booked,
        ids.SESSION_CANCEL,
        "sessions",
        BOB,
        {"Anything you'd like to tell them?": "Team B's reason"},
    ),
    Form(
        ids.NOTES_MODAL,
        held,
        ids.SESSION_LOG_NOTES,
        "sessions",
        BOB,
        {"Private notes": "Team B's notes", "Step 1": "Team B's step", "Step 1: who": "Them"},
    ),
    Form(
        ids.NOTES_MODAL,
        history_listed,
        ids.NOTES_EDIT,
        "notes",
        BOB,
        {"Private notes": "Team B's rewrite"},
    ),
)

NOWHERE = 987654321  # an id no team has


def ghost_of(metadata: str) -> str:
    """The same private_metadata with its row ids pointing nowhere."""
    if metadata.isdigit():
        return str(NOWHERE)
    data = json.loads(metadata)
    return json.dumps({k: NOWHERE if isinstance(v, int) else v for k, v in data.items()})


@pytest.mark.parametrize("form", FORMS, ids=str)
async def test_a_form_from_another_team_is_refused_and_changes_nothing(
    form: Form,
    clocked_slack: SlackSender,
    other: SlackSender,
    fake_slack: FakeSlack,
    clocked_bot: Runtime,
    clock: FrozenClock,
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    listing = await form.stage(World(slack, fake, bot, clock))
    await bot.background.drain(5)
    await deliver_due(bot)
    value = str(first_id(bot, form.table))
    if listing is not None:
        button, source = shown_button(listing, form.opener, value), listing
    else:
        button, source = posted_button(fake, form.opener, value)
    await slack.click(button, source, user_id=form.submitter)
    await bot.background.drain(5)  # what opening it does in team A is done
    await deliver_due(bot)  # and sent: "Yes — log notes" asks the mentee how it went
    view = opened_modal(fake)
    assert view["callback_id"] == form.callback_id
    assert value in view["private_metadata"]
    before = database(bot, but_people_of=TEAM_B)  # looking up a time zone records the person

    start = len(fake.calls)
    reply = await other.view_submission(view, form.answers, user_id=form.submitter)
    await bot.background.drain(5)
    await deliver_due(bot)

    assert database(bot, but_people_of=TEAM_B) == before
    assert [(c.method, c.args) for c in fake.calls[start:] if c.method in SHOWING] == []
    answer = form_refusal(reply.body)
    assert refused(answer), reply.body
    ghost = ghost_of(view["private_metadata"])
    again = await other.view_submission(
        view, form.answers, user_id=form.submitter, private_metadata=ghost
    )
    assert form_refusal(again.body) == answer

    # From team A, the same form goes through.
    reply = await slack.view_submission(view, form.answers, user_id=form.submitter)
    await bot.background.drain(5)
    assert not reply.body, reply.body
    assert database(bot, but_people_of=TEAM_B) != before


def form_refusal(body: Any) -> str:
    """Why a submission was refused: its inline errors, or the notice the form became."""
    assert isinstance(body, dict), body
    if body.get("response_action") == "errors":
        return " ".join(sorted(body["errors"].values()))
    assert body.get("response_action") == "update", body
    return block_texts(body["view"])


async def test_an_intro_passing_on_another_teams_request_refers_nothing(
    clocked_slack: SlackSender,
    other: SlackSender,
    fake_slack: FakeSlack,
    clocked_bot: Runtime,
    clock: FrozenClock,
) -> None:
    """Suggest someone else's form carries the request it passes on; submitted in team B, the
    intro is team B's own and team A's request is neither linked nor referred."""
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    await asked(World(slack, fake, bot, clock))
    request_id = str(first_id(bot, "requests"))
    button, source = posted_button(fake, ids.REQUEST_SUGGEST, request_id)
    await slack.click(button, source, user_id=BOB)
    view = opened_modal(fake)
    assert view["callback_id"] == ids.INTRO_MODAL
    requests_before, start = database(bot)["requests"], len(fake.calls)

    answers = {"Who should they meet?": DAVE, "Why this connection?": "Team B's reason"}
    reply = await other.view_submission(view, answers, user_id=BOB)
    await bot.background.drain(5)
    await deliver_due(bot)

    assert not reply.body
    assert database(bot)["requests"] == requests_before
    with sqlite3.connect(bot.settings.db_path) as conn:
        intros = conn.execute("SELECT team_id, from_request_id FROM intros").fetchall()
    assert intros == [(TEAM_B, None)]
    told_since = [block_texts(c) for c in fake.calls[start:] if c.method == "chat.postMessage"]
    assert told_since
    assert DETAILS not in "".join(told_since)


# -- commands, Home and the outbox: two workspaces with the same people ----------------------

B_DETAILS = "Team B's question: how do I prepare for my first conference talk?"
A_PRIVATE = "Team A's private notes"
A_STEP = "Draft the promo case"


async def two_teams(world: World, other: SlackSender) -> None:
    """Team A: Bob is a mentor tagged negotiation; Alice asked him, they met, he logged
    private notes and a step for her, a check-in was asked; Carol asked Bob too; Carol
    introduced Alice to Dave. Team B, same user ids: Alice asked Bob once, nothing more."""
    slack, fake, bot = world.slack, world.fake, world.bot
    await slack.command("profile", user_id=BOB)
    answers = {ids.PROFILE_TAGS_BLOCK: "negotiation", ids.PROFILE_CAPACITY_BLOCK: "4"}
    await slack.view_submission(opened_modal(fake), answers, user_id=BOB)
    await planned(world)
    await slack.command(f"ask <@{BOB}>", user_id=CAROL)
    asked_by_carol = {"What is it about?": "Career path", "What's on your mind?": DETAILS}
    await slack.view_submission(opened_modal(fake), asked_by_carol, user_id=CAROL)
    add_dave(fake)
    await introduce(slack, fake, bot)

    await other.command(f"ask <@{BOB}>", user_id=ALICE)
    asked_in_b = {"What is it about?": "Getting promoted", "What's on your mind?": B_DETAILS}
    await other.view_submission(opened_modal(fake), asked_in_b, user_id=ALICE)
    await bot.background.drain(5)
    await deliver_due(bot)
    assert teams_of(bot, "requests") == {TEAM_A, TEAM_B}


def team_rows(bot: Runtime, team_id: str) -> Table:
    """Every row that carries `team_id`, by table."""
    with sqlite3.connect(bot.settings.db_path) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        found: Table = {}
        for name in names:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({name})")]
            if "team_id" in columns:
                sql = f"SELECT * FROM {name} WHERE team_id = ?"  # noqa: S608 - a table's name
                found[name] = sorted(conn.execute(sql, (team_id,)).fetchall(), key=repr)
    return found


def last_export(fake: FakeSlack) -> dict[str, Any]:
    uploads = [u for u in fake.uploads.values() if u.filename.endswith(".json")]
    assert uploads, "no export was uploaded"
    assert uploads[-1].data is not None
    return dict(json.loads(uploads[-1].data))


def rows_of(export: dict[str, Any]) -> list[dict[str, Any]]:
    lists = [v for v in export.values() if isinstance(v, list)]
    return [row for rows in lists for row in rows if isinstance(row, dict)]


async def test_export_in_one_team_holds_only_that_teams_rows(
    clocked_slack: SlackSender,
    other: SlackSender,
    fake_slack: FakeSlack,
    clocked_bot: Runtime,
    clock: FrozenClock,
) -> None:
    fake, bot = fake_slack, clocked_bot
    await two_teams(World(clocked_slack, fake, bot, clock), other)

    await other.command("export", user_id=ALICE)
    await bot.background.drain(5)
    alices = last_export(fake)
    assert (alices["team_id"], alices["user_id"]) == (TEAM_B, ALICE)
    assert [r["details"] for r in alices["requests"]] == [B_DETAILS]
    for kind in ("sessions", "notes", "action_items", "checkins", "relationships", "intros"):
        assert alices[kind] == [], kind
    assert {row["team_id"] for row in rows_of(alices) if "team_id" in row} == {TEAM_B}
    text = json.dumps(alices)
    for trace in (DETAILS, A_PRIVATE, A_STEP, "Dave"):
        assert trace not in text

    await other.command("export", user_id=BOB)
    await bot.background.drain(5)
    bobs = last_export(fake)
    assert bobs["mentor_profile"] is None  # his profile is team A's
    assert [r["details"] for r in bobs["requests"]] == [B_DETAILS]
    assert bobs["notes"] == []
    assert A_PRIVATE not in json.dumps(bobs)

    # In team A, Bob's export has his notes: the data is there, team B just never sees it.
    await clocked_slack.command("export", user_id=BOB)
    await bot.background.drain(5)
    assert A_PRIVATE in json.dumps(last_export(fake))


def stats_text(fake: FakeSlack, start: int) -> str:
    [shown] = [c for c in fake.calls[start:] if c.method == "response_url" and c.args.get("blocks")]
    return block_texts(shown)


async def test_stats_count_only_the_teams_own_rows(
    clocked_slack: SlackSender,
    other: SlackSender,
    fake_slack: FakeSlack,
    clocked_bot: Runtime,
    clock: FrozenClock,
) -> None:
    fake, bot = fake_slack, clocked_bot
    await two_teams(World(clocked_slack, fake, bot, clock), other)
    fake.add_user(CAROL, "carol", is_owner=True)
    clock.advance(minutes=1)  # a window is [start, now): rows made this instant are next

    start = len(fake.calls)
    await other.command("stats", user_id=CAROL)
    in_b = stats_text(fake, start)
    start = len(fake.calls)
    await clocked_slack.command("stats", user_id=CAROL)
    in_a = stats_text(fake, start)

    assert "last 30 days: 1 (detected 0, /mentor ask 1, shortcut 0, intro 0, workflow 0)" in in_b
    assert "last 30 days: 2 (detected 0, /mentor ask 2, shortcut 0, intro 0, workflow 0)" in in_a
    assert in_a != in_b
    for trace in (DETAILS, B_DETAILS, A_PRIVATE, A_STEP):
        assert trace not in in_b


async def test_home_in_one_team_shows_nothing_of_the_other(
    clocked_slack: SlackSender,
    other: SlackSender,
    fake_slack: FakeSlack,
    clocked_bot: Runtime,
    clock: FrozenClock,
) -> None:
    fake, bot = fake_slack, clocked_bot
    await two_teams(World(clocked_slack, fake, bot, clock), other)

    with sqlite3.connect(bot.settings.db_path) as conn:
        b_requests = {
            str(r[0]) for r in conn.execute("SELECT id FROM requests WHERE team_id = ?", (TEAM_B,))
        }
    for person in (ALICE, BOB):
        view = await open_home(other, fake, person)
        home = block_texts(view)
        assert "Getting promoted" in home  # team B's own request is there
        assert "Nothing booked" in home  # team A's session is not
        for trace in ("Career path", A_STEP, f"<@{CAROL}>", f"<@{DAVE}>"):
            assert trace not in home, (person, trace)
        # Every button carrying a row id carries one of team B's requests.
        carried = {b["value"] for b in all_buttons(view) if str(b.get("value", "")).isdigit()}
        assert carried <= b_requests, (person, carried)

    # Team A's Home of the same people shows team A's rows.
    alice_in_a = block_texts(await open_home(clocked_slack, fake, ALICE))
    assert A_STEP in alice_in_a
    assert "Getting promoted" not in alice_in_a


async def test_find_in_one_team_never_lists_the_others_mentors(
    clocked_slack: SlackSender,
    other: SlackSender,
    fake_slack: FakeSlack,
    clocked_bot: Runtime,
    clock: FrozenClock,
) -> None:
    fake, bot = fake_slack, clocked_bot
    await two_teams(World(clocked_slack, fake, bot, clock), other)

    in_b = await other.command("find negotiation", user_id=ALICE)
    in_a = await clocked_slack.command("find negotiation", user_id=ALICE)

    assert f"<@{BOB}>" not in str(in_b.body)
    assert f"<@{BOB}>" in block_texts(in_a.body["blocks"])


async def test_notes_in_one_team_show_nothing_of_the_others_history(
    clocked_slack: SlackSender,
    other: SlackSender,
    fake_slack: FakeSlack,
    clocked_bot: Runtime,
    clock: FrozenClock,
) -> None:
    fake, bot = fake_slack, clocked_bot
    await two_teams(World(clocked_slack, fake, bot, clock), other)

    in_b = await other.command(f"notes <@{ALICE}>", user_id=BOB)
    in_a = await clocked_slack.command(f"notes <@{ALICE}>", user_id=BOB)

    for trace in (A_PRIVATE, A_STEP, "Career path", "Held"):
        assert trace not in str(in_b.body), trace
    assert A_PRIVATE in str(in_a.body)


async def test_forget_in_one_team_deletes_nothing_of_the_other(
    clocked_slack: SlackSender,
    other: SlackSender,
    fake_slack: FakeSlack,
    clocked_bot: Runtime,
    clock: FrozenClock,
) -> None:
    fake, bot = fake_slack, clocked_bot
    await two_teams(World(clocked_slack, fake, bot, clock), other)
    team_a = team_rows(bot, TEAM_A)

    for person in (ALICE, BOB):  # Bob wrote team A's notes and has a profile there
        await other.command("forget", user_id=person)
        await other.view_submission(opened_modal(fake), user_id=person)
        await bot.background.drain(5)
        await deliver_due(bot)

    assert team_rows(bot, TEAM_A) == team_a
    # Gone from team B, tombstoned (cancelled outbox rows keep their keys until retention).
    team_b = {k: v for k, v in team_rows(bot, TEAM_B).items() if k != "outbox"}
    # Each leaves only the bare marker that they forgot (their id and when), in team B alone.
    people = team_b["people"]
    markers = [row for row in people if row[1] in (ALICE, BOB)]
    assert sorted(row[1] for row in markers) == [ALICE, BOB]
    team_b["people"] = [row for row in people if row not in markers]
    assert await bot.store.forgotten_users(TEAM_B) >= {ALICE, BOB}
    assert not await bot.store.forgotten_users(TEAM_A)
    for person in (ALICE, BOB):
        assert person not in str(team_b)
        assert await bot.store.get_person(TEAM_A, person) is not None


# Kinds of timed message whose row names a subject, with the subject's table, and someone
# inside working hours at the clock's time (so none waits for morning).
FORGED = (
    ("session.reminder", SubjectType.SESSION, "sessions", BOB),
    ("session.did_you_meet", SubjectType.SESSION, "sessions", BOB),
    ("request.nudge", SubjectType.REQUEST, "requests", BOB),
    ("request.escalate", SubjectType.REQUEST, "requests", BOB),
    ("request.expire", SubjectType.REQUEST, "requests", BOB),
    ("checkin.ask", SubjectType.CHECKIN, "checkins", ALICE),
    ("action_item.due", SubjectType.ACTION_ITEM, "action_items", ALICE),
    ("intro.nudge", SubjectType.INTRO, "intros", DAVE),
    ("intro.expire", SubjectType.INTRO, "intros", BOB),
    ("intro.followup", SubjectType.INTRO, "intros", ALICE),
)


async def test_timed_messages_keep_their_team(
    clocked_slack: SlackSender,
    other: SlackSender,
    fake_slack: FakeSlack,
    clocked_bot: Runtime,
    clock: FrozenClock,
) -> None:
    """Every outbox row belongs to its subject's team; a row of team B naming team A's rows
    (ids are global, so only a forged one could) sends nothing and changes nothing."""
    fake, bot = fake_slack, clocked_bot
    await two_teams(World(clocked_slack, fake, bot, clock), other)
    tables = {kind: table for _, kind, table, _ in FORGED}
    with sqlite3.connect(bot.settings.db_path) as conn:
        rows = conn.execute(
            "SELECT team_id, subject_type, subject_id FROM outbox WHERE subject_id IS NOT NULL"
        ).fetchall()
        for team, subject_type, subject_id in rows:
            table = tables.get(SubjectType(subject_type), subject_type + "s")
            sql = f"SELECT team_id FROM {table} WHERE id = ?"  # noqa: S608 - a table's name
            assert conn.execute(sql, (subject_id,)).fetchone() == (team,)
    assert {team for team, _, _ in rows} == {TEAM_A, TEAM_B}

    team_a, start = team_rows(bot, TEAM_A), len(fake.calls)
    for n, (kind, subject_type, table, recipient) in enumerate(FORGED):
        assert await bot.store.enqueue(
            TEAM_B,
            kind,
            recipient,
            clock.now(),
            dedupe_key=f"forged:{n}",
            subject_type=subject_type,
            subject_id=first_id(bot, table),
            now=clock.now(),
        )
    await deliver_due(bot)

    assert shown_since(fake, start) == []
    assert team_rows(bot, TEAM_A) == team_a
    with sqlite3.connect(bot.settings.db_path) as conn:
        left = conn.execute(
            "SELECT status FROM outbox WHERE team_id = ? AND dedupe_key LIKE 'forged:%'",
            (TEAM_B,),
        ).fetchall()
    assert len(left) == len(FORGED)
    assert ("pending",) not in left
    assert ("sending",) not in left
