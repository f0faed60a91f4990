"""Anonymous pool asks in the Store: one offer at a time, answered only by the mentee and only
for the offer she was shown, each move one conditional update (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import timedelta

import pytest

from storage.forget import WITHDRAWN_AT
from storage.models import OutboxStatus, Request, RequestStatus, SubjectType
from storage.outbox import Effects, Planned, Stop
from storage.rows import RowError
from storage.store import Store
from tests.flows import LATER, MENTEE, MENTOR, NOW, OTHER, T1, T2, THIRD, draft, unchanged

LATEST = LATER + timedelta(minutes=5)


async def anonymous(store: Store) -> Request:
    return await store.create_request(draft(mentor_id=None, anonymous=True), NOW)


def test_only_a_pool_request_may_leave_out_the_name() -> None:
    with pytest.raises(RowError):
        draft(mentor_id=MENTOR, anonymous=True)


async def test_an_anonymous_ask_round_trips_and_others_are_named(store: Store) -> None:
    request = await anonymous(store)
    assert (request.anonymous, request.offered_by, request.revealed_at) == (True, None, None)
    named = await store.create_request(draft(mentor_id=None), NOW)
    assert named.anonymous is False


async def test_i_can_help_is_an_offer_not_a_claim(store: Store) -> None:
    request = await anonymous(store)
    assert await store.claim_request(T1, request.id, OTHER, LATER) is None
    assert await store.offer_help(T1, request.id, MENTEE, LATER) is None  # not her own
    assert await store.offer_help(T2, request.id, OTHER, LATER) is None  # another workspace
    offered = await store.offer_help(T1, request.id, OTHER, LATER)
    assert offered is not None
    assert (offered.status, offered.offered_by, offered.claimed_by) == (
        RequestStatus.OPEN,
        OTHER,
        None,
    )
    assert offered.first_response_at == LATER
    # One offer at a time, and a named pool request takes no offers.
    assert await store.offer_help(T1, request.id, THIRD, LATER) is None
    await unchanged(store, offered)
    named = await store.create_request(draft(mentor_id=None), NOW)
    assert await store.offer_help(T1, named.id, OTHER, LATER) is None


async def test_two_connections_offering_at_once_make_one_offer(
    store: Store, second_store: Store
) -> None:
    request = await anonymous(store)
    results = await asyncio.gather(
        store.offer_help(T1, request.id, OTHER, LATER),
        second_store.offer_help(T1, request.id, THIRD, LATER),
    )
    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    stored = await store.get_request(T1, request.id)
    assert stored is not None
    assert stored.offered_by == winners[0].offered_by


async def test_only_the_mentee_reveals_herself_and_only_to_the_offer_she_saw(store: Store) -> None:
    request = await anonymous(store)
    offered = await store.offer_help(T1, request.id, OTHER, LATER)
    assert offered is not None
    assert await store.reveal_to(T1, request.id, OTHER, OTHER, LATEST) is None  # not hers
    assert await store.reveal_to(T1, request.id, MENTEE, THIRD, LATEST) is None  # stale offer
    assert await store.turn_down_offer(T1, request.id, OTHER, OTHER, LATEST) is None
    await unchanged(store, offered)
    revealed = await store.reveal_to(T1, request.id, MENTEE, OTHER, LATEST)
    assert revealed is not None
    assert (revealed.status, revealed.claimed_by, revealed.offered_by) == (
        RequestStatus.CLAIMED,
        OTHER,
        None,
    )
    assert revealed.revealed_at == revealed.accepted_at == revealed.claimed_at == LATEST
    assert await store.reveal_to(T1, request.id, MENTEE, OTHER, LATEST) is None


async def test_keep_waiting_ends_the_offer_and_another_may_offer(store: Store) -> None:
    request = await anonymous(store)
    assert await store.offer_help(T1, request.id, OTHER, LATER) is not None
    back = await store.turn_down_offer(T1, request.id, MENTEE, OTHER, LATEST)
    assert back is not None
    assert (back.status, back.offered_by, back.claimed_by) == (RequestStatus.OPEN, None, None)
    assert await store.turn_down_offer(T1, request.id, MENTEE, OTHER, LATEST) is None
    again = await store.offer_help(T1, request.id, THIRD, LATEST)
    assert again is not None
    assert again.offered_by == THIRD


async def test_an_offer_lapses_only_if_nothing_moved_since(store: Store) -> None:
    request = await anonymous(store)
    lapse = Planned(T1, "request.offer_lapse", "pool", LATEST, "lapse-1", None, None, None)
    offered = await store.offer_help(T1, request.id, OTHER, LATER, (lapse,))
    assert offered is not None
    [row] = await store.list_outbox(["pending"], limit=10)
    assert row.dedupe_key == "lapse-1"  # planned in the offer's own transaction
    # Turned down and offered again by the same mentor: the first offer's lapse is stale.
    assert await store.turn_down_offer(T1, request.id, MENTEE, OTHER, LATER) is not None
    second = await store.offer_help(T1, request.id, OTHER, LATEST)
    assert second is not None
    assert await store.lapse_offer(T1, request.id, OTHER, LATER, LATEST) is None
    effects = Effects(row.id)
    later = LATEST + timedelta(hours=24)
    lapsed = await store.lapse_offer(T1, request.id, OTHER, LATEST, later, effects)
    assert lapsed is not None
    assert (lapsed.status, lapsed.offered_by) == (RequestStatus.OPEN, None)
    # Recorded on its row: the same change is never made twice.
    assert await store.offer_help(T1, request.id, OTHER, later) is not None
    assert await store.lapse_offer(T1, request.id, OTHER, later, later, effects) is None


async def test_a_refused_offer_plans_nothing(store: Store) -> None:
    request = await anonymous(store)
    lapse = Planned(T1, "request.offer_lapse", "pool", LATEST, "lapse-x", None, None, None)
    assert await store.offer_help(T1, request.id, MENTEE, LATER, (lapse,)) is None
    assert await store.list_outbox(["pending"], limit=10) == []


async def test_forget_withdraws_a_waiting_offer_and_names_its_people(store: Store) -> None:
    request = await anonymous(store)
    assert await store.offer_help(T1, request.id, OTHER, LATER) is not None
    forgotten = await store.forget_person(T1, OTHER, LATEST)
    assert MENTEE in forgotten.counterparts  # her Home showed his offer: it is drawn again
    back = await store.get_request(T1, request.id)
    assert back is not None
    assert (back.status, back.offered_by, back.updated_at) == (RequestStatus.OPEN, None, LATEST)


def _row(request: Request, kind: str, key: str, payload: dict[str, str] | None = None) -> Planned:
    return Planned(
        T1, kind, "pool", LATEST, f"request:{request.id}:{key}", SubjectType.REQUEST, request.id,
        payload,
    )  # fmt: skip


async def _statuses(store: Store) -> dict[str, OutboxStatus]:
    rows = await store.list_outbox(list(OutboxStatus), limit=50)
    return {row.dedupe_key: row.status for row in rows}


async def test_an_answer_commits_with_its_follow_ups_and_replaces_the_pending_re_post(
    store: Store,
) -> None:
    request = await anonymous(store)
    assert await store.enqueue_planned(_row(request, "request.pool_repost", "repost"), NOW)
    assert await store.offer_help(T1, request.id, OTHER, LATER) is not None
    stop = (Stop(SubjectType.REQUEST, request.id, "request.pool_repost"),)
    word = _row(request, "request.offer_answered", "answered")
    again = _row(request, "request.pool_repost", "repost:again")
    # Someone else's answer is refused: nothing is cancelled, nothing planned.
    assert await store.turn_down_offer(T1, request.id, OTHER, OTHER, LATEST, (word,), stop) is None
    assert await _statuses(store) == {f"request:{request.id}:repost": OutboxStatus.PENDING}
    back = await store.turn_down_offer(T1, request.id, MENTEE, OTHER, LATEST, (word, again), stop)
    assert back is not None
    assert await _statuses(store) == {
        f"request:{request.id}:repost": OutboxStatus.CANCELLED,
        f"request:{request.id}:answered": OutboxStatus.PENDING,
        f"request:{request.id}:repost:again": OutboxStatus.PENDING,
    }


async def test_a_reveal_commits_with_its_follow_ups(store: Store) -> None:
    request = await anonymous(store)
    assert await store.offer_help(T1, request.id, OTHER, LATER) is not None
    word = _row(request, "request.offer_answered", "answered")
    assert await store.reveal_to(T1, request.id, MENTEE, THIRD, LATEST, (word,)) is None
    assert await _statuses(store) == {}
    claimed = await store.reveal_to(T1, request.id, MENTEE, OTHER, LATEST, (word,))
    assert claimed is not None
    assert claimed.claimed_by == OTHER
    assert await _statuses(store) == {f"request:{request.id}:answered": OutboxStatus.PENDING}


async def test_forget_replaces_the_offers_lapse_with_one_that_names_nobody(store: Store) -> None:
    request = await anonymous(store)
    mine = _row(request, "request.offer_lapse", f"offer-lapse:{OTHER}:x", {"mentor": OTHER})
    theirs = _row(request, "request.offer_lapse", f"offer-lapse:{THIRD}:y", {"mentor": THIRD})
    assert await store.offer_help(T1, request.id, OTHER, LATER, (mine, theirs)) is not None
    await store.forget_person(T1, OTHER, LATEST)
    rows = await store.list_outbox([OutboxStatus.PENDING], limit=10)
    by_key = {row.dedupe_key: row for row in rows}
    assert f"request:{request.id}:offer-lapse:{OTHER}:x" not in by_key
    assert f"request:{request.id}:offer-lapse:{THIRD}:y" in by_key  # not the forgotten one's
    [withdrawn] = [row for row in rows if WITHDRAWN_AT in row.payload]
    assert (withdrawn.kind, withdrawn.due_at, withdrawn.subject_id) == (
        "request.offer_lapse",
        LATEST,
        request.id,
    )
    assert OTHER not in str(asdict(withdrawn))
    # The withdrawn offer's follow-ups apply once, only while nothing moved the request since.
    assert await store.reopen_withdrawn_offer(T1, request.id, LATER, LATEST) is None
    effects = Effects(withdrawn.id)
    later = LATEST + timedelta(minutes=1)
    reopened = await store.reopen_withdrawn_offer(T1, request.id, LATEST, later, effects)
    assert reopened is not None
    assert reopened.updated_at == later
    assert await store.reopen_withdrawn_offer(T1, request.id, later, later, effects) is None


async def test_the_offer_dm_is_kept_while_its_offer_waits_and_forgotten_with_an_answer(
    store: Store,
) -> None:
    request = await anonymous(store)
    assert not await store.set_offer_dm(T1, request.id, OTHER, ("D1", "1.1"))  # no offer yet
    assert await store.offer_help(T1, request.id, OTHER, LATER) is not None
    assert not await store.set_offer_dm(T1, request.id, THIRD, ("D1", "1.1"))  # not that offer
    assert not await store.set_offer_dm(T2, request.id, OTHER, ("D1", "1.1"))  # other workspace
    assert await store.set_offer_dm(T1, request.id, OTHER, ("D1", "1.2"))
    kept = await store.get_request(T1, request.id)
    assert kept is not None
    assert (kept.offer_dm_channel_id, kept.offer_dm_ts) == ("D1", "1.2")
    # An answer rewrites the DM where it was clicked: its place is forgotten with the offer.
    turned = await store.turn_down_offer(T1, request.id, MENTEE, OTHER, LATEST)
    assert turned is not None
    assert (turned.offer_dm_channel_id, turned.offer_dm_ts) == (None, None)
    assert await store.offer_help(T1, request.id, THIRD, LATEST) is not None
    assert await store.set_offer_dm(T1, request.id, THIRD, ("D1", "1.3"))
    revealed = await store.reveal_to(T1, request.id, MENTEE, THIRD, LATEST + timedelta(1))
    assert revealed is not None
    assert (revealed.offer_dm_channel_id, revealed.offer_dm_ts) == (None, None)
