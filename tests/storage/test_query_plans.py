"""The hot queries walk indexes, on SQLite's own planner (EXPLAIN QUERY PLAN)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.home import _MY_RELATIONSHIPS, _MY_WAITING_OFFERS, _UPCOMING_SESSIONS, _WAITING_FOR_ME
from storage.org import in_workspaces
from storage.requests import _CLAIM_PROMPT
from storage.sessions import _BUSY
from storage.store import Store


async def plan_of(tmp_path: Path, sql: str, params: tuple[object, ...]) -> list[str]:
    """The steps of SQLite's plan for `sql` on a freshly migrated database."""
    db = tmp_path / "plans.db"
    async with await Store.open(db) as store:
        await store.migrate()
    with sqlite3.connect(db) as conn:
        plan = [str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
    conn.close()
    return plan


async def test_home_reads_a_persons_1to1s_by_index_not_the_teams(tmp_path: Path) -> None:
    plan = await plan_of(tmp_path, _MY_RELATIONSHIPS, ("T", "U", 5))
    assert any("relationships_one_active (team_id=? AND mentor_id=?)" in step for step in plan)
    assert any("relationships_by_mentee (team_id=? AND mentee_id=?)" in step for step in plan)
    assert not any(step.startswith("SCAN relationships") for step in plan)


async def test_an_asks_claim_reads_the_cooldown_by_index(tmp_path: Path) -> None:
    # Every ask runs it: the cooldown is the newest prompt of that person in that channel
    # (r0006), found by the table's key, (team, channel, user, message): r0009.
    params = ("T", "U", "C", "2026-12-07T00:00:00.000000Z", "2026-12-06T23:50:00.000000Z", "1.1")
    plan = await plan_of(tmp_path, _CLAIM_PROMPT, params)
    assert any(
        "prompted_messages USING PRIMARY KEY (team_id=? AND channel_id=? AND user_id=?)" in step
        for step in plan
    ), plan
    assert not any(step.startswith("SCAN") and "CONSTANT ROW" not in step for step in plan), plan


async def test_home_finds_a_mentors_waiting_offers_by_index(tmp_path: Path) -> None:
    # Not among every open pool request of the workspace (r0007): a busy pool has thousands.
    plan = await plan_of(tmp_path, *in_workspaces(_MY_WAITING_OFFERS, ("T",), ("T", "U", 5)))
    assert plan == ["SEARCH requests USING INDEX requests_by_offer (team_id=? AND offered_by=?)"]


async def test_home_across_an_org_keeps_to_the_same_indexes(tmp_path: Path) -> None:
    # On an org-wide install a person's sessions, waiting requests and offers are read in every
    # peer workspace (storage/org.py): one more search of the same index per workspace, on a
    # file with no statistics (a sub-query instead read the team's every request).
    peers = ("T", "T2", "T3")
    forms = {
        "sessions_by_mentor": (_UPCOMING_SESSIONS, ("T", "U", "2026-01-01", 10)),
        "requests_by_mentor": (_WAITING_FOR_ME, ("T", "U", 5)),
        "requests_by_offer": (_MY_WAITING_OFFERS, ("T", "U", 5)),
        "sessions_by_mentee": (_BUSY, ("T", "U", "2026-01-01", "2026-01-01")),
    }
    for index, (template, params) in forms.items():
        sql, bound = in_workspaces(template, peers, params)
        assert "team_id IN (?1, ?" in sql
        plan = await plan_of(tmp_path / index, sql, bound)
        assert any(f"INDEX {index} (team_id=?" in step for step in plan), plan
        assert not any(step.startswith(("SCAN requests", "SCAN sessions")) for step in plan), plan
