"""What /mentor export and /mentor forget show (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from handlers import ids
from handlers.blocks.text import (
    MESSAGE_BLOCKS_MAX,
    SECTION_TEXT_MAX,
    context,
    escape,
    plain,
    section,
    slack_date,
)

# Room for the ``` fences inside one section's 3000 characters.
_CHUNK_MAX = SECTION_TEXT_MAX - 10
# Past this, messages would flood the DM; the file is the way (ask for files:write).
EXPORT_MESSAGES_MAX = 20

FORGET_EXPLAINED = (
    "This deletes, for good:\n"
    "• your mentor profile and topics,\n"
    "• every private note you wrote,\n"
    "• your opt-outs, snoozes and stopped nudges, and messages I still had queued for you,\n"
    "• the session ratings you gave, and thank-you notes you sent or received,\n"
    "• requests nobody else ever saw.\n\n"
    "Requests, sessions, action plans and intros that someone else also holds stay in *their* "
    "history, with you anonymized and the text you wrote removed. Your open requests are "
    "withdrawn, as are introductions of you (or to you) still waiting for an answer; "
    "upcoming sessions are cancelled (the other person is told, without your name) and "
    "ongoing 1:1s ended; my messages that showed your requests say only that they "
    "were withdrawn. Notes others wrote are theirs and stay private to them.\n\n"
    "Want a copy first? Close this and run `/mentor export`."
)


def build_forget_modal() -> dict[str, Any]:
    """The "are you sure?" modal of /mentor forget."""
    return {
        "type": "modal",
        "callback_id": ids.FORGET_MODAL,
        "title": plain("Forget my data", 24),
        "submit": plain("Delete my data", 24),
        "close": plain("Keep it", 24),
        "blocks": [section(FORGET_EXPLAINED)],
    }


def build_forget_done(removed: Mapping[str, int]) -> dict[str, Any]:
    """The modal after forgetting: what was removed, by kind."""
    found = {name: count for name, count in removed.items() if count}
    if found:
        lines = "\n".join(f"• {name}: {count}" for name, count in found.items())
        text = f":white_check_mark: Done. Removed or changed:\n{lines}"
    else:
        text = ":white_check_mark: There was nothing left to remove: I hold no data of yours."
    return {
        "type": "modal",
        "callback_id": ids.FORGET_MODAL,
        "title": plain("Forget my data", 24),
        "close": plain("Close", 24),
        "blocks": [
            section(text),
            context("Anything you do with mentorbot from now on starts afresh."),
        ],
    }


def _chunks(escaped: str) -> list[str]:
    """Cut escaped text into section-sized pieces, never inside an &entity;."""
    pieces: list[str] = []
    while escaped:
        cut = min(len(escaped), _CHUNK_MAX)
        amp = escaped.rfind("&", max(0, cut - 5), cut)
        if cut < len(escaped) and amp != -1 and ";" not in escaped[amp:cut]:
            cut = amp
        pieces.append(escaped[:cut])
        escaped = escaped[cut:]
    return pieces


def build_export_messages(export_text: str) -> list[dict[str, Any]] | None:
    """The export as DM messages of code blocks, or None if it needs too many to be readable."""
    pieces = _chunks(escape(export_text))
    per_message = MESSAGE_BLOCKS_MAX - 2
    groups = [pieces[i : i + per_message] for i in range(0, len(pieces), per_message)]
    if len(groups) > EXPORT_MESSAGES_MAX:
        return None
    messages = []
    for number, group in enumerate(groups, start=1):
        intro = f"Your mentorbot data, part {number} of {len(groups)} (JSON)."
        blocks = [context(intro), *(section(f"```{piece}```") for piece in group)]
        messages.append({"text": intro, "blocks": blocks})
    return messages


def build_session_cancelled_by_forget(starts_at: datetime) -> dict[str, Any]:
    """To the other person of a session `/mentor forget` cancelled (their name is gone)."""
    lead = (
        f":wastebasket: Your mentoring session on {slack_date(starts_at)} was cancelled, because "
        "the other person removed their data from mentorbot. Nothing else is needed from you."
    )
    return {"text": lead, "blocks": [section(lead)]}


REQUEST_WITHDRAWN = "This request was withdrawn."


# A shared thank-you note of someone who removed their data: the words leave Slack too.
KUDOS_REMOVED = "This thank-you note was removed."


def build_kudos_removed() -> dict[str, Any]:
    """What the kudos post of a forgotten person's thanks becomes. Its blocks are replaced too:
    chat.update keeps a message's old blocks when given none, and those hold the note."""
    return {"text": KUDOS_REMOVED, "blocks": [section(KUDOS_REMOVED)]}


def build_request_withdrawn() -> dict[str, Any]:
    """What a forgotten person's request messages become: no details, no name, no buttons."""
    return {"text": REQUEST_WITHDRAWN, "blocks": [section(REQUEST_WITHDRAWN)]}
