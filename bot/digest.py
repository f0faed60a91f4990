"""The weekly digest's rules: when it is due, which weeks it covers, and its figures.

Every figure comes from storage/admin.py's window_stats (the one module of figures that
/mentor stats uses too) plus two counts of now; nothing here names a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from bot.ratings_shown import Span, ratings_shown
from bot.settings import Settings
from bot.working_hours import zone
from bot.workspace import workspace_settings
from storage.admin import WindowStats
from storage.store import Store

SEND_AT = time(9, 0)  # Monday, in the recipient's time zone
TREND_WEEKS = 12
COMPARE_WEEKS = 4  # last week against the four before it
WEEK = timedelta(days=7)


def week_start(day: date) -> date:
    """The Monday of the week `day` is in."""
    return day - timedelta(days=day.weekday())


def next_send(tz: str | None, now: datetime) -> tuple[datetime, date]:
    """The next Monday 09:00 where the person is (after `now`), and that Monday's date."""
    local = now.astimezone(zone(tz))
    monday = week_start(local.date())
    due = datetime.combine(monday, SEND_AT, tzinfo=zone(tz))
    if due <= now:
        monday += WEEK
        due = datetime.combine(monday, SEND_AT, tzinfo=zone(tz))
    return due, monday


def week_end(monday: date, tz: str | None) -> datetime:
    """Monday 00:00 where the person is: the end of the week the digest looks back on."""
    return datetime.combine(monday, time(0, 0), tzinfo=zone(tz))


@dataclass(frozen=True)
class Trend:
    """The chart's data: one point a week, oldest first."""

    weeks: tuple[date, ...]  # each week's Monday
    requests: tuple[int, ...]
    answered: tuple[int, ...]  # answered within 24 h
    sessions: tuple[int, ...]


@dataclass(frozen=True)
class DigestFigures:
    """Last week, the four weeks before it (summed: the text shows their weekly average), two
    counts of now, and the 12-week trend. Counts only."""

    last_week: WindowStats
    weeks_before: WindowStats
    mentors_at_capacity: int
    at_risk: int
    trend: Trend


async def weekly_figures(
    store: Store,
    team_id: str,
    end: datetime,
    shown_with: Sequence[Span] = (),
    as_of: datetime | None = None,
) -> DigestFigures:
    """The digest's figures for the weeks that end at `end` (a Monday 00:00, local), made at
    `as_of` (default `end`): a session nobody closed counts as held in the week it started
    once it is over by then, as in /mentor stats, even one that ends after its week.
    `shown_with` are the windows whose rating shares appear next to these (/mentor stats)."""
    starts = [end - WEEK * back for back in range(TREND_WEEKS, 0, -1)]
    weeks = [await store.window_stats(team_id, start, start + WEEK, 7, as_of) for start in starts]
    before_span = (end - WEEK * (COMPARE_WEEKS + 1), end - WEEK)
    before = await store.window_stats(team_id, *before_span, 7 * COMPARE_WEEKS, as_of)
    spans = [(end - WEEK, end), before_span]
    last_ok, before_ok = await ratings_shown(store, team_id, spans, shown_with)
    trend = Trend(
        weeks=tuple(start.date() for start in starts),
        requests=tuple(w.requests for w in weeks),
        answered=tuple(w.answered_within_day for w in weeks),
        sessions=tuple(w.sessions_held for w in weeks),
    )
    return DigestFigures(
        last_week=replace(weeks[-1], ratings_hidden=not last_ok),
        weeks_before=replace(before, ratings_hidden=not before_ok),
        mentors_at_capacity=await store.mentors_at_capacity(team_id),
        at_risk=await store.relationships_at_risk(team_id, end),
        trend=trend,
    )


async def home_toggle(store: Store, settings: Settings, team_id: str, user_id: str) -> bool | None:
    """The Home tab's digest switch: True (on), False (off, may turn on) or None (not shown).
    No Slack call: a Slack admin is known from the admin cache any admin command fills."""
    if await store.digest_subscription(team_id, user_id) is not None:
        return True
    current = await workspace_settings(store, settings, team_id)
    person = await store.get_person(team_id, user_id)
    known = user_id in current.coordinators or user_id in settings.admins
    return False if known or (person is not None and person.is_admin) else None
