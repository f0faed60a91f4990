"""App Home with 0, 1 and 200 items in every section stays within Block Kit's limits."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.lifecycle import Runtime
from handlers.blocks.text import BUTTON_TEXT_MAX, HEADER_TEXT_MAX, SECTION_TEXT_MAX
from playground.fakeslack import BOB, TEAM_ID, FakeSlack, SlackSender, block_texts, check_view
from storage.timefmt import format_time
from tests.flows import open_home

# Long, hostile text where people can type: escaped and clipped, never breaking a limit.
LONG_TEXT = ("<!channel> & <https://evil|click> " * 20)[:300]
SECTIONS = ("sessions", "waiting", "requests", "items", "relationships")


def seed_every_section(db: Path, count: int) -> None:
    """`count` rows in each of Bob's five Home sections, each with someone else."""
    now = datetime.now(UTC)
    stamp = format_time(now)
    others = [f"U9{n:05d}" for n in range(count)]
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO people (team_id, user_id, first_seen_at, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [(TEAM_ID, user, stamp, stamp) for user in [BOB, *others]],
        )
        for n, other in enumerate(others):
            later = format_time(now + timedelta(days=n + 1))
            conn.execute(
                "INSERT INTO sessions (team_id, mentor_id, mentee_id, starts_at, "
                "duration_minutes, created_at, updated_at) VALUES (?, ?, ?, ?, 60, ?, ?)",
                (TEAM_ID, BOB, other, later, stamp, stamp),
            )
            for mentee, mentor in ((other, BOB), (BOB, other)):  # waiting for Bob; Bob's own
                conn.execute(
                    "INSERT INTO requests (team_id, mentee_id, mentor_id, topic, details, source, "
                    "created_at, updated_at) VALUES (?, ?, ?, 'career_path', ?, 'command', ?, ?)",
                    (TEAM_ID, mentee, mentor, LONG_TEXT, stamp, stamp),
                )
            conn.execute(
                "INSERT INTO action_items (team_id, mentor_id, mentee_id, owner_id, text, "
                "due_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '2026-12-31', ?, ?)",
                (TEAM_ID, other, BOB, BOB, LONG_TEXT, stamp, stamp),
            )
            conn.execute(
                "INSERT INTO relationships (team_id, mentor_id, mentee_id, cadence, next_at, "
                "started_at, updated_at) VALUES (?, ?, ?, 'monthly', ?, ?, ?)",
                (TEAM_ID, BOB, other, later, stamp, stamp),
            )


def assert_within_limits(view: dict[str, Any]) -> None:
    assert check_view(view) is None
    assert len(view["blocks"]) <= 100
    for block in view["blocks"]:
        text = (block.get("text") or {}).get("text", "")
        limit = HEADER_TEXT_MAX if block["type"] == "header" else SECTION_TEXT_MAX
        assert len(text) <= limit
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= BUTTON_TEXT_MAX


@pytest.mark.parametrize("count", [0, 1, 200])
async def test_home_with_n_items_in_every_section(
    slack: SlackSender, fake_slack: FakeSlack, bot: Runtime, count: int
) -> None:
    seed_every_section(bot.settings.db_path, count)
    home = await open_home(slack, fake_slack, BOB)  # the fake refuses a view over the limits
    assert_within_limits(home)
    texts = block_texts(home)
    assert "<!channel>" not in texts
    assert "<https://evil" not in texts
    if count == 0:
        for empty in ("Nothing booked", "No one is waiting on you", "None open", "Nothing to do"):
            assert empty in texts
        assert "No ongoing 1:1s" in texts
    elif count == 1:
        assert "more." not in texts
        assert "&lt;!channel&gt;" in texts  # the action item, escaped
        assert "monthly 1:1" in texts
    else:
        # Every section ends with "and N more" and points to a command or the DMs.
        assert texts.count("…and 192 more.") == len(SECTIONS)
        assert "See `/mentor sessions`." in texts
        assert "See `/mentor notes @someone`." in texts
