"""The /mentor stats reply: aggregate figures only, two windows side by side (pure)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.blocks.text import context, header, section
from storage.admin import WindowStats
from storage.feedback import MIN_RATINGS
from storage.models import RequestSource

_SOURCE_WORDS = {
    RequestSource.DETECTED: "detected",
    RequestSource.COMMAND: "/mentor ask",
    RequestSource.SHORTCUT: "shortcut",
    RequestSource.INTRO: "intro",
}
NOT_ENOUGH = "not enough ratings yet"
HIDDEN = "not shown (next to the other figures it would single out a few ratings)"


def format_percent(value: float | None) -> str:
    """75.0 -> '75%'; None (nothing to count) -> '—'."""
    return "—" if value is None else f"{value:.0f}%"


def format_duration(seconds: float | None) -> str:
    """A wait in words: '45 min', '3.5 h', '2.0 days'; None -> '—'."""
    if seconds is None:
        return "—"
    if seconds < 3600:
        return f"{max(0, round(seconds / 60))} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _sources(stats: WindowStats) -> str:
    parts = [f"{_SOURCE_WORDS[source]} {stats.by_source[source]}" for source in RequestSource]
    parts.append(f"workflow {stats.by_workflow}")
    return f"{stats.requests} ({', '.join(parts)})"


def helpful(stats: WindowStats) -> str:
    """'80% of 10 ratings'; no figure at all when it could point at a rating (fewer than
    MIN_RATINGS behind it, or next to another window's share that would single some out)."""
    share = stats.helpful_percent
    if stats.ratings_hidden and stats.rated >= MIN_RATINGS:
        return HIDDEN
    if share is None:
        return NOT_ENOUGH
    return f"{format_percent(share)} of {stats.rated} ratings"


# (label, figure) in the order they are shown.
_FIGURES: tuple[tuple[str, Callable[[WindowStats], str]], ...] = (
    ("Requests", _sources),
    ("Accepted", lambda s: format_percent(s.accepted_percent)),
    ("Median time to first response", lambda s: format_duration(s.median_first_response_seconds)),
    ("Expired requests", lambda s: str(s.expired)),
    ("Sessions held", lambda s: str(s.sessions_held)),
    ("Held sessions with notes logged", lambda s: format_percent(s.notes_percent)),
    ("Check-ins answered", lambda s: format_percent(s.checkins_percent)),
    ("Action items done", lambda s: format_percent(s.action_items_percent)),
    ("Intros accepted", lambda s: format_percent(s.intros_percent)),
    ("Sessions rated really helpful", helpful),
)


def build_stats(windows: list[WindowStats]) -> dict[str, Any]:
    """The ephemeral stats message: one section per figure, one line per window."""
    blocks: list[dict[str, Any]] = [header("Mentoring in this workspace")]
    lines: list[str] = []
    for label, figure in _FIGURES:
        values = [f"last {w.days} days: {figure(w)}" for w in windows]
        blocks.append(section(f"*{label}*\n" + " · ".join(values)))
        lines.append(f"{label}: " + "; ".join(values))
    blocks.append(
        context(
            "Counts only: no names, no request text, no notes. Requests, action items and intros "
            "count by when they were made; sessions by when they started; check-ins by when "
            "they were due. A session is held once it's marked done or its time has passed. "
            f"Ratings count by when they were given, and show only with {MIN_RATINGS} or more, "
            "also in every stretch between two windows."
        )
    )
    return {"response_type": "ephemeral", "text": "\n".join(lines)[:3000], "blocks": blocks}
