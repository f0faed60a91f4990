"""Quiet hours: a pure function from a due time, a time zone and a window to the send time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.quiet_hours import next_allowed
from bot.working_hours import WorkingHours

DEFAULT = WorkingHours()


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_inside_the_window_is_unchanged() -> None:
    due = utc(2026, 3, 10, 4, 30)  # Tuesday 10:00 in Kolkata
    assert next_allowed(due, "Asia/Kolkata", DEFAULT) is due


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        # 08:00 IST Tuesday -> 09:00 IST the same day (03:30 UTC): the half-hour offset holds.
        (utc(2026, 3, 10, 2, 30), utc(2026, 3, 10, 3, 30)),
        # 18:00 IST exactly is outside [09:00, 18:00) -> Wednesday 09:00 IST.
        (utc(2026, 3, 10, 12, 30), utc(2026, 3, 11, 3, 30)),
        # Friday 18:30 IST -> Monday 09:00 IST.
        (utc(2026, 3, 13, 13, 0), utc(2026, 3, 16, 3, 30)),
        # 08:59 IST Monday -> one minute later.
        (utc(2026, 3, 16, 3, 29), utc(2026, 3, 16, 3, 30)),
    ],
)
def test_kolkata(due: datetime, expected: datetime) -> None:
    assert next_allowed(due, "Asia/Kolkata", DEFAULT) == expected


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        # Friday 20:00 EST (UTC-5) -> Monday 09:00 EDT (UTC-4), the day after the spring change.
        (utc(2026, 3, 7, 1, 0), utc(2026, 3, 9, 13, 0)),
        # Sunday 2026-03-08 03:00 EDT, just after the gap -> Monday 09:00 EDT.
        (utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 13, 0)),
        # Monday 08:59 EDT -> 09:00 EDT.
        (utc(2026, 3, 9, 12, 59), utc(2026, 3, 9, 13, 0)),
        # Tuesday 03:00 EDT -> 09:00 EDT.
        (utc(2026, 3, 10, 7, 0), utc(2026, 3, 10, 13, 0)),
        # Friday 2026-10-30 19:00 EDT -> Monday 2026-11-02 09:00 EST, after the autumn change.
        (utc(2026, 10, 30, 23, 0), utc(2026, 11, 2, 14, 0)),
        # Sunday 2026-11-01 01:30 EST (the repeated hour, second pass) -> Monday 09:00 EST.
        (utc(2026, 11, 1, 6, 30), utc(2026, 11, 2, 14, 0)),
        # Monday 2026-11-02 08:00 EST -> 09:00 EST.
        (utc(2026, 11, 2, 13, 0), utc(2026, 11, 2, 14, 0)),
    ],
)
def test_new_york_across_dst(due: datetime, expected: datetime) -> None:
    assert next_allowed(due, "America/New_York", DEFAULT) == expected


@pytest.mark.parametrize(
    "due",
    [
        utc(2026, 3, 9, 13, 0),  # Monday 09:00 EDT, the day after the spring change
        utc(2026, 3, 9, 21, 59),  # 17:59 EDT
        utc(2026, 11, 2, 14, 0),  # Monday 09:00 EST, the day after the autumn change
    ],
)
def test_new_york_window_edges_inside(due: datetime) -> None:
    assert next_allowed(due, "America/New_York", DEFAULT) == due


def test_the_result_is_utc() -> None:
    result = next_allowed(utc(2026, 3, 10, 7, 0), "America/New_York", DEFAULT)
    assert result.tzinfo is UTC


@pytest.mark.parametrize("tz", [None, "", "Not/AZone", "../etc/passwd"])
def test_unknown_zone_means_utc(tz: str | None) -> None:
    assert next_allowed(utc(2026, 3, 10, 7, 0), tz, DEFAULT) == utc(2026, 3, 10, 9, 0)


def test_custom_window() -> None:
    weekend_evenings = WorkingHours(days=(6, 7), start_minute=18 * 60, end_minute=1440)
    # Tuesday noon in Berlin (CET, UTC+1) -> Saturday 18:00 CET.
    assert next_allowed(utc(2026, 3, 10, 11, 0), "Europe/Berlin", weekend_evenings) == utc(
        2026, 3, 14, 17, 0
    )
    # Saturday 23:59 is inside a window that runs to midnight.
    late = utc(2026, 3, 14, 22, 59)
    assert next_allowed(late, "Europe/Berlin", weekend_evenings) == late


@pytest.mark.parametrize(
    ("days", "start", "end"),
    [((), 540, 1080), ((0,), 540, 1080), ((1,), 600, 600)],
)
def test_bad_windows_are_refused(days: tuple[int, ...], start: int, end: int) -> None:
    with pytest.raises(ValueError, match=r"must be|need"):
        WorkingHours(days=days, start_minute=start, end_minute=end)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_allowed(datetime(2026, 3, 10, 7, 0), "UTC", DEFAULT)
