"""The digest's chart: the 12-week trend as an 800x400 PNG.

matplotlib is imported only here and only when a chart is drawn, so an idle bot never loads
it (its RSS is measured: docs/benchmarks.md). Callers run `draw_trend` in a thread.
"""

from __future__ import annotations

import io

from bot.digest import Trend

WIDTH, HEIGHT, DPI = 800, 400, 100
TITLE = "Mentoring, week by week"
# (label, Trend field) in the order the lines are drawn: counts only, no one's name.
SERIES = (
    ("Requests", "requests"),
    ("Answered within 24 h", "answered"),
    ("Sessions held", "sessions"),
)


def series(trend: Trend) -> dict[str, tuple[int, ...]]:
    """The lines the chart draws, by label: exactly the digest's figures."""
    return {label: getattr(trend, field) for label, field in SERIES}


def week_labels(trend: Trend) -> list[str]:
    """The x-axis labels: each week's Monday, e.g. '2 Mar'."""
    return [f"{week.day} {week:%b}" for week in trend.weeks]


def draw_trend(trend: Trend) -> bytes:
    """The PNG bytes of the trend chart (blocking: run it in a thread)."""
    import matplotlib

    matplotlib.use("Agg")  # no display, no GUI toolkit
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    # A Figure of its own, not pyplot's global state: safe in a worker thread.
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    axes = figure.add_subplot()
    labels = week_labels(trend)
    for label, values in series(trend).items():
        axes.plot(labels, values, marker="o", label=label)
    axes.set_title(TITLE)
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()
