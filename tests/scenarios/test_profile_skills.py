"""Skills from Slack profiles (issue 24), driven like people would: the admin picks the field
in /mentor settings, /mentor profile starts from it, /mentor find adds people outside the
directory whose field names the topic, and Ask sends them a normal request they may decline."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.clock import SystemClock
from bot.lifecycle import Runtime
from bot.profile_reads import MISSING_SCOPE, read_workspace_skills
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
from storage.models import RequestStatus
from tests.flows import DETAILS, dms_to, opened_modal, stop_failing, stored_requests, the_request

SKILLS = "Xf0SKILLS01"
ASK_ME = "Xf0ASKME001"
BIRTHDAY = "Xf0BIRTHDAY"


def add_fields(fake: FakeSlack) -> None:
    fake.add_profile_field(SKILLS, "Skills", hint="What you know well")
    fake.add_profile_field(ASK_ME, "Ask me about")
    fake.add_profile_field(BIRTHDAY, "Birthday", field_type="date")


async def choose_fields(bot: Runtime, *field_ids: str) -> None:
    """What saving /mentor settings stores (the settings scenarios drive the modal itself)."""
    current = await bot.store.get_workspace_settings(TEAM_ID)
    chosen = replace(current, profile_skill_fields=field_ids)
    await bot.store.save_workspace_settings(chosen, "U0ADMIN", datetime.now(UTC))


async def read_everyone(bot: Runtime, *field_ids: str) -> int:
    """The paced read that follows a save, without the pacing."""
    return await read_workspace_skills(
        bot.client,
        bot.store,
        SystemClock(),
        team_id=TEAM_ID,
        field_ids=field_ids,
        page_pace=0,
        person_pace=0,
    )


def tags_input(modal: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in modal["blocks"] if b.get("block_id") == ids.PROFILE_TAGS_BLOCK)


async def test_the_admin_picks_skill_fields_and_the_workspace_is_read(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_fields(fake_slack)
    fake_slack.add_user("U0ADA", "ada", is_admin=True)
    fake_slack.set_profile_field(ALICE, SKILLS, "Python; public speaking and Negotiation.")
    fake_slack.set_profile_field(BOB, SKILLS, "")  # an empty field
    await slack.command("settings", user_id="U0ADA")
    modal = opened_modal(fake_slack)
    picker = next(
        b for b in modal["blocks"] if b.get("block_id") == ids.SETTINGS_SKILL_FIELDS_BLOCK
    )
    # Text fields only: a date can't list skills.
    labels = [o["text"]["text"] for o in picker["element"]["options"]]
    assert labels == ["Skills", "Ask me about"]
    answer = await slack.view_submission(
        modal, {ids.SETTINGS_SKILL_FIELDS_BLOCK: [SKILLS]}, user_id="U0ADA"
    )
    assert answer.status == 200
    assert not answer.body or "errors" not in str(answer.body)
    assert (await bot.store.get_workspace_settings(TEAM_ID)).profile_skill_fields == (SKILLS,)
    await bot.background.drain(15)
    alice = await bot.store.cached_profile_skills(TEAM_ID, ALICE)
    bob = await bot.store.cached_profile_skills(TEAM_ID, BOB)
    assert alice is not None
    assert alice[0] == ("python", "public speaking", "negotiation")
    assert bob is not None
    assert bob[0] == ()
    # The bot itself is no candidate, and the modal shows the choice next time.
    assert await bot.store.cached_profile_skills(TEAM_ID, "U0BOT") is None
    await slack.command("settings", user_id="U0ADA")
    again = opened_modal(fake_slack)
    picker = next(
        b for b in again["blocks"] if b.get("block_id") == ids.SETTINGS_SKILL_FIELDS_BLOCK
    )
    assert [o["value"] for o in picker["element"]["initial_options"]] == [SKILLS]


async def test_without_the_scope_settings_say_so_and_keep_working(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_fields(fake_slack)
    fake_slack.withheld_scopes.add("users.profile:read")
    fake_slack.add_user("U0ADA", "ada", is_admin=True)
    await choose_fields(bot, SKILLS)
    await slack.command("settings", user_id="U0ADA")
    modal = opened_modal(fake_slack)
    assert "users.profile:read" in block_texts(modal)
    assert MISSING_SCOPE.split(":")[0] in block_texts(modal)
    assert ids.SETTINGS_SKILL_FIELDS_BLOCK not in str(modal)
    # Saving the rest keeps the fields chosen earlier; the read after it stops at the scope.
    answer = await slack.view_submission(modal, {}, user_id="U0ADA")
    assert answer.status == 200
    assert not answer.body or "errors" not in str(answer.body)
    await bot.background.drain(15)
    assert (await bot.store.get_workspace_settings(TEAM_ID)).profile_skill_fields == (SKILLS,)
    refused = fake_slack.calls_to("users.profile.get")
    assert [c.error for c in refused] == ["missing_scope"]
    # /mentor profile still opens, just without a head start.
    await slack.command("profile", user_id=ALICE)
    assert "initial_value" not in tags_input(opened_modal(fake_slack))["element"]


async def test_profile_starts_from_the_slack_field_and_reads_it_once_a_day(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_fields(fake_slack)
    fake_slack.set_profile_field(ALICE, SKILLS, "Python, Public Speaking!")
    fake_slack.set_profile_field(ALICE, ASK_ME, "negotiation; python")
    await choose_fields(bot, SKILLS, ASK_ME)
    await slack.command("profile", user_id=ALICE)
    modal = opened_modal(fake_slack)
    tags = tags_input(modal)
    assert tags["element"]["initial_value"] == "python, public speaking, negotiation"
    assert "from your Slack profile" in tags["hint"]["text"]
    # Saved as she left it: the tags are hers now.
    await slack.view_submission(modal, {}, user_id=ALICE)
    profile = await bot.store.get_profile(TEAM_ID, ALICE)
    assert profile is not None
    assert sorted(profile.tags) == ["negotiation", "public speaking", "python"]
    # Her own tags win from then on, and the field is not read again within the day.
    fake_slack.set_profile_field(ALICE, SKILLS, "cooking")
    await slack.command("profile", user_id=ALICE)
    again = opened_modal(fake_slack)
    assert "cooking" not in str(again)
    assert "from your Slack profile" not in str(again)
    assert len(fake_slack.calls_to("users.profile.get")) == 1


async def test_an_empty_field_or_a_failing_slack_still_opens_the_profile(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_fields(fake_slack)
    await choose_fields(bot, SKILLS)
    await slack.command("profile", user_id=BOB)  # Bob never filled the field in
    tags = tags_input(opened_modal(fake_slack))
    assert "initial_value" not in tags["element"]
    assert "from your Slack profile" not in tags["hint"]["text"]
    cached = await bot.store.cached_profile_skills(TEAM_ID, BOB)
    assert cached is not None
    assert cached[0] == ()
    # Slack failing (500s past the client's retries, then a 429 past the lookup's patience).
    fake_slack.set_profile_field(CAROL, SKILLS, "python")
    fake_slack.fail_next("users.profile.get", status=500, times=3)
    await slack.command("profile", user_id=CAROL)
    assert "initial_value" not in tags_input(opened_modal(fake_slack))["element"]
    assert await bot.store.cached_profile_skills(TEAM_ID, CAROL) is None
    fake_slack.fail_next("users.profile.get", status=429, retry_after=30)
    await slack.command("profile", user_id=CAROL)
    assert opened_modal(fake_slack)["callback_id"] == ids.PROFILE_MODAL
    # Slack answers again: the field is read, and cached. (A fault the lookup gave up before
    # meeting, its backoff being longer than its patience, is cleared first.)
    stop_failing(fake_slack)
    await slack.command("profile", user_id=CAROL)
    assert tags_input(opened_modal(fake_slack))["element"]["initial_value"] == "python"


async def test_find_without_directory_mentors_lists_people_whose_profile_names_it(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_fields(fake_slack)
    fake_slack.set_profile_field(BOB, SKILLS, "Salary negotiation, tips <!here> & tricks")
    fake_slack.set_profile_field(CAROL, SKILLS, "")
    fake_slack.set_profile_field(ALICE, SKILLS, "salary negotiation")  # the asker
    await choose_fields(bot, SKILLS)
    assert await read_everyone(bot, SKILLS) == 3
    reply = await slack.command("find salary negotiation", user_id=ALICE)
    blocks = reply.body["blocks"]
    assert check_message(reply.body.get("text"), blocks) is None
    shown = block_texts(blocks)
    assert "Nobody in the mentor directory" in shown
    assert f"<@{BOB}>" in shown
    assert "not in the mentor directory" in shown
    assert "tips &lt;!here&gt; &amp; tricks" in shown
    assert "<!here>" not in shown
    assert f"<@{CAROL}>" not in shown  # her field is empty
    assert f"<@{ALICE}>" not in shown
    assert button_labels(blocks) == ["Ask"]

    # Ask goes through the normal named request, which Bob can decline.
    ask = find_button(blocks, "Ask")
    await slack.block_action(ids.FIND_ASK, ask["value"], user_id=ALICE)
    modal = opened_modal(fake_slack)
    assert f"'initial_user': '{BOB}'" in str(modal)
    answer = await slack.view_submission(
        modal,
        {"What is it about?": "Career path", "What's on your mind?": DETAILS},
        user_id=ALICE,
    )
    assert not answer.body or "errors" not in str(answer.body)
    await bot.background.drain(5)
    [request] = await stored_requests(bot)
    assert request.mentor_id == BOB
    invite = dms_to(fake_slack, BOB)[-1]
    assert {"Accept", "Decline"} <= set(button_labels(invite))
    await slack.click(find_button(invite, "Decline"), invite, user_id=BOB)
    await slack.view_submission(opened_modal(fake_slack), {}, user_id=BOB)
    await bot.background.drain(5)
    declined = await the_request(bot)
    assert declined.status is RequestStatus.DECLINED


async def test_find_lists_directory_mentors_first_then_profile_matches(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_fields(fake_slack)
    draft = ProfileDraft(team_id=TEAM_ID, user_id=CAROL, tags=("negotiation",))
    await bot.store.save_profile(draft, datetime.now(UTC))
    # Carol is in the directory already: shown once, with her own tags.
    fake_slack.set_profile_field(CAROL, SKILLS, "negotiation")
    fake_slack.set_profile_field(BOB, SKILLS, "negotiations, sales")
    await choose_fields(bot, SKILLS)
    await read_everyone(bot, SKILLS)
    reply = await slack.command("find negotiation", user_id=ALICE)
    shown = block_texts(reply.body["blocks"])
    assert shown.count(f"<@{CAROL}>") == 1
    assert shown.index(f"<@{CAROL}>") < shown.index("Not in the directory")
    assert shown.index("Not in the directory") < shown.index(f"<@{BOB}>")
    assert button_labels(reply.body["blocks"]) == ["Ask", "Ask"]
    # Nobody's field names it: the directory answer alone, as before.
    reply = await slack.command("find python", user_id=ALICE)
    assert "mentor pool" in block_texts(reply.body["blocks"])
    # Fields turned off again: the cache is not searched.
    await choose_fields(bot)
    reply = await slack.command("find negotiation", user_id=ALICE)
    assert f"<@{BOB}>" not in block_texts(reply.body["blocks"])


async def test_a_lasting_slack_failure_ends_the_read_and_keeps_what_was_read(
    fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_fields(fake_slack)
    fake_slack.set_profile_field(ALICE, SKILLS, "python")
    fake_slack.set_profile_field(CAROL, SKILLS, "go")
    await choose_fields(bot, SKILLS)
    # Bob's read fails past the client's retries: the run stops there, Alice's row stays.
    fake_slack.fail_next("users.profile.get", status=500, times=5, user=BOB)
    assert await read_everyone(bot, SKILLS) == 1
    assert await bot.store.skills_outside_directory(TEAM_ID) == [(ALICE, ("python",))]
    # The next run (the next save) reads whoever is missing, not Alice again.
    fake_slack.clear()
    assert await read_everyone(bot, SKILLS) == 2
    asked = [c.args.get("user") for c in fake_slack.calls_to("users.profile.get")]
    assert sorted(asked) == [BOB, CAROL]


async def save_skill_fields(slack: SlackSender, fake: FakeSlack, admin: str) -> None:
    """The admin saves /mentor settings with the Skills field picked."""
    await slack.command("settings", user_id=admin)
    answer = await slack.view_submission(
        opened_modal(fake), {ids.SETTINGS_SKILL_FIELDS_BLOCK: [SKILLS]}, user_id=admin
    )
    assert not answer.body or "errors" not in str(answer.body)


async def found_by(slack: SlackSender, topic: str) -> str:
    reply = await slack.command(f"find {topic}", user_id=ALICE)
    return block_texts(reply.body["blocks"])


async def test_someone_who_forgot_is_not_read_back_in_or_offered(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_fields(fake_slack)
    fake_slack.add_user("U0ADA", "ada", is_admin=True)
    fake_slack.set_profile_field(BOB, SKILLS, "salary negotiation")
    fake_slack.set_profile_field(CAROL, SKILLS, "salary negotiation")
    await save_skill_fields(slack, fake_slack, "U0ADA")
    await bot.background.drain(15)
    shown = await found_by(slack, "salary negotiation")
    assert f"<@{BOB}>" in shown
    assert f"<@{CAROL}>" in shown

    # Bob forgets; Carol only opts out of the ask prompts, which keeps her in find (as the
    # directory keeps an opted-out mentor).
    await slack.command("forget", user_id=BOB)
    await slack.view_submission(opened_modal(fake_slack), user_id=BOB)
    await bot.background.drain(5)
    await slack.command("optout", user_id=CAROL)
    assert await bot.store.cached_profile_skills(TEAM_ID, BOB) is None

    # The next save reads the workspace again (a day later, so everyone is due), not Bob.
    await bot.store.clear_profile_skills(TEAM_ID)
    await save_skill_fields(slack, fake_slack, "U0ADA")
    await bot.background.drain(15)
    assert await bot.store.cached_profile_skills(TEAM_ID, BOB) is None
    assert await bot.store.cached_profile_skills(TEAM_ID, CAROL) is not None
    shown = await found_by(slack, "salary negotiation")
    assert f"<@{BOB}>" not in shown
    assert f"<@{CAROL}>" in shown
    # A read that was already under way when he forgot wrote his row back: find skips it.
    await bot.store.save_profile_skills(TEAM_ID, BOB, ["salary negotiation"], datetime.now(UTC))
    shown = await found_by(slack, "salary negotiation")
    assert f"<@{BOB}>" not in shown
    reply = await slack.command("find salary negotiation", user_id=ALICE)
    assert button_labels(reply.body["blocks"]) == ["Ask"]  # Carol's alone

    # Coming back starts afresh: once the bot deals with him again, he may be read again.
    await slack.command("profile", user_id=BOB)
    assert BOB not in await bot.store.forgotten_users(TEAM_ID)


async def test_saving_settings_again_during_a_read_starts_no_second_one(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    add_fields(fake_slack)
    fake_slack.add_user("U0ADA", "ada", is_admin=True)
    fake_slack.set_profile_field(BOB, SKILLS, "pricing")
    fake_slack.set_profile_field(CAROL, ASK_ME, "hiring")
    await save_skill_fields(slack, fake_slack, "U0ADA")
    await save_skill_fields(slack, fake_slack, "U0ADA")  # while the first read is paced
    await bot.background.drain(15)
    assert len(fake_slack.calls_to("users.list")) == 1
    bob = await bot.store.cached_profile_skills(TEAM_ID, BOB)
    assert bob is not None
    assert bob[0] == ("pricing",)

    # Other fields picked during a read: it stops and starts over with them.
    await bot.store.clear_profile_skills(TEAM_ID)
    await save_skill_fields(slack, fake_slack, "U0ADA")
    await slack.command("settings", user_id="U0ADA")
    answer = await slack.view_submission(
        opened_modal(fake_slack), {ids.SETTINGS_SKILL_FIELDS_BLOCK: [ASK_ME]}, user_id="U0ADA"
    )
    assert not answer.body or "errors" not in str(answer.body)
    await bot.background.drain(20)
    carol = await bot.store.cached_profile_skills(TEAM_ID, CAROL)
    assert carol is not None
    assert carol[0] == ("hiring",)
    bob = await bot.store.cached_profile_skills(TEAM_ID, BOB)
    assert bob is not None
    assert bob[0] == ()  # read with Ask me about, which he left empty
