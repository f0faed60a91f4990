"""The intro modal: its ways in, the expert's tags, inline validation and the duplicate
warning; plus the builders' Block Kit limits and escaping."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot import lifecycle
from bot.lifecycle import Runtime, running
from handlers import ids
from handlers.blocks.intro_modal import IntroPrefill, build_intro_modal, read_intro_metadata
from handlers.blocks.intros import (
    build_declined_for_introducer,
    build_expert_ask,
    build_expert_nudge,
    build_followup,
    build_group_intro,
)
from playground.fakeslack import (
    ALICE,
    BOB,
    CAROL,
    TEAM_ID,
    FakeSlack,
    SlackSender,
    block_texts,
    check_message,
    check_view,
    find_button,
    state_values,
)
from storage.directory import ProfileDraft
from storage.models import Intro, Request, RequestSource, Topic
from tests.conftest import SIGNING_SECRET, bot_settings, deliver_due, replies_sent
from tests.flows import DAVE, WHY, add_dave, dms_to, introduce, open_home, opened_modal, rows

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def intro_count(bot: Runtime) -> int:
    with sqlite3.connect(bot.settings.db_path) as conn:
        return int(conn.execute("SELECT count(*) FROM intros").fetchone()[0])


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    [found] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    return found


async def test_mentor_intro_prefills_both_people_and_the_reason(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_dave(fake_slack)
    await bot.store.save_profile(
        ProfileDraft(team_id=TEAM_ID, user_id=DAVE, tags=("promotions", "negotiation")), NOW
    )
    reply = await slack.command(f"intro <@{ALICE}|alice> <@{DAVE}> {WHY}", user_id=CAROL)
    assert reply.status == 200
    modal = opened_modal(fake_slack)
    assert block(modal, ids.INTRO_MENTEE_BLOCK)["element"]["initial_user"] == ALICE
    assert block(modal, ids.INTRO_EXPERT_BLOCK)["element"]["initial_user"] == DAVE
    assert block(modal, ids.INTRO_WHY_BLOCK)["element"]["initial_value"] == WHY
    # The expert is in the directory, so the modal shows what they know about.
    assert f"<@{DAVE}> knows about: negotiation, promotions" in block_texts(modal)


async def test_choosing_the_expert_redraws_the_modal_with_their_tags(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_dave(fake_slack)
    await bot.store.save_profile(
        ProfileDraft(team_id=TEAM_ID, user_id=DAVE, tags=("pricing",)), NOW
    )
    await slack.command("intro", user_id=CAROL)
    modal = opened_modal(fake_slack)
    assert block(modal, ids.INTRO_EXPERT_BLOCK)["dispatch_action"] is True
    for expert, expected in (
        (DAVE, "knows about: pricing"),
        (BOB, "isn't in the mentor directory"),
    ):
        modal["state"] = {
            "values": state_values(
                modal,
                {
                    "Who needs help?": ALICE,
                    "Who should they meet?": expert,
                    "Why this connection?": WHY,
                },
            )
        }
        await slack.block_action(
            ids.INTRO_EXPERT_ACTION,
            user_id=CAROL,
            block_id=ids.INTRO_EXPERT_BLOCK,
            view=modal,
            action={"type": "users_select", "selected_user": expert},
        )
        [update] = fake_slack.calls_to("views.update")[-1:]
        assert update.ok, update.response
        modal = dict(update.response["view"])
        assert expected in block_texts(modal)
        assert block(modal, ids.INTRO_MENTEE_BLOCK)["element"]["initial_user"] == ALICE
        assert block(modal, ids.INTRO_EXPERT_BLOCK)["element"]["initial_user"] == expert


async def test_home_and_find_lead_to_intros(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    home = await open_home(slack, fake_slack, CAROL)
    await slack.click(find_button(home, "Introduce people"), home, user_id=CAROL)
    assert opened_modal(fake_slack)["callback_id"] == ids.INTRO_MODAL
    reply = await slack.command("find underwater basket weaving", user_id=ALICE)
    assert "/mentor intro" in block_texts(reply.body["blocks"])
    reply = await slack.command("help", user_id=ALICE)
    assert "/mentor intro" in str(reply.body)


@pytest.mark.parametrize(
    ("mentee", "expert", "block_id", "error"),
    [
        (ALICE, ALICE, ids.INTRO_EXPERT_BLOCK, "same person twice"),
        (ALICE, CAROL, ids.INTRO_EXPERT_BLOCK, "That's you"),
        (ALICE, "U0BOTTY", ids.INTRO_EXPERT_BLOCK, "is a bot"),
        (ALICE, "U0GONE", ids.INTRO_EXPERT_BLOCK, "deactivated"),
        (ALICE, "U0NOBODY", ids.INTRO_EXPERT_BLOCK, "deactivated"),
        ("U0BOTTY", BOB, ids.INTRO_MENTEE_BLOCK, "is a bot"),
        ("U0GONE", BOB, ids.INTRO_MENTEE_BLOCK, "deactivated"),
    ],
)
async def test_people_who_cant_be_introduced_are_inline_errors(
    slack: SlackSender,
    fake_slack: FakeSlack,
    bot: Runtime,
    mentee: str,
    expert: str,
    block_id: str,
    error: str,
) -> None:
    fake_slack.add_user("U0BOTTY", "botty", is_bot=True)
    fake_slack.add_user("U0GONE", "gone", deleted=True)
    await slack.command("intro", user_id=CAROL)
    modal = opened_modal(fake_slack)
    answers = {
        "Who needs help?": mentee,
        "Who should they meet?": expert,
        "Why this connection?": WHY,
    }
    reply = await slack.view_submission(modal, answers, user_id=CAROL)
    assert reply.body["response_action"] == "errors"
    assert error in reply.body["errors"][block_id]
    assert intro_count(bot) == 0
    assert fake_slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(("why", "error"), [("too short", "at least 10"), ("x" * 1001, "1,000")])
async def test_the_reason_must_be_10_to_1000_characters(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime, why: str, error: str
) -> None:
    add_dave(fake_slack)
    await slack.command("intro", user_id=CAROL)
    modal = opened_modal(fake_slack)
    why_input = block(modal, ids.INTRO_WHY_BLOCK)["element"]
    assert (why_input["min_length"], why_input["max_length"]) == (10, 1000)
    # Slack's client holds these back; a forged or stale payload still gets an inline answer.
    state = {
        ids.INTRO_MENTEE_BLOCK: {
            ids.INTRO_MENTEE_ACTION: {"type": "users_select", "selected_user": ALICE}
        },
        ids.INTRO_EXPERT_BLOCK: {
            ids.INTRO_EXPERT_ACTION: {"type": "users_select", "selected_user": DAVE}
        },
        ids.INTRO_WHY_BLOCK: {ids.INTRO_WHY_ACTION: {"type": "plain_text_input", "value": why}},
    }
    reply = await slack.view_submission(modal, user_id=CAROL, state=state)
    assert reply.body["response_action"] == "errors"
    assert error in reply.body["errors"][ids.INTRO_WHY_BLOCK]
    assert intro_count(bot) == 0


async def test_a_second_intro_of_the_same_pair_warns_once(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    """Carol introduces Alice to Dave twice: the second time she's warned first."""
    add_dave(fake_slack)
    await introduce(slack, fake_slack, bot)
    assert intro_count(bot) == 1

    await slack.command(f"intro <@{ALICE}> <@{DAVE}> {WHY}", user_id=CAROL)
    modal = opened_modal(fake_slack)
    reply = await slack.view_submission(modal, {}, user_id=CAROL)
    assert reply.body["response_action"] == "update"
    warned = reply.body["view"]
    assert f"<@{ALICE}> was already introduced to <@{DAVE}> recently" in block_texts(warned)
    assert "Submit again to send it anyway" in block_texts(warned)
    assert read_intro_metadata(warned["private_metadata"]) == (None, (ALICE, DAVE))
    assert intro_count(bot) == 1

    # The same modal, now carrying the warning, goes through on the second submit.
    stored = fake_slack.store_view(warned, view_id=modal["id"])
    reply = await slack.view_submission(stored, {}, user_id=CAROL)
    assert not reply.body
    await bot.background.drain(5)
    assert intro_count(bot) == 2
    assert len(dms_to(fake_slack, DAVE)) == 2


async def test_the_duplicate_warning_never_tells_the_mentee_of_a_decline(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    """Dave said not right now to Carol's intro of Alice. When Alice then asks to meet Dave
    herself, nothing hints at that intro: no warning, her introduction goes out. Nor is Bob,
    who was never told of it, warned; Carol, who made it, is."""
    add_dave(fake_slack)
    await introduce(slack, fake_slack, bot)
    ask = dms_to(fake_slack, DAVE)[-1]
    await slack.click(find_button(ask, "Not right now"), ask, user_id=DAVE)
    await bot.background.drain(5)

    await slack.command(f"intro <@{ALICE}> <@{DAVE}> {WHY}", user_id=ALICE)
    reply = await slack.view_submission(opened_modal(fake_slack), {}, user_id=ALICE)
    assert not reply.body  # sent, with no warning
    await bot.background.drain(5)
    assert intro_count(bot) == 2
    assert "already introduced" not in str(fake_slack.calls)

    await slack.command(f"intro <@{ALICE}> <@{DAVE}> {WHY}", user_id=BOB)
    reply = await slack.view_submission(opened_modal(fake_slack), {}, user_id=BOB)
    assert not reply.body
    await bot.background.drain(5)
    assert intro_count(bot) == 3
    await slack.command(f"intro <@{ALICE}> <@{DAVE}> {WHY}", user_id=CAROL)
    reply = await slack.view_submission(opened_modal(fake_slack), {}, user_id=CAROL)
    assert "was already introduced to" in block_texts(reply.body["view"])


async def test_an_expert_slack_wont_reach_leaves_no_intro_behind(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_dave(fake_slack)
    fake_slack.fail_next("chat.postMessage", error="channel_not_found")
    await introduce(slack, fake_slack, bot)
    assert intro_count(bot) == 0
    assert "didn't send your introduction" in dms_to(fake_slack, CAROL)[-1].args["text"]
    with sqlite3.connect(bot.settings.db_path) as conn:
        assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0


@pytest.fixture
async def impatient_bot(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Runtime]:
    """A bot that gives up on a Web API call after a second."""
    monkeypatch.setattr(lifecycle, "CALL_SECONDS", 1.0)
    async with running(bot_settings(fake_slack, tmp_path)) as runtime:
        yield runtime


async def test_an_ask_whose_answer_was_lost_keeps_the_intro_and_says_so(
    fake_slack: FakeSlack, impatient_bot: Runtime
) -> None:
    """Slack posts the expert's ask but its answer never comes back: the intro stays, so
    Dave's yes works, and Carol hears that it may not have arrived, not "nobody was told"."""
    bot = impatient_bot
    slack = SlackSender(
        f"http://127.0.0.1:{bot.port}",
        SIGNING_SECRET,
        response_url_base=fake_slack.response_url_base,
        settle=replies_sent,
    )
    add_dave(fake_slack)
    fake_slack.delay("chat.postMessage", 2.0, answer_only=True)
    await introduce(slack, fake_slack, bot)
    await bot.background.drain(15)
    fake_slack.delay("chat.postMessage", 0)
    dave = fake_slack.dm_channel(DAVE)
    assert dave is not None
    [ask] = [dict(m, channel=dave) for m in fake_slack.messages(dave)]
    assert intro_count(bot) == 1
    carol = [str(m.get("text")) for m in fake_slack.messages(fake_slack.dm_channel(CAROL) or "")]
    assert not any("Nobody was told" in text for text in carol)
    assert any("didn't confirm that it arrived" in text for text in carol)

    await slack.click(find_button(ask, "Happy to help"), ask, user_id=DAVE)
    await bot.background.drain(5)
    await deliver_due(bot)
    assert "This isn't yours" not in str(fake_slack.calls_to("response_url"))
    assert rows(bot, "SELECT status FROM intros") == [("accepted",)]
    assert fake_slack.dm_channel(CAROL, ALICE, DAVE) is not None


async def test_introducing_yourself_makes_a_two_person_group_dm(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_dave(fake_slack)
    await introduce(slack, fake_slack, bot, introducer=ALICE)
    ask = dms_to(fake_slack, DAVE)[-1]
    assert f"<@{ALICE}> would like to be introduced to you" in block_texts(ask)
    await slack.click(find_button(ask, "Happy to help"), ask, user_id=DAVE)
    await bot.background.drain(5)
    await deliver_due(bot)
    opened = [c.args["users"] for c in fake_slack.calls_to("conversations.open")]
    assert f"{ALICE},{DAVE}" in opened
    group = fake_slack.dm_channel(ALICE, DAVE)
    assert group is not None
    assert group.startswith("G")
    assert set(fake_slack.members(group)) == {ALICE, DAVE, "U0BOT"}


# -- builders ------------------------------------------------------------------------------


def make_intro(**changes: Any) -> Intro:
    fields: dict[str, Any] = {
        "id": 7,
        "team_id": TEAM_ID,
        "introducer_id": CAROL,
        "mentee_id": ALICE,
        "expert_id": DAVE,
        "why": "<!channel> " + "w" * 990,
        "note": "<@U9|fake> " + "n" * 985,
        "created_at": NOW,
    }
    return Intro.from_row({**fields, **changes})


def make_request() -> Request:
    return Request(
        id=3,
        team_id=TEAM_ID,
        mentee_id=ALICE,
        mentor_id=BOB,
        topic=Topic.PROMOTION,
        details="<!here> " + "d" * 1990,
        source=RequestSource.COMMAND,
        created_at=NOW,
        updated_at=NOW,
    )


def test_messages_are_escaped_and_within_limits() -> None:
    intro, request = make_intro(), make_request()
    messages = [
        build_expert_ask(intro, "Getting promoted"),
        build_expert_nudge(intro, None, 99),
        build_declined_for_introducer(intro),
        build_group_intro(intro, request),
        build_followup(intro),
    ]
    for message in messages:
        assert check_message(message["text"], message["blocks"]) is None
        text = json.dumps(message)
        assert "<!channel>" not in text
        assert "<!here>" not in text
        assert "<@U9|fake>" not in text
    assert "&lt;!channel&gt;" in block_texts(messages[0])


def test_modal_is_within_limits_with_everything_prefilled() -> None:
    prefill = IntroPrefill(
        mentee_id=ALICE,
        expert_id=DAVE,
        why="w" * 5000,
        note="n" * 5000,
        from_request=make_request(),
        expert_tags=tuple(f"tag number {i}" for i in range(20)),
        warned_pair=(ALICE, DAVE),
        warning="already introduced",
    )
    modal = build_intro_modal(prefill)
    assert check_view(modal) is None
    assert read_intro_metadata(modal["private_metadata"]) == (3, (ALICE, DAVE))
    assert "&lt;!here&gt;" in block_texts(modal)
    for garbage in ("", "nope", "[1]", '{"r": "3", "w": ["a"]}', '{"r": true}'):
        assert read_intro_metadata(garbage) == (None, None)
