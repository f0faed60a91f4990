"""Slack's `<!date^…>` tokens, shown in the viewer's own time zone."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

_TOKEN = re.compile(r"\{([a-z_]+)\}")
_RELATIVE = {0: "Today", -1: "Yesterday", 1: "Tomorrow"}


def _ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def _clock(at: datetime, seconds: bool) -> str:
    # Slack's default for English: a 12-hour clock without a leading zero.
    hour = at.hour % 12 or 12
    secs = f":{at.second:02d}" if seconds else ""
    return f"{hour}:{at.minute:02d}{secs} {'AM' if at.hour < 12 else 'PM'}"


def _dates(at: datetime) -> dict[str, str]:
    return {
        "date_num": at.strftime("%Y-%m-%d"),
        "date": f"{at:%B} {_ordinal(at.day)}, {at.year}",
        "date_short": f"{at:%b} {at.day}, {at.year}",
        "date_long": f"{at:%A}, {at:%B} {_ordinal(at.day)}, {at.year}",
    }


def format_date(timestamp: int, template: str, zone: ZoneInfo, now: datetime | None) -> str | None:
    """The template with each known `{token}` filled in, or None if the time can't be shown."""
    try:
        at = datetime.fromtimestamp(timestamp, zone)
    except (OverflowError, OSError, ValueError):
        return None
    values = _dates(at)
    values["time"] = _clock(at, seconds=False)
    values["time_secs"] = _clock(at, seconds=True)
    relative = None
    if now is not None:
        relative = _RELATIVE.get((at.date() - now.astimezone(zone).date()) // timedelta(days=1))
    for plain in ("date", "date_short", "date_long"):
        values[f"{plain}_pretty"] = relative or values[plain]
    # Unknown tokens stay as typed, as Slack leaves them.
    return _TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), template)
