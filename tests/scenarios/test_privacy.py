"""`/mentor export` and `/mentor forget`: your own data only, and what others hold anonymized."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.lifecycle import Runtime
from handlers import ids
from handlers.blocks.privacy import build_export_messages
from playground.fakeslack import (
    ALICE,
    BOB,
    CAROL,
    TEAM_ID,
    FakeSlack,
    SlackSender,
    block_texts,
    check_message,
)
from storage.forget import REMOVED
from storage.models import SessionStatus
from storage.timefmt import format_time
from tests.flows import booked, home_of, latest_dm, open_home, sessions

# Text only its author may ever see, and text Alice wrote herself.
BOB_NOTE = "Bob's private note: Alice seems stuck"
BOB_REASON = "Bob's private decline reason"
CAROL_WHY = "Carol's intro reason, declined"
ALICE_NOTE = "Alice's own note about Carol"
ALICE_DETAILS = "Alice asks about <!channel> promotions"
SHARED_ITEM = "Draft the promotion case"


def seed(db: Path) -> None:
    """Alice asked Bob twice (one declined privately, one met); Bob noted; Alice mentors Carol."""
    now = datetime.now(UTC)
    stamp = format_time(now)
    past = format_time(now - timedelta(days=3))
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO people (team_id, user_id, first_seen_at, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [(TEAM_ID, user, stamp, stamp) for user in (ALICE, BOB, CAROL)],
        )
        requests = [
            (1, "declined", BOB_REASON, None),
            (2, "completed", None, stamp),
        ]
        for request_id, status, reason, accepted in requests:
            conn.execute(
                "INSERT INTO requests (id, team_id, mentee_id, mentor_id, topic, details, source, "
                "status, decline_reason, accepted_at, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, 'promotion', ?, 'command', ?, ?, ?, ?, ?)",
                (
                    request_id,
                    TEAM_ID,
                    ALICE,
                    BOB,
                    ALICE_DETAILS,
                    status,
                    reason,
                    accepted,
                    past,
                    past,
                ),
            )
        conn.execute(
            "INSERT INTO sessions (id, team_id, request_id, mentor_id, mentee_id, starts_at, "
            "duration_minutes, status, created_at, updated_at) "
            "VALUES (1, ?, 2, ?, ?, ?, 30, 'completed', ?, ?)",
            (TEAM_ID, BOB, ALICE, past, past, past),
        )
        conn.executemany(
            "INSERT INTO notes (id, team_id, author_id, subject_id, session_id, body, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (1, TEAM_ID, BOB, ALICE, 1, BOB_NOTE, past, past),
                (2, TEAM_ID, ALICE, CAROL, None, ALICE_NOTE, past, past),
            ],
        )
        conn.execute(
            "INSERT INTO action_items (team_id, note_id, session_id, mentor_id, mentee_id, "
            "owner_id, text, created_at, updated_at) VALUES (?, 1, 1, ?, ?, ?, ?, ?, ?)",
            (TEAM_ID, BOB, ALICE, ALICE, SHARED_ITEM, past, past),
        )
        conn.execute(
            "INSERT INTO intros (team_id, introducer_id, mentee_id, expert_id, why, status, "
            "created_at) VALUES (?, ?, ?, ?, ?, 'declined', ?)",
            (TEAM_ID, CAROL, ALICE, BOB, CAROL_WHY, past),
        )
        conn.execute(
            "INSERT INTO muted_nudges (team_id, user_id, kind, muted_at) VALUES (?, ?, 'x', ?)",
            (TEAM_ID, ALICE, stamp),
        )
        conn.execute(
            "INSERT INTO outbox (team_id, kind, recipient, due_at, dedupe_key, created_at) "
            "VALUES (?, 'request.nudge', ?, ?, 'k1', ?)",
            (TEAM_ID, ALICE, stamp, stamp),
        )


def uploaded_export(fake: FakeSlack) -> dict[str, Any]:
    [upload] = [u for u in fake.uploads.values() if u.filename.endswith(".json")]
    assert upload.data is not None
    assert upload.channels == [fake.dm_channel(ALICE)]
    return dict(json.loads(upload.data))


async def test_export_holds_your_data_and_nothing_private_of_others(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    seed(bot.settings.db_path)
    reply = await slack.command("export", user_id=ALICE)
    assert reply.status == 200
    assert "arrive in a DM" in str(reply.body)
    export = uploaded_export(fake_slack)
    assert export["user_id"] == ALICE
    assert [note["body"] for note in export["notes"]] == [ALICE_NOTE]
    assert [r["id"] for r in export["requests"]] == [1, 2]
    assert export["requests"][0]["details"] == ALICE_DETAILS
    assert export["requests"][0]["decline_reason"] is None  # Bob didn't share it
    assert [s["id"] for s in export["sessions"]] == [1]
    assert [item["text"] for item in export["action_items"]] == [SHARED_ITEM]
    assert export["intros"] == []  # the mentee never learns of a declined intro
    assert export["muted_nudges"][0]["kind"] == "x"
    text = json.dumps(export)
    for private in (BOB_NOTE, BOB_REASON, CAROL_WHY):
        assert private not in text

    # Bob's export has his note and his own decline reason, and not Alice's note.
    await slack.command("export", user_id=BOB)
    bobs = [u for u in fake_slack.uploads.values() if fake_slack.dm_channel(BOB) in u.channels]
    bob_text = (bobs[-1].data or b"").decode()
    assert BOB_NOTE in bob_text
    assert BOB_REASON in bob_text
    assert ALICE_NOTE not in bob_text


async def test_export_falls_back_to_messages_when_files_are_refused(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    seed(bot.settings.db_path)
    fake_slack.fail_next("files.getUploadURLExternal", error="missing_scope")
    await slack.command("export", user_id=ALICE)
    dm = fake_slack.dm_channel(ALICE)
    assert dm is not None
    posted = fake_slack.messages(dm)
    assert posted
    shown = "".join(block_texts(message) for message in posted)
    assert "part 1 of" in shown
    assert ALICE_NOTE in shown
    assert "&lt;!channel&gt;" in shown  # escaped: no ping hides in a code block
    assert BOB_NOTE not in shown


def test_a_big_export_is_split_within_block_kit_limits() -> None:
    text = json.dumps({"notes": ["<&>" * 900] * 200})
    messages = build_export_messages(text)
    assert messages is not None
    assert len(messages) > 1
    for message in messages:
        assert check_message(message["text"], message["blocks"], None) is None
    assert build_export_messages("x" * 3_000_000) is None


async def test_forget_asks_first_then_removes_yours_and_anonymizes_the_rest(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime
) -> None:
    seed(bot.settings.db_path)
    await slack.command("forget", user_id=ALICE)
    opened = fake_slack.calls_to("views.open")[-1]
    assert opened.ok
    view = opened.response["view"]
    assert view["callback_id"] == ids.FORGET_MODAL
    assert await bot.store.get_person(TEAM_ID, ALICE) is not None  # nothing deleted yet

    reply = await slack.view_submission(view, user_id=ALICE)
    assert reply.body["response_action"] == "update"
    done = block_texts(reply.body["view"])
    assert "private notes: 1" in done
    assert "stopped nudges: 1" in done
    assert "pending messages to you: 1" in done

    db = bot.settings.db_path
    with sqlite3.connect(db) as conn:
        # No row anywhere names Alice any more, but the bare marker that she forgot (so her
        # Slack profile isn't read back in): her id, and when.
        marker = conn.execute(
            "SELECT tz, opted_out, snoozed_until, welcomed_at, forgotten_at FROM people "
            "WHERE user_id = ?",
            (ALICE,),
        ).fetchall()
        assert [row[:4] for row in marker] == [(None, 0, None, None)]
        assert marker[0][4] is not None
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            for column in columns:
                found = conn.execute(
                    f"SELECT count(*) FROM {table} WHERE {column} = ?",  # noqa: S608 - schema names
                    (ALICE,),
                ).fetchone()[0]
                expected = 1 if (table, column) == ("people", "user_id") else 0
                assert found == expected, f"{table}.{column} still holds Alice"
        bodies = [row[0] for row in conn.execute("SELECT body FROM notes")]
        assert bodies == [BOB_NOTE]  # Bob's note stays, about a tombstone
        [(mentee, forgotten)] = conn.execute(
            "SELECT s.mentee_id, p.forgotten_at FROM sessions s JOIN people p "
            "ON p.team_id = s.team_id AND p.user_id = s.mentee_id"
        ).fetchall()
        assert mentee.startswith("forgotten-")
        assert forgotten is not None
        details = {row[0] for row in conn.execute("SELECT details FROM requests")}
        assert details == {REMOVED}
        assert conn.execute("SELECT text FROM action_items").fetchone()[0] == SHARED_ITEM

    # Bob still sees his history, with Alice anonymized (never rendered as a mention).
    bob_export = await bot.store.export_person(TEAM_ID, BOB)
    assert [s["mentee_id"] for s in bob_export["sessions"]] == [mentee]
    assert [n["body"] for n in bob_export["notes"]] == [BOB_NOTE]

    # Idempotent: a second run finds nothing.
    await slack.command("forget", user_id=ALICE)
    again = await slack.view_submission(fake_slack.calls_to("views.open")[-1], user_id=ALICE)
    assert "nothing left to remove" in block_texts(again.body["view"])


async def test_forget_tells_the_other_person_of_a_cancelled_session_and_refreshes_home(
    clocked_slack: SlackSender, fake_slack: FakeSlack, clocked_bot: Runtime
) -> None:
    """Alice booked Bob, then forgets: Bob hears the session is off (not who), and both Home
    tabs are published again, Alice's without storing anything about her."""
    slack, fake, bot = clocked_slack, fake_slack, clocked_bot
    session = await booked(slack, fake, bot)
    await open_home(slack, fake, BOB)
    assert ALICE in str(home_of(fake, BOB))  # the session with her is on his tab
    published_before = len(fake.calls_to("views.publish"))

    await slack.command("forget", user_id=ALICE)
    reply = await slack.view_submission(fake.calls_to("views.open")[-1], user_id=ALICE)
    assert "upcoming sessions cancelled: 1" in block_texts(reply.body["view"])
    await bot.background.drain(5)

    told_bob = block_texts(latest_dm(fake, BOB))
    assert "session on <!date^" in told_bob
    assert str(int(session.starts_at.timestamp())) in told_bob
    assert "cancelled, because the other person removed their data" in told_bob
    assert ALICE not in told_bob
    published = fake.calls_to("views.publish")[published_before:]
    assert {call.args["user_id"] for call in published} == {ALICE, BOB}
    assert "Alice" not in block_texts(home_of(fake, BOB))
    assert ALICE not in str(home_of(fake, BOB))
    # Re-publishing Alice's tab stored nothing that names her (beyond the marker of forget).
    person = await bot.store.get_person(TEAM_ID, ALICE)
    assert person is not None
    assert person.forgotten_at is not None
    assert (person.tz, person.welcomed_at, person.opted_out) == (None, None, False)
    [cancelled] = await sessions(bot)
    assert cancelled.status is SessionStatus.CANCELLED
