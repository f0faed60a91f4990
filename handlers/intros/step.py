"""The "Introduce" Workflow Builder step: the intro modal's checks, then the expert's usual
double opt-in. The step completes once the expert has been asked, not when they answer.

The person in "Introduced by" is the introducer: they alone hear a decline or an expiry,
exactly as with `/mentor intro`. The intro is marked `via_workflow`, so the expert's DM (and
every later message that quotes the reason) says a workflow named the introducer: the words
are the builder's, not necessarily theirs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.intros import DUPLICATE_WINDOW, expert_problem, mentee_problem, why_problem
from handlers import ids
from handlers.intros.followups import schedule_new_intro
from handlers.intros.submit import ask_expert
from handlers.kit import AlreadyRunning, Step, StepFailed, Unfinished, mentor_facts, on_step
from storage.intros import NewIntro

log = logging.getLogger(__name__)

NOT_DONE = "mentorbot didn't make the introduction: "
NOT_SENT = (
    NOT_DONE + "Slack wouldn't let me message the person they should meet, so nobody was "
    "asked. Please try again in a little while."
)


def _people(step: Step) -> tuple[str, str, str]:
    """Who needs help, who they should meet, and who introduces them; StepFailed if missing."""
    names = {
        "mentee_id": "Who needs help",
        "expert_id": "Who they should meet",
        "introduced_by": "Introduced by",
    }
    found: dict[str, str] = {}
    for key, label in names.items():
        user = step.user(key)
        if user is None:
            raise StepFailed(NOT_DONE + f"the {label} input is empty or isn't a person. Pick one.")
        found[key] = user
    return found["mentee_id"], found["expert_id"], found["introduced_by"]


async def resume_intro(step: Step, intro_id: int) -> dict[str, Any]:
    """Finish a run that stored its intro and then broke or died: ask the expert unless they
    were asked (a refusal drops the intro, as with the modal; a post whose answer was lost
    counts as asked), else make sure the nudge and the expiry are planned (planning twice
    sends once); then the intro's outputs."""
    intro = await step.store.get_intro(step.team_id, intro_id)
    if intro is not None and intro.expert_dm_channel_id is None:
        await ask_expert(step.client, step.store, step.clock, intro)
        intro = await step.store.get_intro(step.team_id, intro_id)
    elif intro is not None:
        await schedule_new_intro(step.store, intro, step.clock.now())
    if intro is None or intro.expert_dm_channel_id is None:
        raise StepFailed(NOT_SENT)
    return {"intro_id": intro.id, "status": intro.status.value}


@on_step(ids.STEP_INTRODUCE, resume=resume_intro)
async def introduce_people(step: Step) -> dict[str, Any]:
    """Check the pair and the reason as the modal would, then ask the expert."""
    mentee_id, expert_id, introducer_id = _people(step)
    if expert_id == introducer_id != mentee_id:
        raise StepFailed(NOT_DONE + "Introduced by and Who they should meet are the same person.")
    why = step.text("why")
    problem = why_problem(why)
    if problem:
        raise StepFailed(NOT_DONE + "the Why won't do. " + problem)
    mentee, expert, introducer = await asyncio.gather(
        mentor_facts(step.client, mentee_id),
        mentor_facts(step.client, expert_id),
        mentor_facts(step.client, introducer_id),
    )
    problem = (
        mentee_problem(mentee)
        or expert_problem(introducer_id, mentee_id, expert)
        or mentee_problem(introducer)
    )
    if problem:
        raise StepFailed(NOT_DONE + problem)
    now = step.clock.now()
    # Only one the introducer was told of: a failure naming a decline would reveal it.
    earlier = await step.store.last_intro_of_pair(
        step.team_id, mentee_id, expert_id, now - DUPLICATE_WINDOW, introducer_id
    )
    if earlier is not None:
        # The modal lets a person send it anyway; a workflow can't be asked, so it doesn't.
        when = earlier.created_at.date().isoformat()
        raise StepFailed(
            NOT_DONE + f"these two were already introduced on {when}, so nobody was asked again."
        )
    draft = NewIntro(
        team_id=step.team_id,
        introducer_id=introducer_id,
        mentee_id=mentee_id,
        expert_id=expert_id,
        why=why,
        via_workflow=True,
    )
    intro = await step.store.create_intro_for_run(draft, now, step.execution_id, step.name)
    if intro is None:
        raise AlreadyRunning
    log.info("intro created intro=%d team=%s source=workflow", intro.id, step.team_id)
    try:
        await ask_expert(step.client, step.store, step.clock, intro)
        sent = await step.store.get_intro(step.team_id, intro.id)
    except Exception as error:
        raise Unfinished(intro.id) from error
    if sent is None or sent.expert_dm_channel_id is None:
        raise StepFailed(NOT_SENT)
    return {"intro_id": sent.id, "status": sent.status.value}
