"""Who is looking at the page: their time zone, their clock, and the names they can see."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Viewer:
    """The person a message or view is rendered for, as Slack would show it to them."""

    tz: str = "UTC"
    # Their user id; links to shared files carry it, so the playground can check who asks.
    user: str = ""
    # An aware datetime; "Today"/"Yesterday" in dates are relative to it.
    now: datetime | None = None
    names: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Fail at construction, not halfway through a page, on a bad zone or a naive clock.
        ZoneInfo(self.tz)
        if self.now is not None and self.now.tzinfo is None:
            raise ValueError("Viewer.now must be timezone-aware")

    @property
    def zone(self) -> ZoneInfo:
        """The viewer's time zone."""
        return ZoneInfo(self.tz)
