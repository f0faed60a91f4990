"""Booking rules with no Slack shapes: slot checks, office hours, calendar links and .ics text.

Office hours come from bot.working_hours (the one rule: profile, else workspace, else default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from bot.working_hours import DAY_NAMES, WorkingHours, zone
from storage.models import Session

MAX_SLOTS = 3
MAX_AHEAD = timedelta(days=60)
# "Did you meet?" goes this long after the session's end.
FOLLOW_UP_AFTER = timedelta(minutes=30)

PAST = "That time has passed. Pick one in the future."
TOO_FAR = "Pick a time within the next 60 days."
TWICE = "You picked this time twice."
NO_TIMES = "Pick at least one time, or tick Talk now."
NO_PROPOSAL = "Pick at least one time that suits you."
BOTH = "Choose times or Talk now, not both."
BUSY_NOW = "You have another session booked right now."


def local_label(moment: datetime, tz: str | None) -> str:
    """'Tue 10 Mar, 16:00' in a time zone, for text where Slack can't localise a date."""
    local = moment.astimezone(zone(tz))
    return f"{DAY_NAMES[local.weekday()]} {local.day} {local:%b}, {local:%H:%M}"


def ends_at(session: Session) -> datetime:
    """When a session is over."""
    return session.starts_at + timedelta(minutes=session.duration_minutes)


def outside_office_hours(
    start: datetime, duration_minutes: int, hours: WorkingHours, tz: str | None
) -> bool:
    """True when the slot doesn't fit wholly inside one day's office hours (in zone tz)."""
    local = start.astimezone(zone(tz))
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


def busy_now(busy: Sequence[Session], *, now: datetime, duration_minutes: int) -> bool:
    """Whether a session in `busy` overlaps a call that starts now."""
    return any(_overlaps(now, duration_minutes, session) for session in busy)


# The problem key for the Talk now box; slot problems are keyed by the slot's index.
TALK_NOW = -1


def check_offer(
    slots: Mapping[int, datetime],
    *,
    talk_now: bool,
    now: datetime,
    duration_minutes: int,
    busy: Sequence[Session],
    tz: str | None,
) -> dict[int, str]:
    """Problems with a mentor's offer: Talk now with times or while busy, no times, or the
    slots' own (check_slots)."""
    if talk_now:
        if slots:
            return {TALK_NOW: BOTH}
        if busy_now(busy, now=now, duration_minutes=duration_minutes):
            return {TALK_NOW: BUSY_NOW}
        return {}
    if not slots:
        return {0: NO_TIMES}
    return check_slots(slots, now=now, duration_minutes=duration_minutes, busy=busy, tz=tz)


def check_proposal(
    slots: Mapping[int, datetime],
    *,
    now: datetime,
    duration_minutes: int,
    busy: Sequence[Session],
    tz: str | None,
) -> dict[int, str]:
    """Problems with a mentee's own times: none picked, or the slots' own against the mentor's
    sessions."""
    if not slots:
        return {0: NO_PROPOSAL}
    return check_slots(
        slots,
        now=now,
        duration_minutes=duration_minutes,
        busy=busy,
        tz=tz,
        busy_owner="your mentor",
    )


def outside_hours_warnings(
    slots: Mapping[int, datetime], *, duration_minutes: int, hours: WorkingHours, tz: str | None
) -> dict[int, str]:
    """A warning on each slot outside the mentor's office hours (the offer may go anyway)."""
    warning = (
        f"Outside your office hours ({hours.describe(tz)}). To offer it anyway, tick "
        "\u201cOffer those times anyway\u201d below and submit again."
    )
    return {
        index: warning
        for index, start in slots.items()
        if outside_office_hours(start, duration_minutes, hours, tz)
    }


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
