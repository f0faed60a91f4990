"""Notes end to end: a session is held, notes are logged, the mentee gets the plan (never the
notes), the clock moves to the check-ins, and the answers go back to the mentor."""

from __future__ import annotations

import sqlite3
from datetime import date

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers import ids
from playground.fakeslack import (
    ALICE,
    BOB,
    CAROL,
    FakeSlack,
    SlackSender,
    all_buttons,
    block_texts,
    button_labels,
    find_button,
)
from storage.models import CheckinAnswer, SessionStatus
from tests.conftest import SIGNING_SECRET, deliver_due, replies_sent
from tests.flows import (
    NASTY,
    NASTY_SHOWN,
    NOT_YOURS,
    all_posted,
    booked,
    dm_with,
    dms_to,
    latest_dm,
    log_notes,
    notes_about,
    opened_modal,
    sessions,
    told,
    told_replaced,
)

SECRET = f"She is worried about her manager {NASTY} (private)"


def checkins(bot: Runtime) -> list[tuple[int, str | None, str | None]]:
    """(sequence, asked_at, answer) of every check-in, oldest first."""
    with sqlite3.connect(bot.settings.db_path) as conn:
        return conn.execute(
            "SELECT sequence, asked_at, answer FROM checkins ORDER BY id"
        ).fetchall()


async def test_held_session_notes_plan_checkins_until_all_done(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    session = await booked(slack, fake, bot)
    confirmation = dm_with(fake, BOB, "You're booked")
    clock.advance(days=1)  # the session (Wed 14:00 UTC) has started and ended
    await slack.click(find_button(confirmation, "Log notes"), confirmation, user_id=BOB)
    reply = await log_notes(
        slack,
        fake,
        bot,
        {
            "Private notes": SECRET,
            "Step 1": f"Draft the promo case {NASTY}",
            "Step 1: who": "Them",
            "Step 1: due": date(2026, 3, 20),
            "Step 2": f"Intro to Dana {NASTY}",
            "Step 2: who": "Me",
            "What next?": "checkin_2w",
        },
        user_id=BOB,
    )
    assert not reply.body
    [held] = await sessions(bot)
    assert held.status is SessionStatus.COMPLETED
    assert await bot.store.session_has_notes(held.team_id, session.id)

    plan = latest_dm(fake, ALICE)
    shown = block_texts(plan)
    assert f"<@{BOB}> shared an action plan" in shown
    assert f"Draft the promo case {NASTY_SHOWN}" in shown
    assert "Intro to Dana" in shown
    assert "check in with" in shown
    assert button_labels(plan) == ["Done", "Done"]
    copy = latest_dm(fake, BOB)
    assert "Saved your notes" in block_texts(copy)
    # The private notes went nowhere, and no raw control sequence reached Slack.
    assert "worried" not in all_posted(fake)
    assert NASTY not in all_posted(fake)

    # Alice ticks her step; Bob's is not hers (or Carol's) to tick.
    promo, intro = all_buttons(plan)
    await slack.click(promo, plan, user_id=ALICE)
    assert ":white_check_mark: done" in str(fake.calls_to("response_url")[-1].args)
    await slack.click(intro, plan, user_id=ALICE)
    assert told(fake)[-1] == NOT_YOURS
    await slack.click(intro, plan, user_id=CAROL)
    assert told(fake)[-1] == NOT_YOURS

    # Two weeks on (Tue 24 March, 15:00 UTC, inside Berlin's working hours): the check-in.
    clock.advance(weeks=2)
    await deliver_due(bot)
    ask = dm_with(fake, ALICE, "How is your action plan")
    assert f"Intro to Dana {NASTY_SHOWN}" in block_texts(ask)  # still open, escaped
    assert "Draft the promo case" not in block_texts(ask)  # ticked off above
    assert button_labels(ask)[:3] == ["All done", "Still working on it", "Could use another chat"]
    [(sequence, asked, answer)] = checkins(bot)
    assert (sequence, answer) == (1, None)
    assert asked is not None

    still, all_done = find_button(ask, "Still working on it"), find_button(ask, "All done")
    await slack.click(still, ask, user_id=CAROL)
    assert told(fake)[-1] == NOT_YOURS
    await slack.click(still, ask, user_id=ALICE)
    assert "check in again" in told_replaced(fake)
    assert f"<@{ALICE}> is still working" in block_texts(latest_dm(fake, BOB))
    await slack.click(all_done, ask, user_id=ALICE)
    assert "already answered" in told(fake)[-1]
    assert [(s, a) for s, _, a in checkins(bot)] == [(1, CheckinAnswer.STILL_WORKING), (2, None)]

    clock.advance(weeks=2)
    await deliver_due(bot)
    again = dm_with(fake, ALICE, "How is your action plan")
    assert again is not ask
    await slack.click(find_button(again, "All done"), again, user_id=ALICE)
    assert "all done" in block_texts(latest_dm(fake, BOB))
    assert [a for _, _, a in checkins(bot)] == ["still_working", "all_done"]

    before = len(dms_to(fake, ALICE))
    clock.advance(weeks=5)
    await deliver_due(bot)
    assert len(dms_to(fake, ALICE)) == before
    assert "worried" not in all_posted(fake)


async def test_check_ins_stop_at_the_bound(
    two_checkins_bot: Runtime, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    bot, fake = two_checkins_bot, fake_slack
    slack = SlackSender(
        f"http://127.0.0.1:{bot.port}",
        SIGNING_SECRET,
        response_url_base=fake.response_url_base,
        settle=replies_sent,
    )
    await notes_about(
        slack,
        fake,
        bot,
        {"Step 1": "Read the book", "Step 1: who": "Them", "What next?": "checkin_1w"},
        author=BOB,
        other=ALICE,
    )
    for expected in ("check in again", "last check-in"):
        clock.advance(weeks=1)
        await deliver_due(bot)
        ask = dm_with(fake, ALICE, "How is your action plan")
        await slack.click(find_button(ask, "Still working on it"), ask, user_id=ALICE)
        assert expected in told_replaced(fake)
    assert [s for s, _, _ in checkins(bot)] == [1, 2]
    before = len(dms_to(fake, ALICE))
    clock.advance(weeks=3)
    await deliver_due(bot)
    assert len(dms_to(fake, ALICE)) == before


async def test_another_chat_opens_a_request_to_the_same_mentor(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await notes_about(
        slack,
        fake,
        bot,
        {"Step 1": "Try the new format", "Step 1: who": "Them", "What next?": "checkin_1w"},
        author=BOB,
        other=ALICE,
    )
    clock.advance(weeks=1)
    await deliver_due(bot)
    ask = dm_with(fake, ALICE, "How is your action plan")
    await slack.click(find_button(ask, "Could use another chat"), ask, user_id=ALICE)
    view = opened_modal(fake)
    assert view["callback_id"] == ids.REQUEST_MODAL
    mentor = next(b for b in view["blocks"] if b.get("block_id") == ids.REQUEST_MENTOR_BLOCK)
    assert mentor["element"]["initial_user"] == BOB
    # Only a request sent answers the check-in: the form may yet be closed unsent.
    assert "could use another chat" not in block_texts(latest_dm(fake, BOB))
    assert [a for _, _, a in checkins(bot)] == [None]
    reply = await slack.view_submission(
        view, {"What's on your mind?": "Following up: the new format went badly"}, user_id=ALICE
    )
    assert not reply.body
    await bot.background.drain(5)
    assert [a for _, _, a in checkins(bot)] == ["another_chat"]
    assert any("could use another chat" in block_texts(c) for c in dms_to(fake, BOB))
    with sqlite3.connect(bot.settings.db_path) as conn:
        [(request_id, mentor_id)] = conn.execute(
            "SELECT id, mentor_id FROM requests WHERE status <> 'completed'"
        ).fetchall()
        [(linked,)] = conn.execute("SELECT follow_up_request_id FROM checkins").fetchall()
    assert mentor_id == BOB
    assert linked == request_id


async def test_a_due_step_nudges_its_owner_who_can_snooze_or_finish_it(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    due = date(2026, 3, 12)  # Thursday
    await notes_about(
        slack,
        fake,
        bot,
        {"Step 1": f"Ship it {NASTY}", "Step 1: who": "Them", "Step 1: due": due},
        author=BOB,
        other=ALICE,
    )
    clock.advance(days=1)  # Wednesday: not due yet
    await deliver_due(bot)
    assert not [c for c in dms_to(fake, ALICE) if "is due" in block_texts(c)]
    clock.advance(days=1)  # Thursday 15:00 UTC = 16:00 in Berlin
    await deliver_due(bot)
    nudge = dm_with(fake, ALICE, "is due")
    assert f"Ship it {NASTY_SHOWN}" in block_texts(nudge)
    assert button_labels(nudge) == ["Done", "Snooze a week", "Stop these"]
    snooze = find_button(nudge, "Snooze a week")
    await slack.click(snooze, nudge, user_id=BOB)
    assert told(fake)[-1] == NOT_YOURS
    await slack.click(snooze, nudge, user_id=ALICE)
    assert "remind you" in told_replaced(fake)
    clock.advance(days=6)
    await deliver_due(bot)
    assert len([c for c in dms_to(fake, ALICE) if "was due" in block_texts(c)]) == 0
    clock.advance(days=1, hours=1)
    await deliver_due(bot)
    late = dm_with(fake, ALICE, "was due")
    await slack.click(find_button(late, "Done"), late, user_id=ALICE)
    assert "Done. Nice work" in str(fake.calls_to("response_url")[-1].args)
    [item] = (await bot.store.items_between(late_team(bot), ALICE, BOB, 5))[0]
    assert item.done_at is not None
    assert NASTY not in all_posted(fake)


def late_team(bot: Runtime) -> str:
    with sqlite3.connect(bot.settings.db_path) as conn:
        return str(conn.execute("SELECT team_id FROM action_items").fetchone()[0])


async def test_did_you_meet_yes_opens_the_notes_for_that_session(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime, clock: FrozenClock
) -> None:
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    session = await booked(slack, fake, bot)
    clock.advance(days=1)
    await deliver_due(bot)
    asked = dm_with(fake, BOB, "Did you meet")
    await slack.click(find_button(asked, "Yes"), asked, user_id=BOB)
    view = opened_modal(fake)
    assert view["callback_id"] == ids.NOTES_MODAL
    assert f'"s":{session.id}' in view["private_metadata"]
    reply = await log_notes(slack, fake, bot, {"Private notes": SECRET}, user_id=BOB)
    assert not reply.body
    assert await bot.store.session_has_notes(session.team_id, session.id)
    # One-off with no steps: nothing to share, and nothing private went out.
    assert "shared an action plan" not in block_texts(latest_dm(fake, ALICE))
    assert "worried" not in all_posted(fake)


async def test_notes_about_a_stranger_are_refused(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    """No plan DM, check-ins or 1:1 can be pushed onto someone the author never met."""
    slack, fake = clocked_slack, fake_slack
    listed = await slack.command(f"notes <@{ALICE}>", user_id=CAROL)
    await slack.click(find_button(listed.body, "Log notes"), listed.body, user_id=CAROL)
    assert "can't find a request, session or 1:1 between you two" in told(fake)[-1]
    assert fake.calls_to("views.open") == []


async def test_a_mentees_own_notes_keep_the_roles_of_their_last_request(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    """Alice was Bob's mentee: her notes about Bob still check in with her, not with him."""
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    await notes_about(
        slack, fake, bot, {"What next?": "checkin_1w"}, author=ALICE, other=BOB, mentor=BOB
    )
    with sqlite3.connect(bot.settings.db_path) as conn:
        [(mentor, mentee)] = conn.execute("SELECT mentor_id, mentee_id FROM checkins").fetchall()
    assert (mentor, mentee) == (BOB, ALICE)
