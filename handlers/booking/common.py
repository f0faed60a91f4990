"""What every booking listener shares: reading a click, who may book, and friendly refusals."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.requests import TOPIC_LABELS
from bot.slack_client import user_info
from handlers.blocks.request_messages import build_not_yours
from handlers.blocks.text import slack_date
from storage.models import Request, RequestStatus, Session, SessionStatus
from storage.store import Store

log = logging.getLogger(__name__)

NOT_YOURS = build_not_yours()
BROKEN = "That button is broken, so I didn't change anything. Try `/mentor help`."
BOOKABLE = frozenset({RequestStatus.ACCEPTED, RequestStatus.CLAIMED, RequestStatus.SCHEDULED})
_ID_DIGITS_MAX = 18


@dataclass(frozen=True, slots=True)
class Pressed:
    """Who pressed a booking button, in which workspace, and the id the button carries."""

    user_id: str
    team_id: str
    target_id: int
    trigger_id: str


def read_pressed(body: dict[str, Any]) -> Pressed | None:
    """The clicker and the id on the button; None when the payload is malformed."""
    user = body.get("user") or {}
    actions = body.get("actions") or [{}]
    action = actions[0] if isinstance(actions[0], dict) else {}
    raw = action.get("value")
    team_id = (body.get("team") or {}).get("id") or user.get("team_id")
    good = isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= _ID_DIGITS_MAX
    if not good or not user.get("id") or not team_id:
        log.warning(
            "broken booking button action=%s user=%s", action.get("action_id"), user.get("id")
        )
        return None
    return Pressed(str(user["id"]), str(team_id), int(str(raw)), str(body.get("trigger_id") or ""))


async def pressed_or_tell(body: dict[str, Any], respond: Any) -> Pressed | None:
    """read_pressed, telling the clicker when the button is broken."""
    pressed = read_pressed(body)
    if pressed is None:
        await respond(text=BROKEN, response_type="ephemeral", replace_original=False)
    return pressed


def submitter(body: dict[str, Any]) -> tuple[str, str]:
    """(user id, team id) of a view submission."""
    user = body.get("user") or {}
    team_id = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    return str(user.get("id") or ""), str(team_id)


def metadata_id(body: dict[str, Any]) -> int | None:
    """The id a modal carries in private_metadata."""
    raw = str((body.get("view") or {}).get("private_metadata") or "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= _ID_DIGITS_MAX else None


def helper_of(request: Request) -> str | None:
    """Who books on the mentor's side: the claimer of a pool request, else the named mentor."""
    return request.claimed_by or request.mentor_id


def topic_of(request: Request | None) -> str:
    """The request's topic as people read it."""
    if request is None:
        return "mentoring"
    return TOPIC_LABELS.get(request.topic, request.topic.value)


async def session_topic(store: Store, session: Session) -> str:
    """The topic of the request a session books."""
    if session.request_id is None:
        return "mentoring"
    return topic_of(await store.get_request(session.team_id, session.request_id))


def not_bookable(request: Request) -> str:
    """Why a request can't get times now."""
    status = request.status
    if status is RequestStatus.OPEN:
        return "This request hasn't been accepted yet, so there's no time to book."
    if status is RequestStatus.COMPLETED:
        return "This request is done, so there's nothing left to book."
    if status is RequestStatus.CANCELLED:
        return "This request was cancelled, so I didn't change anything."
    return f"This request is {status.value}, so there's no time to book."


def session_gone(session: Session) -> str:
    """Why a session button changes nothing: the session is no longer confirmed."""
    status = session.status
    if status is SessionStatus.CANCELLED:
        return "This session was cancelled, so I didn't change anything."
    if status is SessionStatus.COMPLETED:
        return "This session already happened, so I didn't change anything."
    if status is SessionStatus.DID_NOT_HAPPEN:
        return "This session was marked as not having happened, so I didn't change anything."
    return f"This session is booked for {slack_date(session.starts_at)}."


async def user_tz(
    client: AsyncWebClient, store: Store, team_id: str, user_id: str, now: datetime
) -> str | None:
    """A person's Slack time zone: the cached one, else users.info (then cached)."""
    person = await store.get_person(team_id, user_id)
    if person is not None and person.tz:
        return person.tz
    try:
        user = await user_info(client, user_id)
    except SlackApiError as error:
        log.info("users.info failed user=%s error=%s", user_id, error.response.get("error"))
        return None
    if user is None:
        return None  # not cached: the next lookup asks Slack again
    tz = user.get("tz")
    found = tz if isinstance(tz, str) and tz else None
    await store.upsert_person(team_id, user_id, tz=found, now=now)
    return found
