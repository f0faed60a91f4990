"""Working hours: one type, one rule, and time-zone names; booking, quiet hours and matching use it.

The rule: a person's office hours (their mentor profile) when set and valid (at least one day,
start before end), else the workspace's working hours when valid, else Mon-Fri 09:00-18:00.
Hours are in the person's own Slack time zone (bot.time_zones looks it up).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.models import MentorProfile, WorkspaceSettings
from storage.store import Store

MINUTES_PER_DAY = 24 * 60
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class WorkingHours:
    """A working week in local time: ISO weekdays (sorted, unique) and [start, end) minutes."""

    days: tuple[int, ...] = (1, 2, 3, 4, 5)
    start_minute: int = 9 * 60
    end_minute: int = 18 * 60

    def __post_init__(self) -> None:
        days = tuple(sorted(set(self.days)))
        if not usable(days, self.start_minute, self.end_minute):
            raise ValueError("need ISO weekdays 1-7 (at least one) and 0 <= start < end <= 1440")
        object.__setattr__(self, "days", days)

    def covers(self, isoweekday: int, minute: int) -> bool:
        """Whether a local weekday and minute of the day fall inside these hours."""
        return isoweekday in self.days and self.start_minute <= minute < self.end_minute

    def describe(self, tz: str | None) -> str:
        """'Mon-Fri 09:00-18:00 (Europe/Berlin)'."""
        hours = f"{_hhmm(self.start_minute)}-{_hhmm(self.end_minute)}"
        return f"{_days(self.days)} {hours} ({tz or 'UTC'})"


def usable(days: Iterable[int], start: int | None, end: int | None) -> bool:
    """Hours worth keeping: at least one ISO weekday, and 0 <= start < end <= 1440."""
    days = set(days)
    if start is None or end is None or not days or not days <= set(range(1, 8)):
        return False
    return 0 <= start < end <= MINUTES_PER_DAY


DEFAULT_WORKING_HOURS = WorkingHours()


def resolve_hours(
    days: Iterable[int], start: int | None, end: int | None, fallback: WorkingHours
) -> WorkingHours:
    """These hours when usable, else `fallback` whole (never a mix of the two)."""
    days = tuple(days)
    if start is None or end is None or not usable(days, start, end):
        return fallback
    return WorkingHours(days, start, end)


def workspace_hours(workspace: WorkspaceSettings | None) -> WorkingHours:
    """The workspace's working hours when valid, else Mon-Fri 09:00-18:00."""
    if workspace is None:
        return DEFAULT_WORKING_HOURS
    return resolve_hours(
        workspace.work_days,
        workspace.work_start_minute,
        workspace.work_end_minute,
        DEFAULT_WORKING_HOURS,
    )


def working_hours(
    profile: MentorProfile | None, workspace: WorkspaceSettings | None
) -> WorkingHours:
    """The one rule: the person's office hours, else the workspace's, else the default."""
    fallback = workspace_hours(workspace)
    if profile is None:
        return fallback
    return resolve_hours(
        profile.office_days, profile.office_start_minute, profile.office_end_minute, fallback
    )


async def person_hours(store: Store, team_id: str, user_id: str) -> WorkingHours:
    """A person's working hours by the one rule, read from storage."""
    profile = await store.get_profile(team_id, user_id)
    return working_hours(profile, await store.get_workspace_settings(team_id))


@lru_cache(maxsize=512)
def known_zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone by name; None for a missing or unknown name."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone(name: str | None) -> tzinfo:
    """The IANA zone by name; an unknown or missing name means UTC."""
    return known_zone(name) or UTC


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _days(days: tuple[int, ...]) -> str:
    ordered = list(days)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DAY_NAMES[ordered[0] - 1]}-{DAY_NAMES[ordered[-1] - 1]}"
    return ", ".join(DAY_NAMES[day - 1] for day in ordered)
