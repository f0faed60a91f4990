"""After a time is confirmed: the two confirmation DMs, the .ics file, and the timed follow-ups.

A DM Slack refuses (after the client's brief retries) becomes an outbox row due now, which
the dispatcher retries with backoff, so a 429 or 500 loses nothing. The .ics upload is a
nicety: if it fails (no files:write, a Slack error) the calendar link is enough, and it's logged.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.booking import FOLLOW_UP_AFTER, ends_at, google_calendar_url, ics_event
from bot.settings import Settings
from bot.workspace import workspace_settings
from handlers.blocks.booking import Role, build_confirmation, build_session_update
from handlers.blocks.text import slack_date
from handlers.kit import refresh_request_messages, send_dm, session_topic, try_update
from storage.models import Session, SubjectType
from storage.sessions import Booked
from storage.store import Store

log = logging.getLogger(__name__)

REMINDER = "session.reminder"
DID_YOU_MEET = "session.did_you_meet"
CONFIRMATION = "session.confirmation"
SLOTS = "booking.slots"
ROLES: tuple[Role, Role] = ("mentor", "mentee")


def starts_key(session: Session) -> int:
    """The session's start as an integer, to tell a moved session's rows apart."""
    return int(session.starts_at.timestamp())


def calendar_title(topic: str) -> str:
    """The event title in calendars."""
    return f"Mentoring chat: {topic}"


def calendar_details(session: Session) -> str:
    """The calendar's details line: no request text, which may be private."""
    return f"{session.duration_minutes}-minute mentoring session, booked with mentorbot in Slack."


def calendar_url(session: Session, topic: str) -> str:
    """The Google Calendar template link for a session."""
    title = calendar_title(topic)
    return google_calendar_url(
        title, session.starts_at, session.duration_minutes, calendar_details(session)
    )


def confirmation_for(
    session: Session, role: Role, topic: str, moved_from: datetime | None
) -> dict[str, Any]:
    """The confirmation message for one side."""
    return build_confirmation(
        session,
        role=role,
        topic=topic,
        calendar_url=calendar_url(session, topic),
        moved_from=moved_from,
    )


def recipient(session: Session, role: Role) -> str:
    """The user id on one side of a session."""
    return session.mentor_id if role == "mentor" else session.mentee_id


async def upload_ics(
    client: AsyncWebClient, channel: str, session: Session, topic: str, now: datetime
) -> bool:
    """Share an .ics file for the session in a DM; False (and a log line) if Slack refused."""
    text = ics_event(
        uid=f"session-{session.id}-{session.team_id}@mentorbot",
        start=session.starts_at,
        duration_minutes=session.duration_minutes,
        summary=calendar_title(topic),
        description=calendar_details(session),
        now=now,
        sequence=max(0, int((session.updated_at - session.created_at).total_seconds())),
    )
    try:
        await client.files_upload_v2(
            channel=channel,
            content=text,
            filename="mentoring-session.ics",
            title="Calendar file for your mentoring session",
        )
    except SlackApiError as error:
        log.warning(
            "could not upload the .ics session=%d error=%s", session.id, error.response.get("error")
        )
        return False
    except (SlackClientError, aiohttp.ClientError) as error:
        log.warning(
            "could not upload the .ics session=%d error=%s", session.id, type(error).__name__
        )
        return False
    return True


async def record_confirmation(
    store: Store, session: Session, role: Role, channel: str, ts: str
) -> None:
    """Remember where a confirmation went, so a move or cancel can update it."""
    where = (channel, ts)
    if role == "mentor":
        await store.set_session_messages(session.team_id, session.id, mentor_dm=where)
    else:
        await store.set_session_messages(session.team_id, session.id, mentee_dm=where)


async def _confirm_one(
    client: AsyncWebClient,
    store: Store,
    session: Session,
    role: Role,
    topic: str,
    moved_from: datetime | None,
    now: datetime,
) -> None:
    message = confirmation_for(session, role, topic, moved_from)
    try:
        channel, ts = await send_dm(client, recipient(session, role), message)
    except SlackApiError as error:
        log.warning(
            "confirmation DM refused; queued in the outbox session=%d role=%s error=%s",
            session.id,
            role,
            error.response.get("error"),
        )
        await store.enqueue(
            session.team_id,
            CONFIRMATION,
            recipient(session, role),
            now,
            dedupe_key=f"{CONFIRMATION}:{session.id}:{role}:{starts_key(session)}",
            subject_type=SubjectType.SESSION,
            subject_id=session.id,
            payload={"role": role, "starts": starts_key(session), "moved": moved_key(moved_from)},
            now=now,
        )
        return
    await record_confirmation(store, session, role, channel, ts)
    if not session.talk_now:
        await upload_ics(client, channel, session, topic, now)


def moved_key(moved_from: datetime | None) -> int | None:
    """An earlier start as an integer for a payload."""
    return None if moved_from is None else int(moved_from.timestamp())


async def update_confirmations(
    client: AsyncWebClient, session: Session, topic: str, line: str
) -> None:
    """Rewrite both earlier confirmation DMs (no buttons) to say what became of the session."""
    targets: tuple[tuple[Role, str | None, str | None], ...] = (
        ("mentor", session.mentor_dm_channel_id, session.mentor_dm_ts),
        ("mentee", session.mentee_dm_channel_id, session.mentee_dm_ts),
    )
    for role, channel, ts in targets:
        if not channel or not ts:
            continue
        message = build_session_update(session, role=role, topic=topic, line=line)
        failed = "could not update a confirmation session=%d"
        await try_update(client, channel, ts, message, log, failed, session.id)


async def schedule_follow_ups(
    store: Store, settings: Settings, session: Session, now: datetime
) -> None:
    """Reminders to both people before the start, and "did you meet?" to the mentor after."""
    workspace = await workspace_settings(store, settings, session.team_id)
    key = starts_key(session)
    minutes = workspace.reminder_minutes
    remind_at = session.starts_at - timedelta(minutes=minutes)
    if minutes > 0 and not session.talk_now and remind_at > now:
        for role in ROLES:
            await store.enqueue(
                session.team_id,
                REMINDER,
                recipient(session, role),
                remind_at,
                dedupe_key=f"{REMINDER}:{session.id}:{role}:{key}",
                subject_type=SubjectType.SESSION,
                subject_id=session.id,
                payload={"role": role, "starts": key},
                now=now,
            )
    await store.enqueue(
        session.team_id,
        DID_YOU_MEET,
        session.mentor_id,
        ends_at(session) + FOLLOW_UP_AFTER,
        dedupe_key=f"{DID_YOU_MEET}:{session.id}:{key}",
        subject_type=SubjectType.SESSION,
        subject_id=session.id,
        payload={"starts": key},
        now=now,
    )


async def announce(
    client: AsyncWebClient,
    store: Store,
    settings: Settings,
    booked: Booked,
    *,
    actor_id: str,
    now: datetime,
) -> None:
    """Everything that follows a confirmed (or moved) session."""
    session = booked.session
    topic = await session_topic(store, session)
    await schedule_follow_ups(store, settings, session, now)
    if booked.moved_from is not None:
        line = f"↪️ Moved to {slack_date(session.starts_at)}; see the newer message below."
        await update_confirmations(client, session, topic, line)
    for role in ROLES:
        await _confirm_one(client, store, session, role, topic, booked.moved_from, now)
    if session.request_id is not None:
        request = await store.get_request(session.team_id, session.request_id)
        if request is not None:
            await refresh_request_messages(client, request, actor_id=actor_id, at=now)
