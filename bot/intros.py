"""Introduction rules: who may be introduced to whom, what the reason must say, and the clock.

No Slack shapes here: handlers look people up and pass the facts in; the answers are sentences
for the intro modal's inline errors.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.requests import MentorFacts, length_problem, mentor_blocker

WHY_MIN = 10
WHY_MAX = 1000
NOTE_MAX = 1000

NUDGE_AFTER = timedelta(days=3)  # one reminder to the expert
EXPIRE_AFTER = timedelta(days=7)  # then the introducer is told it lapsed
FOLLOWUP_AFTER = timedelta(days=3)  # "did you connect?" to the mentee, if nothing is booked
REMIND_AGAIN = timedelta(days=7)  # after "not yet"
DUPLICATE_WINDOW = timedelta(days=30)


def why_problem(text: str) -> str | None:
    """Why the reason won't do (too short or too long once trimmed), or None."""
    short = "Say a little more about why: at least {shortest} characters."
    return length_problem(text, WHY_MIN, WHY_MAX, short)


def _name(facts: MentorFacts) -> str:
    return facts.name.strip() or "That person"


def expert_problem(
    introducer_id: str, mentee_id: str, expert: MentorFacts, team_id: str | None = None
) -> str | None:
    """Why this person can't be the expert in the introduction (kept in `team_id`), or None
    if they can."""
    # Paused or full experts may still be asked: nothing happens until they say yes.
    blocker = mentor_blocker(mentee_id, replace(expert, paused=False, at_capacity=False))
    if blocker == "self":
        return "That's the same person twice. Pick someone else for them to meet."
    if expert.user_id == introducer_id:
        return "That's you. Pick someone else for them to meet."
    if blocker == "bot":
        return f"{_name(expert)} is a bot. Pick a person."
    if blocker == "deleted":
        return f"{_name(expert)} has left the workspace or is deactivated. Pick someone else."
    if team_id and expert.teams and team_id not in expert.teams:
        # Their answer buttons would come from another workspace, where this intro isn't kept.
        return (
            f"{_name(expert)} isn't in the workspace this introduction belongs to (the one "
            "of the request it passes on, or yours), so they couldn't answer it. Pick someone "
            "of that workspace."
        )
    return None


def mentee_problem(mentee: MentorFacts) -> str | None:
    """Why this person can't be the one who needs help, or None if they can."""
    if mentee.is_bot:
        return f"{_name(mentee)} is a bot. Pick a person."
    if mentee.deleted:
        return f"{_name(mentee)} has left the workspace or is deactivated. Pick someone else."
    return None
