"""`/mentor notes @someone` and its buttons: Next page, Log notes, Edit."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.settings import Settings
from handlers.blocks.history import (
    ITEMS_PER_PAGE,
    NOTES_PER_PAGE,
    PAGES_MAX,
    SESSIONS_SHOWN,
    History,
    build_history,
    read_page_value,
)
from handlers.kit import (
    BROKEN,
    BadArguments,
    Click,
    SubcommandCall,
    leading_mention,
    on_click,
    submitter,
    tell,
)
from handlers.notes.entry import NOT_YOURSELF, open_edit_notes, open_log_notes
from storage.store import Store

log = logging.getLogger(__name__)

USAGE = "Name the person: `/mentor notes @someone` (and a page number if you like)."
BAD_PAGE = f"After the name comes a page number from 1 to {PAGES_MAX}: `/mentor notes @someone 2`."


async def load_history(
    store: Store, team_id: str, viewer_id: str, other_id: str, page: int
) -> History:
    """One page: the caller's own notes only, the pair's items, sessions and 1:1s."""
    notes, notes_total = await store.notes_about(
        team_id, viewer_id, other_id, NOTES_PER_PAGE, (page - 1) * NOTES_PER_PAGE
    )
    items, items_total = await store.items_between(
        team_id, viewer_id, other_id, ITEMS_PER_PAGE, (page - 1) * ITEMS_PER_PAGE
    )
    sessions, sessions_total = await store.sessions_between(
        team_id, viewer_id, other_id, SESSIONS_SHOWN
    )
    relationships = await store.relationships_between(team_id, viewer_id, other_id, 2)
    return History(
        viewer_id=viewer_id,
        other_id=other_id,
        page=page,
        relationships=relationships,
        sessions=sessions,
        sessions_total=sessions_total,
        items=items,
        items_total=items_total,
        notes=notes,
        notes_total=notes_total,
    )


def parse_notes_args(args: str, caller_id: str) -> tuple[str, int]:
    """'<@U2|bob> 2' -> ('U2', 2); anything else is BadArguments."""
    other_id, rest = leading_mention(args)
    if other_id is None:
        raise BadArguments(USAGE)
    if other_id == caller_id:
        raise BadArguments(NOT_YOURSELF)
    rest = rest.strip()
    if not rest:
        return other_id, 1
    if not (rest.isascii() and rest.isdigit()) or not 1 <= int(rest) <= PAGES_MAX:
        raise BadArguments(BAD_PAGE)
    return other_id, int(rest)


async def notes_command(call: SubcommandCall) -> None:
    """The caller's history with someone, privately, a page at a time."""
    other_id, page = parse_notes_args(call.args, call.user_id)
    history = await load_history(call.store, call.team_id, call.user_id, other_id, page)
    if page > history.pages:
        raise BadArguments(f"There are only {history.pages} page(s) of history with them.")
    await call.ack(**build_history(history))


async def notes_page_clicked(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, store: Store
) -> None:
    """Next page (or back to the first) in place."""
    await ack()
    user_id, team_id = submitter(body)
    action = (body.get("actions") or [{}])[0]
    parsed = read_page_value(action.get("value") if isinstance(action, dict) else None)
    if parsed is None or not user_id or not team_id:
        await tell(respond, BROKEN)
        return
    other_id, page = parsed
    history = await load_history(store, team_id, user_id, other_id, page)
    page = min(page, history.pages)
    if page != history.page:
        history = await load_history(store, team_id, user_id, other_id, page)
    await respond(replace_original=True, **build_history(history))


async def notes_log_clicked(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    settings: Settings,
) -> None:
    """Log notes about the person this history is about."""
    await ack()
    user_id, team_id = submitter(body)
    action = (body.get("actions") or [{}])[0]
    other = action.get("value") if isinstance(action, dict) else None
    refusal = await open_log_notes(
        client,
        store,
        clock,
        settings,
        team_id=team_id,
        user_id=user_id,
        trigger_id=str(body.get("trigger_id") or ""),
        other_user_id=other if isinstance(other, str) else None,
    )
    if refusal:
        await tell(respond, refusal)


@on_click()
async def notes_edit_clicked(click: Click) -> None:
    """Edit: the author's own notes, prefilled; anyone else is refused."""
    pressed = click.pressed
    refusal = await open_edit_notes(
        click.client,
        click.store,
        team_id=pressed.team_id,
        user_id=pressed.user_id,
        trigger_id=pressed.trigger_id,
        note_id=pressed.target_id,
    )
    if refusal:
        await click.tell(refusal)
