"""Workflow Builder steps end to end: the fake starts an execution, sends `function_executed`
(signed, over HTTP, with the execution's own bot token) and records how the bot finished it.

Outputs are checked against the output parameters manifest.yml declares, as Slack checks them.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers import ids
from playground.fakeslack import (
    ALICE,
    BOB,
    BOT_USER_ID,
    CAROL,
    TEAM_ID,
    FakeSlack,
    FunctionRun,
    SlackSender,
    block_texts,
    button_labels,
    find_button,
)
from storage.directory import ProfileDraft
from storage.intros import NewIntro
from storage.models import IntroStatus, RequestSource, RequestStatus, Topic, Urgency
from storage.requests import NewRequest
from tests.conftest import deliver_due, deliver_soon
from tests.flows import (
    DAVE,
    DETAILS,
    POOL,
    WHY,
    add_dave,
    dms_to,
    group_posts,
    introduce,
    outbox,
    rows,
    set_pool,
    stored_requests,
)
from tests.flows import ask as flows_ask

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def _outputs_declared(callback_id: str) -> dict[str, dict[str, Any]]:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return dict(manifest["functions"][callback_id]["output_parameters"])


def start(fake: FakeSlack, callback_id: str, **inputs: Any) -> FunctionRun:
    return fake.start_function(
        callback_id, inputs, output_parameters=_outputs_declared(callback_id)
    )


async def run_step(
    slack: SlackSender, bot: Runtime, run: FunctionRun, within: float = 5, **opts: Any
) -> None:
    reply = await slack.function_executed(run, **opts)
    assert reply.status == 200
    await bot.background.drain(within)


def ask_inputs(**changes: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "mentee_id": ALICE,
        "topic": "Career path",
        "details": DETAILS,
        "mentor_id": BOB,
        "urgency": "No rush",
    }
    inputs.update(changes)
    return {key: value for key, value in inputs.items() if value is not None}


def completions(fake: FakeSlack, method: str) -> list[Any]:
    return fake.calls_to(f"functions.{method}")


# -- Request mentoring -----------------------------------------------------------------------


async def test_request_step_creates_delivers_and_completes_with_outputs(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    run = start(fake, ids.STEP_REQUEST_MENTORING, **ask_inputs())
    await run_step(slack, bot, run)

    [request] = await stored_requests(bot)
    assert (request.mentee_id, request.mentor_id) == (ALICE, BOB)
    assert (request.topic, request.urgency) == (Topic.CAREER_PATH, Urgency.NO_RUSH)
    assert request.details == DETAILS
    assert request.duration_minutes == 30
    assert request.source is RequestSource.COMMAND
    assert run.state == "completed", run.error
    assert run.outputs == {"request_id": request.id, "status": "open"}
    # The step finished with the execution's own token, as Bolt's function token middleware does.
    [done] = completions(fake, "completeSuccess")
    assert done.token == run.token
    assert done.ok

    # Delivered exactly as the modal's request: the mentor's ask, the mentee's confirmation.
    ask = dms_to(fake, BOB)[-1]
    assert button_labels(ask) == ["Accept", "Suggest someone else", "Decline"]
    assert f"<@{ALICE}>" in block_texts(ask)
    assert "Cancel request" in button_labels(dms_to(fake, ALICE)[-1])
    # And the same nudges are planned.
    kinds = [row[0] for row in outbox(bot, "request.")]
    assert "request.nudge" in kinds
    # /mentor stats and the digest count it as the workflow's, not as a /mentor ask.
    made = request.created_at
    stats = await bot.store.window_stats(TEAM_ID, made, made + timedelta(seconds=1), 1)
    assert (stats.requests, stats.by_workflow) == (1, 1)
    assert set(stats.by_source.values()) == {0}


async def test_request_step_to_the_pool_when_no_mentor_is_named(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await set_pool(bot)
    run = start(fake, ids.STEP_REQUEST_MENTORING, **ask_inputs(mentor_id=None, urgency=None))
    await run_step(slack, bot, run)

    [request] = await stored_requests(bot)
    assert request.mentor_id is None
    assert request.urgency is Urgency.THIS_WEEK  # the modal's default
    assert run.outputs == {"request_id": request.id, "status": "open"}
    posts = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == POOL]
    assert "I can help" in button_labels(posts[0])


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"mentee_id": None}, "the Mentee input is empty"),
        ({"mentee_id": BOT_USER_ID}, "is a bot"),
        ({"topic": "Gardening"}, "the Topic must be one of: Getting promoted"),
        ({"details": "help"}, "at least 10 characters"),
        ({"urgency": "yesterday"}, "the Urgency must be one of"),
        ({"mentor_id": ALICE}, "You can't send a request to yourself"),
        ({"mentor_id": BOT_USER_ID}, "is a bot, so they can't mentor you"),
        ({"mentor_id": "not a user"}, "the Mentor input isn't a person"),
        ({"mentor_id": None}, "There's no mentor pool in this workspace yet"),
    ],
)
async def test_request_step_fails_with_a_readable_error_and_creates_nothing(
    clocked_slack: SlackSender,
    fake_slack: FakeSlack,
    clocked_bot: Runtime,
    changes: dict[str, Any],
    said: str,
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    run = start(fake, ids.STEP_REQUEST_MENTORING, **ask_inputs(**changes))
    await run_step(slack, bot, run)

    assert run.state == "failed"
    assert run.error is not None
    assert said in run.error
    assert run.error.startswith("mentorbot didn't create the request: ")
    assert "Traceback" not in run.error
    [failed] = completions(fake, "completeError")
    assert failed.args["error"] == run.error
    assert completions(fake, "completeSuccess") == []
    assert await stored_requests(bot) == []
    assert fake.calls_to("chat.postMessage") == []


async def test_a_paused_mentor_fails_the_step_and_names_alternatives(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    for mentor in (BOB, CAROL):
        profile = ProfileDraft(team_id=TEAM_ID, user_id=mentor, tags=("career",))
        await bot.store.save_profile(profile, clock.now())
    await bot.store.set_paused_until(TEAM_ID, BOB, clock.now() + timedelta(days=7), clock.now())
    run = start(fake, ids.STEP_REQUEST_MENTORING, **ask_inputs())
    await run_step(slack, bot, run)

    assert run.state == "failed"
    assert run.error is not None
    assert "has paused mentoring" in run.error
    assert f"You could ask <@{CAROL}>." in run.error
    assert await stored_requests(bot) == []


async def test_a_retried_event_creates_one_request_and_completes_the_same_way(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    run = start(fake, ids.STEP_REQUEST_MENTORING, **ask_inputs())
    await run_step(slack, bot, run, event_id="EvSTEP1")
    await run_step(slack, bot, run, event_id="EvSTEP1", retry_num=1)
    await run_step(slack, bot, run, event_id="EvSTEP2")  # delivered anew, same execution

    [request] = await stored_requests(bot)
    assert len(dms_to(fake, BOB)) == 1
    calls = completions(fake, "completeSuccess")
    assert [c.args["outputs"] for c in calls] == [{"request_id": request.id, "status": "open"}] * 3
    # Slack keeps the first completion; the repeats are told the step already finished.
    assert [c.error for c in calls] == [None, *["execution_not_in_running_state"] * 2]
    assert run.outputs == {"request_id": request.id, "status": "open"}
    assert rows(bot, "SELECT count(*) FROM workflow_runs") == [(1,)]


async def test_two_deliveries_at_once_create_one_request(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    run = start(fake, ids.STEP_REQUEST_MENTORING, **ask_inputs())
    await asyncio.gather(slack.function_executed(run), slack.function_executed(run, retry_num=1))
    await bot.background.drain(5)

    [request] = await stored_requests(bot)
    assert len(dms_to(fake, BOB)) == 1
    assert run.outputs == {"request_id": request.id, "status": "open"}


async def test_a_failed_step_repeats_its_error_on_a_retry(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    run = start(fake, ids.STEP_REQUEST_MENTORING, **ask_inputs(mentor_id=None))
    await run_step(slack, bot, run)
    await set_pool(bot)  # fixed since, but this execution already failed
    await run_step(slack, bot, run, retry_num=1)

    errors = [c.args["error"] for c in completions(fake, "completeError")]
    assert len(errors) == 2
    assert errors[0] == errors[1]
    assert await stored_requests(bot) == []


# -- Introduce ---------------------------------------------------------------------------------


def intro_inputs(**changes: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "mentee_id": ALICE,
        "expert_id": DAVE,
        "why": WHY,
        "introduced_by": CAROL,
    }
    inputs.update(changes)
    return {key: value for key, value in inputs.items() if value is not None}


def intro_ids(bot: Runtime) -> list[int]:
    return [row[0] for row in rows(bot, "SELECT id FROM intros ORDER BY id")]


async def test_introduce_step_asks_the_expert_completes_then_the_opt_in_runs_as_usual(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    run = start(fake, ids.STEP_INTRODUCE, **intro_inputs())
    await run_step(slack, bot, run)

    [intro_id] = intro_ids(bot)
    # Completed once the expert was asked, before anyone answered.
    assert run.state == "completed", run.error
    assert run.outputs == {"intro_id": intro_id, "status": "pending"}
    ask = dms_to(fake, DAVE)[-1]
    said = block_texts(ask)
    assert (
        f"A Workflow Builder workflow, on behalf of <@{CAROL}>, would like to introduce you to "
        f"<@{ALICE}> because:" in said
    )
    assert "Sent by a Workflow Builder workflow" in said
    assert f"<@{CAROL}> would like to introduce" not in said
    assert button_labels(ask) == ["Happy to help", "Not right now"]
    assert dms_to(fake, ALICE) == []  # the mentee hears nothing until the expert agrees

    await slack.click(find_button(ask, "Happy to help"), ask, user_id=DAVE)
    await bot.background.drain(5)
    await deliver_due(bot)
    intro = await bot.store.get_intro(TEAM_ID, intro_id)
    assert intro is not None
    assert intro.status is IntroStatus.ACCEPTED
    assert group_posts(fake)
    assert len(completions(fake, "completeSuccess")) == 1


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"expert_id": None}, "the Who they should meet input is empty"),
        ({"introduced_by": None}, "the Introduced by input is empty"),
        ({"expert_id": ALICE}, "That's the same person twice"),
        ({"expert_id": CAROL}, "Introduced by and Who they should meet are the same person"),
        ({"expert_id": BOT_USER_ID}, "is a bot"),
        ({"why": "because"}, "at least 10 characters"),
    ],
)
async def test_introduce_step_fails_with_a_readable_error_and_sends_nothing(
    clocked_slack: SlackSender,
    fake_slack: FakeSlack,
    clocked_bot: Runtime,
    changes: dict[str, Any],
    said: str,
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    run = start(fake, ids.STEP_INTRODUCE, **intro_inputs(**changes))
    await run_step(slack, bot, run)

    assert run.state == "failed"
    assert run.error is not None
    assert said in run.error
    assert run.error.startswith("mentorbot didn't make the introduction: ")
    assert intro_ids(bot) == []
    assert fake.calls_to("chat.postMessage") == []


async def test_introduce_step_refuses_a_recent_duplicate(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    first = start(fake, ids.STEP_INTRODUCE, **intro_inputs())
    await run_step(slack, bot, first)
    again = start(fake, ids.STEP_INTRODUCE, **intro_inputs())  # the same introducer
    await run_step(slack, bot, again)

    assert first.state == "completed"
    assert again.state == "failed"
    assert again.error is not None
    assert "already introduced on 2026-03-10" in again.error
    assert len(intro_ids(bot)) == 1
    assert len(dms_to(fake, DAVE)) == 1


async def test_introduce_step_fails_when_slack_refuses_the_experts_dm(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    fake.fail_next("conversations.open", error="user_disabled", user=DAVE)
    run = start(fake, ids.STEP_INTRODUCE, **intro_inputs())
    await run_step(slack, bot, run)

    assert run.state == "failed"
    assert run.error is not None
    assert "wouldn't let me message" in run.error
    assert intro_ids(bot) == []  # dropped, as with the modal; the introducer was told
    assert "didn't send your introduction" in dms_to(fake, CAROL)[-1].args["text"]


async def test_a_retried_introduce_event_makes_one_intro(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    run = start(fake, ids.STEP_INTRODUCE, **intro_inputs())
    await run_step(slack, bot, run)
    await run_step(slack, bot, run, retry_num=1)

    [intro_id] = intro_ids(bot)
    assert len(dms_to(fake, DAVE)) == 1
    outputs = [c.args["outputs"] for c in completions(fake, "completeSuccess")]
    assert outputs == [{"intro_id": intro_id, "status": "pending"}] * 2
    assert run.outputs == {"intro_id": intro_id, "status": "pending"}


async def test_a_request_step_stays_in_its_own_workspace(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    run = start(fake, ids.STEP_REQUEST_MENTORING, **ask_inputs())
    await run_step(slack, bot, run)
    [request] = await stored_requests(bot)
    assert await bot.store.get_workflow_run("T0OTHER", run.execution_id) is None
    stored = await bot.store.get_workflow_run(TEAM_ID, run.execution_id)
    assert stored is not None
    assert stored.subject_id == request.id
    assert stored.step == ids.STEP_REQUEST_MENTORING
    assert request.status is RequestStatus.OPEN


# -- Whose words: every message a step causes says a workflow sent it ------------------------

WORKFLOW_SENT = f"Sent by a Workflow Builder workflow for <@{ALICE}>"


@pytest.mark.parametrize("mentor", [BOB, None])
async def test_a_steps_request_says_a_workflow_sent_it_to_mentor_pool_and_mentee(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, mentor: str | None
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await set_pool(bot)
    run = start(fake, ids.STEP_REQUEST_MENTORING, **ask_inputs(mentor_id=mentor))
    await run_step(slack, bot, run)

    [request] = await stored_requests(bot)
    assert request.via_workflow
    assert not request.anonymous
    if mentor:
        ask = dms_to(fake, BOB)[-1]
        assert "A Workflow Builder workflow asks for some of your time" in ask.args["text"]
        assert f"<@{ALICE}> would like some of your time" not in block_texts(ask)
    else:
        ask = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == POOL][-1]
        assert "A Workflow Builder workflow is looking for someone" in ask.args["text"]
    assert WORKFLOW_SENT in block_texts(ask)
    assert "the details were filled in by the workflow" in block_texts(ask)
    mine = dms_to(fake, ALICE)[-1]
    assert "A Workflow Builder workflow asked for mentoring on your behalf" in mine.args["text"]
    assert "If you don't need it, Cancel request." in block_texts(mine)
    assert "Cancel request" in button_labels(mine)


async def test_the_rewritten_message_still_says_a_workflow_sent_it(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    run = start(fake, ids.STEP_REQUEST_MENTORING, **ask_inputs())
    await run_step(slack, bot, run)
    ask = dms_to(fake, BOB)[-1]
    await slack.click(find_button(ask, "Accept"), ask, user_id=BOB)
    await bot.background.drain(5)

    rewritten = [c for c in fake.calls_to("chat.update") if c.args["ts"] == ask.response["ts"]]
    assert rewritten
    assert WORKFLOW_SENT in block_texts(rewritten[-1])


@pytest.mark.parametrize("mentor", [BOB, None])
async def test_a_request_from_the_modal_says_nothing_about_workflows(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, mentor: str | None
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await set_pool(bot)
    ask = await flows_ask(slack, fake, bot, mentor)

    [request] = await stored_requests(bot)
    assert not request.via_workflow
    assert "Workflow Builder" not in block_texts(ask)
    assert "Workflow Builder" not in block_texts(dms_to(fake, ALICE)[-1])
    if mentor:
        assert f"<@{ALICE}> would like some of your time" in block_texts(ask)


async def test_an_intro_from_a_step_says_a_workflow_named_the_introducer_throughout(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    run = start(fake, ids.STEP_INTRODUCE, **intro_inputs())
    await run_step(slack, bot, run)

    [intro_id] = intro_ids(bot)
    intro = await bot.store.get_intro(TEAM_ID, intro_id)
    assert intro is not None
    assert intro.via_workflow
    ask = dms_to(fake, DAVE)[-1]
    assert ask.args["text"].startswith(f"A Workflow Builder workflow, on behalf of <@{CAROL}>")
    assert "A Workflow Builder workflow named you" in dms_to(fake, CAROL)[-1].args["text"]

    await slack.click(find_button(ask, "Happy to help"), ask, user_id=DAVE)
    await bot.background.drain(5)
    await deliver_soon(bot)
    answered = [c for c in fake.calls_to("chat.update") if c.args["ts"] == ask.response["ts"]]
    assert "A Workflow Builder workflow, on behalf of" in block_texts(answered[-1])
    [group] = group_posts(fake)
    assert f"A Workflow Builder workflow, on behalf of <@{CAROL}>," in block_texts(group)
    assert f"<@{CAROL}> thought you two should talk" not in block_texts(group)


async def test_an_intro_from_the_modal_says_nothing_about_workflows(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    await introduce(slack, fake, bot)

    ask = dms_to(fake, DAVE)[-1]
    assert f"<@{CAROL}> would like to introduce you to <@{ALICE}> because:" in block_texts(ask)
    assert "Workflow Builder" not in block_texts(ask)


# -- A step that stored its subject always finishes --------------------------------------------


async def test_a_delivery_slack_never_answers_completes_the_step_and_retries_from_the_outbox(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    fake.cut("chat.postMessage", 20)  # more than the client's own retries
    run = start(fake, ids.STEP_REQUEST_MENTORING, **ask_inputs())
    await run_step(slack, bot, run, within=30)  # the client retries with backoff first

    [request] = await stored_requests(bot)
    assert run.state == "completed", run.error
    assert run.outputs == {"request_id": request.id, "status": "open"}
    stored = await bot.store.get_workflow_run(TEAM_ID, run.execution_id)
    assert stored is not None
    assert stored.outcome is not None
    assert stored.outcome.outputs == run.outputs
    assert request.mentor_dm_ts is None
    assert "request.deliver" in [row[0] for row in outbox(bot, "request.")]

    fake.cut("chat.postMessage", 0)  # Slack answers again
    clock.advance(minutes=2)
    await deliver_due(bot)
    [delivered] = await stored_requests(bot)
    assert delivered.mentor_dm_ts is not None
    ask = [c for c in dms_to(fake, BOB) if c.response and c.response.get("ok")][-1]
    assert button_labels(ask) == ["Accept", "Suggest someone else", "Decline"]
    assert WORKFLOW_SENT in block_texts(ask)
    # A retried event repeats the outcome; nothing is made twice.
    await run_step(slack, bot, run, retry_num=1)
    assert [c.args["outputs"] for c in completions(fake, "completeSuccess")] == [run.outputs] * 2
    assert len(await stored_requests(bot)) == 1


async def test_a_retry_finishes_a_run_that_died_after_storing_its_request(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    run = start(fake, ids.STEP_REQUEST_MENTORING, **ask_inputs())
    # The first run stored its request and run row, then its process died.
    draft = NewRequest(
        team_id=TEAM_ID,
        mentee_id=ALICE,
        mentor_id=BOB,
        topic=Topic.CAREER_PATH,
        details=DETAILS,
        source=RequestSource.COMMAND,
        via_workflow=True,
    )
    step = ids.STEP_REQUEST_MENTORING
    made = await bot.store.create_request_for_run(draft, clock.now(), run.execution_id, step)
    assert made is not None

    clock.advance(seconds=30)
    await run_step(slack, bot, run, retry_num=1)  # within the grace: taken to be running
    assert run.state == "running"
    assert completions(fake, "completeSuccess") == []

    clock.advance(seconds=31)
    await run_step(slack, bot, run, retry_num=2)
    assert run.state == "completed", run.error
    assert run.outputs == {"request_id": made.id, "status": "open"}
    assert [r.id for r in await stored_requests(bot)] == [made.id]
    told_mentee = dms_to(fake, ALICE)[-1]
    assert "Cancel request" in button_labels(told_mentee)
    assert "I'll keep trying in the background" in block_texts(told_mentee)
    kinds = [row[0] for row in outbox(bot, "request.")]
    assert "request.nudge" in kinds
    assert "request.deliver" in kinds

    clock.advance(minutes=2)
    await deliver_due(bot)
    [ask] = dms_to(fake, BOB)
    assert WORKFLOW_SENT in block_texts(ask)
    await run_step(slack, bot, run, retry_num=3)  # finished now: the same outputs again
    calls = completions(fake, "completeSuccess")
    assert [c.args["outputs"] for c in calls] == [run.outputs] * 2
    assert len(dms_to(fake, BOB)) == 1


async def test_a_retry_finishes_an_intro_whose_run_died_before_asking(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    run = start(fake, ids.STEP_INTRODUCE, **intro_inputs())
    draft = NewIntro(
        team_id=TEAM_ID,
        introducer_id=CAROL,
        mentee_id=ALICE,
        expert_id=DAVE,
        why=WHY,
        via_workflow=True,
    )
    made = await bot.store.create_intro_for_run(
        draft, clock.now(), run.execution_id, ids.STEP_INTRODUCE
    )
    assert made is not None

    clock.advance(seconds=61)
    await run_step(slack, bot, run, retry_num=1)
    assert run.state == "completed", run.error
    assert run.outputs == {"intro_id": made.id, "status": "pending"}
    [ask] = dms_to(fake, DAVE)
    assert button_labels(ask) == ["Happy to help", "Not right now"]
    assert intro_ids(bot) == [made.id]


async def test_an_experts_dm_slack_never_answers_counts_as_asked(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    """No answer to the ask's post: it may be in Dave's DM, so the intro is kept (its buttons
    must work) and the step completes, once; Carol hears it may not have arrived."""
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    add_dave(fake)
    fake.cut("chat.postMessage", 20)
    run = start(fake, ids.STEP_INTRODUCE, **intro_inputs())
    await run_step(slack, bot, run, within=30)

    assert run.state == "completed", run.error
    [intro_id] = intro_ids(bot)
    assert run.outputs == {"intro_id": intro_id, "status": "pending"}
    await run_step(slack, bot, run, retry_num=1)
    assert len(completions(fake, "completeSuccess")) == 2
    assert intro_ids(bot) == [intro_id]
