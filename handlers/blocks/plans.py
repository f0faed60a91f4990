"""Block Kit for the shared action plan, due-item nudges, check-ins and 1:1 ticks. Pure.

Private notes never appear here: these messages go to the other person too. Item texts are
user input, so they are escaped and clipped everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.notes import CADENCE_WORDS
from handlers import ids
from handlers.blocks.nudges import nudge_controls
from handlers.blocks.text import (
    actions,
    button,
    confirm_dialog,
    context,
    escape_clip,
    section,
    slack_date,
    user_mention,
)
from storage.models import ActionItem, Checkin, CheckinAnswer, Note, Relationship

# Sections hold 3000 characters; an item line (300 typed, escaped) stays far below.
_ITEM_SHOWN_MAX = 1600


def item_line(item: ActionItem, viewer_id: str) -> str:
    """One step as a line: escaped text, who does it, when, and whether it's done."""
    who = "you" if item.owner_id == viewer_id else user_mention(item.owner_id)
    due = f" · due {item.due_date.isoformat()}" if item.due_date else ""
    done = " · :white_check_mark: done" if item.done_at else ""
    return f"• {escape_clip(item.text, _ITEM_SHOWN_MAX)} · {who}{due}{done}"


def item_row(item: ActionItem, viewer_id: str) -> dict[str, Any]:
    """The step as a section, with a Done button while it is open."""
    block = section(item_line(item, viewer_id))
    if item.done_at is None:
        block["accessory"] = button("Done", ids.ITEM_DONE, item.id)
    return block


def build_plan_dm(
    author_id: str,
    other_id: str,
    items: Sequence[ActionItem],
    *,
    to_author: bool,
    updated: bool,
    next_line: str | None,
) -> dict[str, Any]:
    """The shared action plan, for the other person (or a copy for the author)."""
    if to_author:
        lead = f"Saved your notes. Your action plan with {user_mention(other_id)}:"
    elif updated:
        lead = f"{user_mention(author_id)} updated your shared action plan:"
    else:
        lead = f"{user_mention(author_id)} shared an action plan from your chat:"
    if not items:
        lead = lead.removesuffix(":") + " (no steps written down)."
    viewer = author_id if to_author else other_id
    blocks = [section(lead), *(item_row(item, viewer) for item in items)]
    if next_line:
        blocks.append(context(next_line))
    if items:
        blocks.append(context("Tick a step with *Done* here or in the bot's Home tab."))
    return {"text": lead, "blocks": blocks}


def build_plan_undelivered(note: Note, error: str) -> dict[str, Any]:
    """To the author: Slack refused the plan DM, so the other person hasn't seen it."""
    other = user_mention(note.subject_id)
    lead = (
        f":warning: I couldn't deliver your action plan to {other} (Slack said: "
        f"{escape_clip(error, 60)}), so they haven't seen it. Your notes and reminders are saved. "
        f"Press *Send again* to retry, or edit the notes later in `/mentor notes` to resend."
    )
    return {
        "text": lead,
        "blocks": [
            section(lead),
            actions(button("Send again", ids.PLAN_RESEND, note.id, "primary")),
        ],
    }


def build_plan_resent(note: Note) -> str:
    """The undelivered notice once Send again worked."""
    return f":white_check_mark: Sent your action plan to {user_mention(note.subject_id)}."


def build_item_due(item: ActionItem, other_id: str, outbox_id: int, today: date) -> dict[str, Any]:
    """To the owner on the due date: Done, Snooze a week, and Stop these."""
    late = item.due_date is not None and item.due_date < today
    when = "was due" if late else "is due"
    lead = (
        f":spiral_note_pad: A step from your action plan with {user_mention(other_id)} {when}"
        f"{f' {item.due_date.isoformat()}' if item.due_date else ''}:"
    )
    stop = button("Stop these", ids.NUDGE_STOP, outbox_id)
    stop["confirm"] = confirm_dialog(
        "Stop these reminders?",
        "You won't get due-step reminders again.",
        "Stop them",
        "Keep them",
    )
    blocks = [
        section(lead),
        section(f"> {escape_clip(item.text, _ITEM_SHOWN_MAX)}"),
        actions(
            button("Done", ids.ITEM_DONE, item.id, "primary"),
            button("Snooze a week", ids.ITEM_SNOOZE_WEEK, item.id),
            stop,
        ),
    ]
    return {"text": lead, "blocks": blocks}


def build_item_snoozed(item: ActionItem) -> str:
    """The answer to Snooze a week."""
    until = slack_date(item.snoozed_until) if item.snoozed_until else "next week"
    return f":zzz: OK, I'll remind you about that step again {until}."


def build_checkin_ask(
    checkin: Checkin, items: Sequence[ActionItem], outbox_id: int
) -> dict[str, Any]:
    """To the mentee: how is the plan going, with the open steps and three answers."""
    lead = f":seedling: How is your action plan with {user_mention(checkin.mentor_id)} going?"
    open_items = [item for item in items if item.done_at is None]
    blocks: list[dict[str, Any]] = [section(lead)]
    if open_items:
        # One section per step: five long steps, escaped, would overflow a single section.
        blocks.append(context("Still open:"))
        blocks += [section(item_line(item, checkin.mentee_id)) for item in open_items[:10]]
    else:
        blocks.append(context("Every step is ticked off. Nice work!"))
    value = checkin.id
    blocks.append(
        actions(
            button("All done", ids.CHECKIN_ALL_DONE, value, "primary"),
            button("Still working on it", ids.CHECKIN_STILL_WORKING, value),
            button("Could use another chat", ids.CHECKIN_ANOTHER_CHAT, value),
        )
    )
    blocks.append(nudge_controls(outbox_id))
    return {"text": lead, "blocks": blocks}


ANSWER_WORDS: dict[CheckinAnswer, str] = {
    CheckinAnswer.ALL_DONE: "is all done with the action plan :tada:",
    CheckinAnswer.STILL_WORKING: "is still working on the action plan",
    CheckinAnswer.ANOTHER_CHAT: "could use another chat about the action plan",
}


def build_checkin_answered(checkin: Checkin, answer: CheckinAnswer) -> dict[str, Any]:
    """To the mentor: a short word on how the check-in went."""
    line = f"Check-in: {user_mention(checkin.mentee_id)} {ANSWER_WORDS[answer]}."
    if answer is CheckinAnswer.ANOTHER_CHAT:
        line += " Their request is on its way to you."
    return {"text": line, "blocks": [section(line)]}


def build_checkin_thanks(answer: CheckinAnswer, again: bool) -> str:
    """What the mentee's check-in message becomes once answered."""
    if answer is CheckinAnswer.ALL_DONE:
        return ":tada: Wonderful. I've let your mentor know."
    if again:
        return "Thanks! I've let your mentor know, and I'll check in again later."
    return "Thanks! I've let your mentor know. That was the last check-in for this plan."


def relationship_controls(relationship: Relationship, *, book: bool) -> dict[str, Any]:
    """Book time (on a tick), Pause or Resume, and End (which asks first, in a modal)."""
    value = relationship.id
    elements = []
    if book:
        elements.append(button("Book time", ids.RELATIONSHIP_BOOK, value, "primary"))
    if relationship.next_at is None:
        elements.append(button("Resume", ids.RELATIONSHIP_RESUME, value))
    else:
        elements.append(button("Pause", ids.RELATIONSHIP_PAUSE, value))
    elements.append(button("End", ids.RELATIONSHIP_END, value, "danger"))
    return actions(*elements)


def build_tick(relationship: Relationship, other_id: str) -> dict[str, Any]:
    """To each person at every cadence tick: time for the 1:1, with Book time."""
    cadence = CADENCE_WORDS[relationship.cadence]
    lead = f":calendar: Time for your {cadence} 1:1 with {user_mention(other_id)}."
    blocks = [
        section(lead),
        relationship_controls(relationship, book=True),
        context("*Pause* stops these reminders until you resume; *End* stops the 1:1s."),
    ]
    return {"text": lead, "blocks": blocks}


def relationship_line(relationship: Relationship, viewer_id: str) -> str:
    """Who, which way round, how often, and what state it is in."""
    mentoring = relationship.mentor_id == viewer_id
    other = user_mention(relationship.mentee_id if mentoring else relationship.mentor_id)
    role = "your mentee" if mentoring else "your mentor"
    cadence = CADENCE_WORDS[relationship.cadence]
    if relationship.ended_at is not None:
        state = f"ended {slack_date(relationship.ended_at)}"
    elif relationship.next_at is None:
        state = "paused"
    else:
        state = f"next {slack_date(relationship.next_at)}"
    return f"{other} · {role} · {cadence} 1:1s · {state}"
