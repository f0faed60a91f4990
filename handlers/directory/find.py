"""`/mentor find <topic>` and the Ask button on its results."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.directory import Candidate, rank_mentors
from bot.matching import hours_for_matching
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
    await call.ack(**build_find_results(topic, ranked, now))


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
