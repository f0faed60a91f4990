"""The mentor directory driven like a person would: profile modal, find, Ask, pause, resume."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

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
    check_message,
    find_button,
)
from storage.directory import ProfileDraft
from tests.flows import opened_modal


async def add_mentor(bot: Runtime, user_id: str, tags: tuple[str, ...], **extra: Any) -> None:
    draft = ProfileDraft(team_id=TEAM_ID, user_id=user_id, tags=tags, **extra)
    await bot.store.save_profile(draft, datetime.now(UTC))


async def test_profile_round_trip(slack: SlackSender, fake_slack: FakeSlack, bot: Runtime) -> None:
    await slack.command("profile", user_id=BOB)
    modal = opened_modal(fake_slack)
    assert modal["callback_id"] == ids.PROFILE_MODAL
    assert "America/New_York" in block_texts(modal)  # Bob's Slack time zone
    answer = await slack.view_submission(
        modal,
        {
            ids.PROFILE_TAGS_BLOCK: "Negotiation,  public speaking, negotiation",
            ids.PROFILE_BIO_BLOCK: "Ten years of <b>sales</b>.",
            ids.PROFILE_CAPACITY_BLOCK: "4",
        },
        user_id=BOB,
    )
    assert answer.status == 200
    assert not answer.body or "errors" not in str(answer.body)
    profile = await bot.store.get_profile(TEAM_ID, BOB)
    assert profile is not None
    assert sorted(profile.tags) == ["negotiation", "public speaking"]
    assert profile.capacity == 4
    assert "/mentor find" in str(fake_slack.calls_to("chat.postMessage")[-1].args)

    await slack.command("profile", user_id=BOB)  # prefilled the second time
    assert "public speaking" in str(opened_modal(fake_slack))


async def test_the_saved_profile_dm_shows_tags_as_text(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await slack.command("profile", user_id=BOB)
    tags = "x` <!here> <https://e.vil|payroll> `y"
    await slack.view_submission(
        opened_modal(fake_slack), {ids.PROFILE_TAGS_BLOCK: tags}, user_id=BOB
    )
    text = str(fake_slack.calls_to("chat.postMessage")[-1].args["text"])
    # No tag closes the code span early, and no ping or disguised link is live.
    assert text.count("`") == 2
    assert "<!here>" not in text
    assert "<https://" not in text
    assert "&lt;!here&gt;" in text


async def test_profile_refuses_bad_input_inline(slack: SlackSender, fake_slack: FakeSlack) -> None:
    await slack.command("profile", user_id=BOB)
    modal = opened_modal(fake_slack)
    too_many = ", ".join(f"tag{n}" for n in range(21))
    answer = await slack.view_submission(modal, {ids.PROFILE_TAGS_BLOCK: too_many}, user_id=BOB)
    assert ids.PROFILE_TAGS_BLOCK in answer.body["errors"]

    answer = await slack.view_submission(
        modal, {ids.PROFILE_START_BLOCK: "17:00", ids.PROFILE_END_BLOCK: "09:00"}, user_id=BOB
    )
    assert ids.PROFILE_END_BLOCK in answer.body["errors"]

    state = {
        ids.PROFILE_CAPACITY_BLOCK: {
            ids.PROFILE_CAPACITY_ACTION: {"type": "number_input", "value": "50"}
        },
        ids.PROFILE_START_BLOCK: {
            ids.PROFILE_START_ACTION: {"type": "timepicker", "selected_time": "09:00"}
        },
        ids.PROFILE_END_BLOCK: {
            ids.PROFILE_END_ACTION: {"type": "timepicker", "selected_time": "18:00"}
        },
    }
    answer = await slack.view_submission(modal, state=state, user_id=BOB)
    assert ids.PROFILE_CAPACITY_BLOCK in answer.body["errors"]


async def test_find_ranks_mentors_and_ask_opens_the_request(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await add_mentor(bot, BOB, ("negotiations",), bio="I <3 deals")
    await add_mentor(bot, CAROL, ("negotiation", "python"))
    await add_mentor(bot, ALICE, ("negotiation",))  # the asker: never suggested
    reply = await slack.command("find negotiation", user_id=ALICE)
    shown = block_texts(reply.body["blocks"])
    assert shown.index(f"<@{CAROL}>") < shown.index(f"<@{BOB}>")  # exact before near
    assert f"<@{ALICE}>" not in shown
    assert "I &lt;3 deals" in shown
    assert button_labels(reply.body["blocks"]) == ["Ask", "Ask"]

    first_ask = next(b["accessory"] for b in reply.body["blocks"] if "accessory" in b)
    assert first_ask["value"] == CAROL
    await slack.block_action(ids.FIND_ASK, first_ask["value"], user_id=ALICE)
    modal = opened_modal(fake_slack)
    assert modal["callback_id"] == ids.REQUEST_MODAL
    assert f"'initial_user': '{CAROL}'" in str(modal)


async def test_find_with_nobody_suggests_the_pool(slack: SlackSender) -> None:
    reply = await slack.command("find underwater basket weaving", user_id=ALICE)
    assert "mentor pool" in block_texts(reply.body["blocks"])
    reply = await slack.command("find", user_id=ALICE)
    assert "needs a topic" in block_texts(reply.body["blocks"])


async def test_pause_and_resume(slack: SlackSender, bot: Runtime) -> None:
    assert "not in the mentor directory" in str((await slack.command("pause", user_id=BOB)).body)
    await add_mentor(bot, BOB, ("negotiation",))
    assert "Paused for 3 days" in str((await slack.command("pause 3", user_id=BOB)).body)
    reply = await slack.command("find negotiation", user_id=ALICE)
    assert "paused" in block_texts(reply.body["blocks"])
    assert "in matching again" in str((await slack.command("resume", user_id=BOB)).body)
    profile = await bot.store.get_profile(TEAM_ID, BOB)
    assert profile is not None
    assert profile.paused_until is None
    assert "1 to 365" in str((await slack.command("pause lots", user_id=BOB)).body)


async def ask_via_modal(slack: SlackSender, fake: FakeSlack, text: str, mentor: str = "") -> Any:
    await slack.command(f"ask {mentor}".strip(), user_id=ALICE)
    return await slack.view_submission(
        opened_modal(fake),
        {"What is it about?": "Skills and expertise", "What's on your mind?": text},
        user_id=ALICE,
    )


async def test_a_paused_or_full_mentor_is_refused_with_alternatives(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await add_mentor(bot, BOB, ("negotiation",), capacity=1)
    await add_mentor(bot, CAROL, ("negotiation",))
    await slack.command("pause", user_id=BOB)
    answer = await ask_via_modal(
        slack, fake_slack, "help me prepare a salary negotiation", mentor=f"<@{BOB}>"
    )
    error = answer.body["errors"][ids.REQUEST_MENTOR_BLOCK]
    assert "paused" in error.lower()
    assert f"<@{CAROL}>" in error


async def test_pool_thread_names_matched_mentors(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    workspace = await bot.store.get_workspace_settings(TEAM_ID)
    await bot.store.save_workspace_settings(
        replace(workspace, pool_channel_id="C0POOL"), "U0ADMIN", datetime.now(UTC)
    )
    await add_mentor(bot, BOB, ("negotiation",))
    await add_mentor(bot, CAROL, ("kubernetes",))
    await ask_via_modal(slack, fake_slack, "help me prepare a salary negotiation please")
    await bot.background.drain(5)
    threads = [c for c in fake_slack.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert len(threads) == 1
    assert f"<@{BOB}>" in threads[0].args["text"]
    assert f"<@{CAROL}>" not in threads[0].args["text"]


async def test_without_a_pool_the_top_mentors_are_invited_by_dm(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await add_mentor(bot, BOB, ("negotiation",))
    await ask_via_modal(slack, fake_slack, "help me prepare a salary negotiation please")
    await bot.background.drain(5)
    invite = [
        c
        for c in fake_slack.calls_to("chat.postMessage")
        if c.args["channel"] == fake_slack.dm_channel(BOB)
    ][-1]
    await slack.click(find_button(invite, "I can help"), invite, user_id=BOB)
    request = (await bot.store.list_candidates(TEAM_ID))[0]
    assert request[1] == 1  # Bob now has one active mentee


async def test_tags_others_use_can_be_picked(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await add_mentor(bot, BOB, ("negotiation", "public speaking"))
    await slack.command("profile", user_id=CAROL)
    modal = opened_modal(fake_slack)
    await slack.view_submission(
        modal,
        {ids.PROFILE_PICK_BLOCK: ["negotiation"], ids.PROFILE_TAGS_BLOCK: "Python"},
        user_id=CAROL,
    )
    profile = await bot.store.get_profile(TEAM_ID, CAROL)
    assert profile is not None
    assert sorted(profile.tags) == ["negotiation", "python"]
    await slack.command("profile", user_id=CAROL)
    again = opened_modal(fake_slack)
    pick = next(b for b in again["blocks"] if b.get("block_id") == ids.PROFILE_PICK_BLOCK)
    assert [o["value"] for o in pick["element"]["initial_options"]] == ["negotiation", "python"]


async def test_the_mentee_hears_where_a_poolless_request_went(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    await add_mentor(bot, BOB, ("negotiation",))
    await ask_via_modal(slack, fake_slack, "help me prepare a salary negotiation please")
    await bot.background.drain(5)
    mentee = [
        c
        for c in fake_slack.calls_to("chat.postMessage")
        if c.args["channel"] == fake_slack.dm_channel(ALICE)
    ][-1]
    assert "a few mentors who could help" in block_texts(mentee)


async def test_find_results_stay_inside_slacks_limits_when_escaping_grows_the_text(
    slack: SlackSender, bot: Runtime
) -> None:
    # "<" escapes to "&lt;": 20 long tags and a 300-character bio of them would make a
    # 4,000-character section, and Slack would refuse the whole answer.
    tags = ("leadership", *(f"{i:02d}" + "<" * 38 for i in range(19)))
    await add_mentor(bot, BOB, tags, bio="<" * 300)
    reply = await slack.command("find leadership", user_id=ALICE)

    assert check_message(reply.body.get("text"), reply.body.get("blocks")) is None
    texts = block_texts(reply.body)
    assert f"<@{BOB}>" in texts
    assert "&lt;&lt;" in texts  # shown escaped, cut at an entity boundary
    assert not any(cut in texts for cut in ("&…", "&l…", "&lt…"))
