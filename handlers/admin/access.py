"""Who is an admin: MENTORBOT_ADMINS, or a Slack workspace admin or owner (users.info, cached)."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.settings import Settings
from bot.slack_client import user_info
from handlers.kit import SubcommandCall
from storage.store import Store

log = logging.getLogger(__name__)

# A demoted admin keeps access at most this long; a promoted one waits at most this long.
ADMIN_CACHE_TTL = timedelta(hours=1)
ADMINS_ONLY = (
    "Sorry, `/mentor {what}` is for workspace admins. If you think you should have it, ask an "
    "admin of this workspace (or whoever runs mentorbot) to add you to `MENTORBOT_ADMINS`."
)
NOT_CONFIRMED = (
    "I couldn't check that you're an admin just now (Slack was slow to answer). Please try again."
)


async def is_admin(
    client: AsyncWebClient,
    store: Store,
    settings: Settings,
    clock: Clock,
    *,
    team_id: str,
    user_id: str,
) -> bool:
    """True for MENTORBOT_ADMINS and Slack admins/owners; users.info answers are cached an hour."""
    status = await admin_status(client, store, settings, clock, team_id=team_id, user_id=user_id)
    return bool(status)


async def admin_status(
    client: AsyncWebClient,
    store: Store,
    settings: Settings,
    clock: Clock,
    *,
    team_id: str,
    user_id: str,
) -> bool | None:
    """As is_admin, but None when Slack didn't answer and nothing was ever cached."""
    if user_id in settings.admins:
        return True
    now = clock.now()
    person = await store.get_person(team_id, user_id)
    cached_at = person.admin_cached_at if person is not None else None
    if person is not None and cached_at is not None and now - cached_at < ADMIN_CACHE_TTL:
        return person.is_admin
    try:
        user = await user_info(client, user_id)
    except SlackApiError as error:
        log.warning("users.info failed user=%s error=%s", user_id, error.response.get("error"))
        user = None
    if user is None:
        # Slack unreachable or slow: keep whatever we knew (a stale yes beats locking admins out).
        return person.is_admin if person is not None and cached_at is not None else None
    answer = bool(user.get("is_admin") or user.get("is_owner"))
    await store.cache_admin(team_id, user_id, answer, now)
    return answer


async def admins_only(call: SubcommandCall, what: str) -> bool:
    """True if the caller is an admin; otherwise they are told why not (see `admin_or_told`)."""
    status = await admin_status(
        call.client,
        call.store,
        call.settings,
        call.clock,
        team_id=call.team_id,
        user_id=call.user_id,
    )
    return await admin_or_told(call, what, status)


async def admin_or_told(call: SubcommandCall, what: str, status: bool | None) -> bool:
    """True for an admin. Anyone else gets a polite refusal; an unknown answer (Slack didn't
    say, nothing cached) asks them to try again rather than calling a real admin no admin."""
    if status:
        return True
    log.info("admin command refused command=%s user=%s", what, call.user_id)
    refusal = NOT_CONFIRMED if status is None else ADMINS_ONLY.format(what=what)
    await call.respond(text=refusal, response_type="ephemeral")
    return False
