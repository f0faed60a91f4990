"""Request rules: mentor choice, details length, and the flood limits (real Store in tmp_path)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.requests import (
    DURATIONS,
    MAX_DETAILS,
    MAX_NEW_PER_DAY,
    MAX_OPEN_REQUESTS,
    MIN_DETAILS,
    TOPIC_LABELS,
    URGENCY_LABELS,
    MentorFacts,
    details_problem,
    limit_problem,
    mentor_problem,
)
from storage.models import RequestSource, Topic, Urgency
from storage.requests import NewRequest
from storage.store import Store

NOW = datetime(2026, 11, 23, 21, 5, tzinfo=UTC)
T1 = "T0001"
MENTEE, MENTOR = "UMENTEE", "UMENTOR"


async def make_requests(store: Store, count: int, at: datetime, *, cancel: bool) -> None:
    draft = NewRequest(
        team_id=T1,
        mentee_id=MENTEE,
        mentor_id=MENTOR,
        topic=Topic.SKILLS,
        details="Could you review my design doc?",
        source=RequestSource.COMMAND,
    )
    for _ in range(count):
        request = await store.create_request(draft, at)
        if cancel:
            assert await store.cancel_request(T1, request.id, MENTEE, at)


# -- the mentor --------------------------------------------------------------------------


def test_the_pool_and_an_ordinary_mentor_are_fine() -> None:
    assert mentor_problem(MENTEE, None) is None
    assert mentor_problem(MENTEE, MentorFacts(MENTOR, name="Ada")) is None


def test_nobody_asks_themselves() -> None:
    problem = mentor_problem(MENTEE, MentorFacts(MENTEE, name="Me"))
    assert problem is not None
    assert problem.startswith("You can't send a request to yourself.")


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (MentorFacts(MENTOR, name="Polly", is_bot=True), "Polly is a bot"),
        (MentorFacts(MENTOR, name="Ada", deleted=True), "Ada has left the workspace"),
        (MentorFacts(MENTOR, name="Ada", paused=True), "Ada has paused mentoring"),
        (MentorFacts(MENTOR, name="Ada", at_capacity=True), "Ada is at capacity"),
        (MentorFacts(MENTOR, deleted=True), "That person has left the workspace"),
    ],
)
def test_mentors_who_cannot_be_asked_say_why(facts: MentorFacts, expected: str) -> None:
    problem = mentor_problem(MENTEE, facts)
    assert problem is not None
    assert problem.startswith(expected)


# -- the details -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("x" * (MIN_DETAILS - 1), False),
        ("x" * MIN_DETAILS, True),
        ("   " + "x" * (MIN_DETAILS - 1) + "\n\n", False),  # whitespace doesn't count
        (" " * 50, False),
        ("", False),
        ("x" * MAX_DETAILS, True),
        ("x" * (MAX_DETAILS + 1), False),
        ("  " + "x" * MAX_DETAILS + "  ", True),
    ],
)
def test_details_length_boundaries(text: str, ok: bool) -> None:
    assert (details_problem(text) is None) is ok


def test_details_problems_say_the_limits() -> None:
    assert details_problem("short") == "Tell them a little more: at least 10 characters."
    too_long = details_problem("x" * 2001)
    assert too_long is not None
    assert "2,000" in too_long
    assert "2,001" in too_long


# -- the flood limits --------------------------------------------------------------------


async def test_no_limit_for_a_newcomer(store: Store) -> None:
    assert await limit_problem(store, T1, MENTEE, NOW) is None


async def test_ten_open_requests_is_the_most(store: Store) -> None:
    await make_requests(store, MAX_OPEN_REQUESTS - 1, NOW - timedelta(days=3), cancel=False)
    assert await limit_problem(store, T1, MENTEE, NOW) is None
    await make_requests(store, 1, NOW - timedelta(days=3), cancel=False)
    assert await limit_problem(store, T1, MENTEE, NOW) == (
        "You already have 10 open requests. Cancel one, or wait for an answer, before asking again."
    )
    assert await limit_problem(store, T1, "USOMEONE", NOW) is None


async def test_the_workspace_setting_overrides_the_open_limit(store: Store) -> None:
    await make_requests(store, 3, NOW - timedelta(days=3), cancel=False)
    problem = await limit_problem(store, T1, MENTEE, NOW, max_open=3)
    assert problem is not None
    assert problem.startswith("You already have 3 open requests.")
    assert await limit_problem(store, T1, MENTEE, NOW, max_open=4) is None


async def test_twenty_new_requests_in_a_rolling_day_is_the_most(store: Store) -> None:
    created = NOW - timedelta(hours=23)
    await make_requests(store, MAX_NEW_PER_DAY - 1, created, cancel=True)
    assert await limit_problem(store, T1, MENTEE, NOW) is None
    await make_requests(store, 1, created, cancel=True)
    problem = await limit_problem(store, T1, MENTEE, NOW)
    assert problem is not None
    assert "20 requests in the last 24 hours" in problem
    # Once they are more than a day old, the mentee may ask again.
    assert await limit_problem(store, T1, MENTEE, NOW + timedelta(hours=1, seconds=1)) is None


# -- the modal's choices -----------------------------------------------------------------


def test_every_choice_has_a_label() -> None:
    assert set(TOPIC_LABELS) == set(Topic)
    assert TOPIC_LABELS[Topic.PROMOTION] == "Getting promoted"
    assert set(URGENCY_LABELS) == set(Urgency)
    assert URGENCY_LABELS[Urgency.TODAY] == "Today if possible"
    assert DURATIONS == (15, 30, 45, 60)
