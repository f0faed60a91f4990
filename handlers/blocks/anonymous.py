"""Messages of an anonymous pool ask: a mentor's offer, the mentee's choice, and the answers.

Only the mentee's own DM names both people. What a mentor reads names the mentee only once
the mentee revealed themself to that mentor.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.requests import TOPIC_LABELS
from handlers import ids
from handlers.blocks.request_messages import cancel_request_button
from handlers.blocks.request_modal import short_id
from handlers.blocks.text import (
    actions,
    blockquote,
    button,
    context,
    section,
    slack_date,
    truncate,
    user_mention,
)
from storage.models import Request, RequestStatus

# A button label is plain text of at most 75 characters: room for a long display name.
_NAME_MAX = 40
_DETAILS_MAX = 2900

OFFER_SENT = (
    "Thanks! This was asked without a name, so I've asked them whether to reveal themselves "
    "to you. I'll DM you their answer."
)
OFFER_AGAIN = "You've already offered to help with this one. I'm waiting for their answer."
OFFER_WAITING = (
    "Someone has already offered to help with this, and the person who asked is deciding. "
    "If they keep waiting, it comes back here with *I can help*."
)
OFFER_GONE = "That offer is no longer waiting for your answer, so I didn't change anything."


def _topic(request: Request) -> str:
    return TOPIC_LABELS.get(request.topic, request.topic.value)


def offer_block_id(mentor_id: str) -> str:
    """The block of Reveal / Keep waiting: it names the offer they answer."""
    return f"{ids.REQUEST_OFFER_BLOCK}:{mentor_id}"


def offer_mentor(block_id: object) -> str | None:
    """The mentor whose offer a Reveal / Keep waiting click answers, or None if garbled."""
    if not isinstance(block_id, str):
        return None
    prefix, _, mentor_id = block_id.partition(":")
    if prefix != ids.REQUEST_OFFER_BLOCK:
        return None
    return short_id(mentor_id)


def build_offer_for_mentee(request: Request, mentor_id: str, name: str) -> dict[str, Any]:
    """To the mentee: who offered, and the choice between revealing yourself and waiting."""
    shown = truncate(name.strip(), _NAME_MAX) if name.strip() else ""
    lead = (
        f"{user_mention(mentor_id)} offered to help with your request about "
        f"*{_topic(request)}*. They don't know it's you."
    )
    choice = (
        "Reveal yourself and they'll see your name and your request, and offer you some "
        "times. Or keep waiting for someone else: they'll only hear that you'd rather wait, "
        "never who you are."
    )
    reveal = f"Reveal myself to {shown}" if shown else "Reveal myself to them"
    wait = f"Not {shown}, keep waiting" if shown else "Not them, keep waiting"
    buttons = {
        **actions(
            button(reveal, ids.REQUEST_REVEAL, request.id, "primary"),
            button(wait, ids.REQUEST_KEEP_WAITING, request.id),
            cancel_request_button(request.id),
        ),
        "block_id": offer_block_id(mentor_id),
    }
    return {"text": lead, "blocks": [section(lead), section(choice), buttons]}


def build_offer_ended(request: Request) -> dict[str, Any] | None:
    """The mentee's offer DM once the offer ended unanswered (it lapsed, its mentor was
    forgotten, the request closed): no Reveal / Keep waiting, and no one's name. None while an
    offer waits (the DM keeps its buttons)."""
    if request.status is RequestStatus.OPEN and request.offered_by is not None:
        return None
    topic = f"*{_topic(request)}*"
    if request.status is RequestStatus.OPEN:
        line = (
            f"The offer to help with your request about {topic} is no longer waiting for your "
            "answer: it lapsed, or the person who offered withdrew it. Your request is back in "
            "the pool, still without your name, and I'll tell you when someone else offers."
        )
        return {
            "text": line,
            "blocks": [section(line), actions(cancel_request_button(request.id))],
        }
    if request.status is RequestStatus.CANCELLED:
        line = f"This offer ended: you cancelled your request about {topic}."
    elif request.status is RequestStatus.EXPIRED:
        line = f"This offer ended: your request about {topic} closed before you answered."
    else:
        line = f"The offer to help with your request about {topic} is no longer waiting."
    return {"text": line, "blocks": [section(line)]}


def build_offer_answered(mentor_id: str, revealed: bool, at: datetime) -> dict[str, Any]:
    """The mentee's offer DM once answered (it replaces the buttons)."""
    if revealed:
        line = (
            f"You revealed yourself to {user_mention(mentor_id)} {slack_date(at)}. They'll be "
            "in touch to find a time."
        )
    else:
        line = (
            f"You kept waiting {slack_date(at)}: {user_mention(mentor_id)} never learned it was "
            "you. Your request is back in the pool, still without your name, and I'll tell you "
            "when someone else offers."
        )
    return {"text": line, "blocks": [section(line)]}


def build_revealed_for_mentor(request: Request) -> dict[str, Any]:
    """To the mentor the mentee revealed themself to: who it is, their request, what next."""
    lead = (
        f"{user_mention(request.mentee_id)} revealed themselves: they're the one who asked about "
        f"*{_topic(request)}*, and they'd like your help."
    )
    blocks = [
        section(lead),
        section(blockquote(request.details, _DETAILS_MAX)),
        context(f"{request.duration_minutes} minutes"),
        actions(
            button("Offer times", ids.OFFER_TIMES, request.id, "primary"),
            button("Release", ids.REQUEST_RELEASE, request.id),
        ),
    ]
    return {"text": lead, "blocks": blocks}


def build_turned_down_for_mentor(request: Request) -> dict[str, Any]:
    """To a mentor whose offer the mentee turned down: kindly, and without the name."""
    text = (
        f"Thanks for offering to help with the request about *{_topic(request)}*. The person "
        "who asked would rather wait for someone else this time; that's about what they're "
        "looking for, not about you. It's back in the pool."
    )
    return {"text": text, "blocks": [section(text)]}


def build_offer_withdrawn_for_mentor(request: Request) -> dict[str, Any]:
    """To a mentor whose offer was waiting when the mentee cancelled the request."""
    text = (
        f"The person who asked about *{_topic(request)}* cancelled their request, so there's "
        "nothing more to do. Thanks for offering."
    )
    return {"text": text, "blocks": [section(text)]}


def build_lapsed_for_mentor(request: Request, *, closed: bool = False) -> dict[str, Any]:
    """To a mentor whose offer had no answer in time (or the request closed, unanswered, while
    the offer waited): kindly, and without the name."""
    if closed:
        text = (
            f"Thanks for offering to help with the request about *{_topic(request)}*. It "
            "closed before the person who asked answered, so there's nothing more to do."
        )
        return {"text": text, "blocks": [section(text)]}
    text = (
        f"Thanks for offering to help with the request about *{_topic(request)}*. The person "
        "who asked hasn't answered yet, so I've put it back in the pool for now (still without "
        "their name). If it's still open later, you're welcome to offer again."
    )
    return {"text": text, "blocks": [section(text)]}
