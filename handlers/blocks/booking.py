"""Block Kit for booking time: the two slot modals, slot DMs, confirmations, reminders,
"did you meet?", the cancel modal and /mentor sessions. Pure functions, no I/O.

Times in messages are `<!date^…>` tokens, so every reader sees their own time zone; buttons
carry only ids (a request, slot or session id) and handlers reload what they point at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from bot.booking import MAX_SLOTS, local_label
from handlers import ids
from handlers.blocks.text import (
    MESSAGE_BLOCKS_MAX,
    actions,
    blockquote,
    button,
    context,
    input_state,
    plain,
    safe_link,
    section,
    slack_date,
    user_mention,
)
from storage.models import OfferedSlot, Session

Role = Literal["mentor", "mentee"]
# Each listed session takes two blocks; the header, the cut-off line and room to spare stay.
SESSIONS_SHOWN_MAX = min(10, (MESSAGE_BLOCKS_MAX - 4) // 2)
_REASON_MAX = 1500
CANCEL_REASON_MAX = 1000


def offer_times_button(request_id: int) -> dict[str, Any]:
    """The mentor's Offer times button, also shown on the request's messages."""
    return button("Offer times", ids.OFFER_TIMES, request_id, "primary")


def _slot_input(index: int, hint: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": ids.SLOT_BLOCKS[index],
        "optional": True,
        "label": plain(f"Time {index + 1}", 2000),
        "element": {"type": "datetimepicker", "action_id": ids.SLOT_ACTION},
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _checkbox(block_id: str, action_id: str, value: str, label: str, text: str) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": plain(label, 2000),
        "element": {
            "type": "checkboxes",
            "action_id": action_id,
            "options": [{"text": plain(text, 75), "value": value}],
        },
    }


def build_offer_modal(
    request_id: int, *, mentee_id: str, topic: str, duration_minutes: int, moving: bool
) -> dict[str, Any]:
    """The mentor's Offer times modal: up to 3 times, or Talk now."""
    what = "new times for your session" if moving else "up to 3 times"
    intro = (
        f"Offer {user_mention(mentee_id)} {what} about *{topic}* ({duration_minutes} minutes). "
        "Pick them in your own time; they'll see each one in theirs."
    )
    blocks: list[dict[str, Any]] = [section(intro)]
    blocks += [_slot_input(i) for i in range(MAX_SLOTS)]
    blocks.append(
        _checkbox(
            ids.TALK_NOW_BLOCK,
            ids.TALK_NOW_ACTION,
            ids.TALK_NOW_VALUE,
            "Or talk now?",
            "Talk now: I'm free right now",
        )
    )
    blocks.append(
        _checkbox(
            ids.OUTSIDE_HOURS_BLOCK,
            ids.OUTSIDE_HOURS_ACTION,
            ids.OUTSIDE_HOURS_VALUE,
            "Outside your office hours?",
            "Offer those times anyway",
        )
    )
    return {
        "type": "modal",
        "callback_id": ids.OFFER_MODAL,
        "private_metadata": str(request_id),
        "title": plain("Offer times", 24),
        "submit": plain("Offer times", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def build_propose_modal(request_id: int, *, mentor_id: str, topic: str) -> dict[str, Any]:
    """The mentee's modal after "None of these work" (or to reschedule): propose up to 3."""
    intro = (
        f"Suggest up to 3 times that suit you to talk with {user_mention(mentor_id)} about "
        f"*{topic}*. They'll see each one in their own time zone and pick one."
    )
    return {
        "type": "modal",
        "callback_id": ids.PROPOSE_MODAL,
        "private_metadata": str(request_id),
        "title": plain("Suggest times", 24),
        "submit": plain("Send times", 24),
        "close": plain("Cancel", 24),
        "blocks": [section(intro), *(_slot_input(i) for i in range(MAX_SLOTS))],
    }


def _slot_rows(slots: Sequence[OfferedSlot]) -> list[dict[str, Any]]:
    return [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"📅 {slack_date(slot.starts_at)}"},
            "accessory": button("Pick this time", ids.SLOT_PICK, slot.id, "primary"),
        }
        for slot in slots
    ]


def build_slots_dm(
    slots: Sequence[OfferedSlot],
    *,
    request_id: int,
    from_id: str,
    to_role: Role,
    topic: str,
    duration_minutes: int,
    moving_from: datetime | None,
) -> dict[str, Any]:
    """Times offered to one side, one Pick button each, plus the way out."""
    verb = "suggested" if to_role == "mentor" else "offered"
    if moving_from is not None:
        lead = (
            f"{user_mention(from_id)} would like to move your session at "
            f"{slack_date(moving_from)} and {verb} new times. It stays booked until you pick one."
        )
    else:
        lead = f"{user_mention(from_id)} {verb} some times to talk about *{topic}*."
    blocks = [section(lead), context(f"{duration_minutes} minutes · shown in your time zone")]
    blocks += _slot_rows(slots)
    if to_role == "mentee":
        blocks.append(actions(button("None of these work", ids.SLOTS_NONE_WORK, request_id)))
    else:
        blocks.append(actions(button("Offer other times", ids.OFFER_TIMES, request_id)))
    fallback = f"{lead} Pick one: " + ", ".join(
        local_label(s.starts_at, None) + " UTC" for s in slots
    )
    return {"text": fallback, "blocks": blocks}


def _session_line(session: Session, other_id: str, topic: str) -> str:
    return (
        f"{slack_date(session.starts_at)} · {session.duration_minutes} minutes · *{topic}* "
        f"with {user_mention(other_id)}"
    )


def build_confirmation(
    session: Session,
    *,
    role: Role,
    topic: str,
    calendar_url: str,
    moved_from: datetime | None = None,
) -> dict[str, Any]:
    """The DM both people get once a time is confirmed (or moved)."""
    other = session.mentee_id if role == "mentor" else session.mentor_id
    if session.talk_now:
        lead = (
            f"⚡ Talking now with {user_mention(other)} about *{topic}* "
            f"({session.duration_minutes} minutes). Start a huddle or a call in your DM with them."
        )
    elif moved_from is not None:
        before, after = slack_date(moved_from), slack_date(session.starts_at)
        lead = f"📅 Your session moved from {before} to {after}."
    else:
        lead = "✅ You're booked."
    blocks: list[dict[str, Any]] = [section(lead)]
    if not session.talk_now:
        blocks.append(section(_session_line(session, other, topic)))
    link = safe_link(calendar_url, "Add to Google Calendar")
    if link:
        blocks.append(context(f"🗓️ {link}"))
    buttons = [
        button("Reschedule", ids.SESSION_RESCHEDULE, session.id),
        button("Cancel", ids.SESSION_CANCEL, session.id, "danger"),
    ]
    if role == "mentor":
        buttons.insert(0, button("Log notes", ids.SESSION_LOG_NOTES, session.id))
    blocks.append(actions(*buttons))
    text = f"{lead} {local_label(session.starts_at, None)} UTC, {session.duration_minutes} minutes"
    return {"text": text, "blocks": blocks}


def build_session_update(session: Session, *, role: Role, topic: str, line: str) -> dict[str, Any]:
    """What an old confirmation becomes once the session moved, was cancelled or closed."""
    other = session.mentee_id if role == "mentor" else session.mentor_id
    blocks = [section(_session_line(session, other, topic)), section(line)]
    return {"text": line, "blocks": blocks}


def build_cancel_modal(session_id: int, *, other_id: str) -> dict[str, Any]:
    """Asks for an optional reason before cancelling."""
    return {
        "type": "modal",
        "callback_id": ids.SESSION_CANCEL_MODAL,
        "private_metadata": str(session_id),
        "title": plain("Cancel session", 24),
        "submit": plain("Cancel session", 24),
        "close": plain("Keep it", 24),
        "blocks": [
            section(f"I'll let {user_mention(other_id)} know it's off."),
            {
                "type": "input",
                "block_id": ids.CANCEL_REASON_BLOCK,
                "optional": True,
                "label": plain("Anything you'd like to tell them?", 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.CANCEL_REASON_ACTION,
                    "multiline": True,
                    "max_length": CANCEL_REASON_MAX,
                },
            },
        ],
    }


def build_cancelled_notice(
    session: Session, *, by_id: str, to_role: Role, topic: str, reason: str | None
) -> dict[str, Any]:
    """The other person's DM after a cancel; the mentor may offer new times."""
    lead = (
        f"{user_mention(by_id)} cancelled your session at {slack_date(session.starts_at)} "
        f"about *{topic}*."
    )
    blocks = [section(lead)]
    if reason and reason.strip():
        blocks.append(section(f"They said:\n{blockquote(reason.strip(), _REASON_MAX)}"))
    if to_role == "mentor" and session.request_id is not None:
        blocks.append(actions(button("Offer new times", ids.OFFER_TIMES, session.request_id)))
    return {"text": f"{lead} It's off.", "blocks": blocks}


def build_reminder(session: Session, *, role: Role, topic: str, minutes: int) -> dict[str, Any]:
    """The reminder a few minutes before a session."""
    other = session.mentee_id if role == "mentor" else session.mentor_id
    lead = (
        f"⏰ In {minutes} minutes: your session with {user_mention(other)} about *{topic}* "
        f"({slack_date(session.starts_at)}, {session.duration_minutes} minutes)."
    )
    blocks = [
        section(lead),
        context("Start a huddle or a call in your DM with them when it's time."),
    ]
    return {"text": lead, "blocks": blocks}


def build_did_you_meet(session: Session, *, topic: str) -> dict[str, Any]:
    """The mentor's follow-up after a session's end."""
    lead = (
        f"Did you meet {user_mention(session.mentee_id)} about *{topic}* "
        f"({slack_date(session.starts_at)})?"
    )
    blocks = [
        section(lead),
        actions(
            button("Yes — log notes", ids.SESSION_HELD, session.id, "primary"),
            button("We rescheduled", ids.SESSION_MOVED, session.id),
            button("It didn't happen", ids.SESSION_MISSED, session.id),
        ),
    ]
    return {"text": lead, "blocks": blocks}


def build_sessions_list(
    sessions: Sequence[Session], *, user_id: str, topics: dict[int, str]
) -> dict[str, Any]:
    """/mentor sessions: upcoming sessions, each with Reschedule and Cancel."""
    if not sessions:
        text = "You have no upcoming sessions. Accepted requests show **Offer times** to book one."
        return {"text": text.replace("**", "*"), "response_type": "ephemeral"}
    shown = sessions[:SESSIONS_SHOWN_MAX]
    blocks: list[dict[str, Any]] = [section("*Your upcoming sessions*")]
    for session in shown:
        other = session.mentee_id if session.mentor_id == user_id else session.mentor_id
        role = "you're the mentor" if session.mentor_id == user_id else "your mentor"
        topic = topics.get(session.id, "mentoring")
        blocks.append(section(f"{_session_line(session, other, topic)} ({role})"))
        blocks.append(
            actions(
                button("Reschedule", ids.SESSION_RESCHEDULE, session.id),
                button("Cancel", ids.SESSION_CANCEL, session.id, "danger"),
            )
        )
    hidden = len(sessions) - len(shown)
    if hidden:
        blocks.append(context(f"…and {hidden} more."))
    count = len(sessions)
    text = f"You have {count} upcoming session{'s' if count != 1 else ''}."
    return {"text": text, "blocks": blocks, "response_type": "ephemeral"}


# -- reading submitted modals ------------------------------------------------------------------


def read_slot_times(view: Mapping[str, Any]) -> dict[int, datetime]:
    """The times picked in the slot inputs, by slot index (empty inputs left out)."""
    times: dict[int, datetime] = {}
    for index, block_id in enumerate(ids.SLOT_BLOCKS):
        raw = input_state(view, block_id, ids.SLOT_ACTION).get("selected_date_time")
        if isinstance(raw, int | float) and not isinstance(raw, bool) and 0 < raw < 2**33:
            times[index] = datetime.fromtimestamp(int(raw), UTC)
    return times


def ticked(view: Mapping[str, Any], block_id: str, action_id: str, value: str) -> bool:
    """Whether a checkbox option is ticked."""
    chosen = input_state(view, block_id, action_id).get("selected_options")
    if not isinstance(chosen, list):
        return False
    return any(isinstance(option, Mapping) and option.get("value") == value for option in chosen)


def read_cancel_reason(view: Mapping[str, Any]) -> str | None:
    """The optional reason typed in the cancel modal, trimmed; None when blank."""
    raw = input_state(view, ids.CANCEL_REASON_BLOCK, ids.CANCEL_REASON_ACTION).get("value")
    text = raw.strip() if isinstance(raw, str) else ""
    return text[:CANCEL_REASON_MAX] or None
