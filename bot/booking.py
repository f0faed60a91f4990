"""Booking rules with no Slack shapes: slot checks, office hours, calendar links and .ics text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from bot.quiet_hours import zone
from storage.models import MentorProfile, Session, WorkspaceSettings

MAX_SLOTS = 3
MAX_AHEAD = timedelta(days=60)
# "Did you meet?" goes this long after the session's end.
FOLLOW_UP_AFTER = timedelta(minutes=30)

PAST = "That time has passed. Pick one in the future."
TOO_FAR = "Pick a time within the next 60 days."
TWICE = "You picked this time twice."
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class OfficeHours:
    """When a mentor likes to meet, in their own time zone: ISO weekdays, [start, end) minutes."""

    days: tuple[int, ...]
    start_minute: int
    end_minute: int
    tz: str | None

    def describe(self) -> str:
        """'Mon-Fri 09:00-18:00 (Europe/Berlin)'."""
        hours = f"{_hhmm(self.start_minute)}-{_hhmm(self.end_minute)}"
        return f"{_days(self.days)} {hours} ({self.tz or 'UTC'})"


def office_hours(
    profile: MentorProfile | None, workspace: WorkspaceSettings, tz: str | None
) -> OfficeHours:
    """The mentor's office hours: their profile's, else the workspace's working hours."""
    if profile is None:
        return OfficeHours(
            workspace.work_days, workspace.work_start_minute, workspace.work_end_minute, tz
        )
    start, end = profile.office_start_minute, profile.office_end_minute
    if start is None or end is None:
        start, end = workspace.work_start_minute, workspace.work_end_minute
    return OfficeHours(profile.office_days, start, end, tz)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _days(days: Sequence[int]) -> str:
    ordered = sorted(set(days))
    if not ordered:
        return "no days"
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{_DAY_NAMES[ordered[0] - 1]}-{_DAY_NAMES[ordered[-1] - 1]}"
    return ", ".join(_DAY_NAMES[day - 1] for day in ordered)


def local_label(moment: datetime, tz: str | None) -> str:
    """'Tue 10 Mar, 16:00' in a time zone, for text where Slack can't localise a date."""
    local = moment.astimezone(zone(tz))
    return f"{_DAY_NAMES[local.weekday()]} {local.day} {local:%b}, {local:%H:%M}"


def ends_at(session: Session) -> datetime:
    """When a session is over."""
    return session.starts_at + timedelta(minutes=session.duration_minutes)


def outside_office_hours(start: datetime, duration_minutes: int, hours: OfficeHours) -> bool:
    """True when the slot doesn't fit wholly inside one day's office hours."""
    local = start.astimezone(zone(hours.tz))
    first = local.hour * 60 + local.minute
    last = first + duration_minutes
    return not (
        local.isoweekday() in hours.days
        and hours.start_minute <= first
        and last <= hours.end_minute
    )


def _overlaps(start: datetime, minutes: int, session: Session) -> bool:
    return start < ends_at(session) and session.starts_at < start + timedelta(minutes=minutes)


def check_slots(
    slots: Mapping[int, datetime],
    *,
    now: datetime,
    duration_minutes: int,
    busy: Sequence[Session] = (),
    tz: str | None = None,
    busy_owner: str = "you",
) -> dict[int, str]:
    """Problems with the chosen times, by slot index: past, too far, twice, or overlapping a
    confirmed session in `busy` (counting both durations)."""
    problems: dict[int, str] = {}
    seen: set[datetime] = set()
    for index in sorted(slots):
        start = slots[index]
        if start <= now:
            problems[index] = PAST
        elif start > now + MAX_AHEAD:
            problems[index] = TOO_FAR
        elif start in seen:
            problems[index] = TWICE
        else:
            clash = next((s for s in busy if _overlaps(start, duration_minutes, s)), None)
            if clash is not None:
                until = ends_at(clash).astimezone(zone(tz))
                span = f"{local_label(clash.starts_at, tz)} to {until:%H:%M}"
                problems[index] = f"This overlaps a session {busy_owner} already booked ({span})."
        seen.add(start)
    return problems


# -- calendars -------------------------------------------------------------------------------


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_calendar_url(title: str, start: datetime, duration_minutes: int, details: str) -> str:
    """A Google Calendar "create event" template link; needs no OAuth."""
    end = start + timedelta(minutes=duration_minutes)
    query = {
        "action": "TEMPLATE",
        "text": title,
        "dates": f"{_utc_stamp(start)}/{_utc_stamp(end)}",
        "details": details,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def _ics_text(value: str) -> str:
    """RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def ics_event(
    *,
    uid: str,
    start: datetime,
    duration_minutes: int,
    summary: str,
    description: str,
    now: datetime,
    sequence: int = 0,
) -> str:
    """One VEVENT in a VCALENDAR, as RFC 5545 text (CRLF line ends, folded, escaped)."""
    end = start + timedelta(minutes=duration_minutes)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//mentorbot//booking//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{_utc_stamp(now)}",
        f"DTSTART:{_utc_stamp(start)}",
        f"DTEND:{_utc_stamp(end)}",
        f"SUMMARY:{_ics_text(summary)}",
        f"DESCRIPTION:{_ics_text(description)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)
