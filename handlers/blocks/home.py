"""App Home: one place to see what is waiting for you, within Slack's 100-block view limit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.requests import TOPIC_LABELS
from handlers import ids
from handlers.blocks.digest import build_digest_toggle
from handlers.blocks.request_messages import cancel_request_button
from handlers.blocks.text import (
    button,
    channel_mention,
    context,
    escape_clip,
    header,
    section,
    slack_date,
    user_mention,
)
from storage.home import HomeData
from storage.models import ActionItem, Relationship, Request, RequestStatus, Session

# Rows per section: 5 sections x (header + rows + "and N more") + the top stays far below 100.
PER_SECTION = 8
VIEW_BLOCKS_MAX = 100
_ITEM_TEXT_MAX = 300

_STATUS_WORDS = {
    RequestStatus.OPEN: "waiting for an answer",
    RequestStatus.ACCEPTED: "accepted, times coming",
    RequestStatus.CLAIMED: "taken, times coming",
    RequestStatus.SCHEDULED: "time booked",
}
_CADENCE_WORDS = {"weekly": "weekly 1:1", "biweekly": "1:1 every 2 weeks", "monthly": "monthly 1:1"}


def _row(text: str, button: dict[str, Any] | None = None) -> dict[str, Any]:
    block = section(text)
    if button is not None:
        block["accessory"] = button
    return block


def _more(shown: int, total: int, where: str) -> list[dict[str, Any]]:
    if total <= shown:
        return []
    return [context(f"…and {total - shown} more. {where}")]


def _topic(request: Request) -> str:
    return TOPIC_LABELS.get(request.topic, request.topic.value)


def _other(user_id: str, first: str, second: str) -> str:
    return second if first == user_id else first


def _session_rows(data: HomeData, user_id: str) -> list[dict[str, Any]]:
    rows = [header("Your upcoming sessions")]
    if not data.sessions:
        return [*rows, context("Nothing booked. Times you agree on show up here.")]
    for session in data.sessions:
        rows.append(_row(_session_line(session, user_id)))
    return rows + _more(len(data.sessions), data.sessions_total, "See `/mentor sessions`.")


def _session_line(session: Session, user_id: str) -> str:
    other = user_mention(_other(user_id, session.mentor_id, session.mentee_id))
    role = "mentoring" if session.mentor_id == user_id else "with"
    return f"{slack_date(session.starts_at)} · {session.duration_minutes} min {role} {other}" + (
        " · talking now" if session.talk_now else ""
    )


def _waiting_rows(data: HomeData) -> list[dict[str, Any]]:
    rows = [header("Requests waiting for you")]
    # Never the name: the mentee hasn't revealed themself to this mentor yet.
    for offered in data.offers:
        rows.append(
            _row(
                f"Someone (asked without a name) · *{_topic(offered)}* · you offered to help; "
                "waiting for their answer"
            )
        )
    if not data.waiting:
        if data.offers:
            return rows
        return [*rows, context("No one is waiting on you.")]
    for request in data.waiting:
        line = (
            f"{user_mention(request.mentee_id)} · *{_topic(request)}* · asked "
            f"{slack_date(request.created_at)}"
        )
        if request.status is RequestStatus.OPEN:
            element = button("Accept", ids.HOME_ACCEPT, str(request.id), "primary")
        else:
            element = button("Offer times", ids.HOME_OFFER_TIMES, str(request.id), "primary")
        rows.append(_row(line, element))
    return rows + _more(len(data.waiting), data.waiting_total, "The rest are in your DMs from me.")


def _request_rows(data: HomeData) -> list[dict[str, Any]]:
    rows = [header("Your requests")]
    if not data.requests:
        return [*rows, context("None open. `/mentor ask` when you'd like some time with someone.")]
    for request in data.requests:
        rows.append(
            _row(
                _request_line(request),
                cancel_request_button(
                    request.id, action_id=ids.HOME_CANCEL_REQUEST, label="Cancel"
                ),
            )
        )
    return rows + _more(len(data.requests), data.requests_total, "The rest are in your DMs.")


def _request_line(request: Request) -> str:
    if request.offered_by and request.status is RequestStatus.OPEN:
        return (
            f"*{_topic(request)}* · {user_mention(request.offered_by)} offered to help · "
            "reveal yourself or keep waiting (see my DM)"
        )
    if request.mentor_id:
        where = f"to {user_mention(request.mentor_id)}"
    elif request.claimed_by:
        where = f"taken by {user_mention(request.claimed_by)}"
    elif request.pool_channel_id:
        where = f"in {channel_mention(request.pool_channel_id)}"
    else:
        where = "with the mentor pool"
    status = _STATUS_WORDS.get(request.status, request.status.value)
    return f"*{_topic(request)}* · {where} · {status}"


def _item_rows(data: HomeData, user_id: str) -> list[dict[str, Any]]:
    rows = [header("Your action items")]
    if not data.items:
        return [*rows, context("Nothing to do. Items from your action plans show up here.")]
    for item in data.items:
        rows.append(
            _row(_item_line(item, user_id), button("Done", ids.HOME_ITEM_DONE, str(item.id)))
        )
    return rows + _more(len(data.items), data.items_total, "See `/mentor notes @someone`.")


def _item_line(item: ActionItem, user_id: str) -> str:
    other = user_mention(_other(user_id, item.mentor_id, item.mentee_id))
    due = f" · due {item.due_date.isoformat()}" if item.due_date else ""
    return f"{escape_clip(item.text, _ITEM_TEXT_MAX)} · with {other}{due}"


def _relationship_rows(data: HomeData, user_id: str) -> list[dict[str, Any]]:
    rows = [header("Your mentees and mentors")]
    if not data.relationships:
        return [*rows, context("No ongoing 1:1s. Choose “make it ongoing” when you log notes.")]
    for relation in data.relationships:
        rows.append(_row(_relationship_line(relation, user_id)))
    return rows + _more(
        len(data.relationships), data.relationships_total, "See `/mentor notes @someone`."
    )


def _relationship_line(relation: Relationship, user_id: str) -> str:
    mentoring = relation.mentor_id == user_id
    other = user_mention(relation.mentee_id if mentoring else relation.mentor_id)
    role = "your mentee" if mentoring else "your mentor"
    cadence = _CADENCE_WORDS.get(relation.cadence.value, relation.cadence.value)
    nxt = f" · next {slack_date(relation.next_at)}" if relation.next_at else ""
    return f"{other} · {role} · {cadence}{nxt}"


def _top(first_visit: bool, notice: str | None) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if notice:
        blocks.append(section(notice))
    if first_visit:
        blocks += [
            header("Welcome to mentorbot"),
            section(
                "Most mentoring starts with *\u201cdo you have a few minutes?\u201d*. I turn that "
                "into time with the right person, keep your notes private, and follow up so no "
                "request gets lost. Type `/mentor help` to see everything I can do."
            ),
            context(
                "When you ask for help in a channel I may offer, privately, to make it a request. "
                "`/mentor optout` stops those offers; `/mentor forget` removes your data."
            ),
        ]
    blocks.append(
        {
            "type": "actions",
            "elements": [
                button("Ask for mentoring", ids.HOME_ASK, "ask", "primary"),
                button("Introduce people", ids.HOME_INTRO, "intro"),
                button("Log notes", ids.HOME_LOG_NOTES, "notes"),
                button("Edit mentor profile", ids.HOME_PROFILE, "profile"),
            ],
        }
    )
    return blocks


def build_home(
    data: HomeData,
    user_id: str,
    *,
    first_visit: bool,
    notice: str | None = None,
    recognition: Sequence[dict[str, Any]] = (),
    digest: bool | None = None,
) -> dict[str, Any]:
    """The Home tab: sessions, requests waiting for you, yours, action items, relationships,
    then a mentor's own recognition (handlers/blocks/recognition.py); `digest` (not None) adds
    the weekly digest's switch for coordinators and admins."""
    blocks = _top(first_visit, notice)
    blocks += _session_rows(data, user_id)
    blocks += _waiting_rows(data)
    blocks += _request_rows(data)
    blocks += _item_rows(data, user_id)
    blocks += _relationship_rows(data, user_id)
    blocks += recognition
    if digest is not None:
        blocks += build_digest_toggle(digest)
    blocks.append(context("Everything here is visible only to you."))
    return {"type": "home", "blocks": blocks[:VIEW_BLOCKS_MAX]}
