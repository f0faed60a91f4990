"""Session feedback queries: the prompt stored once with a held session, ratings only by the
mentee, thanks once per session, the mentor's own counts, the stats threshold, export and
forget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.feedback import MIN_RATINGS, Rating
from storage.models import RequestSource, Session, SubjectType, Topic
from storage.outbox import Effects, Planned
from storage.requests import NewRequest
from storage.store import Store

T1, T2 = "T1", "T2"
MENTOR, MENTEE, OTHER = "UMENTOR", "UMENTEE", "UOTHER"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


async def talked(store: Store, mentee: str = MENTEE, team_id: str = T1) -> Session:
    """A named request, accepted and booked to start now."""
    draft = NewRequest(
        team_id=team_id,
        mentee_id=mentee,
        mentor_id=MENTOR,
        topic=Topic.OTHER,
        details="Help",
        source=RequestSource.COMMAND,
    )
    request = await store.create_request(draft, NOW)
    assert await store.accept_request(team_id, request.id, MENTOR, NOW) is not None
    booked = await store.book_now(team_id, request.id, (MENTOR, mentee), 30, NOW)
    assert booked is not None
    return booked.session


def prompt(session: Session) -> Planned:
    return Planned(
        team_id=session.team_id,
        kind="feedback.ask",
        recipient=session.mentee_id,
        due_at=LATER,
        dedupe_key=f"feedback:{session.id}",
        subject_type=SubjectType.SESSION,
        subject_id=session.id,
    )


async def asked(store: Store, session: Session) -> None:
    """Held, with its prompt enqueued and gone out (the row stored by the outbox's apply)."""
    closed = await store.close_session(
        session.team_id, session.id, MENTOR, True, LATER, if_held=[prompt(session)]
    )
    assert closed is not None
    [row] = [
        r
        for r in await store.list_outbox(["pending"])
        if r.kind == "feedback.ask" and r.subject_id == session.id
    ]
    assert await store.start_feedback(session.team_id, session.id, LATER, Effects(row.id))


async def test_held_enqueues_the_prompt_in_the_same_commit_and_missed_does_not(
    store: Store,
) -> None:
    held, missed = await talked(store), await talked(store, OTHER)
    await store.close_session(T1, held.id, MENTOR, True, LATER, if_held=[prompt(held)])
    await store.close_session(T1, missed.id, MENTOR, False, LATER, if_held=[prompt(missed)])
    rows = [r for r in await store.list_outbox(["pending"]) if r.kind == "feedback.ask"]
    assert [(r.recipient, r.subject_id) for r in rows] == [(MENTEE, held.id)]
    # A second "held" changes nothing and enqueues nothing: the session is closed already.
    again = await store.close_session(T1, held.id, MENTOR, True, LATER, if_held=[prompt(held)])
    assert again is None
    assert len([r for r in await store.list_outbox(["pending"]) if r.kind == "feedback.ask"]) == 1


async def test_the_feedback_row_is_stored_once_and_only_for_a_held_session(store: Store) -> None:
    session = await talked(store)
    assert await store.start_feedback(T1, session.id, LATER, Effects(999)) is None  # not held
    await asked(store, session)
    feedback = await store.get_feedback(T1, session.id)
    assert feedback is not None
    assert (feedback.mentee_id, feedback.mentor_id, feedback.rating) == (MENTEE, MENTOR, None)
    assert feedback.prompted_at == LATER
    [row] = [r for r in await store.list_outbox(["pending"]) if r.kind == "feedback.ask"]
    assert await store.start_feedback(T1, session.id, LATER, Effects(row.id)) is None
    assert await store.get_feedback(T2, session.id) is None


async def test_only_the_mentee_rates_and_a_second_answer_replaces_the_first(store: Store) -> None:
    session = await talked(store)
    await asked(store, session)
    assert await store.rate_session(T1, session.id, MENTOR, Rating.HELPFUL, LATER) is None
    assert await store.rate_session(T2, session.id, MENTEE, Rating.HELPFUL, LATER) is None
    first = await store.rate_session(T1, session.id, MENTEE, Rating.NOT_REALLY, LATER)
    assert first is not None
    assert first.rating is Rating.NOT_REALLY
    second = await store.rate_session(T1, session.id, MENTEE, Rating.HELPFUL, LATER)
    assert second is not None
    assert second.rating is Rating.HELPFUL


async def test_thanks_once_per_session_by_its_mentee(store: Store) -> None:
    session = await talked(store)
    assert await store.add_thanks(T1, session.id, MENTEE, "Not held yet", NOW) is None
    await asked(store, session)
    assert await store.add_thanks(T1, session.id, OTHER, "Not mine", LATER) is None
    thanks = await store.add_thanks(T1, session.id, MENTEE, "x" * 600, LATER)
    assert thanks is not None
    assert thanks.to_id == MENTOR
    assert len(thanks.note) == 500
    assert "xxx" not in repr(thanks)
    assert await store.add_thanks(T1, session.id, MENTEE, "Again", LATER) is None
    await store.record_kudos_post(T1, session.id, MENTEE, "C0KUDOS", "123.456")
    stored = await store.get_thanks(T1, session.id, MENTEE)
    assert stored is not None
    assert (stored.kudos_channel_id, stored.kudos_ts) == (
        "C0KUDOS",
        "123.456",
    )


async def test_a_mentor_sees_their_own_counts_and_latest_three_notes(store: Store) -> None:
    assert (await store.mentor_recognition(T1, MENTOR)).empty
    for number, mentee in enumerate((MENTEE, MENTEE, OTHER, "UFOUR")):
        session = await talked(store, mentee)
        await asked(store, session)
        if number:
            await store.add_thanks(T1, session.id, mentee, f"note {number}", LATER)
    seen = await store.mentor_recognition(T1, MENTOR)
    assert (seen.people_helped, seen.sessions_held, seen.thanks_received) == (3, 4, 3)
    assert [t.note for t in seen.recent_thanks] == ["note 3", "note 2", "note 1"]
    assert (await store.mentor_recognition(T1, MENTEE)).empty
    assert (await store.mentor_recognition(T2, MENTOR)).empty


async def test_stats_count_ratings_and_hide_the_share_below_five(store: Store) -> None:
    ratings = [Rating.HELPFUL, Rating.HELPFUL, Rating.SOMEWHAT, Rating.HELPFUL]
    for number, rating in enumerate(ratings):
        session = await talked(store, f"UM{number}")
        await asked(store, session)
        await store.rate_session(T1, session.id, f"UM{number}", rating, LATER)
    window = await store.window_stats(T1, NOW - timedelta(days=30), LATER + timedelta(1), 30)
    assert (window.rated, window.rated_helpful) == (4, 3)
    assert window.helpful_percent is None
    session = await talked(store, "UM9")
    await asked(store, session)
    await store.rate_session(T1, session.id, "UM9", Rating.NOT_REALLY, LATER)
    window = await store.window_stats(T1, NOW - timedelta(days=30), LATER + timedelta(1), 30)
    assert window.rated == MIN_RATINGS
    assert window.helpful_percent == 60.0
    other = await store.window_stats(T2, NOW - timedelta(days=30), LATER + timedelta(1), 30)
    assert other.rated == 0


async def test_export_has_own_ratings_and_thanks_and_forget_removes_them(store: Store) -> None:
    session = await talked(store)
    await asked(store, session)
    await store.rate_session(T1, session.id, MENTEE, Rating.SOMEWHAT, LATER)
    await store.add_thanks(T1, session.id, MENTEE, "Thank you!", LATER)
    await store.record_kudos_post(T1, session.id, MENTEE, "C0KUDOS", "1.2")
    mentee = await store.export_person(T1, MENTEE)
    assert [r["rating"] for r in mentee["feedback"]] == ["somewhat"]
    assert [t["note"] for t in mentee["thanks_given"]] == ["Thank you!"]
    mentor = await store.export_person(T1, MENTOR)
    assert mentor["feedback"] == []  # a mentor never sees a rating of their sessions
    assert "somewhat" not in str(mentor)
    assert [t["note"] for t in mentor["thanks_received"]] == ["Thank you!"]
    assert "kudos_ts" not in str(mentor["thanks_received"])

    forgotten = await store.forget_person(T1, MENTEE, LATER)
    assert forgotten.removed["session ratings"] == 1
    assert forgotten.removed["thank-you notes"] == 1
    assert forgotten.kudos_posts == [("C0KUDOS", "1.2")]
    assert await store.get_feedback(T1, session.id) is None
    assert (await store.mentor_recognition(T1, MENTOR)).thanks_received == 0


async def test_forgetting_a_mentor_keeps_ratings_for_the_program_anonymized(store: Store) -> None:
    session = await talked(store)
    await asked(store, session)
    await store.rate_session(T1, session.id, MENTEE, Rating.HELPFUL, LATER)
    await store.add_thanks(T1, session.id, MENTEE, "Thanks", LATER)
    forgotten = await store.forget_person(T1, MENTOR, LATER)
    assert forgotten.removed["thank-you notes"] == 1
    feedback = await store.get_feedback(T1, session.id)
    assert feedback is not None
    assert feedback.mentor_id.startswith("forgotten-")
    assert feedback.rating is Rating.HELPFUL


async def test_no_prompt_is_stored_once_the_mentor_was_forgotten(store: Store) -> None:
    session = await talked(store)
    await store.close_session(T1, session.id, MENTOR, True, LATER, if_held=[prompt(session)])
    await store.forget_person(T1, MENTOR, LATER)
    [row] = [r for r in await store.list_outbox(["pending"]) if r.kind == "feedback.ask"]
    assert await store.start_feedback(T1, session.id, LATER, Effects(row.id)) is None
