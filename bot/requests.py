"""Request rules: who may be asked, what a request must say, and how many one person may make.

No Slack shapes and no Slack calls here: handlers look people up and pass the facts in, and
the answers are user-facing sentences for the modal's inline errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from storage.models import Topic, Urgency
from storage.requests import REQUEST_DURATIONS

MIN_DETAILS = 10
MAX_DETAILS = 2000
MAX_OPEN_REQUESTS = 10  # the default; WorkspaceSettings.max_open_requests overrides it
MAX_NEW_PER_DAY = 20
NEW_REQUEST_WINDOW = timedelta(hours=24)

# The modal's choices; builders and rules share these so a label is spelled once.
TOPIC_LABELS: dict[Topic, str] = {
    Topic.PROMOTION: "Getting promoted",
    Topic.PROBLEM: "Handling a problem",
    Topic.CAREER_PATH: "Career path",
    Topic.SKILLS: "Skills and expertise",
    Topic.OTHER: "Something else",
}
URGENCY_LABELS: dict[Urgency, str] = {
    Urgency.TODAY: "Today if possible",
    Urgency.THIS_WEEK: "This week",
    Urgency.NO_RUSH: "No rush",
}
DURATIONS: tuple[int, ...] = REQUEST_DURATIONS
DEFAULT_DURATION = 30
DEFAULT_URGENCY = Urgency.THIS_WEEK


@dataclass(frozen=True, slots=True)
class MentorFacts:
    """What the handler learned about a chosen mentor (users.info, the directory)."""

    user_id: str
    name: str = ""  # how to call them in an error; "" falls back to "That person"
    is_bot: bool = False
    deleted: bool = False  # deactivated, or not found in the workspace
    paused: bool = False
    at_capacity: bool = False
    # On Enterprise Grid, the org's workspaces they are in; () when unknown or not on Grid.
    teams: tuple[str, ...] = ()


class RequestCounts(Protocol):
    """The Store queries limit_problem needs."""

    async def count_open_requests(self, team_id: str, mentee_id: str) -> int: ...

    async def count_requests_created_since(
        self, team_id: str, mentee_id: str, since: datetime
    ) -> int: ...


Blocker = Literal["self", "bot", "deleted", "paused", "full"]


def mentor_blocker(mentee_id: str, mentor: MentorFacts) -> Blocker | None:
    """The first reason this person can't take the mentee's request, in the order people
    should hear them; None if they can."""
    if mentor.user_id == mentee_id:
        return "self"
    if mentor.is_bot:
        return "bot"
    if mentor.deleted:
        return "deleted"
    if mentor.paused:
        return "paused"
    if mentor.at_capacity:
        return "full"
    return None


# Worded for the mentee choosing a mentor; {who} is the mentor's name.
_TO_MENTEE: dict[Blocker, str] = {
    "self": "You can't send a request to yourself. Pick someone else, or leave it empty.",
    "bot": "{who} is a bot, so they can't mentor you. Pick a person, or leave it empty.",
    "deleted": "{who} has left the workspace or is deactivated. Pick someone else.",
    "paused": "{who} has paused mentoring for now. Pick someone else, or leave it empty.",
    "full": "{who} is at capacity right now. Pick someone else, or leave it empty.",
}


def mentor_problem(mentee_id: str, mentor: MentorFacts | None) -> str | None:
    """Why this mentor can't be asked, or None if they can (None mentor means the pool)."""
    if mentor is None:
        return None
    blocker = mentor_blocker(mentee_id, mentor)
    if blocker is None:
        return None
    return _TO_MENTEE[blocker].format(who=mentor.name.strip() or "That person")


def length_problem(text: str, shortest: int, longest: int, too_short: str) -> str | None:
    """Why a free-text answer won't do once trimmed: shorter than `shortest` (then
    `too_short`, which may name {shortest}) or longer than `longest`; None if it will."""
    length = len(text.strip())
    if length < shortest:
        return too_short.format(shortest=shortest)
    if length > longest:
        return f"Please keep it to {longest:,} characters or fewer (this has {length:,})."
    return None


def details_problem(text: str) -> str | None:
    """Why the details won't do (too short or too long after trimming), or None."""
    short = "Tell them a little more: at least {shortest} characters."
    return length_problem(text, MIN_DETAILS, MAX_DETAILS, short)


async def limit_problem(
    store: RequestCounts,
    team_id: str,
    mentee_id: str,
    now: datetime,
    max_open: int = MAX_OPEN_REQUESTS,
    max_per_day: int = MAX_NEW_PER_DAY,
) -> str | None:
    """Why this mentee can't ask again yet (too many open, or too many today), or None."""
    if await store.count_open_requests(team_id, mentee_id) >= max_open:
        return (
            f"You already have {max_open} open requests. Cancel one, or wait for an answer, "
            "before asking again."
        )
    since = now - NEW_REQUEST_WINDOW
    if await store.count_requests_created_since(team_id, mentee_id, since) >= max_per_day:
        return (
            f"You've made {max_per_day} requests in the last 24 hours. "
            "Please wait a while before asking again."
        )
    return None


def _named(text: str, labels: dict[str, str]) -> str | None:
    wanted = " ".join(text.split()).casefold()
    for value, label in labels.items():
        if wanted in (value.casefold(), label.casefold()):
            return value
    return None


def topic_named(text: str) -> Topic | None:
    """The topic a workflow's text names, by value ("career_path") or label ("Career path")."""
    value = _named(text, {topic.value: label for topic, label in TOPIC_LABELS.items()})
    return Topic(value) if value else None


def urgency_named(text: str) -> Urgency | None:
    """The urgency a workflow's text names, by value ("no_rush") or label ("No rush")."""
    value = _named(text, {urgency.value: label for urgency, label in URGENCY_LABELS.items()})
    return Urgency(value) if value else None
