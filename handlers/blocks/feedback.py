"""Block Kit for session feedback: "How was it?", the Say thanks modal, and where the thanks
lands (the mentor's DM, the kudos channel). Pure.

A rating is never put in a message the mentor gets. A thank-you note is user input: escaped
and quoted everywhere it is shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from handlers import ids
from handlers.blocks.nudges import nudge_controls
from handlers.blocks.text import (
    actions,
    blockquote,
    button,
    channel_mention,
    context,
    escape,
    input_state,
    mrkdwn,
    plain,
    section,
    slack_date,
    user_mention,
)
from storage.feedback import THANKS_MAX, Feedback, Rating, Thanks

RATING_WORDS: dict[Rating, str] = {
    Rating.HELPFUL: "Really helpful",
    Rating.SOMEWHAT: "Somewhat",
    Rating.NOT_REALLY: "Not really",
}
RATING_ACTIONS: dict[str, Rating] = {
    ids.FEEDBACK_HELPFUL: Rating.HELPFUL,
    ids.FEEDBACK_SOMEWHAT: Rating.SOMEWHAT,
    ids.FEEDBACK_NOT_REALLY: Rating.NOT_REALLY,
}
PRIVATE = (
    "Your answer stays with the mentoring program: {mentor} never sees it, and stats only "
    "count answers together."
)
THANKS_FAILING = "If Slack won't take it, I'll tell you by DM."
# An escaped 500-character note, quoted, stays far below a section's 3000.
_NOTE_SHOWN_MAX = 2900


def _chosen(feedback: Feedback, rating: Rating) -> str | None:
    return "primary" if feedback.rating is rating else None


def build_feedback_ask(
    feedback: Feedback, outbox_id: int | None, *, thanked: bool = False
) -> dict[str, Any]:
    """To the mentee: how was the session, three answers and Say thanks. After an answer the
    same message says which one counts and keeps the buttons to change it."""
    mentor = user_mention(feedback.mentor_id)
    lead = f":speech_balloon: How was your mentoring session with {mentor}?"
    session_id = feedback.session_id
    answers = [
        button(RATING_WORDS[rating], action_id, session_id, _chosen(feedback, rating))
        for action_id, rating in RATING_ACTIONS.items()
    ]
    if not thanked:
        answers.append(button("Say thanks", ids.FEEDBACK_THANKS, session_id))
    blocks: list[dict[str, Any]] = [section(lead), actions(*answers)]
    if feedback.rating is not None:
        chosen = RATING_WORDS[feedback.rating]
        blocks.append(context(f"Thanks! You said *{chosen}*. Press another answer to change it."))
    if thanked:
        blocks.append(context(f"You thanked {mentor} for this session."))
    blocks.append(context(PRIVATE.format(mentor=mentor)))
    if outbox_id is not None and feedback.rating is None:
        blocks.append(nudge_controls(outbox_id))
    return {"text": lead, "blocks": blocks}


def thanks_metadata(session_id: int, prompt: tuple[str, str] | None) -> str:
    """The session, and where its prompt is (channel, ts) so Send can take Say thanks off it."""
    if prompt is None:
        return str(session_id)
    channel, ts = prompt
    return json.dumps({"s": session_id, "c": channel, "t": ts}, separators=(",", ":"))


def read_thanks_metadata(raw: Any) -> tuple[int | None, tuple[str, str] | None]:
    """(session id, the prompt's channel and ts) from a Say thanks modal; a bare id carries no
    prompt (a form opened elsewhere, or before the prompt was carried along)."""
    if isinstance(raw, str) and raw.isdigit():
        return int(raw), None
    try:
        data = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return None, None
    session_id = data.get("s")
    if not isinstance(session_id, int) or isinstance(session_id, bool) or session_id <= 0:
        return None, None
    channel, ts = data.get("c"), data.get("t")
    prompt = (channel, ts) if isinstance(channel, str) and isinstance(ts, str) else None
    return session_id, prompt


def build_thanks_modal(
    feedback: Feedback, kudos_channel_id: str | None, prompt: tuple[str, str] | None = None
) -> dict[str, Any]:
    """Say thanks: a short note for the mentor; the share box only when a kudos channel is set."""
    blocks: list[dict[str, Any]] = [
        section(f"{user_mention(feedback.mentor_id)} gets your note by DM."),
        {
            "type": "input",
            "block_id": ids.THANKS_NOTE_BLOCK,
            "label": plain("Your note", 2000),
            "element": {
                "type": "plain_text_input",
                "action_id": ids.THANKS_NOTE_ACTION,
                "multiline": True,
                "max_length": THANKS_MAX,
                "placeholder": plain("What helped you most?", 150),
            },
        },
    ]
    if kudos_channel_id:
        blocks.append(
            {
                "type": "input",
                "block_id": ids.THANKS_SHARE_BLOCK,
                "optional": True,
                "label": plain("Share it", 2000),
                "element": {
                    "type": "checkboxes",
                    "action_id": ids.THANKS_SHARE_ACTION,
                    "options": [
                        {
                            "text": mrkdwn(f"Also post it in {channel_mention(kudos_channel_id)}"),
                            "description": plain("Everyone in that channel will see it.", 75),
                            "value": "share",
                        }
                    ],
                },
            }
        )
    return {
        "type": "modal",
        "callback_id": ids.THANKS_MODAL,
        "private_metadata": thanks_metadata(feedback.session_id, prompt),
        "title": plain("Say thanks", 24),
        "submit": plain("Send", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def read_thanks(view: Mapping[str, Any]) -> tuple[str, bool, dict[str, str]]:
    """(note, share ticked, inline errors by block_id) from a submitted Say thanks modal."""
    raw = input_state(view, ids.THANKS_NOTE_BLOCK, ids.THANKS_NOTE_ACTION).get("value")
    note = raw.strip() if isinstance(raw, str) else ""
    picked = input_state(view, ids.THANKS_SHARE_BLOCK, ids.THANKS_SHARE_ACTION).get(
        "selected_options"
    )
    share = isinstance(picked, list) and any(
        isinstance(option, Mapping) and option.get("value") == "share" for option in picked
    )
    errors: dict[str, str] = {}
    if not note:
        errors[ids.THANKS_NOTE_BLOCK] = "Write a few words first."
    elif len(note) > THANKS_MAX:
        errors[ids.THANKS_NOTE_BLOCK] = (
            f"Keep it to {THANKS_MAX} characters (this one has {len(note)})."
        )
    return note, share, errors


def build_thanks_sent(thanks: Thanks, shared_in: str | None) -> dict[str, Any]:
    """The modal after Send: the note is stored and on its way (the outbox sends it, and
    retries), so it says what will happen, not what did."""
    where = f" and post it in {channel_mention(shared_in)}" if shared_in else ""
    lead = f":sparkles: Thank you! I'll send your note to {user_mention(thanks.to_id)}{where}."
    return {
        "type": "modal",
        "title": plain("Say thanks", 24),
        "close": plain("Done", 24),
        "blocks": [section(lead), context(THANKS_FAILING)],
    }


def build_thanks_undelivered(thanks: Thanks, channel: str | None, error: str) -> dict[str, Any]:
    """To the mentee: Slack refused their note for good, to the mentor or in the kudos channel
    (`channel`), with Slack's reason."""
    if channel is None:
        what = f"I couldn't deliver your thank-you note to {user_mention(thanks.to_id)}"
    else:
        what = f"I couldn't post your thank-you note in {channel_mention(channel)}"
    text = f":warning: {what} (Slack said `{escape(error)}`). Sorry about that."
    return {"text": text, "blocks": [section(text)]}


def build_thanks_dm(thanks: Thanks) -> dict[str, Any]:
    """To the mentor: the note, quoted and escaped. Never the rating."""
    lead = f":sparkles: {user_mention(thanks.from_id)} says thanks for your mentoring session:"
    quote = blockquote(thanks.note, _NOTE_SHOWN_MAX)
    return {"text": f"{lead}\n{quote}", "blocks": [section(f"{lead}\n{quote}")]}


def build_kudos_post(thanks: Thanks) -> dict[str, Any]:
    """The kudos channel's post, when the mentee ticked the box."""
    lead = (
        f":sparkles: {user_mention(thanks.from_id)} thanks {user_mention(thanks.to_id)} "
        "for a mentoring session:"
    )
    quote = blockquote(thanks.note, _NOTE_SHOWN_MAX)
    return {
        "text": f"{lead}\n{quote}",
        "blocks": [section(f"{lead}\n{quote}"), context(f"Sent {slack_date(thanks.created_at)}")],
    }
