"""The "Request mentoring" Workflow Builder step: the request modal's checks, storage and
delivery, with the step's inputs in place of the form.

The workflow acts with its builder's authority: it may ask on behalf of any mentee it names,
as a coordinator could. The request is marked `via_workflow`, so every message about it says a
workflow sent it (the words are the builder's, not the mentee's). The mentee gets the usual DMs
(and can cancel); the mentor or the pool gets the usual ask, and the usual nudges follow.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.intros import mentee_problem
from bot.requests import (
    DEFAULT_DURATION,
    DEFAULT_URGENCY,
    TOPIC_LABELS,
    URGENCY_LABELS,
    details_problem,
    topic_named,
    urgency_named,
)
from handlers import ids
from handlers.blocks.request_modal import RequestForm
from handlers.kit import AlreadyRunning, Step, StepFailed, Unfinished, mentor_facts, on_step
from handlers.requests.delivery import reached_anyone
from handlers.requests.followups import (
    plan_new_request,
    schedule_new_request,
    schedule_redelivery,
)
from handlers.requests.submit import confirm_to_mentee, deliver, request_problems
from storage.models import Request, RequestSource

log = logging.getLogger(__name__)

NOT_DONE = "mentorbot didn't create the request: "
TOPICS = ", ".join(TOPIC_LABELS.values())
URGENCIES = ", ".join(URGENCY_LABELS.values())


def _form(step: Step) -> tuple[str, RequestForm]:
    """The mentee and the request the inputs describe; StepFailed names what is missing."""
    mentee_id = step.user("mentee_id")
    if mentee_id is None:
        raise StepFailed(NOT_DONE + "the Mentee input is empty or isn't a person. Pick who asks.")
    topic = topic_named(step.text("topic"))
    if topic is None:
        raise StepFailed(NOT_DONE + f"the Topic must be one of: {TOPICS}.")
    details = step.text("details")
    problem = details_problem(details)
    if problem:
        raise StepFailed(NOT_DONE + "the Details won't do. " + problem)
    urgency = DEFAULT_URGENCY
    if step.text("urgency"):
        named = urgency_named(step.text("urgency"))
        if named is None:
            raise StepFailed(NOT_DONE + f"the Urgency must be one of: {URGENCIES}.")
        urgency = named
    raw_mentor = step.text("mentor_id")
    mentor_id = step.user("mentor_id")
    if raw_mentor and mentor_id is None:
        raise StepFailed(NOT_DONE + "the Mentor input isn't a person in this workspace.")
    form = RequestForm(
        mentor_id=mentor_id,
        topic=topic,
        details=details,
        duration_minutes=DEFAULT_DURATION,
        urgency=urgency,
        source=RequestSource.COMMAND,
        via_workflow=True,
    )
    return mentee_id, form


def _outputs(request: Request) -> dict[str, Any]:
    return {"request_id": request.id, "status": request.status.value}


async def resume_request(step: Step, request_id: int) -> dict[str, Any]:
    """Finish a run that stored its request and then broke or died: the usual nudges and a
    delivery from the outbox (planned with the request; again here for a run stored before
    they were: it does nothing if it already got there) and, if the mentee wasn't told yet,
    their confirmation. Then the request's outputs."""
    request = await step.store.get_request(step.team_id, request_id)
    if request is None:
        raise StepFailed(NOT_DONE + "the request it made was removed before the step finished.")
    now = step.clock.now()
    await schedule_new_request(step.store, step.settings, request, now)
    await schedule_redelivery(step.store, request, now)
    if request.mentee_dm_ts is None:
        reached = await reached_anyone(step.store, request)
        await confirm_to_mentee(step.client, step.store, step.clock, request, pending=not reached)
    return _outputs(request)


@on_step(ids.STEP_REQUEST_MENTORING, resume=resume_request)
async def request_mentoring(step: Step) -> dict[str, Any]:
    """Create the request exactly as the modal would, deliver it, and say which one it is."""
    mentee_id, form = _form(step)
    mentee = mentee_problem(await mentor_facts(step.client, mentee_id))
    if mentee:
        raise StepFailed(NOT_DONE + "the Mentee can't ask. " + mentee)
    errors = await request_problems(
        form,
        team_id=step.team_id,
        user_id=mentee_id,
        client=step.client,
        store=step.store,
        clock=step.clock,
        settings=step.settings,
    )
    if errors:
        raise StepFailed(NOT_DONE + " ".join(errors.values()))
    draft = form.draft(step.team_id, mentee_id)
    now = step.clock.now()
    plan = await plan_new_request(step.store, step.settings, step.team_id)
    store = step.store
    request = await store.create_request_for_run(draft, now, step.execution_id, step.name, plan)
    if request is None:
        raise AlreadyRunning
    log.info("request created request=%d team=%s source=workflow", request.id, step.team_id)
    try:
        # A failed delivery is retried from the outbox, as with the modal; it doesn't raise.
        await deliver(step.client, step.store, step.settings, step.clock, request)
        current = await step.store.get_request(step.team_id, request.id) or request
    except Exception as error:
        raise Unfinished(request.id) from error
    return _outputs(current)
