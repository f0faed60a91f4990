"""Who could help with a request: the directory ranking applied to stored profiles."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot.directory import Candidate, Ranked, rank_mentors
from bot.working_hours import WorkingHours, working_hours, workspace_hours
from storage.store import Store


async def hours_for_matching(
    store: Store, team_id: str, asker_id: str
) -> tuple[WorkingHours, WorkingHours]:
    """(the workspace's hours, the asker's by the one rule) for the hours-overlap score."""
    workspace = await store.get_workspace_settings(team_id)
    asker_profile = await store.get_profile(team_id, asker_id)
    return workspace_hours(workspace), working_hours(asker_profile, workspace)


async def available_mentors(
    store: Store,
    team_id: str,
    topic: str,
    *,
    asker_id: str,
    now: datetime,
    limit: int,
    exclude: Collection[str] = (),
    anyone_if_no_match: bool = False,
) -> list[Ranked]:
    """Active, un-paused mentors under capacity for `topic`, best first (never the asker).

    With `anyone_if_no_match`, a topic nobody's tags match ranks everyone available instead,
    for when reaching someone beats reaching nobody.
    """
    rows = await store.list_candidates(team_id)
    candidates = [
        Candidate.from_profile(profile, load, tz, now)
        for profile, load, tz in rows
        if profile.user_id not in exclude
    ]
    asker = await store.get_person(team_id, asker_id)
    asker_tz = asker.tz if asker else None
    team_hours, asker_hours = await hours_for_matching(store, team_id, asker_id)
    # With anyone_if_no_match, a topic nobody covers falls back to everyone, ranked on the rest.
    for wanted in (topic, "") if anyone_if_no_match else (topic,):
        ranked = rank_mentors(
            wanted,
            candidates,
            asker_id=asker_id,
            asker_tz=asker_tz,
            now=now,
            limit=limit,
            require_available=True,
            working_hours=team_hours,
            asker_hours=asker_hours,
        )
        if ranked:
            return ranked
    return []


async def mentor_availability(
    store: Store, team_id: str, mentor_id: str, now: datetime
) -> tuple[bool, bool]:
    """(paused, at capacity) for someone in the directory; (False, False) for anyone else."""
    # On Grid the mentor's profile may be kept in another workspace of the org.
    rows = [*await store.list_candidates(team_id), *await store.org_candidates(team_id)]
    for profile, load, _tz in rows:
        if profile.user_id == mentor_id:
            candidate = Candidate.from_profile(profile, load, None, now)
            return candidate.paused, not candidate.has_capacity
    return False, False
