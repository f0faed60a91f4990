"""Session feedback end to end: held → "How was it?" in the mentee's working hours → a rating
(only the mentee's, and changeable) → Say thanks → the mentor's DM and the kudos post; none
after a missed or cancelled session, for someone who opted out, or with the feature off; the
mentor never sees a rating; export and forget."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers import ids
from handlers.blocks.privacy import KUDOS_REMOVED
from handlers.feedback.actions import ALREADY_THANKED
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
from storage.models import OutboxMessage, OutboxStatus
from tests.conftest import deliver_due, deliver_soon
from tests.flows import (
    NASTY,
    NASTY_SHOWN,
    NOT_YOURS,
    booked,
    configure,
    dms_to,
    forget,
    latest_dm,
    open_home,
    opened_modal,
    told,
)

KUDOS = "C0KUDOS"
ASKED = "How was your mentoring session"
# Wed 18:30 UTC: 14:30 for Bob in New York, 19:30 for Alice in Berlin (after her day).
EVENING = datetime(2026, 3, 11, 18, 30, tzinfo=UTC)
# Thu 08:00 UTC: 09:00 in Berlin, Alice's working day starts.
ALICE_MORNING = datetime(2026, 3, 12, 8, 0, tzinfo=UTC)
RATING_WORDS = ("Really helpful", "Somewhat", "Not really", "not_really", "helpful")


async def did_you_meet(
    slack: SlackSender, fake: FakeSlack, bot: Runtime, clock: FrozenClock
) -> Any:
    """Alice and Bob booked Wednesday 14:00 UTC; Bob's "Did you meet?" in the evening."""
    await booked(slack, fake, bot)
    clock.advance(seconds=(EVENING - clock.now()).total_seconds())
    await deliver_due(bot)
    ask = latest_dm(fake, BOB)
    assert "Did you meet" in block_texts(ask)
    return ask


async def held(slack: SlackSender, fake: FakeSlack, bot: Runtime, clock: FrozenClock) -> None:
    ask = await did_you_meet(slack, fake, bot, clock)
    await slack.click(find_button(ask, "Yes — log notes"), ask, user_id=BOB)
    await bot.background.drain(5)


async def feedback_rows(bot: Runtime) -> list[OutboxMessage]:
    rows = await bot.store.list_outbox(list(OutboxStatus), limit=100)
    return [row for row in rows if row.kind == "feedback.ask"]


def prompts(fake: FakeSlack) -> list[Any]:
    return [call for call in dms_to(fake, ALICE) if ASKED in block_texts(call)]


async def alice_morning(bot: Runtime, clock: FrozenClock) -> None:
    clock.advance(seconds=(ALICE_MORNING - clock.now()).total_seconds())
    await deliver_due(bot)


def where(message: Any) -> tuple[str, str]:
    return str(message.response["channel"]), str(message.response["ts"])


def replaced(fake: FakeSlack) -> dict[str, Any]:
    calls = [c for c in fake.calls_to("response_url") if c.args.get("replace_original")]
    return dict(calls[-1].args)


async def test_held_prompt_rating_thanks_and_the_kudos_post(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await held(slack, fake, bot, clock)
    # Held in Alice's evening: the prompt waits for her working day.
    await deliver_due(bot)
    assert prompts(fake) == []
    await alice_morning(bot, clock)
    [prompt] = prompts(fake)
    assert button_labels(prompt)[:4] == ["Really helpful", "Somewhat", "Not really", "Say thanks"]
    assert "Stop these" in button_labels(prompt)
    assert f"<@{BOB}> never sees it" in block_texts(prompt)
    await deliver_due(bot)
    assert len(prompts(fake)) == 1  # one prompt per session

    # Only Alice may answer; a second answer replaces the first.
    for stranger in (CAROL, BOB):
        await slack.click(find_button(prompt, "Really helpful"), prompt, user_id=stranger)
        assert told(fake)[-1] == NOT_YOURS
    await slack.click(find_button(prompt, "Not really"), prompt, user_id=ALICE)
    assert "You said *Not really*" in str(replaced(fake))
    await slack.click(find_button(prompt, "Really helpful"), prompt, user_id=ALICE)
    assert "You said *Really helpful*" in str(replaced(fake))
    [row] = await feedback_rows(bot)
    assert row.status is OutboxStatus.SENT
    session_id = row.subject_id
    assert session_id is not None
    feedback = await bot.store.get_feedback(TEAM_ID, session_id)
    assert feedback is not None
    assert feedback.rating is not None
    assert feedback.rating.value == "helpful"

    # Say thanks, no kudos channel yet: no share box; more than 500 characters is refused
    # inline (Slack's own limit, checked again for a forged or old client).
    await slack.click(find_button(prompt, "Say thanks"), prompt, user_id=CAROL)
    assert told(fake)[-1] == NOT_YOURS
    await slack.click(find_button(prompt, "Say thanks"), prompt, user_id=ALICE)
    view = opened_modal(fake)
    assert view["callback_id"] == ids.THANKS_MODAL
    assert ids.THANKS_SHARE_BLOCK not in str(view)
    forged = {ids.THANKS_NOTE_BLOCK: {ids.THANKS_NOTE_ACTION: {"value": "x" * 501}}}
    reply = await slack.view_submission(view, state=forged, user_id=ALICE)
    assert "500 characters" in reply.body["errors"][ids.THANKS_NOTE_BLOCK]

    # With a kudos channel set, the box shows, off by default; ticked, the note is posted.
    fake.add_channel(KUDOS, "kudos")
    await configure(bot, clock, kudos_channel_id=KUDOS)
    await slack.click(find_button(prompt, "Say thanks"), prompt, user_id=ALICE)
    view = opened_modal(fake)
    assert ids.THANKS_SHARE_BLOCK in str(view)
    reply = await slack.view_submission(
        view, {"Your note": NASTY, "Share it": ["share"]}, user_id=ALICE
    )
    assert reply.body["response_action"] == "update"
    assert "I'll send your note to" in str(reply.body)
    assert f"and post it in <#{KUDOS}>" in str(reply.body)
    await bot.background.drain(5)
    assert "Say thanks" not in button_labels(fake.message(*where(prompt)))
    await deliver_due(bot)
    thanks_dm = latest_dm(fake, BOB)
    assert NASTY_SHOWN in block_texts(thanks_dm)
    assert f"<@{ALICE}> says thanks" in block_texts(thanks_dm)
    [post] = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == KUDOS]
    assert NASTY_SHOWN in block_texts(post)
    assert NASTY not in str(post.args)
    # An older copy of the button: thanks go once.
    await slack.block_action(ids.FEEDBACK_THANKS, str(session_id), user_id=ALICE)
    assert told(fake)[-1] == ALREADY_THANKED

    # Bob never sees a rating: not in his DMs, not on his Home, which shows his own counts.
    home = await open_home(slack, fake, BOB)
    assert "Your mentoring" in str(home)
    assert "*1* person" in str(home)
    assert NASTY_SHOWN in str(home)
    for seen in (*[str(c.args) for c in dms_to(fake, BOB)], str(home)):
        for words in RATING_WORDS:
            assert words not in seen

    # Stats: one rating is far from the five a figure needs.
    fake.add_user(CAROL, "carol", is_owner=True)
    await slack.command("stats", user_id=CAROL)
    [stats] = [c for c in fake.calls_to("response_url") if "Mentoring in" in str(c.args)]
    assert "rated really helpful*\nlast 30 days: not enough ratings yet" in block_texts(stats)

    # Export: Alice's own rating and thanks given; Bob's thanks received, no rating.
    await slack.command("export", user_id=ALICE)
    await slack.command("export", user_id=BOB)
    await bot.background.drain(5)
    exports = {
        person: json.loads(
            next(
                u.data
                for u in fake.uploads.values()
                if u.filename.endswith(".json") and fake.dm_channel(person) in u.channels and u.data
            )
        )
        for person in (ALICE, BOB)
    }
    assert [f["rating"] for f in exports[ALICE]["feedback"]] == ["helpful"]
    assert [t["note"] for t in exports[ALICE]["thanks_given"]] == [NASTY]
    assert exports[BOB]["feedback"] == []
    assert [t["note"] for t in exports[BOB]["thanks_received"]] == [NASTY]

    # Forget: Alice's rating and thanks go, and the shared post no longer shows her words.
    await forget(slack, fake, bot, ALICE)
    assert await bot.store.get_feedback(TEAM_ID, session_id) is None
    assert await bot.store.get_thanks(TEAM_ID, session_id, ALICE) is None
    shared = fake.message(KUDOS, str(post.response["ts"]))
    assert shared["text"] == KUDOS_REMOVED
    assert block_texts(shared) == KUDOS_REMOVED  # the note's blocks are replaced too


async def test_no_prompt_after_a_session_that_did_not_happen(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    ask = await did_you_meet(slack, fake, bot, clock)
    await slack.click(find_button(ask, "It didn't happen"), ask, user_id=BOB)
    await bot.background.drain(5)
    await alice_morning(bot, clock)
    assert prompts(fake) == []
    assert await feedback_rows(bot) == []


async def test_no_prompt_after_a_cancelled_session(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await booked(slack, fake, bot)
    confirmation = latest_dm(fake, ALICE)
    await slack.click(find_button(confirmation, "Cancel"), confirmation, user_id=ALICE)
    await slack.view_submission(opened_modal(fake), {}, user_id=ALICE)
    await bot.background.drain(5)
    await alice_morning(bot, clock)
    assert prompts(fake) == []
    assert await feedback_rows(bot) == []


async def test_no_prompt_for_someone_who_opted_out(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await slack.command("optout", user_id=ALICE)
    await held(slack, fake, bot, clock)
    await alice_morning(bot, clock)
    assert prompts(fake) == []


async def test_the_workspace_switch_turns_it_off_even_for_prompts_queued(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await held(slack, fake, bot, clock)
    assert [row.status for row in await feedback_rows(bot)] == [OutboxStatus.PENDING]
    await configure(bot, clock, feedback_enabled=False)
    await alice_morning(bot, clock)
    assert prompts(fake) == []


async def test_log_notes_on_the_confirmation_also_asks_once(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await booked(slack, fake, bot)
    confirmation = latest_dm(fake, BOB)
    assert button_labels(confirmation)[0] == "Log notes"
    clock.advance(seconds=(EVENING - clock.now()).total_seconds())
    await slack.click(find_button(confirmation, "Log notes"), confirmation, user_id=BOB)
    await bot.background.drain(5)
    [row] = await feedback_rows(bot)
    assert row.recipient == ALICE
    # The held message lost its buttons; an old copy pressed again asks nothing more.
    await slack.block_action(ids.SESSION_LOG_NOTES, str(row.subject_id), user_id=BOB)
    await slack.block_action(ids.SESSION_HELD, str(row.subject_id), user_id=BOB)
    await bot.background.drain(5)
    assert len(await feedback_rows(bot)) == 1
    await alice_morning(bot, clock)
    assert len(prompts(fake)) == 1


async def thanks_form(
    slack: SlackSender, fake: FakeSlack, bot: Runtime, clock: FrozenClock
) -> tuple[Any, dict[str, Any]]:
    """Alice's prompt, and the Say thanks form she opened from it."""
    await held(slack, fake, bot, clock)
    await alice_morning(bot, clock)
    [prompt] = prompts(fake)
    await slack.click(find_button(prompt, "Say thanks"), prompt, user_id=ALICE)
    return prompt, opened_modal(fake)


async def test_a_kudos_post_slack_refuses_is_not_claimed_and_the_mentee_hears(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    fake.add_channel(KUDOS, "kudos")
    await configure(bot, clock, kudos_channel_id=KUDOS)
    prompt, view = await thanks_form(slack, fake, bot, clock)
    # The channel was archived since the admin set it.
    fake.fail_next("chat.postMessage", error="is_archived", channel=KUDOS)
    note = {"Your note": "Thanks so much for the advice!", "Share it": ["share"]}
    reply = await slack.view_submission(view, note, user_id=ALICE)
    assert "posted it" not in str(reply.body)
    assert "I'll tell you by DM" in str(reply.body)
    await deliver_soon(bot)
    assert fake.messages(KUDOS) == []
    assert "says thanks" in block_texts(latest_dm(fake, BOB))
    told_alice = block_texts(latest_dm(fake, ALICE))
    assert f"couldn't post your thank-you note in <#{KUDOS}>" in told_alice
    assert "is_archived" in told_alice
    # The note did reach Bob: Say thanks is gone from the prompt, and an old copy refuses.
    assert "Say thanks" not in button_labels(fake.message(*where(prompt)))
    [row] = await feedback_rows(bot)
    await slack.block_action(ids.FEEDBACK_THANKS, str(row.subject_id), user_id=ALICE)
    assert told(fake)[-1] == ALREADY_THANKED


async def test_a_thank_you_dm_slack_fails_is_retried_and_sent_once(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    _, view = await thanks_form(slack, fake, bot, clock)
    fake.fail_next("chat.postMessage", status=500, times=3, user=BOB)
    reply = await slack.view_submission(view, {"Your note": "Thank you!"}, user_id=ALICE)
    assert f"I'll send your note to <@{BOB}>" in str(reply.body)
    for _ in range(6):
        await deliver_due(bot)
        clock.advance(minutes=30)
    sent = [c for c in dms_to(fake, BOB) if c.ok and "says thanks" in block_texts(c)]
    assert len(sent) == 1
    assert [c for c in dms_to(fake, ALICE) if "couldn't" in block_texts(c)] == []


async def test_a_kudos_post_on_its_way_when_the_mentee_forgets_is_taken_down(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    fake.add_channel(KUDOS, "kudos")
    await configure(bot, clock, kudos_channel_id=KUDOS)
    _, view = await thanks_form(slack, fake, bot, clock)
    note = {"Your note": "Thanks so much for the advice!", "Share it": ["share"]}
    await slack.view_submission(view, note, user_id=ALICE)
    # Slack posts at once but answers late: forget runs while the post is on its way.
    fake.delay("chat.postMessage", 1.0, answer_only=True)
    sending = asyncio.create_task(deliver_soon(bot))
    while not fake.messages(KUDOS):  # noqa: ASYNC110 - the fake has no event for a post
        await asyncio.sleep(0.05)
    fake.delay("chat.postMessage", 0)
    await forget(slack, fake, bot, ALICE)
    await sending
    [post] = fake.messages(KUDOS)
    assert post["text"] == KUDOS_REMOVED
    assert "Thanks so much" not in json.dumps(post)
