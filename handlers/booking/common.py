"""What the booking listeners share: who may book, and why a request or session can't be booked."""

from __future__ import annotations

import logging

from handlers.blocks.text import slack_date
from storage.models import Request, RequestStatus, Session, SessionStatus

log = logging.getLogger(__name__)

BOOKABLE = frozenset({RequestStatus.ACCEPTED, RequestStatus.CLAIMED, RequestStatus.SCHEDULED})


def helper_of(request: Request) -> str | None:
    """Who books on the mentor's side: the claimer of a pool request, else the named mentor."""
    return request.claimed_by or request.mentor_id


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
