"""Who could help with a request: the directory ranking applied to stored profiles."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot.directory import Candidate, Ranked, rank_mentors
from storage.store import Store


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
    ranked = rank_mentors(
        topic,
        candidates,
        asker_id=asker_id,
        asker_tz=asker_tz,
        now=now,
        limit=limit,
        require_available=True,
    )
    if ranked or not anyone_if_no_match:
        return ranked
    return rank_mentors(
        "",
        candidates,
        asker_id=asker_id,
        asker_tz=asker_tz,
        now=now,
        limit=limit,
        require_available=True,
    )


async def mentor_availability(
    store: Store, team_id: str, mentor_id: str, now: datetime
) -> tuple[bool, bool]:
    """(paused, at capacity) for someone in the directory; (False, False) for anyone else."""
    for profile, load, _tz in await store.list_candidates(team_id):
        if profile.user_id == mentor_id:
            candidate = Candidate.from_profile(profile, load, None, now)
            return candidate.paused, not candidate.has_capacity
    return False, False
