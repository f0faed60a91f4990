"""`/mentor notes @someone`: the caller's own history with one person, a page at a time. Pure.

Only notes the caller wrote are ever passed in; shared items and sessions are the pair's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.notes import WHAT_NEXT_LABELS
from handlers import ids
from handlers.blocks.plans import item_line, relationship_controls, relationship_line
from handlers.blocks.text import (
    MESSAGE_BLOCKS_MAX,
    actions,
    blockquote,
    button,
    context,
    section,
    slack_date,
    user_mention,
)
from storage.models import ActionItem, Note, Relationship, Session, SessionStatus

NOTES_PER_PAGE = 5
ITEMS_PER_PAGE = 10
SESSIONS_SHOWN = 5
PAGES_MAX = 10_000
_NOTE_BODY_SHOWN = 2500
_STATUS = {
    SessionStatus.CONFIRMED: "booked",
    SessionStatus.CANCELLED: "cancelled",
    SessionStatus.COMPLETED: "held",
    SessionStatus.DID_NOT_HAPPEN: "didn't happen",
}


@dataclass(frozen=True)
class History:
    """One page of what the caller may see about the person."""

    viewer_id: str
    other_id: str
    page: int
    relationships: Sequence[Relationship]
    sessions: Sequence[Session]
    sessions_total: int
    items: Sequence[ActionItem]
    items_total: int
    notes: Sequence[Note]
    notes_total: int

    @property
    def pages(self) -> int:
        """How many pages the notes and shared items need."""
        by_notes = math.ceil(self.notes_total / NOTES_PER_PAGE)
        by_items = math.ceil(self.items_total / ITEMS_PER_PAGE)
        return max(1, by_notes, by_items)


def page_value(other_id: str, page: int) -> str:
    """The Next page button's value: whose history, which page."""
    return f"{other_id}:{page}"


def read_page_value(raw: Any) -> tuple[str, int] | None:
    """(other user id, page) from a Next page button, or None."""
    if not isinstance(raw, str) or len(raw) > 80:
        return None
    other, _, page = raw.partition(":")
    if not other or not page.isascii() or not page.isdigit() or not 1 <= int(page) <= PAGES_MAX:
        return None
    return other, int(page)


def _relationship_rows(history: History) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for relationship in history.relationships[:2]:
        rows.append(section(relationship_line(relationship, history.viewer_id)))
        if relationship.ended_at is None:
            rows.append(relationship_controls(relationship, book=True))
    return rows


def _session_rows(history: History) -> list[dict[str, Any]]:
    if not history.sessions:
        return [context("No sessions booked together yet.")]
    lines = [
        f"• {slack_date(s.starts_at)} · {s.duration_minutes} min · {_STATUS[s.status]}"
        for s in history.sessions[:SESSIONS_SHOWN]
    ]
    more = history.sessions_total - len(lines)
    if more > 0:
        lines.append(f"…and {more} earlier")
    return [section("*Sessions*\n" + "\n".join(lines))]


def _item_rows(history: History) -> list[dict[str, Any]]:
    if not history.items:
        return [context("No shared action items on this page.")]
    rows = [section(f"*Shared action items* ({history.items_total})")]
    for item in history.items[:ITEMS_PER_PAGE]:
        block = section(item_line(item, history.viewer_id))
        if item.done_at is None and item.owner_id == history.viewer_id:
            block["accessory"] = button("Done", ids.ITEM_DONE, item.id)
        rows.append(block)
    return rows


def _note_rows(history: History) -> list[dict[str, Any]]:
    if not history.notes:
        return [context("None of your own notes on this page.")]
    rows = [section(f"*Your private notes* ({history.notes_total}) — only you see these")]
    for note in history.notes[:NOTES_PER_PAGE]:
        head = f"*{slack_date(note.created_at)}* · {WHAT_NEXT_LABELS[note.what_next]}"
        body = blockquote(note.body, _NOTE_BODY_SHOWN) if note.body else "_(no notes, only a plan)_"
        rows.append(section(f"{head}\n{body}"))
        rows.append(actions(button("Edit", ids.NOTES_EDIT, note.id)))
    return rows


def build_history(history: History) -> dict[str, Any]:
    """The ephemeral reply: relationship, sessions, shared items, the caller's own notes."""
    other = user_mention(history.other_id)
    title = f"*Your history with {other}* · page {history.page} of {history.pages}"
    blocks: list[dict[str, Any]] = [section(title)]
    if history.page == 1:
        blocks += _relationship_rows(history)
        blocks += _session_rows(history)
    blocks += _item_rows(history)
    blocks += _note_rows(history)
    footer = [button("Log notes", ids.NOTES_LOG, history.other_id, "primary")]
    if history.page < history.pages:
        footer.append(
            button("Next page", ids.NOTES_PAGE, page_value(history.other_id, history.page + 1))
        )
    if history.page > 1:
        footer.append(button("First page", ids.NOTES_PAGE, page_value(history.other_id, 1)))
    blocks.append(actions(*footer))
    if len(blocks) > MESSAGE_BLOCKS_MAX:  # pragma: no cover - the page sizes above keep it under
        raise ValueError("history page over Block Kit's block limit")
    return {"text": f"Your history with {other}", "blocks": blocks, "response_type": "ephemeral"}
