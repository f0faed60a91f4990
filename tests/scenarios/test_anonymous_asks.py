"""Asking the mentor pool without your name (issue 24, part 3), end to end on a frozen clock.

The main scenario scans every Web API call the fake recorded (texts, blocks, views, Home tabs,
ephemeral answers, uploaded files) for Alice's user id and names: none may reach anyone but
Alice, through the pool post, its re-posts, the coordinator's heads-up, two mentors' offers,
a "keep waiting", Home tabs, exports and the reveal; after the reveal, only Carol (to whom
Alice revealed herself) may see them too.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Awaitable, Iterable
from datetime import timedelta
from typing import Any

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers import ids
from handlers.blocks.anonymous import OFFER_GONE, OFFER_SENT, OFFER_WAITING
from handlers.blocks.request_modal import ANONYMOUS_LABEL, ANONYMOUS_NAMED
from playground.fakeslack import (
    ALICE,
    BOB,
    CAROL,
    TEAM_ID,
    FakeSlack,
    SlackSender,
    all_buttons,
    block_texts,
    button_labels,
    find_button,
)
from playground.fakeslack.find import surface_of
from playground.fakeslack.server import Call
from storage.directory import ProfileDraft
from storage.models import RequestStatus
from tests.conftest import deliver_due, deliver_soon
from tests.flows import (
    DETAILS,
    POOL,
    configure,
    dm_with,
    errors_of,
    forget,
    open_home,
    opened_modal,
    stored_requests,
    told,
)

COORD = "U5"
ANSWERS = {"What is it about?": "Career path", "What's on your mind?": DETAILS}
ANONYMOUS = {**ANSWERS, "Your name": ANONYMOUS_LABEL}
# Alice's id as Slack writes it anywhere, and her names (users.info: "alice", "Alice Example").
ALICE_SEEN = re.compile(rf"\b{ALICE}\b|alice", re.IGNORECASE)
# The bot reading Slack: nobody sees these calls.
LOOKUPS = frozenset(
    {"auth.test", "users.info", "conversations.history", "conversations.replies", "upload"}
)
VIEWS = frozenset({"views.open", "views.update", "views.push"})


class Audience:
    """Who sees each recorded call: views opened during someone's action are theirs."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self.viewer: dict[int, str] = {}

    async def act(self, user_id: str, action: Awaitable[Any]) -> Any:
        start = len(self.fake.calls)
        result = await action
        for index in range(start, len(self.fake.calls)):
            if self.fake.calls[index].method in VIEWS:
                self.viewer[index] = user_id
        return result

    def only_for(self, index: int, call: Call, people: Iterable[str]) -> bool:
        """Whether the call shows something to these people alone."""
        people = set(people)
        dms = {self.fake.dm_channel(person) for person in people} - {None}
        if call.method in VIEWS:
            return self.viewer.get(index) in people
        if call.method == "views.publish":
            return call.args.get("user_id") in people
        if call.method == "conversations.open":
            return call.args.get("users") in people
        if call.method == "chat.postEphemeral":
            return call.args.get("user") in people
        if call.method == "response_url":
            # SlackSender's response_urls are /hooks/{kind}/{channel}/{ts}/{n}.
            return call.path.split("/")[3] in dms
        return call.args.get("channel") in dms or call.args.get("channel_id") in dms

    def leaks(self, after: int, revealed_to: str) -> list[str]:
        """Calls that show Alice's id or name to anyone but her (and, from call `after` on,
        to anyone but her and the mentor she revealed herself to)."""
        found = []
        for index, call in enumerate(self.fake.calls):
            if call.method in LOOKUPS:
                continue
            allowed = {ALICE} if index < after else {ALICE, revealed_to}
            if self.only_for(index, call, allowed):
                continue
            shown = json.dumps(call.args)
            if ALICE_SEEN.search(shown):
                found.append(f"{call.method} {shown[:300]}")
        for upload in self.fake.uploads.values():
            channels = set(upload.channels or [])
            dms = {self.fake.dm_channel(ALICE), self.fake.dm_channel(revealed_to)}
            if channels <= dms - {None}:
                continue
            if upload.data is not None and ALICE_SEEN.search(
                upload.data.decode("utf-8", "replace")
            ):
                found.append(f"file {upload.filename} in {sorted(channels)}")
        return found


async def setup(bot: Runtime, fake: FakeSlack, clock: FrozenClock) -> None:
    fake.add_user(COORD, "cora", tz="America/New_York", is_admin=True)
    fake.add_channel(POOL, "mentor-pool")
    await configure(bot, clock, pool_channel_id=POOL, coordinators=(COORD,))
    for mentor in (BOB, CAROL):
        draft = ProfileDraft(team_id=TEAM_ID, user_id=mentor, tags=("promotion",))
        await bot.store.save_profile(draft, clock.now())


async def ask_anonymously(slack: SlackSender, fake: FakeSlack, bot: Runtime) -> Any:
    await slack.command("ask", user_id=ALICE)
    view = opened_modal(fake)
    assert ANONYMOUS_LABEL in json.dumps(view)
    reply = await slack.view_submission(view, ANONYMOUS, user_id=ALICE)
    await bot.background.drain(5)
    return reply


def pool_post(fake: FakeSlack) -> dict[str, Any]:
    """The request's live post in the pool channel, as people see it now."""
    top = [m for m in fake.messages(POOL) if m.get("thread_ts") in (None, m.get("ts"))]
    post = copy.deepcopy(top[-1])
    post["channel"] = POOL
    return post


async def click(
    slack: SlackSender, bot: Runtime, source: Any, label: str, user_id: str, **where: Any
) -> None:
    await slack.click(find_button(source, label), source, user_id=user_id, **where)
    await bot.background.drain(5)


def offer_dm(fake: FakeSlack, mentor_id: str) -> Any:
    return dm_with(fake, ALICE, f"<@{mentor_id}> offered to help")


def exported(fake: FakeSlack, user_id: str) -> dict[str, Any]:
    """The JSON export uploaded into someone's DM."""
    [upload] = [
        up
        for up in fake.uploads.values()
        if up.filename.endswith(".json") and up.channels == [fake.dm_channel(user_id)]
    ]
    assert upload.data is not None
    return dict(json.loads(upload.data))


async def test_the_name_never_reaches_anyone_but_the_mentee_until_she_reveals_herself(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    seen = Audience(fake)
    await setup(bot, fake, clock)
    await seen.act(ALICE, ask_anonymously(slack, fake, bot))
    [request] = await stored_requests(bot)
    assert request.anonymous

    first = pool_post(fake)
    assert "Someone asks about *Career path*" in block_texts(first)
    assert "my promotion case" in block_texts(first)
    assert button_labels(first) == ["I can help"]
    assert "without your name" in block_texts(dm_with(fake, ALICE, "without your name"))

    # A day unclaimed: the re-post and the coordinator's heads-up, both without her name.
    clock.advance(hours=24)
    await deliver_due(bot)
    repost = pool_post(fake)
    assert "Still looking" in block_texts(repost)
    assert "Someone asks" in block_texts(repost)
    [heads_up] = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] != POOL
                  and "Could you help find someone" in str(c.args)]  # fmt: skip
    assert "asked without a name" in block_texts(heads_up)

    # Bob offers: he learns nothing; the pool post loses its button; Alice chooses.
    await seen.act(BOB, click(slack, bot, repost, "I can help", BOB, channel_id=POOL))
    assert told(fake)[-1] == OFFER_SENT
    [request] = await stored_requests(bot)
    assert (request.status, request.offered_by, request.claimed_by) == (
        RequestStatus.OPEN,
        BOB,
        None,
    )
    waiting = pool_post(fake)
    assert button_labels(waiting) == []
    assert "A mentor offered to help" in block_texts(waiting)
    bob_offer = offer_dm(fake, BOB)
    assert button_labels(bob_offer) == [
        "Reveal myself to bob",
        "Not bob, keep waiting",
        "Cancel request",
    ]

    # Carol clicks the same post while Bob's offer waits: told it's waiting, nothing changes.
    await seen.act(CAROL, click(slack, bot, repost, "I can help", CAROL, channel_id=POOL))
    assert told(fake)[-1] == OFFER_WAITING
    [request] = await stored_requests(bot)
    assert request.offered_by == BOB

    # Bob's Home and his export, before any reveal: the offer, never her name.
    bob_home = await seen.act(BOB, open_home(slack, fake, BOB))
    assert "Someone (asked without a name)" in json.dumps(bob_home)
    await seen.act(BOB, slack.command("export", user_id=BOB))
    await bot.background.drain(5)
    coordinator_home = await seen.act(COORD, open_home(slack, fake, COORD))
    assert coordinator_home["type"] == "home"
    # The admin's stats (through the command's response_url, which the scan reads too).
    await seen.act(COORD, slack.command("stats", user_id=COORD))
    stats = fake.calls_to("response_url")[-1]
    assert "30 days" in json.dumps(stats.args)

    # Not Bob: he hears it kindly without her name, and the post offers "I can help" again.
    await seen.act(ALICE, click(slack, bot, bob_offer, "Not bob, keep waiting", ALICE))
    await deliver_soon(bot)  # Bob's word and the rewrites go through the outbox
    [request] = await stored_requests(bot)
    assert (request.status, request.offered_by) == (RequestStatus.OPEN, None)
    assert "would rather wait for someone else" in block_texts(
        dm_with(fake, BOB, "would rather wait")
    )
    assert button_labels(pool_post(fake)) == ["I can help"]
    # Her answer stays in her DM about it: the request's rewrites leave an answered offer alone.
    assert "You kept waiting" in block_texts(bob_offer)

    # Another day: it is re-posted again (the offer had held the first re-post's place).
    clock.advance(hours=24)
    await deliver_due(bot)
    reposts = [c for c in fake.calls_to("chat.postMessage")
               if c.args["channel"] == POOL and "Still looking" in str(c.args)]  # fmt: skip
    assert len(reposts) == 2

    # Carol offers; a stale Reveal for Bob changes nothing.
    await seen.act(CAROL, click(slack, bot, pool_post(fake), "I can help", CAROL, channel_id=POOL))
    carol_offer = offer_dm(fake, CAROL)
    # (The DM itself lost its buttons; a client that didn't refresh still shows them.)
    stale = {**copy.deepcopy(bob_offer.args), "ts": bob_offer.response["ts"]}
    await seen.act(ALICE, click(slack, bot, stale, "Reveal myself to bob", ALICE))
    assert told(fake)[-1] == OFFER_GONE
    [request] = await stored_requests(bot)
    assert (request.offered_by, request.claimed_by) == (CAROL, None)
    carol_home = await seen.act(CAROL, open_home(slack, fake, CAROL))
    assert "Someone (asked without a name)" in json.dumps(carol_home)

    # Alice reveals herself to Carol: claimed, and the flow goes on as for any claim.
    reveal_at = len(fake.calls)
    revealed_at = clock.now()
    await seen.act(ALICE, click(slack, bot, carol_offer, "Reveal myself to carol", ALICE))
    await deliver_soon(bot)
    [request] = await stored_requests(bot)
    assert (request.status, request.claimed_by, request.offered_by) == (
        RequestStatus.CLAIMED,
        CAROL,
        None,
    )
    assert request.revealed_at == revealed_at
    assert "You revealed yourself" in block_texts(carol_offer)
    revealed = dm_with(fake, CAROL, "revealed themselves")
    assert f"<@{ALICE}>" in block_texts(revealed)
    assert button_labels(revealed) == ["Offer times", "Release"]
    taken = pool_post(fake)
    assert f"Taken by <@{CAROL}>" in block_texts(taken)
    await seen.act(CAROL, click(slack, bot, revealed, "Offer times", CAROL))
    offer_form = opened_modal(fake)
    # Monday 10:30 in Kolkata, inside Carol's working hours.
    answer = {"Time 1": clock.now() + timedelta(days=3, hours=14)}
    await seen.act(CAROL, slack.view_submission(offer_form, answer, user_id=CAROL))
    await bot.background.drain(5)
    slots = dm_with(fake, ALICE, "offered some times")
    assert any(b.get("action_id") == ids.SLOT_PICK for b in all_buttons(slots))

    # Alice's own export holds the request; nobody else's record or message named her.
    await seen.act(ALICE, slack.command("export", user_id=ALICE))
    await bot.background.drain(5)
    assert exported(fake, BOB)["requests"] == []  # an offer isn't his request
    [mine] = exported(fake, ALICE)["requests"]
    assert (mine["anonymous"], mine["claimed_by"], mine["mentee_id"]) == (1, CAROL, ALICE)
    assert seen.leaks(reveal_at, CAROL) == []
    # The scan is not vacuous: it read the pool posts, Bob's DMs and his export.
    assert sum(1 for c in fake.calls if c.args.get("channel") == POOL) >= 4
    assert any(u.channels == [fake.dm_channel(BOB)] for u in fake.uploads.values())


async def test_the_scan_catches_a_name_when_the_ask_is_not_anonymous(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    seen = Audience(fake_slack)
    await setup(clocked_bot, fake_slack, clock)
    await clocked_slack.command("ask", user_id=ALICE)
    await clocked_slack.view_submission(opened_modal(fake_slack), ANSWERS, user_id=ALICE)
    await clocked_bot.background.drain(5)
    [request] = await stored_requests(clocked_bot)
    assert not request.anonymous
    assert any(leak.startswith("chat.postMessage") for leak in seen.leaks(10**9, CAROL))


async def test_a_named_mentor_and_no_name_are_refused_inline(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await setup(clocked_bot, fake_slack, clock)
    await clocked_slack.command(f"ask <@{BOB}>", user_id=ALICE)
    reply = await clocked_slack.view_submission(opened_modal(fake_slack), ANONYMOUS, user_id=ALICE)
    assert errors_of(reply) == {"request_anonymous": ANONYMOUS_NAMED}
    assert await stored_requests(clocked_bot) == []


async def test_the_switch_off_hides_the_box_and_refuses_a_form_opened_before(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    await setup(clocked_bot, fake_slack, clock)
    await clocked_slack.command("ask", user_id=ALICE)
    opened_before = opened_modal(fake_slack)
    await configure(clocked_bot, clock, anonymous_asks_enabled=False)
    await clocked_slack.command("ask", user_id=ALICE)
    assert ANONYMOUS_LABEL not in json.dumps(opened_modal(fake_slack))
    reply = await clocked_slack.view_submission(opened_before, ANONYMOUS, user_id=ALICE)
    assert "turned off asking without your name" in errors_of(reply)["request_anonymous"]
    assert await stored_requests(clocked_bot) == []


async def test_only_the_mentee_answers_an_offer_and_a_cancel_tells_the_mentor_unnamed(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await setup(bot, fake, clock)
    await ask_anonymously(slack, fake, bot)
    await click(slack, bot, pool_post(fake), "I can help", BOB, channel_id=POOL)
    offered = offer_dm(fake, BOB)

    # Bob (or anyone but Alice) pressing her buttons changes nothing.
    await click(slack, bot, offered, "Reveal myself to bob", BOB)
    assert told(fake)[-1] == "This isn't yours, so I didn't change anything."
    [request] = await stored_requests(bot)
    assert (request.offered_by, request.claimed_by) == (BOB, None)

    # A second click of "I can help" by Bob: he already offered.
    await slack.click(
        {"action_id": ids.REQUEST_CLAIM, "value": str(request.id)}, pool_post(fake), user_id=BOB,
        channel_id=POOL,
    )  # fmt: skip
    assert "already offered" in told(fake)[-1]

    await click(slack, bot, offered, "Cancel request", ALICE)
    [request] = await stored_requests(bot)
    assert request.status is RequestStatus.CANCELLED
    await deliver_soon(bot)
    assert "you cancelled your request" in block_texts(offered)
    assert button_labels(offered) == []
    withdrawn = dm_with(fake, BOB, "cancelled their request")
    assert f"<@{ALICE}>" not in str(withdrawn.args)
    assert "Cancelled by the person who asked" in block_texts(pool_post(fake))


async def test_a_revealed_ask_with_no_time_booked_nudges_the_mentor_once(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await setup(bot, fake, clock)
    await ask_anonymously(slack, fake, bot)
    await click(slack, bot, pool_post(fake), "I can help", BOB, channel_id=POOL)
    await click(slack, bot, offer_dm(fake, BOB), "Reveal myself to bob", ALICE)
    [request] = await stored_requests(bot)
    assert (request.status, request.claimed_by) == (RequestStatus.CLAIMED, BOB)

    def book_nudges() -> list[Any]:
        return [c for c in fake.calls_to("chat.postMessage")
                if c.args["channel"] == fake.dm_channel(BOB)
                and "no time is booked yet" in block_texts(c)]  # fmt: skip

    clock.advance(hours=23)
    await deliver_due(bot)
    assert book_nudges() == []
    clock.advance(days=2)  # Bob (New York) is in his working hours by then
    await deliver_due(bot)
    [nudge] = book_nudges()
    assert f"<@{ALICE}>" in block_texts(nudge)
    assert button_labels(nudge)[0] == "Offer times"
    clock.advance(days=7)
    await deliver_due(bot)
    assert len(book_nudges()) == 1


async def test_an_offer_left_unanswered_lapses_back_into_the_pool(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    seen = Audience(fake)
    await setup(bot, fake, clock)
    await seen.act(ALICE, ask_anonymously(slack, fake, bot))
    clock.advance(hours=2)
    await seen.act(BOB, click(slack, bot, pool_post(fake), "I can help", BOB, channel_id=POOL))
    offered = offer_dm(fake, BOB)
    as_shown = copy.deepcopy(surface_of(offered))  # a client that hasn't seen the rewrite
    as_shown["channel"] = offered.args["channel"]

    clock.advance(hours=23, minutes=59)
    await deliver_due(bot)
    [request] = await stored_requests(bot)
    assert request.offered_by == BOB  # still waiting for her
    clock.advance(minutes=1)
    await deliver_due(bot)
    clock.advance(seconds=2)  # the pool post's rewrite waits its turn in the channel
    await deliver_due(bot)
    [request] = await stored_requests(bot)
    assert (request.status, request.offered_by, request.claimed_by) == (
        RequestStatus.OPEN,
        None,
        None,
    )
    assert "hasn't answered yet" in block_texts(dm_with(fake, BOB, "hasn't answered yet"))
    assert button_labels(pool_post(fake)) == ["I can help"]
    # Her DM about the offer loses Reveal / Keep waiting, and names no one now.
    assert button_labels(offered) == ["Cancel request"]
    assert "is no longer waiting for your answer" in block_texts(offered)
    assert "<@" not in block_texts(offered)

    # A late answer from a client still showing the buttons changes nothing; Carol may offer.
    await seen.act(ALICE, click(slack, bot, as_shown, "Reveal myself to bob", ALICE))
    assert told(fake)[-1] == OFFER_GONE
    await seen.act(CAROL, click(slack, bot, pool_post(fake), "I can help", CAROL, channel_id=POOL))
    [request] = await stored_requests(bot)
    assert request.offered_by == CAROL
    assert seen.leaks(len(fake.calls), CAROL) == []


def reposts(fake: FakeSlack) -> list[Call]:
    return [c for c in fake.calls_to("chat.postMessage")
            if c.args["channel"] == POOL and "Still looking" in str(c.args)]  # fmt: skip


def thanks_for_offering(fake: FakeSlack, mentor_id: str) -> list[Call]:
    return [
        call
        for call in fake.calls_to("chat.postMessage")
        if call.args["channel"] == fake.dm_channel(mentor_id)
        and "Thanks for offering" in str(call.args)
    ]


async def test_a_mentor_who_forgets_themself_while_offering_leaves_the_ask_in_the_pool(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    seen = Audience(fake)
    await setup(bot, fake, clock)
    await seen.act(ALICE, ask_anonymously(slack, fake, bot))
    clock.advance(hours=2)
    await seen.act(CAROL, click(slack, bot, pool_post(fake), "I can help", CAROL, channel_id=POOL))
    offered = offer_dm(fake, CAROL)
    as_shown = copy.deepcopy(surface_of(offered))  # a client that hasn't seen the rewrite
    as_shown["channel"] = offered.args["channel"]
    # The first re-post's time passes while Carol's offer waits: the offer holds its place.
    clock.advance(hours=23)
    await deliver_due(bot)
    assert reposts(fake) == []
    assert "A mentor offered to help" in block_texts(pool_post(fake))

    await seen.act(CAROL, forget(slack, fake, bot, CAROL))
    await deliver_soon(bot)
    [request] = await stored_requests(bot)
    assert (request.status, request.offered_by, request.claimed_by) == (
        RequestStatus.OPEN,
        None,
        None,
    )
    # Back in the pool, the post offers "I can help" and names nobody.
    back = pool_post(fake)
    assert button_labels(back) == ["I can help"]
    assert "A mentor offered to help" not in block_texts(back)
    assert CAROL not in json.dumps(back)

    # Alice's DM about the offer no longer names Carol or offers to reveal herself.
    assert button_labels(offered) == ["Cancel request"]
    assert CAROL not in json.dumps(surface_of(offered))
    assert "carol" not in json.dumps(surface_of(offered)).casefold()

    # Her late answers from a client still showing the buttons change nothing, and say so.
    await seen.act(ALICE, click(slack, bot, as_shown, "Reveal myself to carol", ALICE))
    assert told(fake)[-1] == OFFER_GONE
    await seen.act(ALICE, click(slack, bot, as_shown, "Not carol, keep waiting", ALICE))
    assert told(fake)[-1] == OFFER_GONE
    [request] = await stored_requests(bot)
    assert (request.offered_by, request.claimed_by) == (None, None)

    # Past the offer's own lapse: Carol, forgotten, hears nothing more about it.
    clock.advance(hours=2)
    await deliver_soon(bot)
    assert thanks_for_offering(fake, CAROL) == []
    # One re-post, a day after the offer went; Bob may offer.
    clock.advance(hours=22)
    await deliver_soon(bot)
    assert len(reposts(fake)) == 1
    await seen.act(BOB, click(slack, bot, pool_post(fake), "I can help", BOB, channel_id=POOL))
    [request] = await stored_requests(bot)
    assert request.offered_by == BOB
    assert seen.leaks(len(fake.calls), CAROL) == []


async def test_a_turned_down_offer_plans_exactly_one_re_post(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await setup(bot, fake, clock)
    await ask_anonymously(slack, fake, bot)  # T0; the re-post is due at T0 + 24h
    clock.advance(hours=1)
    await click(slack, bot, pool_post(fake), "I can help", BOB, channel_id=POOL)
    clock.advance(hours=1)
    await click(slack, bot, offer_dm(fake, BOB), "Not bob, keep waiting", ALICE)
    await deliver_soon(bot)
    assert "would rather wait for someone else" in block_texts(
        dm_with(fake, BOB, "would rather wait")
    )
    assert button_labels(pool_post(fake)) == ["I can help"]

    clock.advance(hours=22)  # T0 + 24h: the first re-post was replaced by the turn-down's
    await deliver_soon(bot)
    assert reposts(fake) == []
    clock.advance(hours=2)  # T0 + 2h + 24h
    await deliver_soon(bot)
    assert len(reposts(fake)) == 1
    clock.advance(days=3)
    await deliver_soon(bot)
    assert len(reposts(fake)) == 1


async def test_the_mentors_word_after_an_answer_waits_out_slack_refusing(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await setup(bot, fake, clock)
    await ask_anonymously(slack, fake, bot)
    await click(slack, bot, pool_post(fake), "I can help", BOB, channel_id=POOL)
    # Slack refuses every message for a while: the answer still stands, with its follow-ups.
    fake.fail_next("chat.postMessage", status=429, times=3, user=BOB)
    fake.fail_next("chat.update", status=500, times=3, channel=POOL)
    await click(slack, bot, offer_dm(fake, BOB), "Reveal myself to bob", ALICE)
    [request] = await stored_requests(bot)
    assert (request.status, request.claimed_by) == (RequestStatus.CLAIMED, BOB)
    for _ in range(6):
        clock.advance(minutes=5)
        await deliver_soon(bot)
    revealed = dm_with(fake, BOB, "revealed themselves")
    assert button_labels(revealed) == ["Offer times", "Release"]
    assert f"Taken by <@{BOB}>" in block_texts(pool_post(fake))
    assert len([c for c in fake.calls_to("chat.postMessage") if c.ok
                and "revealed themselves" in str(c.args)]) == 1  # fmt: skip


async def test_an_offer_waiting_when_the_request_expires_ends_with_a_word_to_the_mentor(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    seen = Audience(fake)
    await setup(bot, fake, clock)
    await seen.act(ALICE, ask_anonymously(slack, fake, bot))
    clock.advance(days=13, hours=20)
    await deliver_due(bot)
    await seen.act(BOB, click(slack, bot, pool_post(fake), "I can help", BOB, channel_id=POOL))
    offered = offer_dm(fake, BOB)
    clock.advance(hours=4)
    await deliver_due(bot)
    [request] = await stored_requests(bot)
    assert request.status is RequestStatus.EXPIRED
    closed = dm_with(fake, BOB, "closed before the person who asked answered")
    assert f"<@{ALICE}>" not in str(closed.args)
    clock.advance(days=1)  # the first lapse was cancelled with the request's other rows
    await deliver_due(bot)
    assert (
        len([c for c in fake.calls_to("chat.postMessage") if "Thanks for offering" in str(c.args)])
        == 1
    )
    # Her DM about the offer says so too, with nothing left to press.
    assert "closed before you answered" in block_texts(offered)
    assert button_labels(offered) == []
    assert seen.leaks(len(fake.calls), CAROL) == []


async def test_without_a_pool_channel_the_invites_are_anonymous_too(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    seen = Audience(fake)
    await setup(bot, fake, clock)
    await configure(bot, clock, pool_channel_id=None)
    await seen.act(ALICE, ask_anonymously(slack, fake, bot))
    bob_invite = dm_with(fake, BOB, "Someone asks")
    carol_invite = dm_with(fake, CAROL, "Someone asks")

    await seen.act(BOB, click(slack, bot, bob_invite, "I can help", BOB))
    assert told(fake)[-1] == OFFER_SENT
    # Carol's invite lost its button while Alice decides.
    assert button_labels(carol_invite) == []
    assert "A mentor offered to help" in block_texts(carol_invite)
    reveal_at = len(fake.calls)
    await seen.act(ALICE, click(slack, bot, offer_dm(fake, BOB), "Reveal myself to bob", ALICE))
    await deliver_soon(bot)
    [request] = await stored_requests(bot)
    assert request.claimed_by == BOB
    assert seen.leaks(reveal_at, BOB) == []
    # The rewrite of Carol's invite after the reveal still doesn't name Alice.
    assert f"Taken by <@{BOB}>" in block_texts(carol_invite)
    assert ALICE not in json.dumps(
        fake.message(str(fake.dm_channel(CAROL)), carol_invite.response["ts"])
    )
