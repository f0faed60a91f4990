"""`/mentor stats`: workspace figures for admins, computed by SQL aggregates, with the weekly
digest's figures and its chart (uploaded to the admin's DM: an ephemeral reply can't carry it)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from slack_sdk.errors import SlackApiError

from bot.digest import Trend, week_end, week_start, weekly_figures
from bot.ratings_shown import ratings_shown
from bot.time_zones import user_tz
from bot.working_hours import zone
from handlers.admin.access import admins_only
from handlers.admin.digest import upload_chart
from handlers.blocks.digest import NO_CHART, figure_lines
from handlers.blocks.stats import build_stats
from handlers.blocks.text import context, header, section
from handlers.kit import SubcommandCall

log = logging.getLogger(__name__)

WINDOWS_DAYS = (30, 90)
CHART_SENT = "_The 12-week chart is in our DM._"


async def stats_command(call: SubcommandCall) -> None:
    """`/mentor stats`: the last 30 and 90 days, then last week against the four before."""
    # Ack first: users.info and the aggregates may take longer than Slack waits.
    await call.ack()
    if not await admins_only(call, "stats"):
        return
    now = call.clock.now()
    store, team_id = call.store, call.team_id
    spans = [(now - timedelta(days=days), now) for days in WINDOWS_DAYS]
    windows = [
        await store.window_stats(team_id, *span, days)
        for span, days in zip(spans, WINDOWS_DAYS, strict=True)
    ]
    # Every share in the reply is checked against the others, the digest's included.
    shown = await ratings_shown(store, team_id, spans)
    windows = [replace(w, ratings_hidden=not ok) for w, ok in zip(windows, shown, strict=True)]
    reply = build_stats(windows)
    tz = await user_tz(call.client, store, team_id, call.user_id, now)
    monday = week_start(now.astimezone(zone(tz)).date())  # this week's, where the admin is
    with_shares = [span for span, ok in zip(spans, shown, strict=True) if ok]
    figures = await weekly_figures(store, team_id, week_end(monday, tz), with_shares, now)
    body = "\n".join(f"*{label}:* {text}" for label, text in figure_lines(figures))
    note = CHART_SENT if await _chart_to_dm(call, figures.trend) else NO_CHART
    reply["blocks"] += [header("Last week against the four before"), section(body), context(note)]
    await call.respond(**reply)


async def _chart_to_dm(call: SubcommandCall, trend: Trend) -> bool:
    """The chart in the admin's DM with the bot; False if Slack wouldn't take it."""
    try:
        opened = await call.client.conversations_open(users=call.user_id)
    except SlackApiError as error:
        log.info("stats chart: no DM error=%s", error.response.get("error"))
        return False
    return await upload_chart(call.client, str(opened["channel"]["id"]), trend) is None
