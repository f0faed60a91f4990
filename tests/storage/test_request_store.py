"""Request queries and detection prompts, on real SQLite files in tmp_path."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.events import PROCESSED_EVENT_TTL, purge_processed_events
from storage.models import (
    Request,
    RequestSource,
    RequestStatus,
    SubjectType,
    Urgency,
    WorkspaceSettings,
)
from storage.outbox import Planned
from storage.rows import RowError
from storage.store import Store
from tests.flows import LATER, MENTEE, MENTOR, NOW, OTHER, T1, T2, THIRD, draft, named, unchanged

COOLDOWN = timedelta(minutes=10)


async def pooled(store: Store) -> Request:
    return await store.create_request(draft(mentor_id=None), NOW)


async def person_exists(store: Store, user_id: str, team_id: str = T1) -> bool:
    return await store.get_person(team_id, user_id) is not None


# -- create and read ---------------------------------------------------------------------


async def test_create_then_get_round_trips_every_field(store: Store) -> None:
    request = await store.create_request(
        draft(
            details="  Could we talk about moving into management?  ",
            duration_minutes=45,
            urgency=Urgency.TODAY,
            source=RequestSource.DETECTED,
            origin_channel_id="C0001",
            origin_ts="1700000000.000100",
            origin_permalink="https://example.slack.com/archives/C0001/p1700000000000100",
        ),
        NOW,
    )
    assert request.status is RequestStatus.OPEN
    assert request.details == "Could we talk about moving into management?"
    assert (request.duration_minutes, request.urgency) == (45, Urgency.TODAY)
    assert request.source is RequestSource.DETECTED
    assert (request.origin_channel_id, request.origin_ts) == ("C0001", "1700000000.000100")
    assert request.created_at == request.updated_at == NOW
    assert request.accepted_at is None
    assert request.first_response_at is None
    assert await store.get_request(T1, request.id) == request


async def test_create_makes_the_people_rows_it_points_at(store: Store) -> None:
    await named(store)
    assert await person_exists(store, MENTEE)
    assert await person_exists(store, MENTOR)
    pool = await pooled(store)
    assert pool.mentor_id is None


async def test_create_keeps_existing_people_as_they_are(store: Store) -> None:
    await store.upsert_person(T1, MENTEE, tz="Europe/Paris", now=NOW - timedelta(days=3))
    await named(store)
    person = await store.get_person(T1, MENTEE)
    assert person is not None
    assert person.tz == "Europe/Paris"
    assert person.first_seen_at == NOW - timedelta(days=3)


def _deliver_later(request: Request) -> list[Planned]:
    key = f"request:{request.id}:deliver"
    due = NOW + timedelta(minutes=1)
    return [Planned(T1, "request.deliver", MENTOR, due, key, SubjectType.REQUEST, request.id)]


async def test_a_request_is_stored_with_the_rows_it_plans(store: Store) -> None:
    request = await store.create_request(draft(), NOW, _deliver_later)
    row = await store.get_outbox_by_key(T1, f"request:{request.id}:deliver")
    assert row is not None
    assert (row.kind, row.subject_id) == ("request.deliver", request.id)


async def test_a_plan_that_fails_stores_no_request(store: Store) -> None:
    def broken(request: Request) -> list[Planned]:
        raise RuntimeError("planning failed")

    with pytest.raises(RuntimeError):
        await store.create_request_once(draft(), NOW, "view:V1", broken)
    assert await store.count_open_requests(T1, MENTEE) == 0
    # The once-key went with it: the form's retry makes the request.
    assert await store.create_request_once(draft(), NOW, "view:V1", _deliver_later) is not None


def test_a_draft_refuses_what_the_schema_would() -> None:
    with pytest.raises(RowError, match="mentee as its mentor"):
        draft(mentor_id=MENTEE)
    with pytest.raises(RowError, match="duration"):
        draft(duration_minutes=20)
    with pytest.raises(RowError):
        draft(details="x" * 2001)
    with pytest.raises(RowError):
        draft(details="   ")


async def test_requests_are_invisible_to_other_workspaces(store: Store) -> None:
    request = await named(store)
    assert await store.get_request(T2, request.id) is None
    assert await store.accept_request(T2, request.id, MENTOR, LATER) is None
    assert await store.cancel_request(T2, request.id, MENTEE, LATER) is None
    await store.set_request_messages(T2, request.id, mentor_dm=("D1", "1.1"))
    await unchanged(store, request)
    assert await store.count_open_requests(T2, MENTEE) == 0


# -- accept and decline ------------------------------------------------------------------


async def test_the_named_mentor_accepts_once(store: Store) -> None:
    request = await named(store)
    accepted = await store.accept_request(T1, request.id, MENTOR, LATER)
    assert accepted is not None
    assert accepted.status is RequestStatus.ACCEPTED
    assert accepted.accepted_at == accepted.first_response_at == accepted.updated_at == LATER
    # A double click: the second finds it no longer open.
    assert await store.accept_request(T1, request.id, MENTOR, LATER + timedelta(seconds=1)) is None
    await unchanged(store, accepted)


async def test_only_the_named_mentor_may_accept_or_decline(store: Store) -> None:
    request = await named(store)
    for user in (MENTEE, OTHER):
        assert await store.accept_request(T1, request.id, user, LATER) is None
        assert await store.decline_request(T1, request.id, user, LATER, "busy", True) is None
    assert await store.accept_request(T1, request.id + 1, MENTOR, LATER) is None
    await unchanged(store, request)


async def test_a_pool_request_cannot_be_accepted_only_claimed(store: Store) -> None:
    request = await pooled(store)
    assert await store.accept_request(T1, request.id, MENTOR, LATER) is None
    assert await store.decline_request(T1, request.id, MENTOR, LATER, None, False) is None
    await unchanged(store, request)


async def test_decline_keeps_the_reason_and_whether_to_share_it(store: Store) -> None:
    request = await named(store)
    declined = await store.decline_request(T1, request.id, MENTOR, LATER, "  On leave.  ", True)
    assert declined is not None
    assert declined.status is RequestStatus.DECLINED
    assert (declined.decline_reason, declined.decline_reason_shared) == ("On leave.", True)
    assert declined.first_response_at == LATER
    assert declined.accepted_at is None
    assert await store.accept_request(T1, request.id, MENTOR, LATER) is None
    assert await store.decline_request(T1, request.id, MENTOR, LATER, None, False) is None
    await unchanged(store, declined)


@pytest.mark.parametrize(
    ("reason", "stored", "shared"), [("   ", None, False), ("x" * 1500, "x" * 1000, True)]
)
async def test_reasons_are_trimmed_and_a_blank_one_is_never_shared(
    store: Store, reason: str, stored: str | None, shared: bool
) -> None:
    request = await named(store)
    declined = await store.decline_request(T1, request.id, MENTOR, LATER, reason, True)
    assert declined is not None
    assert (declined.decline_reason, declined.decline_reason_shared) == (stored, shared)


# -- the pool: claim and release ---------------------------------------------------------


async def test_anyone_but_the_mentee_claims_a_pool_request(store: Store) -> None:
    request = await pooled(store)
    assert await store.claim_request(T1, request.id, MENTEE, LATER) is None
    await unchanged(store, request)
    claimed = await store.claim_request(T1, request.id, OTHER, LATER)
    assert claimed is not None
    assert claimed.status is RequestStatus.CLAIMED
    assert claimed.claimed_by == OTHER
    assert claimed.claimed_at == claimed.accepted_at == claimed.first_response_at == LATER
    assert await person_exists(store, OTHER)
    assert await store.claim_request(T1, request.id, THIRD, LATER) is None
    await unchanged(store, claimed)


async def test_a_refused_claim_leaves_no_trace(store: Store) -> None:
    request = await named(store)  # named requests are not in the pool
    assert await store.claim_request(T1, request.id, THIRD, LATER) is None
    await unchanged(store, request)
    assert not await person_exists(store, THIRD)


async def test_two_connections_claiming_at_once_make_one_winner(
    store: Store, second_store: Store
) -> None:
    request = await pooled(store)
    results = await asyncio.gather(
        store.claim_request(T1, request.id, OTHER, LATER),
        second_store.claim_request(T1, request.id, THIRD, LATER),
    )
    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    stored = await store.get_request(T1, request.id)
    assert stored is not None
    assert stored.claimed_by == winners[0].claimed_by


async def test_release_by_the_claimer_lets_another_claim(store: Store) -> None:
    request = await pooled(store)
    claimed = await store.claim_request(T1, request.id, OTHER, LATER)
    assert claimed is not None
    for user in (THIRD, MENTEE):
        assert await store.release_request(T1, request.id, user, LATER) is None
    await unchanged(store, claimed)
    released = await store.release_request(T1, request.id, OTHER, LATER + timedelta(minutes=1))
    assert released is not None
    assert released.status is RequestStatus.OPEN
    assert (released.claimed_by, released.claimed_at) == (None, None)
    # Taken once is taken: the stats' "ever accepted or taken" keeps counting it.
    assert released.accepted_at == released.first_response_at == LATER
    assert await store.release_request(T1, request.id, OTHER, LATER) is None
    again = await store.claim_request(T1, request.id, THIRD, LATER + timedelta(minutes=2))
    assert again is not None
    assert again.claimed_by == THIRD


# -- cancel ------------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["open", "accepted", "claimed"])
async def test_the_mentee_cancels_an_unfinished_request(store: Store, step: str) -> None:
    request = await (pooled(store) if step == "claimed" else named(store))
    if step == "accepted":
        assert await store.accept_request(T1, request.id, MENTOR, NOW)
    if step == "claimed":
        assert await store.claim_request(T1, request.id, OTHER, NOW)
    cancelled = await store.cancel_request(T1, request.id, MENTEE, LATER)
    assert cancelled is not None
    assert cancelled.status is RequestStatus.CANCELLED
    assert cancelled.updated_at == LATER
    assert await store.cancel_request(T1, request.id, MENTEE, LATER) is None


async def test_nobody_but_the_mentee_cancels(store: Store) -> None:
    request = await named(store)
    for user in (MENTOR, OTHER):
        assert await store.cancel_request(T1, request.id, user, LATER) is None
    await unchanged(store, request)


async def test_a_declined_request_cannot_be_cancelled(store: Store) -> None:
    request = await named(store)
    declined = await store.decline_request(T1, request.id, MENTOR, LATER, None, False)
    assert declined is not None
    assert await store.cancel_request(T1, request.id, MENTEE, LATER) is None
    await unchanged(store, declined)


# -- after a decline: the pool ------------------------------------------------------------


async def test_the_mentee_sends_a_declined_request_to_the_pool(store: Store) -> None:
    request = await named(store)
    await store.set_request_messages(T1, request.id, mentor_dm=("D1", "1.1"))
    assert await store.send_request_to_pool(T1, request.id, MENTEE, LATER) is None  # still open
    declined = await store.decline_request(T1, request.id, MENTOR, LATER, "Too busy", False)
    assert declined is not None
    for user in (MENTOR, OTHER):
        assert await store.send_request_to_pool(T1, request.id, user, LATER) is None
    await unchanged(store, declined)
    pooled_now = await store.send_request_to_pool(T1, request.id, MENTEE, LATER)
    assert pooled_now is not None
    assert pooled_now.status is RequestStatus.OPEN
    assert pooled_now.mentor_id is None
    assert pooled_now.decline_reason is None
    assert await store.claim_request(T1, request.id, OTHER, LATER) is not None


async def test_the_mentee_sends_on_a_request_its_mentor_never_got(store: Store) -> None:
    request = await named(store)  # no mentor DM recorded: Slack never delivered it
    for user in (MENTOR, OTHER):
        assert await store.send_request_to_pool(T1, request.id, user, LATER) is None
    pooled_now = await store.send_request_to_pool(T1, request.id, MENTEE, LATER)
    assert pooled_now is not None
    assert pooled_now.status is RequestStatus.OPEN
    assert pooled_now.mentor_id is None


# -- counts ------------------------------------------------------------------------------


async def test_counts_of_open_and_recently_created_requests(store: Store) -> None:
    first = await named(store)
    second = await pooled(store)
    third = await store.create_request(draft(), NOW + timedelta(hours=2))
    await store.create_request(draft(mentee_id=OTHER, mentor_id=MENTOR), NOW)
    assert await store.count_open_requests(T1, MENTEE) == 3
    assert await store.accept_request(T1, first.id, MENTOR, LATER)
    assert await store.claim_request(T1, second.id, OTHER, LATER)
    assert await store.count_open_requests(T1, MENTEE) == 3  # accepted and claimed still count
    assert await store.cancel_request(T1, third.id, MENTEE, LATER)
    assert await store.count_open_requests(T1, MENTEE) == 2
    assert await store.count_requests_created_since(T1, MENTEE, NOW) == 3
    assert await store.count_requests_created_since(T1, MENTEE, NOW + timedelta(hours=1)) == 1
    assert await store.count_requests_created_since(T2, MENTEE, NOW) == 0


# -- Slack message references and invites ------------------------------------------------


async def test_message_references_round_trip_and_none_keeps_them(store: Store) -> None:
    request = await named(store)
    await store.set_request_messages(
        T1, request.id, mentor_dm=("D0MENTOR", "1.100"), mentee_dm=("D0MENTEE", "1.200")
    )
    await store.set_request_messages(T1, request.id, pool_post=("C0POOL", "1.300"))
    stored = await store.get_request(T1, request.id)
    assert stored is not None
    assert (stored.mentor_dm_channel_id, stored.mentor_dm_ts) == ("D0MENTOR", "1.100")
    assert (stored.pool_channel_id, stored.pool_ts) == ("C0POOL", "1.300")
    assert (stored.mentee_dm_channel_id, stored.mentee_dm_ts) == ("D0MENTEE", "1.200")


async def test_invites_are_recorded_once(store: Store) -> None:
    request = await pooled(store)
    assert await store.add_request_invite(T1, request.id, OTHER, NOW, dm=("D0OTHER", "1.1"))
    assert await store.add_request_invite(T1, request.id, THIRD, LATER)
    assert not await store.add_request_invite(T1, request.id, OTHER, LATER)
    invites = await store.list_request_invites(T1, request.id)
    assert [(i.user_id, i.dm_channel_id, i.dm_ts) for i in invites] == [
        (OTHER, "D0OTHER", "1.1"),
        (THIRD, None, None),
    ]
    assert invites[0].invited_at == NOW
    assert not await store.add_request_invite(T2, request.id, "UT2", NOW)
    assert not await person_exists(store, "UT2", T2)
    assert await store.list_request_invites(T2, request.id) == []


# -- detection prompts -------------------------------------------------------------------


async def test_prompt_once_per_message_and_per_cooldown(store: Store) -> None:
    async def claim(channel: str, ts: str, at: datetime, user: str = MENTEE) -> bool:
        return await store.claim_prompt(T1, user, channel, ts, COOLDOWN, at)

    assert await claim("C1", "1.1", NOW)
    assert not await claim("C1", "1.1", NOW)  # a retry, or app_mention + message
    assert not await claim("C1", "1.1", NOW + timedelta(hours=1))
    assert not await claim("C1", "1.2", NOW + timedelta(minutes=9))  # within the cooldown
    assert await claim("C2", "1.3", NOW + timedelta(minutes=9))  # another channel
    assert await claim("C1", "1.4", NOW + timedelta(minutes=9), user=OTHER)  # another person
    assert await claim("C1", "1.2", NOW + timedelta(minutes=10))  # cooled down; never prompted
    assert not await claim("C1", "1.5", NOW + timedelta(minutes=15))  # cooldown starts anew


async def test_no_prompt_for_someone_who_opted_out_and_none_counted(store: Store) -> None:
    await store.set_opted_out(T1, MENTEE, True, NOW)
    assert not await store.claim_prompt(T1, MENTEE, "C1", "1.1", COOLDOWN, NOW)
    assert await store.claim_prompt(T2, MENTEE, "C1", "1.1", COOLDOWN, NOW)  # per workspace
    await store.set_opted_out(T1, MENTEE, False, NOW + timedelta(minutes=1))
    # The refused message left no trace: neither it nor the cooldown blocks the opt-in.
    assert await store.claim_prompt(T1, MENTEE, "C1", "1.1", COOLDOWN, NOW + timedelta(minutes=1))


async def test_a_late_retry_of_a_prompted_message_does_not_restart_the_cooldown(
    store: Store,
) -> None:
    minute = timedelta(minutes=1)
    assert await store.claim_prompt(T1, MENTEE, "C1", "1.1", minute, NOW)
    # Slack's last retry comes about five minutes later, after this short cooldown ran out.
    assert not await store.claim_prompt(T1, MENTEE, "C1", "1.1", minute, NOW + 5 * minute)
    assert await store.claim_prompt(T1, MENTEE, "C1", "1.2", minute, NOW + 5 * minute + minute / 2)


async def test_a_released_claim_takes_its_cooldown_with_it(store: Store) -> None:
    assert await store.claim_prompt(T1, MENTEE, "C1", "1.1", COOLDOWN, NOW)
    later = NOW + timedelta(minutes=1)
    assert not await store.claim_prompt(T1, MENTEE, "C1", "1.2", COOLDOWN, later)
    await store.release_prompt(T1, MENTEE, "C1", "1.1")  # the prompt never reached the asker
    assert await store.claim_prompt(T1, MENTEE, "C1", "1.2", COOLDOWN, later)
    assert not await store.claim_prompt(T1, MENTEE, "C1", "1.3", COOLDOWN, later)


async def test_a_release_leaves_the_cooldown_of_another_channel(store: Store) -> None:
    assert await store.claim_prompt(T1, MENTEE, "C1", "1.1", COOLDOWN, NOW)
    assert await store.claim_prompt(T1, MENTEE, "C2", "2.1", COOLDOWN, NOW)
    await store.release_prompt(T1, MENTEE, "C2", "2.1")
    assert not await store.claim_prompt(T1, MENTEE, "C1", "1.2", COOLDOWN, NOW)
    assert await store.claim_prompt(T1, MENTEE, "C2", "2.2", COOLDOWN, NOW)


async def test_prompts_are_per_workspace(store: Store) -> None:
    assert await store.claim_prompt(T1, MENTEE, "C1", "1.1", COOLDOWN, NOW)
    assert await store.claim_prompt(T2, MENTEE, "C1", "1.1", COOLDOWN, NOW)


async def test_a_zero_cooldown_only_dedupes_messages(store: Store) -> None:
    assert await store.claim_prompt(T1, MENTEE, "C1", "1.1", timedelta(0), NOW)
    assert await store.claim_prompt(T1, MENTEE, "C1", "1.2", timedelta(0), NOW)
    assert not await store.claim_prompt(T1, MENTEE, "C1", "1.2", timedelta(0), NOW)


async def test_two_connections_prompting_one_message_make_one_prompt(
    store: Store, second_store: Store
) -> None:
    for round_ in range(5):
        ts = f"1.{round_}"
        at = NOW + round_ * COOLDOWN
        results = await asyncio.gather(
            store.claim_prompt(T1, MENTEE, "C1", ts, COOLDOWN, at),
            second_store.claim_prompt(T1, MENTEE, "C1", ts, COOLDOWN, at),
        )
        assert sorted(results) == [False, True]


async def test_prompted_messages_are_forgotten_after_the_ttl(tmp_path: Path) -> None:
    clock = FrozenClock(datetime(2026, 11, 23, 12, tzinfo=UTC))
    async with await Store.open(tmp_path / "ttl.db") as store:
        await store.migrate()
        cooldown = timedelta(minutes=10)
        assert await store.claim_prompt("T1", "U1", "C1", "1.1", cooldown, clock.now())
        assert await purge_processed_events(store, clock) == 0  # still fresh
        clock.advance(seconds=PROCESSED_EVENT_TTL.total_seconds() + 1)
        assert await purge_processed_events(store, clock) == 1


async def test_the_hourly_purge_never_cuts_the_longest_cooldown_short(tmp_path: Path) -> None:
    # The cooldown is read from the prompted messages' rows (r0006), which the purge deletes.
    WorkspaceSettings(team_id="T1", prompt_cooldown_minutes=1440)
    with pytest.raises(RowError, match="from 0 to 1440"):
        WorkspaceSettings(team_id="T1", prompt_cooldown_minutes=1441)
    longest = timedelta(minutes=1440)
    clock = FrozenClock(datetime(2026, 11, 23, 12, tzinfo=UTC))
    async with await Store.open(tmp_path / "ttl.db") as store:
        await store.migrate()
        assert await store.claim_prompt("T1", "U1", "C1", "1.1", longest, clock.now())
        clock.advance(seconds=longest.total_seconds() - 1)
        assert await purge_processed_events(store, clock) == 0
        assert not await store.claim_prompt("T1", "U1", "C1", "1.2", longest, clock.now())
        clock.advance(seconds=2)
        assert await store.claim_prompt("T1", "U1", "C1", "1.3", longest, clock.now())
