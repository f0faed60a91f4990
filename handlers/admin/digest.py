"""The weekly digest for coordinators and admins: opting in and out, and its outbox kind.

Each subscriber has one pending `digest.weekly` row, due at their next Monday 09:00 local. Its
`apply` plans the following week's row (once, recorded with the row); its renderer only reads
the figures. The chart is uploaded into the DM once the text is posted; without `files:write`
the message is updated to say the digest is text only. Opting out deletes the subscription
and cancels the pending row in one transaction. After an uninstall and a reinstall,
`plan_digests_again` plans the next digest of each subscriber, whose row the uninstall
cancelled.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chart import draw_trend
from bot.clock import Clock
from bot.delivery import Delivery
from bot.digest import Trend, next_send, week_end, weekly_figures
from bot.kinds import Kind, OutboxDeps
from bot.settings import Settings
from bot.time_zones import user_tz
from bot.workspace import workspace_settings
from handlers.admin.access import is_admin
from handlers.blocks.digest import DIGEST_OFF, DIGEST_ON, NOT_FOR_YOU, build_digest
from handlers.kit import HomeClick, on_home_click
from storage.digest import DIGEST_KIND
from storage.models import OutboxMessage
from storage.outbox import Effects, Planned
from storage.store import Store
from storage.timefmt import format_time

log = logging.getLogger(__name__)

CHART_FILENAME = "mentoring-trend.png"
CHART_TITLE = "Requests, answered within 24 h and sessions held, last 12 weeks"
# Slack's answers that mean "this app may not upload files here".
NO_UPLOADS = frozenset({"missing_scope", "not_allowed_token_type", "no_permission"})


def _stamp(moment: datetime) -> int:
    # Whole seconds, as rows queued by earlier releases carry it; the key tells subscriptions
    # apart, this only ties a row to the subscription it was planned for.
    return int(moment.timestamp())


def digest_row(
    team_id: str, user_id: str, tz: str | None, now: datetime, since: datetime
) -> Planned:
    """The subscriber's next digest: Monday 09:00 where they are. The key names the person,
    the week and the subscription, so one opt-in never gets two digests a week and a new
    opt-in isn't swallowed by the row its opt-out cancelled: the subscription's time goes in
    to the microsecond, as stored (off and on again within a second must differ)."""
    due, monday = next_send(tz, now)
    return Planned(
        team_id,
        DIGEST_KIND,
        user_id,
        due,
        f"digest:{user_id}:{monday.isoformat()}:{format_time(since)}",
        payload={"monday": monday.isoformat(), "tz": tz, "since": _stamp(since)},
    )


async def may_get_digest(
    client: AsyncWebClient,
    store: Store,
    settings: Settings,
    clock: Clock,
    team_id: str,
    user_id: str,
) -> bool:
    """Coordinators and admins (MENTORBOT_ADMINS, Slack admins and owners)."""
    current = await workspace_settings(store, settings, team_id)
    if user_id in current.coordinators:
        return True
    return await is_admin(client, store, settings, clock, team_id=team_id, user_id=user_id)


async def set_digest(
    client: AsyncWebClient,
    store: Store,
    settings: Settings,
    clock: Clock,
    *,
    team_id: str,
    user_id: str,
    on: bool,
) -> str:
    """Opt in (planning the first digest) or out (cancelling it); the line to show them."""
    if not on:
        await store.unsubscribe_digest(team_id, user_id)
        log.info("digest off user=%s", user_id)
        return DIGEST_OFF
    if not await may_get_digest(client, store, settings, clock, team_id, user_id):
        return NOT_FOR_YOU
    now = clock.now()
    since = await store.subscribe_digest(team_id, user_id, now)
    tz = await user_tz(client, store, team_id, user_id, now)
    await store.enqueue_planned(digest_row(team_id, user_id, tz, now, since), now)
    log.info("digest on user=%s", user_id)
    return DIGEST_ON


@on_home_click
async def home_digest(click: HomeClick) -> str:
    """Home's Turn on / Turn off: the notice on top of the re-published tab."""
    pressed = (click.body.get("actions") or [{}])[0]
    on = isinstance(pressed, dict) and pressed.get("value") == "on"
    return await set_digest(
        click.client,
        click.store,
        click.settings,
        click.clock,
        team_id=click.team_id,
        user_id=click.user_id,
        on=on,
    )


async def _still_subscribed(row: OutboxMessage, deps: OutboxDeps) -> bool:
    """Whether the row belongs to the person's current subscription."""
    since = await deps.store.digest_subscription(row.team_id, row.recipient)
    return since is not None and _stamp(since) == row.payload.get("since")


async def apply_digest(row: OutboxMessage, deps: OutboxDeps) -> bool:
    """Plan next week's digest, once. Someone no longer a coordinator or admin is opted out."""
    since = await deps.store.digest_subscription(row.team_id, row.recipient)
    sent_for = row.payload.get("monday")
    if since is None or _stamp(since) != row.payload.get("since") or not isinstance(sent_for, str):
        return False
    client = await deps.slack(row.team_id)
    store, settings, clock = deps.store, deps.settings, deps.clock
    if not await may_get_digest(client, store, settings, clock, row.team_id, row.recipient):
        await store.unsubscribe_digest(row.team_id, row.recipient)
        log.info("digest stopped user=%s: no longer a coordinator or admin", row.recipient)
        return False
    now = clock.now()
    tz = await user_tz(client, store, row.team_id, row.recipient, now)
    # From the day after this row's Monday: someone who moved west of where it was planned
    # must not get this Monday's key again (it would be swallowed, and the chain would end).
    after = max(now, week_end(date.fromisoformat(sent_for) + timedelta(days=1), tz))
    following = digest_row(row.team_id, row.recipient, tz, after, since)
    await store.apply_row(row.team_id, Effects(row.id, (following,)), now)
    return True


async def plan_digests_again(team_id: str, deps: OutboxDeps) -> int:
    """After a reinstall: the next digest of each subscriber the uninstall cut, with its usual
    key (the row the uninstall cancelled for that Monday waits again)."""
    store, now = deps.store, deps.clock.now()
    unplanned = await store.unplanned_digests(team_id)
    if not unplanned:
        return 0
    client = await deps.slack(team_id)
    planned = 0
    for user_id, since in unplanned:
        tz = await user_tz(client, store, team_id, user_id, now)
        planned += await store.enqueue_again(digest_row(team_id, user_id, tz, now, since), now)
    return planned


def _week_end(row: OutboxMessage) -> datetime | None:
    raw, tz = row.payload.get("monday"), row.payload.get("tz")
    if not isinstance(raw, str) or not (tz is None or isinstance(tz, str)):
        return None
    return week_end(date.fromisoformat(raw), tz)


async def render_digest(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """Last week's figures to one subscriber, then the chart in the same DM."""
    end = _week_end(row)
    if end is None or not await _still_subscribed(row, deps):
        return None
    figures = await weekly_figures(deps.store, row.team_id, end, as_of=deps.clock.now())
    message = build_digest(figures)

    async def on_sent(channel: str, ts: str) -> None:
        client = await deps.slack(row.team_id)
        refused = await upload_chart(client, channel, figures.trend)
        if refused in NO_UPLOADS:
            text_only = build_digest(figures, chart=False)
            await client.chat_update(channel=channel, ts=ts, **text_only)

    return Delivery(row.recipient, message["text"], message["blocks"], on_sent=on_sent)


async def upload_chart(client: AsyncWebClient, channel: str, trend: Trend) -> str | None:
    """Draw the trend (in a thread: matplotlib blocks) and share it in `channel`; None when
    it went, else Slack's error name (or the failure's type)."""
    png = await asyncio.to_thread(draw_trend, trend)
    try:
        await client.files_upload_v2(
            channel=channel, file=png, filename=CHART_FILENAME, title=CHART_TITLE
        )
    except SlackApiError as error:
        reason = str(error.response.get("error"))
        log.warning("could not upload the digest chart error=%s", reason)
        return reason
    except (SlackClientError, aiohttp.ClientError) as error:
        log.warning("could not upload the digest chart error=%s", type(error).__name__)
        return type(error).__name__
    return None


KINDS: dict[str, Kind] = {
    # Not quiet: it is planned for Monday 09:00 where the person is, already a working hour.
    DIGEST_KIND: Kind(render_digest, apply=apply_digest, quiet=False),
}
