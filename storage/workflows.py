"""Workflow Builder steps: one row per step execution, so a retried `function_executed` event
creates nothing twice and completes with what the first one said.

A run's row and the request or introduction it makes are written in one transaction: either
both exist or neither does. `outcome` is JSON, {"outputs": {...}} or {"error": "..."}, set
once the step completed or failed; a run that stored its subject but never got an outcome (its
process died) is taken over by a later retry.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol, TypeVar

from storage.engine import Connection, Record, Sql
from storage.intros import NewIntro, insert_intro
from storage.models import Intro, Request, UtcDatetime
from storage.requests import NewRequest, PlanNew, insert_request
from storage.rows import Row, columns
from storage.timefmt import format_time


class StepOutcome(Row):
    """How a step ended: outputs for Workflow Builder, or the error sentence it showed."""

    outputs: dict[str, Any] | None = None
    error: str | None = None

    def as_json(self) -> str:
        """The stored text: only what is set, compact and UTF-8, as pydantic wrote it."""
        given = {"outputs": self.outputs, "error": self.error}
        return json.dumps(
            {key: value for key, value in given.items() if value is not None},
            separators=(",", ":"),
            ensure_ascii=False,
        )


class WorkflowRun(Row):
    """One execution of one of our steps in a workspace."""

    team_id: str
    execution_id: str
    step: str
    subject_id: int | None = None
    outcome: StepOutcome | None = None
    created_at: UtcDatetime


class _StoreCore(Protocol):
    """The Store plumbing these queries rely on (see storage.store.Store)."""

    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...
    async def _write(self, sql: Sql, params: Sequence[Any] = ...) -> int: ...

    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...


_CLAIM = (
    "INSERT INTO workflow_runs (team_id, execution_id, step, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (team_id, execution_id) DO NOTHING RETURNING 1"
)
_SET_SUBJECT = "UPDATE workflow_runs SET subject_id = ? WHERE team_id = ? AND execution_id = ?"
# A retry takes over a run cut short: stored its subject, no outcome, started before ?4. It
# restarts the run's clock, so of several retries only one takes over.
_TAKE_OVER = """
UPDATE workflow_runs SET created_at = ?
WHERE team_id = ? AND execution_id = ? AND created_at < ?
  AND outcome IS NULL AND subject_id IS NOT NULL
RETURNING *
"""
# The first outcome stands: a retry that races the first run can't overwrite it.
_RECORD = """
INSERT INTO workflow_runs (team_id, execution_id, step, outcome, created_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (team_id, execution_id) DO UPDATE SET outcome = excluded.outcome
WHERE workflow_runs.outcome IS NULL
"""


_Subject = TypeVar("_Subject", Request, Intro)


async def _with_run(
    store: _StoreCore,
    team_id: str,
    execution_id: str,
    step: str,
    now: datetime,
    insert: Callable[[Connection], Awaitable[_Subject]],
) -> _Subject | None:
    """Claim the execution and store what it makes, in one transaction: None if it already ran."""
    async with store._transaction() as conn:
        if not await _claim(conn, team_id, execution_id, step, now):
            return None
        subject = await insert(conn)
        await conn.execute_fetchall(_SET_SUBJECT, (subject.id, team_id, execution_id))
        return subject


async def _claim(
    conn: Connection, team_id: str, execution_id: str, step: str, now: datetime
) -> bool:
    rows = await conn.execute_fetchall(_CLAIM, (team_id, execution_id, step, format_time(now)))
    return bool(list(rows))


def _run(row: Record) -> WorkflowRun:
    data = columns(row)
    raw = data.pop("outcome", None)
    outcome = StepOutcome(**json.loads(raw)) if raw else None
    return WorkflowRun.from_row({**data, "outcome": outcome})


class WorkflowQueries:
    """Store methods for Workflow Builder step runs."""

    async def get_workflow_run(
        self: _StoreCore, team_id: str, execution_id: str
    ) -> WorkflowRun | None:
        """The run of this execution in this workspace, or None if it never started."""
        rows = await self._fetch(
            "SELECT * FROM workflow_runs WHERE team_id = ? AND execution_id = ?",
            (team_id, execution_id),
        )
        return next((_run(row) for row in rows), None)

    async def create_request_for_run(
        self: _StoreCore,
        draft: NewRequest,
        now: datetime,
        execution_id: str,
        step: str,
        plan: PlanNew | None = None,
    ) -> Request | None:
        """Store the request, the run that made it and the timed messages `plan` makes for
        it; None if this execution already ran."""
        return await _with_run(
            self,
            draft.team_id,
            execution_id,
            step,
            now,
            lambda conn: insert_request(conn, draft, now, plan),
        )

    async def create_intro_for_run(
        self: _StoreCore, draft: NewIntro, now: datetime, execution_id: str, step: str
    ) -> Intro | None:
        """Store the introduction and the run that made it; None if this execution already ran."""
        return await _with_run(
            self,
            draft.team_id,
            execution_id,
            step,
            now,
            lambda conn: insert_intro(conn, draft, now),
        )

    async def take_over_workflow_run(
        self: _StoreCore, team_id: str, execution_id: str, started_before: datetime, now: datetime
    ) -> WorkflowRun | None:
        """The run, if it stored its subject before `started_before` and never recorded an
        outcome (its process died), now this caller's to finish; else None."""
        params = (format_time(now), team_id, execution_id, format_time(started_before))
        rows = await self._fetch(_TAKE_OVER, params)
        return next((_run(row) for row in rows), None)

    async def record_workflow_outcome(
        self: _StoreCore,
        team_id: str,
        execution_id: str,
        step: str,
        outcome: StepOutcome,
        now: datetime,
    ) -> None:
        """Keep how the run ended (the first outcome stands), creating its row if needed."""
        text = outcome.as_json()
        await self._fetch(_RECORD, (team_id, execution_id, step, text, format_time(now)))

    async def purge_workflow_runs(self: _StoreCore, older_than: datetime) -> int:
        """Forget runs older than this: Slack's retries of an execution are long over."""
        return await self._write(
            "DELETE FROM workflow_runs WHERE created_at < ?", (format_time(older_than),)
        )
