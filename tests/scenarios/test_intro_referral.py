"""A mentor's "Suggest someone else" on a request becomes a warm introduction: the intro
modal opens with the mentee and the request's context, and once the expert says yes the
original request is marked referred and its messages say so."""

from __future__ import annotations

import sqlite3

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
from storage.models import IntroStatus, RequestSource, RequestStatus, Topic
from tests.conftest import deliver_due
from tests.flows import (
    DAVE,
    DETAILS,
    WHY,
    add_dave,
    ask,
    dms_to,
    group_posts,
    opened_modal,
    shown,
    the_intro,
    told,
)

NOT_YOURS = "This isn't yours, so I didn't change anything."


def request_outbox(bot: Runtime) -> set[tuple[str, str]]:
    with sqlite3.connect(bot.settings.db_path) as conn:
        rows = conn.execute("SELECT kind, status FROM outbox WHERE kind LIKE 'request.%'")
        return set(rows.fetchall())


async def test_suggest_someone_else_refers_the_request_through_an_intro(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    fake = fake_slack
    add_dave(fake)
    dm = await ask(slack, fake, bot, BOB)  # Alice asks Bob about her career path
    with sqlite3.connect(bot.settings.db_path) as conn:
        [(request_id,)] = conn.execute("SELECT id FROM requests").fetchall()

    # A stranger can't pass Bob's request on.
    await slack.click(find_button(dm, "Suggest someone else"), dm, user_id=CAROL)
    assert told(fake)[-1] == NOT_YOURS

    await slack.click(find_button(dm, "Suggest someone else"), dm, user_id=BOB)
    modal = opened_modal(fake)
    assert modal["callback_id"] == ids.INTRO_MODAL
    texts = block_texts(modal)
    assert f"Passing on <@{ALICE}>'s request about *Career path*" in texts
    assert DETAILS in texts
    [mentee] = [b for b in modal["blocks"] if b.get("block_id") == ids.INTRO_MENTEE_BLOCK]
    assert mentee["element"]["initial_user"] == ALICE

    reply = await slack.view_submission(
        modal, {"Who should they meet?": DAVE, "Why this connection?": WHY}, user_id=BOB
    )
    assert not reply.body
    await bot.background.drain(5)
    intro = await the_intro(bot)
    assert (intro.introducer_id, intro.mentee_id, intro.expert_id) == (BOB, ALICE, DAVE)
    assert intro.from_request_id == request_id
    ask_dm = dms_to(fake, DAVE)[-1]
    assert "Their request is about *Career path*" in block_texts(ask_dm)
    # Until Dave says yes, the request is still Bob's and still open.
    request = await bot.store.get_request(TEAM_ID, request_id)
    assert request is not None
    assert request.status is RequestStatus.OPEN

    await slack.click(find_button(ask_dm, "Happy to help"), ask_dm, user_id=DAVE)
    await bot.background.drain(5)
    await deliver_due(bot)
    assert (await the_intro(bot)).status is IntroStatus.ACCEPTED
    group = fake.dm_channel(BOB, ALICE, DAVE)
    assert group is not None
    [post] = group_posts(fake)
    assert post.args["channel"] == group
    text = block_texts(post)
    assert f"<@{BOB}> thought you two should talk" in text
    assert DETAILS in text  # the request's details come along as context
    assert "Career path" in text

    referred = await bot.store.get_request(TEAM_ID, request_id)
    assert referred is not None
    assert referred.status is RequestStatus.REFERRED
    assert referred.first_response_at is not None
    bob_view = shown(fake, fake.dm_channel(BOB))
    assert f"Passed to <@{DAVE}>" in block_texts(bob_view)
    assert button_labels(bob_view) == []
    alice_view = shown(fake, fake.dm_channel(ALICE))
    assert f"<@{BOB}> introduced you to <@{DAVE}>" in block_texts(alice_view)
    assert button_labels(alice_view) == []
    # The request's own reminders and escalation are off.
    assert ("request.nudge", "pending") not in request_outbox(bot)
    assert ("request.escalate", "pending") not in request_outbox(bot)

    # Book time makes the pair's own request, on the same topic, with Dave as mentor.
    await slack.click(find_button(post, "Book time"), post, user_id=ALICE)
    assert opened_modal(fake)["callback_id"] == ids.PROPOSE_MODAL
    intro = await the_intro(bot)
    assert intro.request_id is not None
    made = await bot.store.get_request(TEAM_ID, intro.request_id)
    assert made is not None
    assert (made.source, made.topic, made.mentor_id) == (
        RequestSource.INTRO,
        Topic.CAREER_PATH,
        DAVE,
    )


async def test_a_request_no_longer_open_is_not_referred(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_dave(fake_slack)
    dm = await ask(slack, fake_slack, bot, BOB)
    await slack.click(find_button(dm, "Suggest someone else"), dm, user_id=BOB)
    modal = opened_modal(fake_slack)
    # Alice cancels while Bob is still typing.
    mentee_dm = dms_to(fake_slack, ALICE)[-1]
    await slack.click(find_button(mentee_dm, "Cancel request"), mentee_dm, user_id=ALICE)
    await slack.view_submission(
        modal, {"Who should they meet?": DAVE, "Why this connection?": WHY}, user_id=BOB
    )
    await bot.background.drain(5)
    intro = await the_intro(bot)
    assert intro.from_request_id is None  # an introduction still, with no request to refer
    ask_dm = dms_to(fake_slack, DAVE)[-1]
    await slack.click(find_button(ask_dm, "Happy to help"), ask_dm, user_id=DAVE)
    await bot.background.drain(5)
    await deliver_due(bot)
    with sqlite3.connect(bot.settings.db_path) as conn:
        [(status,)] = conn.execute("SELECT status FROM requests").fetchall()
    assert status == "cancelled"
    assert DETAILS not in block_texts(group_posts(fake_slack)[0])


async def test_a_request_withdrawn_before_the_yes_stays_out_of_the_group_dm(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    """The intro carries the request, then Alice cancels it before Dave answers: Dave's yes
    makes the group DM without her withdrawn details, and nothing is referred."""
    fake = fake_slack
    add_dave(fake)
    dm = await ask(slack, fake, bot, BOB)
    await slack.click(find_button(dm, "Suggest someone else"), dm, user_id=BOB)
    await slack.view_submission(
        opened_modal(fake),
        {"Who should they meet?": DAVE, "Why this connection?": WHY},
        user_id=BOB,
    )
    await bot.background.drain(5)
    intro = await the_intro(bot)
    assert intro.from_request_id is not None  # linked when the intro was made

    mentee_dm = dms_to(fake, ALICE)[-1]
    await slack.click(find_button(mentee_dm, "Cancel request"), mentee_dm, user_id=ALICE)
    ask_dm = dms_to(fake, DAVE)[-1]
    await slack.click(find_button(ask_dm, "Happy to help"), ask_dm, user_id=DAVE)
    await bot.background.drain(5)
    await deliver_due(bot)

    [post] = group_posts(fake)
    text = block_texts(post)
    assert f"<@{BOB}> thought you two should talk" in text
    assert WHY in text
    assert DETAILS not in text
    assert "Career path" not in text
    # Nowhere else either: no message after the cancel carries the details.
    for call in fake.calls_to("chat.postMessage")[-3:]:
        assert DETAILS not in block_texts(call)
    request = await bot.store.get_request(TEAM_ID, intro.from_request_id)
    assert request is not None
    assert request.status is RequestStatus.CANCELLED
    assert f"Passed to <@{DAVE}>" not in block_texts(shown(fake, fake.dm_channel(BOB)))
