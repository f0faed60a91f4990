"""The digest's timing rules, its message and its chart (pure, no Slack, no database)."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

from bot.chart import HEIGHT, WIDTH, draw_trend, series
from bot.digest import DigestFigures, Trend, next_send, week_end
from handlers.blocks.digest import build_digest
from handlers.blocks.stats import NOT_ENOUGH, helpful
from storage.admin import WindowStats
from storage.models import RequestSource

TREND = Trend(
    weeks=tuple(date(2026, 1, 5) + timedelta(weeks=n) for n in range(12)),
    requests=(3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14),
    answered=(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
    sessions=(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1),
)


def stats(days: int = 7, rated: int = 0, helpful_ones: int = 0) -> WindowStats:
    return WindowStats(
        days=days,
        requests=4,
        by_source=dict.fromkeys(RequestSource, 1),
        asked=4,
        accepted=2,
        expired=0,
        answered_within_day=2,
        median_first_response_seconds=3600,
        sessions_held=1,
        sessions_with_notes=0,
        checkins_asked=0,
        checkins_answered=0,
        action_items=0,
        action_items_done=0,
        intros=0,
        intros_accepted=0,
        rated=rated,
        rated_helpful=helpful_ones,
    )


def test_monday_nine_in_each_zone_across_the_us_clock_change() -> None:
    tuesday = datetime(2026, 3, 3, 12, tzinfo=UTC)
    assert next_send("Europe/London", tuesday) == (
        datetime(2026, 3, 9, 9, tzinfo=UTC),
        date(2026, 3, 9),
    )
    # Los Angeles moved to PDT (UTC-7) on Sunday 8 March.
    assert next_send("America/Los_Angeles", tuesday)[0] == datetime(2026, 3, 9, 16, tzinfo=UTC)
    assert next_send(None, tuesday)[0] == datetime(2026, 3, 9, 9, tzinfo=UTC)
    # Monday after 09:00 there: next week's; before 09:00: today's.
    monday_ten = datetime(2026, 3, 9, 10, tzinfo=UTC)
    assert next_send("Europe/London", monday_ten)[1] == date(2026, 3, 16)
    assert next_send("America/Los_Angeles", monday_ten)[1] == date(2026, 3, 9)
    assert week_end(date(2026, 3, 9), "America/Los_Angeles") == datetime(2026, 3, 9, 7, tzinfo=UTC)


def test_a_share_rated_helpful_needs_five_ratings() -> None:
    assert helpful(stats(rated=4, helpful_ones=4)) == NOT_ENOUGH
    assert helpful(stats(rated=5, helpful_ones=4)) == "80% of 5 ratings"


def test_the_digest_counts_and_names_no_one() -> None:
    figures = DigestFigures(stats(), stats(days=28), 2, 1, TREND)
    message = build_digest(figures, chart=False)
    assert (
        "Requests made: 4 (detected 1, command 1, shortcut 1, intro 1, workflow 0)"
        in message["text"]
    )
    assert "the 4 weeks before: 1 a week" in message["text"]
    assert "files:write" in str(message["blocks"])
    assert "<@" not in str(message)  # no one is mentioned


def test_the_chart_is_an_800_by_400_png_of_the_trend() -> None:
    png = draw_trend(TREND)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (HEIGHT, WIDTH)
    assert series(TREND)["Sessions held"] == TREND.sessions


def test_the_idle_bot_never_loads_matplotlib() -> None:
    code = "import sys, bot.app, handlers; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 - our own program, fixed arguments
