"""The weekly digest message, its opt-in toggle on Home and in /mentor settings (pure).

Counts and shares only: no one's name, no request text, and a share rated helpful only when
MIN_RATINGS ratings stand behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.digest import COMPARE_WEEKS, DigestFigures
from handlers import ids
from handlers.blocks.stats import format_duration, format_percent, helpful
from handlers.blocks.text import actions, button, context, header, section
from storage.admin import WindowStats
from storage.feedback import MIN_RATINGS
from storage.models import RequestSource

_SOURCE_WORDS = {
    RequestSource.DETECTED: "detected",
    RequestSource.COMMAND: "command",
    RequestSource.SHORTCUT: "shortcut",
    RequestSource.INTRO: "intro",
}
NO_CHART = "_(No chart this week: I may not upload files here; ask for the `files:write` scope.)_"
DIGEST_ON = ":bar_chart: You'll get the weekly digest every Monday at 09:00 your time."
DIGEST_OFF = "Weekly digest turned off. You won't get it any more."
NOT_FOR_YOU = "The weekly digest is for coordinators and admins."


def _average(count: int) -> str:
    """A four-week total as a weekly average: '2.5 a week'."""
    value = count / COMPARE_WEEKS
    return f"{value:.1f}".rstrip("0").rstrip(".") + " a week"


def _sources(stats: WindowStats) -> str:
    parts = [f"{_SOURCE_WORDS[s]} {stats.by_source[s]}" for s in RequestSource]
    parts.append(f"workflow {stats.by_workflow}")
    return f"{stats.requests} ({', '.join(parts)})"


def _answered(stats: WindowStats) -> str:
    share = format_percent(stats.answered_within_day * 100.0 / stats.asked) if stats.asked else "—"
    return f"{stats.answered_within_day} of {stats.asked} ({share})"


# (label, last week, the four weeks before) in the order shown.
_ROWS: tuple[tuple[str, Callable[[WindowStats], str], Callable[[WindowStats], str]], ...] = (
    ("Requests made", _sources, lambda b: _average(b.requests)),
    ("Answered within 24 h", _answered, lambda b: format_percent(
        b.answered_within_day * 100.0 / b.asked if b.asked else None)),
    ("Median time to first answer", lambda s: format_duration(s.median_first_response_seconds),
     lambda b: format_duration(b.median_first_response_seconds)),
    ("Sessions held", lambda s: str(s.sessions_held), lambda b: _average(b.sessions_held)),
    ("Share rated helpful", helpful, helpful),
    ("Requests that expired", lambda s: str(s.expired_during),
     lambda b: _average(b.expired_during)),
)  # fmt: skip


def figure_lines(figures: DigestFigures) -> list[tuple[str, str]]:
    """(label, text) for every figure: last week against the four before, then the counts now."""
    last, before = figures.last_week, figures.weeks_before
    lines = [
        (label, f"{now(last)} · the {COMPARE_WEEKS} weeks before: {then(before)}")
        for label, now, then in _ROWS
    ]
    lines.append(("Mentors at capacity now", str(figures.mentors_at_capacity)))
    lines.append(("Ongoing 1:1s at risk (missed two ticks in a row)", str(figures.at_risk)))
    return lines


def build_digest(figures: DigestFigures, *, chart: bool = True) -> dict[str, Any]:
    """The digest DM: a header with the week, one section of figures, and what they count.
    chart=False says why no chart follows."""
    first = figures.trend.weeks[-1]
    last = first + timedelta(days=6)
    title = f"Mentoring last week ({first.day} {first:%b} to {last.day} {last:%b})"
    lines = figure_lines(figures)
    body = "\n".join(f"*{label}:* {text}" for label, text in lines)
    blocks: list[dict[str, Any]] = [header(title), section(body)]
    if not chart:
        blocks.append(context(NO_CHART))
    blocks.append(
        context(
            "Counts only: no names, no request text, and a share rated helpful only when at "
            f"least {MIN_RATINGS} ratings stand behind it. Turn this digest off on my Home tab "
            "or in `/mentor settings`."
        )
    )
    text = title + "\n" + "\n".join(f"{label}: {text}" for label, text in lines)
    return {"text": text[:3000], "blocks": blocks}


def build_digest_toggle(subscribed: bool) -> list[dict[str, Any]]:
    """The Home tab's row for coordinators and admins: the digest's state and its switch."""
    if subscribed:
        state = ":bar_chart: *Weekly digest:* on, every Monday at 09:00 your time."
        switch = button("Turn off", ids.HOME_DIGEST, "off")
    else:
        state = ":bar_chart: *Weekly digest:* off. Figures for the program, Mondays at 09:00."
        switch = button("Turn on", ids.HOME_DIGEST, "on", "primary")
    return [section(state), actions(switch)]


def build_digest_checkbox(subscribed: bool) -> dict[str, Any]:
    """The /mentor settings block: send me the weekly digest (it is the admin's own choice)."""
    option = {
        "text": {"type": "plain_text", "text": "Send me the weekly digest"},
        "description": {"type": "plain_text", "text": "Every Monday at 09:00 your time, by DM"},
        "value": "on",
    }
    element: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": ids.SETTINGS_DIGEST_ACTION,
        "options": [option],
    }
    if subscribed:
        element["initial_options"] = [option]
    return {
        "type": "input",
        "block_id": ids.SETTINGS_DIGEST_BLOCK,
        "optional": True,
        "label": {"type": "plain_text", "text": "Weekly digest"},
        "element": element,
    }
