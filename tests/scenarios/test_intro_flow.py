"""Warm introductions end to end: /mentor intro, the expert's double opt-in, the group DM,
Book time, decline, nudge, expiry and the follow-up, on a frozen clock with signed requests.

Carol introduces Alice (who needs help) to Dave (who knows). Bob is a bystander.
"""

from __future__ import annotations

import copy
import sqlite3

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
    block_texts,
    button_labels,
    find_button,
)
from storage.models import (
    IntroFollowup,
    IntroStatus,
    RequestSource,
    RequestStatus,
    SessionStatus,
    Topic,
)
from storage.requests import NewRequest
from tests.conftest import deliver_due, deliver_soon
from tests.flows import (
    DAVE,
    WED_10_NY,
    WHY,
    add_dave,
    dms_to,
    forget,
    group_posts,
    introduce,
    opened_modal,
    pick_buttons,
    sessions,
    shown,
    the_intro,
    told,
)

NOTE = "You both like <b>bold</b> plans & coffee"
NOT_YOURS = "This isn't yours, so I didn't change anything."


def intro_outbox(bot: Runtime) -> list[tuple[str, str, str]]:
    """(kind, recipient, status) of the intro rows, oldest first."""
    with sqlite3.connect(bot.settings.db_path) as conn:
        return conn.execute(
            "SELECT kind, recipient, status FROM outbox WHERE kind LIKE 'intro.%' ORDER BY id"
        ).fetchall()


async def test_intro_accept_group_dm_book_time_and_a_confirmed_session(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    reply = await introduce(slack, fake, bot, note=NOTE)
    assert reply.status == 200
    assert not reply.body  # the modal closed

    ask = dms_to(fake, DAVE)[-1]
    stale_yes = copy.deepcopy(find_button(ask, "Happy to help"))
    text = block_texts(ask)
    assert f"<@{CAROL}> would like to introduce you to <@{ALICE}> because:" in text
    assert WHY in text
    assert "&lt;b&gt;bold&lt;/b&gt; plans &amp; coffee" in text  # escaped, never markup
    assert button_labels(ask) == ["Happy to help", "Not right now"]
    assert "I asked <@U4>" in dms_to(fake, CAROL)[-1].args["text"]
    assert dms_to(fake, ALICE) == []  # the mentee hears nothing before a yes
    assert intro_outbox(bot) == [
        ("intro.nudge", DAVE, "pending"),
        ("intro.expire", CAROL, "pending"),
    ]

    # Only the expert answers; a third person's clicks change nothing.
    for label in ("Happy to help", "Not right now"):
        await slack.click(find_button(ask, label), ask, user_id=BOB)
        assert told(fake)[-1] == NOT_YOURS
    assert (await the_intro(bot)).status is IntroStatus.PENDING

    await slack.click(find_button(ask, "Happy to help"), ask, user_id=DAVE)
    await bot.background.drain(5)
    await deliver_soon(bot)  # the introduction and the rewrite go through the outbox
    intro = await the_intro(bot)
    assert intro.status is IntroStatus.ACCEPTED
    [opened] = [c for c in fake.calls_to("conversations.open") if "," in str(c.args["users"])]
    assert set(str(opened.args["users"]).split(",")) == {CAROL, ALICE, DAVE}
    group = fake.dm_channel(CAROL, ALICE, DAVE)
    assert group is not None
    assert intro.group_dm_channel_id == group
    assert set(fake.members(group)) >= {CAROL, ALICE, DAVE}
    [post] = group_posts(fake)
    context = block_texts(post)
    assert f"<@{ALICE}>, meet <@{DAVE}>" in context
    assert WHY in context
    assert f"<@{CAROL}> added:" in context
    assert "&lt;b&gt;bold&lt;/b&gt;" in context
    assert button_labels(post) == ["Book time"]
    # The expert's ask lost its buttons, and the nudge and expiry are off.
    assert button_labels(shown(fake, fake.dm_channel(DAVE))) == []
    assert "You said yes" in block_texts(shown(fake, fake.dm_channel(DAVE)))
    assert intro_outbox(bot) == [
        ("intro.nudge", DAVE, "cancelled"),
        ("intro.expire", CAROL, "cancelled"),
        ("intro.introduce", "group", "sent"),
        ("intro.followup", ALICE, "pending"),
        ("intro.update", fake.dm_channel(DAVE), "sent"),
    ]
    # A second yes (a double click) changes nothing and says so.
    await slack.click(stale_yes, ask, user_id=DAVE)
    assert "already said yes" in told(fake)[-1]
    assert len(group_posts(fake)) == 1

    # Book time: only the pair. Carol introduced them but doesn't book; Bob is a stranger.
    book = find_button(post, "Book time")
    for stranger in (BOB, CAROL):
        await slack.click(book, post, user_id=stranger)
        assert told(fake)[-1] == NOT_YOURS
    assert (await the_intro(bot)).request_id is None
    await slack.click(book, post, user_id=DAVE)
    offer_modal = opened_modal(fake)
    assert offer_modal["callback_id"] == ids.OFFER_MODAL
    intro = await the_intro(bot)
    assert intro.request_id is not None
    request = await bot.store.get_request(TEAM_ID, intro.request_id)
    assert request is not None
    assert (request.source, request.status) == (RequestSource.INTRO, RequestStatus.ACCEPTED)
    assert (request.mentor_id, request.mentee_id) == (DAVE, ALICE)
    assert request.accepted_at is not None
    # A second click books on the same request, never a new one.
    await slack.click(book, post, user_id=ALICE)
    assert opened_modal(fake)["callback_id"] == ids.PROPOSE_MODAL
    assert (await the_intro(bot)).request_id == request.id
    with sqlite3.connect(bot.settings.db_path) as conn:
        assert conn.execute("SELECT count(*) FROM requests").fetchone()[0] == 1

    await slack.view_submission(offer_modal, {"Time 1": WED_10_NY}, user_id=DAVE)
    await bot.background.drain(5)
    slots = dms_to(fake, ALICE)[-1]
    await slack.click(pick_buttons(slots)[0], slots, user_id=ALICE)
    await bot.background.drain(5)
    [session] = await sessions(bot)
    assert session.status is SessionStatus.CONFIRMED
    assert (session.mentor_id, session.mentee_id, session.starts_at) == (DAVE, ALICE, WED_10_NY)
    assert "You're booked" in block_texts(dms_to(fake, DAVE)[-1])

    # Booked: no "did you connect?" three days on.
    clock.advance(days=3, minutes=1)
    await deliver_due(bot)
    assert not any("Did you connect" in str(c.args) for c in dms_to(fake, ALICE))
    assert ("intro.followup", ALICE, "pending") not in intro_outbox(bot)


async def test_a_decline_is_told_only_to_the_introducer(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_dave(fake_slack)
    await introduce(slack, fake_slack, bot)
    ask = dms_to(fake_slack, DAVE)[-1]
    stale_yes = copy.deepcopy(find_button(ask, "Happy to help"))
    before = len(dms_to(fake_slack, CAROL))
    await slack.click(find_button(ask, "Not right now"), ask, user_id=DAVE)
    await bot.background.drain(5)
    await deliver_due(bot)

    assert (await the_intro(bot)).status is IntroStatus.DECLINED
    notice = dms_to(fake_slack, CAROL)[-1]
    assert len(dms_to(fake_slack, CAROL)) == before + 1
    assert f"<@{DAVE}> can't help <@{ALICE}> right now" in block_texts(notice)
    assert button_labels(notice) == ["Suggest someone else"]
    # The mentee is never told: no DM, no group DM, no mention anywhere she can see.
    assert fake_slack.dm_channel(ALICE) is None
    assert group_posts(fake_slack) == []
    assert all(ALICE not in str(c.args) for c in fake_slack.calls_to("conversations.open"))
    assert "not right now" in block_texts(shown(fake_slack, fake_slack.dm_channel(DAVE)))
    assert button_labels(shown(fake_slack, fake_slack.dm_channel(DAVE))) == []
    assert intro_outbox(bot) == [
        ("intro.nudge", DAVE, "cancelled"),
        ("intro.expire", CAROL, "cancelled"),
        ("intro.declined", CAROL, "sent"),
        ("intro.update", fake_slack.dm_channel(DAVE), "sent"),
    ]

    # Suggest someone else is the introducer's alone; it reopens the modal for Alice.
    await slack.click(find_button(notice, "Suggest someone else"), notice, user_id=BOB)
    assert told(fake_slack)[-1] == NOT_YOURS
    await slack.click(find_button(notice, "Suggest someone else"), notice, user_id=CAROL)
    modal = opened_modal(fake_slack)
    assert modal["callback_id"] == ids.INTRO_MODAL
    mentee_input = [b for b in modal["blocks"] if b.get("block_id") == ids.INTRO_MENTEE_BLOCK]
    assert mentee_input[0]["element"]["initial_user"] == ALICE
    assert "initial_user" not in str(
        [b for b in modal["blocks"] if b.get("block_id") == ids.INTRO_EXPERT_BLOCK]
    )
    # A late yes after the decline changes nothing.
    await slack.click(stale_yes, ask, user_id=DAVE)
    assert "already said not right now" in told(fake_slack)[-1]


async def test_one_nudge_then_expiry_tells_the_introducer(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    # Bob introduces: it's evening for Carol in Kolkata, and the notice would wait for morning.
    await introduce(slack, fake, bot, introducer=BOB)
    ask = dms_to(fake, DAVE)[-1]
    stale_yes = copy.deepcopy(find_button(ask, "Happy to help"))

    clock.advance(days=3, minutes=1)
    await deliver_due(bot)
    nudge = dms_to(fake, DAVE)[-1]
    assert "A reminder about this introduction" in block_texts(nudge)
    assert button_labels(nudge)[:2] == ["Happy to help", "Not right now"]
    assert "Snooze 1 day" in button_labels(nudge)
    clock.advance(days=1)
    await deliver_due(bot)
    assert dms_to(fake, DAVE)[-1] is nudge  # once only

    clock.advance(days=3)
    await deliver_due(bot)
    intro = await the_intro(bot)
    assert intro.status is IntroStatus.EXPIRED
    notice = dms_to(fake, BOB)[-1]
    assert f"<@{DAVE}> didn't answer within a week" in block_texts(notice)
    assert button_labels(notice) == ["Suggest someone else"]
    assert "expired" in block_texts(shown(fake, fake.dm_channel(DAVE)))
    assert fake.dm_channel(ALICE) is None  # the mentee never heard of it
    # The expert's late yes is refused kindly.
    await slack.click(stale_yes, ask, user_id=DAVE)
    assert "expired" in told(fake)[-1]
    assert group_posts(fake) == []


async def test_follow_up_when_nothing_is_booked(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    await introduce(slack, fake, bot)
    ask = dms_to(fake, DAVE)[-1]
    await slack.click(find_button(ask, "Happy to help"), ask, user_id=DAVE)
    await bot.background.drain(5)

    clock.advance(days=3, minutes=1)
    await deliver_due(bot)
    followup = dms_to(fake, ALICE)[-1]
    assert block_texts(followup).startswith(f"Did you connect with <@{DAVE}>?")
    assert button_labels(followup) == ["Yes", "Not yet — remind me in a week", "Didn't work out"]

    for label in ("Yes", "Not yet — remind me in a week", "Didn't work out"):
        await slack.click(find_button(followup, label), followup, user_id=BOB)
        assert told(fake)[-1] == NOT_YOURS
    assert (await the_intro(bot)).followup_answer is None

    await slack.click(
        find_button(followup, "Not yet — remind me in a week"), followup, user_id=ALICE
    )
    intro = await the_intro(bot)
    assert intro.followup_answer is IntroFollowup.NOT_YET
    assert "ask again in a week" in str(fake.calls_to("response_url")[-1].args)

    clock.advance(days=7, minutes=1)
    await deliver_due(bot)
    again = dms_to(fake, ALICE)[-1]
    assert again is not followup
    assert "Did you connect" in block_texts(again)
    yes, no = (copy.deepcopy(find_button(again, label)) for label in ("Yes", "Didn't work out"))
    await slack.click(find_button(again, "Not yet — remind me in a week"), again, user_id=ALICE)
    assert "No more reminders" in str(fake.calls_to("response_url")[-1].args)
    await slack.click(yes, again, user_id=ALICE)
    intro = await the_intro(bot)
    assert intro.followup_answer is IntroFollowup.YES
    assert intro.followup_answered_at is not None
    # A yes is final.
    await slack.click(no, again, user_id=ALICE)
    assert "already told me" in told(fake)[-1]
    assert (await the_intro(bot)).followup_answer is IntroFollowup.YES
    clock.advance(days=30)
    await deliver_due(bot)
    assert dms_to(fake, ALICE)[-1] is again


async def test_the_expiry_notice_survives_a_slack_error(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    await introduce(slack, fake, bot, introducer=BOB)
    clock.advance(days=3, minutes=1)
    await deliver_due(bot)  # the nudge
    clock.advance(days=4)
    fake.fail_next("chat.postMessage", status=500)  # the outbox client doesn't retry itself
    await deliver_due(bot)
    assert (await the_intro(bot)).status is IntroStatus.EXPIRED
    refused = dms_to(fake, BOB)[-1]
    assert refused.response == {"ok": False, "error": "internal_error"}
    clock.advance(hours=2)  # past the first backoff
    await deliver_due(bot)
    notice = dms_to(fake, BOB)[-1]
    assert f"<@{DAVE}> didn't answer within a week" in block_texts(notice)


async def test_a_decline_notice_survives_a_slack_outage(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    """Slack answers 500 when Dave says not right now: Carol, who was promised word, still
    hears once Slack is back, exactly once."""
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    await introduce(slack, fake, bot)
    ask = dms_to(fake, DAVE)[-1]
    fake.fail_next("chat.postMessage", status=500, times=3, user=CAROL)
    await slack.click(find_button(ask, "Not right now"), ask, user_id=DAVE)
    await bot.background.drain(5)
    await deliver_due(bot)
    assert (await the_intro(bot)).status is IntroStatus.DECLINED
    for _ in range(3):
        clock.advance(hours=1)
        await deliver_due(bot)
    notices = [c for c in dms_to(fake, CAROL) if c.ok and "can't help" in block_texts(c)]
    assert len(notices) == 1
    assert fake.dm_channel(ALICE) is None


async def test_the_introduction_survives_a_slack_outage(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    """Slack fails every post for a while after Dave's yes: the introduction still reaches
    the three of them, once, in their group DM, and Dave's ask still loses its buttons."""
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    await introduce(slack, fake, bot)
    ask = dms_to(fake, DAVE)[-1]
    fake.fail_next("chat.postMessage", status=500, times=5)
    await slack.click(find_button(ask, "Happy to help"), ask, user_id=DAVE)
    await bot.background.drain(5)
    for _ in range(12):
        await deliver_due(bot)
        clock.advance(minutes=30)
    assert (await the_intro(bot)).status is IntroStatus.ACCEPTED
    arrived = [c for c in group_posts(fake) if c.ok]
    assert len(arrived) == 1
    assert f"<@{ALICE}>, meet <@{DAVE}>" in block_texts(arrived[0])
    assert (await the_intro(bot)).group_dm_channel_id == arrived[0].args["channel"]
    assert button_labels(shown(fake, fake.dm_channel(DAVE))) == []


async def test_a_refused_group_dm_becomes_one_dm_each(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    """Slack won't open the group DM: each of the three gets the introduction by DM, once."""
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    await introduce(slack, fake, bot)
    ask = dms_to(fake, DAVE)[-1]
    fake.fail_next("conversations.open", error="user_disabled", times=1)
    await slack.click(find_button(ask, "Happy to help"), ask, user_id=DAVE)
    await bot.background.drain(5)
    await deliver_soon(bot)
    await deliver_soon(bot)
    assert group_posts(fake) == []
    for person in (CAROL, ALICE, DAVE):
        got = [c for c in dms_to(fake, person) if c.ok and ", meet <@" in block_texts(c)]
        assert len(got) == 1, person
        assert button_labels(got[0]) == ["Book time"]


async def test_an_introducer_who_left_still_sees_the_two_introduced(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    """Carol runs /mentor forget before Dave answers: Alice and Dave still meet, and the
    introduction names nobody who left. A group row revived after its fallback sends nothing."""
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    await introduce(slack, fake, bot)
    ask = dms_to(fake, DAVE)[-1]
    await forget(slack, fake, bot, CAROL)
    await slack.click(find_button(ask, "Happy to help"), ask, user_id=DAVE)
    await deliver_soon(bot)
    [post] = [c for c in group_posts(fake) if c.ok]
    text = block_texts(post)
    assert f"<@{ALICE}>, meet <@{DAVE}>" in text
    assert "Someone who has since left mentorbot thought you two should talk" in text
    assert "forgotten-" not in text
    assert button_labels(post) == ["Book time"]


async def test_the_group_introduction_is_not_sent_again_after_one_dm_each(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    await introduce(slack, fake, bot)
    ask = dms_to(fake, DAVE)[-1]
    fake.fail_next("conversations.open", error="user_disabled", times=1)
    await slack.click(find_button(ask, "Happy to help"), ask, user_id=DAVE)
    await deliver_soon(bot)
    await deliver_soon(bot)
    assert await bot.store.retry_failed(clock.now()) == 1  # `outbox --retry-failed`
    await deliver_soon(bot)
    assert group_posts(fake) == []
    assert len([c for c in dms_to(fake, ALICE) if c.ok and ", meet <@" in block_texts(c)]) == 1


async def alice_books_dave_directly(bot: Runtime, clock: FrozenClock) -> None:
    """Alice's own request to Dave, accepted and booked now (not through an intro)."""
    now = clock.now()
    draft = NewRequest(
        team_id=TEAM_ID,
        mentee_id=ALICE,
        mentor_id=DAVE,
        topic=Topic.OTHER,
        details="Can we talk about the panel?",
        source=RequestSource.COMMAND,
    )
    request = await bot.store.create_request(draft, now)
    assert await bot.store.accept_request(TEAM_ID, request.id, DAVE, now) is not None
    assert await bot.store.book_now(TEAM_ID, request.id, (DAVE, ALICE), 30, now) is not None


async def test_no_follow_up_once_they_booked_through_another_request(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    """Alice asked Dave directly after the intro and they booked: that counts as connecting."""
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    await introduce(slack, fake, bot)
    ask = dms_to(fake, DAVE)[-1]
    await slack.click(find_button(ask, "Happy to help"), ask, user_id=DAVE)
    await bot.background.drain(5)
    clock.advance(minutes=30)
    await alice_books_dave_directly(bot, clock)
    assert (await the_intro(bot)).request_id is None  # not the intro's own request

    clock.advance(days=3)
    await deliver_due(bot)
    assert not [c for c in dms_to(fake, ALICE) if "Did you connect" in block_texts(c)]
    assert ("intro.followup", ALICE, "sent") in intro_outbox(bot)  # skipped, not pending


async def test_a_session_from_before_the_intro_does_not_count_as_connecting(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    await alice_books_dave_directly(bot, clock)
    clock.advance(minutes=5)
    await introduce(slack, fake, bot)
    ask = dms_to(fake, DAVE)[-1]
    await slack.click(find_button(ask, "Happy to help"), ask, user_id=DAVE)
    await bot.background.drain(5)
    clock.advance(days=3, minutes=1)
    await deliver_due(bot)
    assert "Did you connect" in block_texts(dms_to(fake, ALICE)[-1])
