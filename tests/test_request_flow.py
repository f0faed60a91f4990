"""Asking for help end to end: a message, the prompt, the modal, the mentor's DM, the pool."""

from __future__ import annotations

import sqlite3
from typing import Any

from bot.lifecycle import Runtime
from handlers import ids
from storage.models import Request, RequestSource, RequestStatus
from tests.fakeslack import (
    ALICE,
    BOB,
    GENERAL,
    TEAM_ID,
    FakeSlack,
    SlackSender,
    block_texts,
    button_labels,
    find_button,
)

ASK = "<@U2> do you have a few minutes to talk about my promotion case?"
DETAILS = "I'd like your advice on my promotion case before the review cycle."


async def stored_requests(bot: Runtime) -> list[Request]:
    with sqlite3.connect(bot.settings.db_path) as conn:
        rows = conn.execute("SELECT id FROM requests ORDER BY id").fetchall()
    found = [await bot.store.get_request(TEAM_ID, row[0]) for row in rows]
    return [r for r in found if r is not None]


def prompts(fake: FakeSlack) -> list[Any]:
    return [c for c in fake.calls_to("chat.postEphemeral") if "mentoring request" in str(c.args)]


def dms_to(fake: FakeSlack, user_id: str) -> list[Any]:
    channel = fake.dm_channel(user_id)
    return [c for c in fake.calls_to("chat.postMessage") if c.args.get("channel") == channel]


def opened_modal(fake: FakeSlack) -> dict[str, Any]:
    call = fake.calls_to("views.open")[-1]
    assert call.ok, call.response
    return dict(call.response["view"])


async def submit_request(
    slack: SlackSender, fake: FakeSlack, answers: dict[str, Any], user_id: str = ALICE
) -> Any:
    view = opened_modal(fake)
    return await slack.view_submission(view, answers, user_id=user_id)


async def test_a_detected_ask_becomes_a_request_in_the_mentors_dm(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    reply = await slack.message(ASK, user_id=ALICE, channel_id=GENERAL)
    assert reply.status == 200
    [prompt] = prompts(fake_slack)
    assert prompt.args["user"] == ALICE
    assert prompt.args["channel"] == GENERAL
    assert button_labels(prompt) == ["Create request", "Not now", "Don't ask again"]

    await slack.click(find_button(prompt, "Create request"), prompt, user_id=ALICE)
    modal = opened_modal(fake_slack)
    assert modal["callback_id"] == ids.REQUEST_MODAL
    assert "promotion case" in str(modal)  # the message text is prefilled
    assert "U2" in str(modal)  # and so is the person asked

    answer = await submit_request(
        slack,
        fake_slack,
        {"What is it about?": "Getting promoted", "What's on your mind?": DETAILS},
    )
    assert answer.status == 200
    assert answer.body in ("", None) or "errors" not in str(answer.body)
    await bot.background.drain(5)

    [mentor_dm] = dms_to(fake_slack, BOB)
    assert f"<@{ALICE}>" in block_texts(mentor_dm)
    assert button_labels(mentor_dm) == ["Accept", "Suggest someone else", "Decline"]
    [mentee_dm] = dms_to(fake_slack, ALICE)
    assert "Cancel request" in button_labels(mentee_dm)

    [request] = await stored_requests(bot)
    assert request.source is RequestSource.DETECTED
    assert request.status is RequestStatus.OPEN
    assert request.mentor_id == BOB
    assert request.origin_permalink
