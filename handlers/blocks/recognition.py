"""App Home's "Your mentoring" section: a mentor's own counts and latest thank-you notes. Pure.

Only the mentor's own figures: no ranking against anyone, and never a rating.
"""

from __future__ import annotations

from typing import Any

from handlers.blocks.text import blockquote, context, header, section, slack_date, user_mention
from storage.feedback import Recognition

# A 500-character note, escaped and quoted, stays far below a section's 3000.
_NOTE_SHOWN_MAX = 2900


def _plural(count: int, word: str) -> str:
    return f"*{count}* {word}{'' if count == 1 else 's'}"


def build_recognition(recognition: Recognition) -> list[dict[str, Any]]:
    """Header, one line of counts, and up to three notes; nothing for someone who hasn't
    mentored yet."""
    if recognition.empty:
        return []
    helped = recognition.people_helped
    people = f"*{helped}* {'person' if helped == 1 else 'people'}"
    counts = (
        f"You've helped {people} in {_plural(recognition.sessions_held, 'session')} held, "
        f"and received {_plural(recognition.thanks_received, 'thank-you note')}."
    )
    blocks: list[dict[str, Any]] = [header("Your mentoring"), section(counts)]
    for thanks in recognition.recent_thanks:
        blocks.append(section(blockquote(thanks.note, _NOTE_SHOWN_MAX)))
        blocks.append(
            context(f"From {user_mention(thanks.from_id)}, {slack_date(thanks.created_at)}")
        )
    return blocks
