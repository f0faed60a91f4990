"""Quiet hours: when a nudge may land, given the recipient's time zone and working window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class WorkWindow:
    """Working hours in the recipient's local time: ISO weekdays and [start, end) minutes."""

    days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    start_minute: int = 9 * 60
    end_minute: int = 18 * 60

    def __post_init__(self) -> None:
        if not self.days or not self.days <= frozenset(range(1, 8)):
            raise ValueError("days must be ISO weekdays 1-7, at least one")
        if not 0 <= self.start_minute < self.end_minute <= MINUTES_PER_DAY:
            raise ValueError("need 0 <= start_minute < end_minute <= 1440")


@lru_cache(maxsize=512)
def zone(name: str | None) -> tzinfo:
    """The IANA zone by name; an unknown or missing name means UTC."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _window_start(day: datetime, window: WorkWindow, local_zone: tzinfo) -> datetime:
    start = time(window.start_minute // 60, window.start_minute % 60)
    return datetime.combine(day.date(), start, tzinfo=local_zone)


def next_allowed(due_utc: datetime, tz: str | None, window: WorkWindow) -> datetime:
    """due_utc itself if it falls inside the window, else the next window start (in UTC)."""
    if due_utc.tzinfo is None:
        raise ValueError("next_allowed needs a timezone-aware datetime")
    local_zone = zone(tz)
    local = due_utc.astimezone(local_zone)
    minute = local.hour * 60 + local.minute
    if local.isoweekday() in window.days and window.start_minute <= minute < window.end_minute:
        return due_utc
    # Walk calendar days in local time; the wall-clock start is resolved per day, so a DST
    # change between now and then moves the UTC instant, not the local 09:00.
    for ahead in range(8):
        day = local + timedelta(days=ahead)
        if day.isoweekday() not in window.days:
            continue
        start = _window_start(day, window, local_zone)
        if start > local:
            return start.astimezone(UTC)
    raise AssertionError("a non-empty window always opens within a week")  # pragma: no cover
