"""Ongoing 1:1s: "make it ongoing" in Log notes, monthly ticks over three months, Book time,
Pause, Resume and End, on a frozen clock."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

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
from storage.models import RequestSource, RequestStatus
from tests.conftest import deliver_due
from tests.flows import (
    NASTY,
    NASTY_SHOWN,
    NOT_YOURS,
    all_posted,
    dms_to,
    notes_about,
    open_home,
    opened_modal,
    told,
    told_replaced,
)


def ticks(fake: FakeSlack, user_id: str) -> list[Any]:
    """The 1:1 reminders sent to someone (as sent: a click may have replaced one since)."""
    return [c for c in dms_to(fake, user_id) if "Time for your monthly 1:1" in c.args["text"]]


def relationship_rows(bot: Runtime) -> list[tuple[str, str, str, str | None, str | None]]:
    with sqlite3.connect(bot.settings.db_path) as conn:
        return conn.execute(
            "SELECT mentor_id, mentee_id, cadence, next_at, ended_at FROM relationships"
        ).fetchall()


def pending_ticks(bot: Runtime) -> list[tuple[str, str]]:
    with sqlite3.connect(bot.settings.db_path) as conn:
        return conn.execute(
            "SELECT recipient, due_at FROM outbox WHERE kind = 'relationship.tick' "
            "AND status = 'pending' ORDER BY recipient"
        ).fetchall()


def advance_to(clock: FrozenClock, moment: datetime) -> None:
    clock.advance(seconds=(moment - clock.now()).total_seconds())


async def test_a_monthly_1_1_over_three_months_with_a_pause_and_an_end(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await notes_about(slack, fake, bot, {"What next?": "ongoing_monthly"}, author=BOB, other=ALICE)
    [(mentor, mentee, cadence, next_at, ended)] = relationship_rows(bot)
    assert (mentor, mentee, cadence, ended) == (BOB, ALICE, "monthly", None)
    assert next_at is not None
    assert next_at.startswith("2026-04-10T15:00:00")
    assert "monthly 1:1s" in block_texts(dms_to(fake, ALICE)[-1])
    home = block_texts(await open_home(slack, fake, ALICE))
    assert f"<@{BOB}>" in home
    assert "your mentor" in home

    # Month 1 (Friday 10 April): both are told, and Book time runs the booking flow.
    advance_to(clock, datetime(2026, 4, 10, 15, 0, tzinfo=UTC))
    await deliver_due(bot)
    [to_alice], [to_bob] = ticks(fake, ALICE), ticks(fake, BOB)
    assert f"with <@{BOB}>" in block_texts(to_alice)
    assert f"with <@{ALICE}>" in block_texts(to_bob)
    assert button_labels(to_alice) == ["Book time", "Pause", "End"]
    book = find_button(to_alice, "Book time")
    await slack.click(book, to_alice, user_id=CAROL)
    assert told(fake)[-1] == NOT_YOURS
    await slack.click(book, to_alice, user_id=ALICE)
    assert opened_modal(fake)["callback_id"] == ids.PROPOSE_MODAL
    await slack.click(find_button(to_bob, "Book time"), to_bob, user_id=BOB)
    assert opened_modal(fake)["callback_id"] == ids.OFFER_MODAL
    with sqlite3.connect(bot.settings.db_path) as conn:
        [(request_id,)] = conn.execute(
            "SELECT id FROM requests WHERE status <> 'completed'"
        ).fetchall()
    request = await bot.store.get_request(TEAM_ID, request_id)
    assert request is not None
    assert request.status is RequestStatus.ACCEPTED
    assert request.source is RequestSource.COMMAND
    assert (request.mentor_id, request.mentee_id) == (BOB, ALICE)

    # Month 2 (10 May is a Sunday: the ticks wait for Monday's working hours).
    advance_to(clock, datetime(2026, 5, 10, 15, 0, tzinfo=UTC))
    await deliver_due(bot)
    assert len(ticks(fake, ALICE)) == 1
    advance_to(clock, datetime(2026, 5, 11, 15, 0, tzinfo=UTC))
    await deliver_due(bot)
    assert len(ticks(fake, ALICE)) == 2
    assert len(ticks(fake, BOB)) == 2
    second = ticks(fake, ALICE)[-1]
    await slack.click(find_button(second, "Pause"), second, user_id=ALICE)
    assert "Paused" in told_replaced(fake)
    assert f"<@{ALICE}> paused" in block_texts(dms_to(fake, BOB)[-1])
    assert relationship_rows(bot)[0][3] is None
    assert pending_ticks(bot) == []

    # Month 3: paused, so nothing comes.
    advance_to(clock, datetime(2026, 6, 11, 15, 0, tzinfo=UTC))
    await deliver_due(bot)
    assert len(ticks(fake, ALICE)) == 2

    # Bob resumes from /mentor notes; the next tick is a month from now.
    listed = await slack.command(f"notes <@{ALICE}>", user_id=BOB)
    assert "paused" in block_texts(listed.body)
    await slack.click(find_button(listed.body, "Resume"), listed.body, user_id=BOB)
    assert "Resumed" in told_replaced(fake)
    assert [r for r, _ in pending_ticks(bot)] == [ALICE, BOB]
    advance_to(clock, datetime(2026, 7, 13, 15, 0, tzinfo=UTC))
    await deliver_due(bot)
    assert len(ticks(fake, ALICE)) == 3
    third = ticks(fake, BOB)[-1]

    # Bob ends it with a closing note: history stays, every pending tick is cancelled.
    await slack.click(find_button(third, "End"), third, user_id=CAROL)
    assert told(fake)[-1] == NOT_YOURS
    await slack.click(find_button(third, "End"), third, user_id=BOB)
    view = opened_modal(fake)
    assert view["callback_id"] == ids.RELATIONSHIP_END_MODAL
    note = f"Great run {NASTY}, private"
    reply = await slack.view_submission(view, {"A closing note": note}, user_id=BOB)
    assert not reply.body
    await bot.background.drain(5)
    [(_, _, _, next_at, ended)] = relationship_rows(bot)
    assert next_at is None
    assert ended is not None
    assert pending_ticks(bot) == []
    assert f"<@{BOB}> ended your regular monthly 1:1s" in block_texts(dms_to(fake, ALICE)[-1])
    again = await slack.view_submission(view, {}, user_id=BOB)
    assert "ended" in again.body["errors"][ids.END_NOTE_BLOCK]
    await slack.click(find_button(second, "Resume"), second, user_id=ALICE)
    assert "ended" in told(fake)[-1]

    advance_to(clock, datetime(2026, 9, 14, 15, 0, tzinfo=UTC))
    await deliver_due(bot)
    assert len(ticks(fake, ALICE)) == 3
    assert "Great run" not in all_posted(fake)
    # The closing note is Bob's own, read-only history; Alice never sees it.
    mine = block_texts((await slack.command(f"notes <@{ALICE}>", user_id=BOB)).body)
    assert f"Great run {NASTY_SHOWN}" in mine
    assert "ended" in mine
    theirs = block_texts((await slack.command(f"notes <@{BOB}>", user_id=ALICE)).body)
    assert "Great run" not in theirs
    assert "ended" in theirs
    assert "No ongoing 1:1s" in block_texts(await open_home(slack, fake, ALICE))


async def test_changing_the_cadence_replaces_the_pending_ticks(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await notes_about(slack, fake, bot, {"What next?": "ongoing_monthly"}, author=BOB, other=ALICE)
    await notes_about(slack, fake, bot, {"What next?": "ongoing_weekly"}, author=BOB, other=ALICE)
    [(_, _, cadence, next_at, _)] = relationship_rows(bot)
    assert cadence == "weekly"
    assert next_at is not None
    assert next_at.startswith("2026-03-17T15:00:00")
    assert {due[:10] for _, due in pending_ticks(bot)} == {"2026-03-17"}
    clock.advance(weeks=1)
    await deliver_due(bot)
    assert "Time for your weekly 1:1" in block_texts(dms_to(fake, ALICE)[-1])
