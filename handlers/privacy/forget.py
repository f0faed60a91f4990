"""`/mentor forget`: a confirmation modal, then delete the caller's data and say what went."""

from __future__ import annotations

import logging
from collections import Counter

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.delivery import is_user
from handlers.blocks.privacy import (
    build_forget_done,
    build_forget_modal,
    build_kudos_removed,
    build_request_withdrawn,
    build_session_cancelled_by_forget,
)
from handlers.home.publish import publish_home
from handlers.kit import SubcommandCall, Submission, on_submit, try_dm, try_update
from storage.forget import Forgotten
from storage.store import Store

log = logging.getLogger(__name__)


async def forget_command(call: SubcommandCall) -> None:
    """`/mentor forget`: nothing is deleted until the caller confirms in the modal."""
    await call.ack()
    try:
        await call.client.views_open(
            trigger_id=str(call.command.get("trigger_id") or ""), view=build_forget_modal()
        )
    except SlackApiError as error:
        await call.respond(
            text=f"I couldn't open the confirmation ({error.response.get('error')}), so nothing "
            "was deleted. Please try again.",
            response_type="ephemeral",
        )


@on_submit
async def forget_confirmed(sub: Submission) -> None:
    """Forget whoever submitted the modal (never anyone else), and show what was removed;
    then tell the other person of each cancelled session and refresh the Home tabs."""
    user_id, team_id = sub.user_id, sub.team_id
    if not user_id or not team_id:
        await sub.ack()
        return
    now = sub.clock.now()
    # On Grid, the org's other workspaces served by the same install hold what the person did
    # there (user ids are global): forgotten too, as the form promises "everything".
    everywhere = [(team_id, await sub.store.forget_person(team_id, user_id, now))]
    for peer in await sub.store.org_peers(team_id):
        everywhere.append((peer, await sub.store.forget_person(peer, user_id, now)))
    removed: Counter[str] = Counter()
    for _, forgotten in everywhere:
        removed.update(forgotten.removed)
    log.info(
        "forgot user=%s counts=%s sessions_cancelled=%d workspaces=%d",
        user_id,
        dict(removed),
        sum(len(forgotten.cancelled) for _, forgotten in everywhere),
        len(everywhere),
    )
    await sub.ack(response_action="update", view=build_forget_done(dict(removed)))
    for where, forgotten in everywhere:
        work = _after_forget(
            sub.client, sub.store, sub.clock, where, user_id, forgotten, home=where == team_id
        )
        sub.background.spawn(work, name=f"forget-{where}")


async def _after_forget(
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    team_id: str,
    user_id: str,
    forgotten: Forgotten,
    *,
    home: bool = True,
) -> None:
    """The messages, DMs and Home tabs a forget changes (each failure is logged, never fatal);
    `home` is whether `team_id` is the one the person forgot from, whose Home tab they see."""
    await _withdraw_messages(client, forgotten.messages)
    for channel, ts in forgotten.kudos_posts:
        failed = "could not remove a kudos post channel=%s"
        await try_update(client, channel, ts, build_kudos_removed(), log, failed, channel)
    for other, starts_at in forgotten.cancelled:
        if is_user(other):
            await try_dm(client, other, build_session_cancelled_by_forget(starts_at))
    if home:
        # Their own tab: fresh, as for a first visit, without storing anything about them again.
        await publish_home(
            client, store, clock, team_id=team_id, user_id=user_id, record_visit=False
        )
    for other in forgotten.counterparts:
        if is_user(other):
            await publish_home(client, store, clock, team_id=team_id, user_id=other)


async def _withdraw_messages(client: AsyncWebClient, messages: list[tuple[str, str]]) -> None:
    """Blank each message that showed the person's request: their words leave Slack too."""
    withdrawn = build_request_withdrawn()
    for channel, ts in messages:
        # Gone already (deleted message, archived channel) or Slack still failing after the
        # client's retries: nothing else to do with it.
        failed = "could not withdraw a request message channel=%s"
        await try_update(client, channel, ts, withdrawn, log, failed, channel)
