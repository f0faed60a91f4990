"""Rules of notes, action plans, check-ins and ongoing 1:1s; no Slack shapes here."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from storage.models import Cadence, WhatNext

END_NOTE_MAX = 1000

CHECKIN_WEEKS: dict[WhatNext, int] = {
    WhatNext.CHECKIN_1W: 1,
    WhatNext.CHECKIN_2W: 2,
    WhatNext.CHECKIN_4W: 4,
}
ONGOING: dict[WhatNext, Cadence] = {
    WhatNext.ONGOING_WEEKLY: Cadence.WEEKLY,
    WhatNext.ONGOING_BIWEEKLY: Cadence.BIWEEKLY,
    WhatNext.ONGOING_MONTHLY: Cadence.MONTHLY,
}
# A check-in whose note was deleted (or changed its choice) keeps this rhythm.
DEFAULT_CHECKIN_WEEKS = 2

WHAT_NEXT_LABELS: dict[WhatNext, str] = {
    WhatNext.DONE: "One-off, we're done",
    WhatNext.CHECKIN_1W: "Check in with the mentee in 1 week",
    WhatNext.CHECKIN_2W: "Check in with the mentee in 2 weeks",
    WhatNext.CHECKIN_4W: "Check in with the mentee in 4 weeks",
    WhatNext.ONGOING_WEEKLY: "Make it ongoing: weekly 1:1s",
    WhatNext.ONGOING_BIWEEKLY: "Make it ongoing: 1:1s every 2 weeks",
    WhatNext.ONGOING_MONTHLY: "Make it ongoing: monthly 1:1s",
}
CADENCE_WORDS: dict[Cadence, str] = {
    Cadence.WEEKLY: "weekly",
    Cadence.BIWEEKLY: "every-2-weeks",
    Cadence.MONTHLY: "monthly",
}


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later; the 31st becomes the month's last day."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def next_tick(moment: datetime, cadence: Cadence) -> datetime:
    """When the 1:1 after the one at `moment` is due."""
    if cadence is Cadence.MONTHLY:
        return add_months(moment, 1)
    return moment + timedelta(weeks=1 if cadence is Cadence.WEEKLY else 2)


def checkin_weeks(what_next: WhatNext | None) -> int:
    """The check-in interval a note chose (the default if it no longer chooses one)."""
    if what_next is None:
        return DEFAULT_CHECKIN_WEEKS
    return CHECKIN_WEEKS.get(what_next, DEFAULT_CHECKIN_WEEKS)


def may_check_in_again(sequence: int, max_checkins: int) -> bool:
    """Whether a check-in chain that has reached `sequence` may ask once more."""
    return sequence < max_checkins


def due_problem(due: date | None, today: date) -> str | None:
    """Why a due date can't be used (in the past in the author's time zone), or None."""
    if due is not None and due < today:
        return "That date has passed. Pick today or a later day."
    return None


def text_problem(text: str, limit: int, what: str) -> str | None:
    """Why a typed text is too long, or None."""
    if len(text) > limit:
        return f"{what} can be at most {limit} characters (this is {len(text)})."
    return None
