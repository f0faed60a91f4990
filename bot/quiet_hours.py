"""Quiet hours: when a nudge may land, given the recipient's time zone and working hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from bot.working_hours import WorkingHours, zone


def _window_start(day: datetime, window: WorkingHours, local_zone: tzinfo) -> datetime:
    start = time(window.start_minute // 60, window.start_minute % 60)
    return datetime.combine(day.date(), start, tzinfo=local_zone)


def next_allowed(due_utc: datetime, tz: str | None, window: WorkingHours) -> datetime:
    """due_utc itself if it falls inside the window, else the next window start (in UTC)."""
    if due_utc.tzinfo is None:
        raise ValueError("next_allowed needs a timezone-aware datetime")
    local_zone = zone(tz)
    local = due_utc.astimezone(local_zone)
    minute = local.hour * 60 + local.minute
    if window.covers(local.isoweekday(), minute):
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
