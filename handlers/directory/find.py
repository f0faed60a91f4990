"""`/mentor find <topic>` and the Ask button on its results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.directory import Candidate, rank_mentors
from bot.matching import hours_for_matching
from bot.profile_skills import SkillMatch, match_profile_skills
from bot.slack_client import workspace_names
from handlers.blocks.find import build_find_results
from handlers.blocks.request_modal import RequestPrefill
from handlers.kit import BadArguments, SubcommandCall
from handlers.requests.ask import open_request_modal
from storage.models import RequestSource
from storage.store import Store


async def find_command(call: SubcommandCall) -> None:
    """Up to five mentors for the topic, best first; never the asker."""
    topic = call.args.strip()
    if not topic:
        raise BadArguments("`/mentor find` needs a topic, e.g. `/mentor find negotiation`.")
    now = call.clock.now()
    rows = await call.store.list_candidates(call.team_id)
    candidates = [Candidate.from_profile(p, load, tz, now) for p, load, tz in rows]
    elsewhere = await _org_mentors(call, candidates, now)
    asker = await call.store.get_person(call.team_id, call.user_id)
    team_hours, asker_hours = await hours_for_matching(call.store, call.team_id, call.user_id)
    ranked = rank_mentors(
        topic,
        candidates,
        asker_id=call.user_id,
        asker_tz=asker.tz if asker else None,
        now=now,
        working_hours=team_hours,
        asker_hours=asker_hours,
    )
    listed = {who.candidate.user_id for who in ranked}
    outside = [
        person
        for person in await _outside_directory(call.store, call.team_id, call.user_id, topic)
        if person.user_id not in listed  # a mentor of the org's other workspaces, say
    ]
    await call.ack(**build_find_results(topic, ranked, now, outside=outside, elsewhere=elsewhere))


async def _outside_directory(
    store: Store, team_id: str, asker_id: str, topic: str
) -> list[SkillMatch]:
    """People whose Slack profile field names the topic: from the cache only, so a search
    costs no Slack call (docs/profile-skills.md says how the cache fills)."""
    if not (await store.get_workspace_settings(team_id)).profile_skill_fields:
        return []
    people = await store.skills_outside_directory(team_id)
    return match_profile_skills(topic, people, asker_id=asker_id)


async def _org_mentors(
    call: SubcommandCall, candidates: list[Candidate], now: datetime
) -> dict[str, str]:
    """On Grid, add the mentors kept in the org's other workspaces to `candidates` (someone
    with a profile here is listed once, from here); their workspace names, by user id."""
    rows = await call.store.org_candidates(call.team_id)
    here = {candidate.user_id for candidate in candidates}
    others = [row for row in rows if row[0].user_id not in here]
    if not others:
        return {}
    names = await workspace_names(call.client)
    elsewhere: dict[str, str] = {}
    for profile, load, tz in others:
        if profile.user_id in elsewhere:
            continue  # in two other workspaces: the first one's profile
        candidates.append(Candidate.from_profile(profile, load, tz, now))
        elsewhere[profile.user_id] = names.get(profile.team_id, profile.team_id)
    return elsewhere


async def ask_from_find(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    store: Store,
) -> None:
    """Ask: the request modal, with that mentor already chosen."""
    await ack()
    actions = body.get("actions") or [{}]
    mentor = str(actions[0].get("value") or "") or None
    prefill = RequestPrefill(mentor_id=mentor, source=RequestSource.COMMAND)
    team_id = str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id"))
    trigger_id = str(body.get("trigger_id"))
    await open_request_modal(client, trigger_id, prefill, respond, store=store, team_id=team_id)
