"""Workflow step runs: one execution makes one request or intro, and its outcome stands."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage.intros import NewIntro
from storage.store import Store
from storage.workflows import StepOutcome
from tests.flows import MENTEE, MENTOR, NOW, T1, T2, THIRD, draft

STEP = "request_mentoring"


async def test_one_execution_makes_one_request_even_when_raced(store: Store) -> None:
    made = await asyncio.gather(
        *(store.create_request_for_run(draft(), NOW, "Fx1", STEP) for _ in range(5))
    )
    [request] = [r for r in made if r is not None]
    assert await store.count_open_requests(T1, MENTEE) == 1
    run = await store.get_workflow_run(T1, "Fx1")
    assert run is not None
    assert (run.step, run.subject_id, run.outcome) == (STEP, request.id, None)
    # The same execution id in another workspace is another run.
    other = await store.create_request_for_run(draft(team_id=T2), NOW, "Fx1", STEP)
    assert other is not None
    assert other.team_id == T2


async def test_one_execution_makes_one_intro(store: Store) -> None:
    intro = NewIntro(
        team_id=T1, introducer_id=THIRD, mentee_id=MENTEE, expert_id=MENTOR, why="They know it."
    )
    first = await store.create_intro_for_run(intro, NOW, "Fx2", "introduce_people")
    again = await store.create_intro_for_run(intro, NOW, "Fx2", "introduce_people")
    assert first is not None
    assert again is None
    run = await store.get_workflow_run(T1, "Fx2")
    assert run is not None
    assert run.subject_id == first.id


async def test_the_first_outcome_stands(store: Store) -> None:
    await store.create_request_for_run(draft(), NOW, "Fx3", STEP)
    done = StepOutcome(outputs={"request_id": 1, "status": "open"})
    await store.record_workflow_outcome(T1, "Fx3", STEP, done, NOW)
    await store.record_workflow_outcome(T1, "Fx3", STEP, StepOutcome(error="late"), NOW)
    run = await store.get_workflow_run(T1, "Fx3")
    assert run is not None
    assert run.outcome == done


async def test_a_failure_is_recorded_without_a_subject(store: Store) -> None:
    failed = StepOutcome(error="mentorbot didn't create the request: no pool.")
    await store.record_workflow_outcome(T1, "Fx4", STEP, failed, NOW)
    run = await store.get_workflow_run(T1, "Fx4")
    assert run is not None
    assert run.subject_id is None
    assert run.outcome == failed
    assert await store.create_request_for_run(draft(), NOW, "Fx4", STEP) is None


async def test_runs_are_forgotten_after_the_retry_window(store: Store) -> None:
    await store.record_workflow_outcome(T1, "Fx5", STEP, StepOutcome(error="old"), NOW)
    later = NOW + timedelta(days=2)
    await store.record_workflow_outcome(T1, "Fx6", STEP, StepOutcome(error="new"), later)
    assert await store.purge_workflow_runs(NOW + timedelta(days=1)) == 1
    assert await store.get_workflow_run(T1, "Fx5") is None
    assert await store.get_workflow_run(T1, "Fx6") is not None
