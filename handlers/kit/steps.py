"""Workflow Builder steps: `on_step` turns a function of one `Step` into Bolt's `app.function`
listener, so no step repeats the once-only bookkeeping, the completion or the failure.

The listener answers Slack at once and does the work in the background (Slack retries a
`function_executed` event it doesn't hear back about in 3 s). A step returns its outputs or
raises `StepFailed` with a sentence Workflow Builder shows. Each execution runs once: a
retried event finds the run's row (storage/workflows.py) and completes the same way again.

Once a step has stored its subject (the request or intro, with the run's row), the step always
ends with an outcome: if it breaks after that (`Unfinished`), or its process died and a retry
finds the run's row without an outcome after `STALE_AFTER`, the step's `resume` finishes from
the stored subject instead of starting again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_bolt.context.complete.async_complete import AsyncComplete
from slack_bolt.context.fail.async_fail import AsyncFail
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import Background
from bot.clock import Clock
from bot.settings import Settings
from storage.store import Store
from storage.workflows import StepOutcome, WorkflowRun

log = logging.getLogger(__name__)

# Workflow Builder shows this when something unexpected broke; the traceback is in our log.
UNEXPECTED = "Something went wrong in mentorbot, so nothing was done. Please try again."
# ... and this when it broke after the request or intro was stored, and couldn't finish.
UNFINISHED = (
    "Something went wrong in mentorbot after it saved this step's work, so it may be "
    "incomplete. Please check with the people it names before running the workflow again."
)
# A run with its subject stored and no outcome after this long was cut short (its process
# died): a retried event finishes it. Shorter runs are taken to be still under way.
STALE_AFTER = timedelta(seconds=60)


class StepFailed(Exception):
    """The step can't be done: `str(error)` is the sentence Workflow Builder shows."""


class AlreadyRunning(Exception):
    """Another delivery of the same execution got there first; it will finish the step."""


class Unfinished(Exception):
    """The step stored its subject, then broke: `resume` finishes from `subject_id`."""

    def __init__(self, subject_id: int) -> None:
        super().__init__(f"broke after storing subject {subject_id}")
        self.subject_id = subject_id


@dataclass(frozen=True, slots=True)
class Step:
    """One execution of a step: its inputs, the workspace, and the services."""

    client: AsyncWebClient
    store: Store
    clock: Clock
    settings: Settings
    background: Background
    team_id: str
    execution_id: str
    name: str
    inputs: Mapping[str, Any]

    def text(self, key: str) -> str:
        """A text input, trimmed; "" when absent or not text."""
        value = self.inputs.get(key)
        return value.strip() if isinstance(value, str) else ""

    def user(self, key: str) -> str | None:
        """A user input (`slack#/types/user_id`); None when absent or malformed."""
        value = self.text(key)
        return value if value[:1] in ("U", "W") and value.isalnum() else None


Handle = Callable[[Step], Awaitable[dict[str, Any]]]
# Finish a step from the subject an earlier (or broken) run stored: its outputs, or StepFailed.
Resume = Callable[[Step, int], Awaitable[dict[str, Any]]]
Listener = Callable[..., Awaitable[None]]


async def _finish(
    step: Step, outcome: StepOutcome, complete: AsyncComplete, fail: AsyncFail
) -> None:
    """Tell Slack how the step ended; a refusal is logged, since nobody else could hear it."""
    try:
        if outcome.error is not None:
            await fail(outcome.error)
        else:
            await complete(outcome.outputs or {})
    except SlackApiError as error:
        log.warning(
            "could not finish a workflow step step=%s execution=%s error=%s",
            step.name,
            step.execution_id,
            error.response.get("error"),
        )


async def _resumed(step: Step, resume: Resume, subject_id: int) -> StepOutcome:
    """The outcome of finishing from a stored subject; it always has one."""
    try:
        return StepOutcome(outputs=await resume(step, subject_id))
    except StepFailed as refusal:
        return StepOutcome(error=str(refusal))
    except Exception:
        log.exception(
            "could not finish a workflow step from its subject step=%s execution=%s subject=%d",
            step.name,
            step.execution_id,
            subject_id,
        )
        return StepOutcome(error=UNFINISHED)


async def _record(
    step: Step, outcome: StepOutcome, complete: AsyncComplete, fail: AsyncFail
) -> None:
    await step.store.record_workflow_outcome(
        step.team_id, step.execution_id, step.name, outcome, step.clock.now()
    )
    log.info(
        "workflow step done step=%s execution=%s ok=%s",
        step.name,
        step.execution_id,
        outcome.error is None,
    )
    await _finish(step, outcome, complete, fail)


async def _again(
    step: Step, earlier: WorkflowRun, resume: Resume, complete: AsyncComplete, fail: AsyncFail
) -> None:
    """A retried event: repeat a finished run's outcome, leave a live run alone, or finish a
    run that died after storing its subject."""
    if earlier.outcome is not None:
        log.info("repeated a finished step's outcome execution=%s", step.execution_id)
        await _finish(step, earlier.outcome, complete, fail)
        return
    now = step.clock.now()
    taken = await step.store.take_over_workflow_run(
        step.team_id, step.execution_id, now - STALE_AFTER, now
    )
    if taken is None or taken.subject_id is None:
        log.info("skipped a retried step still running execution=%s", step.execution_id)
        return
    log.warning(
        "finishing a step whose first run stopped step=%s execution=%s subject=%d",
        step.name,
        step.execution_id,
        taken.subject_id,
    )
    await _record(step, await _resumed(step, resume, taken.subject_id), complete, fail)


async def _run(
    step: Step, handle: Handle, resume: Resume, complete: AsyncComplete, fail: AsyncFail
) -> None:
    earlier = await step.store.get_workflow_run(step.team_id, step.execution_id)
    if earlier is not None:
        await _again(step, earlier, resume, complete, fail)
        return
    try:
        outcome = StepOutcome(outputs=await handle(step))
    except StepFailed as refusal:
        outcome = StepOutcome(error=str(refusal))
    except AlreadyRunning:
        log.info("skipped a retried step still running execution=%s", step.execution_id)
        return
    except Unfinished as broken:
        # The subject exists: finish from it rather than say nothing was done.
        log.exception("workflow step broke step=%s execution=%s", step.name, step.execution_id)
        outcome = await _resumed(step, resume, broken.subject_id)
    except Exception:
        # Not recorded: nothing was stored, and a retry of the same execution may succeed.
        log.exception("workflow step failed step=%s execution=%s", step.name, step.execution_id)
        await _finish(step, StepOutcome(error=UNEXPECTED), complete, fail)
        return
    await _record(step, outcome, complete, fail)


def _team_of(body: Mapping[str, Any]) -> str:
    team = body.get("team_id")
    return team if isinstance(team, str) else ""


def on_step(name: str, *, resume: Resume) -> Callable[[Handle], Listener]:
    """A Bolt `app.function` listener for the step `name`: read the event, answer Slack, then
    run `handle(step)` in the background and complete or fail the step with what it says.
    `resume(step, subject_id)` finishes a run that stored its subject and then broke or died."""

    def make(handle: Handle) -> Listener:
        async def listener(
            body: dict[str, Any],
            event: dict[str, Any],
            complete: AsyncComplete,
            fail: AsyncFail,
            client: AsyncWebClient,
            store: Store,
            clock: Clock,
            settings: Settings,
            background: Background,
        ) -> None:
            inputs = event.get("inputs")
            execution_id = event.get("function_execution_id")
            team_id = _team_of(body)
            if not isinstance(execution_id, str) or not execution_id or not team_id:
                log.warning("ignored a function_executed event with no execution id or team")
                return
            step = Step(
                client,
                store,
                clock,
                settings,
                background,
                team_id,
                execution_id,
                name,
                inputs if isinstance(inputs, dict) else {},
            )
            background.spawn(
                _run(step, handle, resume, complete, fail), name=f"step-{execution_id}"
            )

        listener.__name__ = handle.__name__
        listener.__qualname__ = handle.__qualname__
        listener.__doc__ = handle.__doc__
        listener.__module__ = handle.__module__
        return listener

    return make
