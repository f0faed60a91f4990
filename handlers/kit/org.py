"""Clicks and forms from another workspace of the same Enterprise Grid org.

A request lives in its mentee's workspace; on an org-wide install its mentor may be in another
workspace of the org, and their clicks arrive with that workspace's team id. User ids are
global in an org, so such a click is served in the row's own workspace when the store finds
the row in a peer workspace with the clicker taking part (storage/org.py); the listener then
checks who clicked exactly as for a click from home. Only the buttons and forms below look
across (the Home tab's Accept and Offer times among them: it lists a mentor's requests and
sessions of peer workspaces); the rest (notes not about a session, intros not passing a
request on, feedback, 1:1s, action items) stay in the clicker's workspace.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from handlers import ids
from handlers.blocks.intro_modal import read_intro_metadata
from handlers.blocks.notes import read_notes_metadata
from handlers.kit.payloads import Pressed, interaction_of, parse_id
from storage.org import RowKind
from storage.store import Store

# Buttons by the row id they carry (the Home tab lists a mentor's rows of peer workspaces too).
CLICKS: dict[str, RowKind] = {
    ids.HOME_ACCEPT: "request",
    ids.HOME_OFFER_TIMES: "request",
    ids.REQUEST_ACCEPT: "request",
    ids.REQUEST_DECLINE: "request",
    ids.REQUEST_SUGGEST: "request",
    ids.REQUEST_CLAIM: "request",
    ids.REQUEST_RELEASE: "request",
    ids.REQUEST_CANCEL: "request",
    ids.REQUEST_SEND_TO_POOL: "request",
    ids.OFFER_TIMES: "request",
    ids.SLOTS_NONE_WORK: "request",
    ids.SLOT_PICK: "slot",
    ids.SESSION_RESCHEDULE: "session",
    ids.SESSION_LOG_NOTES: "session",
    ids.SESSION_CANCEL: "session",
    ids.SESSION_HELD: "session",
    ids.SESSION_MOVED: "session",
    ids.SESSION_MISSED: "session",
}

# Modals by the row id their private_metadata carries.
FORMS: dict[str, RowKind] = {
    ids.DECLINE_MODAL: "request",
    ids.OFFER_MODAL: "request",
    ids.PROPOSE_MODAL: "request",
    ids.SESSION_CANCEL_MODAL: "session",
}


def in_an_org(body: dict[str, Any]) -> bool:
    """Whether the payload comes from a workspace of an Enterprise Grid org: only then can the
    row be a peer's, and outside one (most installs) no click pays the store's look-up."""
    team = body.get("team")
    in_team = isinstance(team, dict) and bool(team.get("enterprise_id"))
    return in_team or bool(
        body.get("enterprise") or body.get("enterprise_id") or body.get("is_enterprise_install")
    )


async def click_home(store: Store, pressed: Pressed, body: dict[str, Any]) -> Pressed:
    """The press, served in the workspace of the row it carries when that is a peer's."""
    if not in_an_org(body):
        return pressed
    read = interaction_of(body)
    kind = CLICKS.get(read.actions[0].action_id) if read and read.actions else None
    if kind is None:
        return pressed
    team_id = await store.org_row_team(kind, pressed.target_id, pressed.team_id, pressed.user_id)
    return pressed if team_id is None else dataclasses.replace(pressed, team_id=team_id)


def _form_row(view: dict[str, Any]) -> tuple[RowKind, int] | None:
    """The row a form is about, for the forms that may look across."""
    callback = str(view.get("callback_id"))
    if callback == ids.NOTES_MODAL:
        # A session's notes (its JSON metadata names the session); other notes stay home.
        target = read_notes_metadata(view.get("private_metadata"))
        session_id = target.session_id if target is not None else None
        return None if session_id is None else ("session", session_id)
    if callback == ids.INTRO_MODAL:
        # "Suggest someone else": the intro passes on the request it names (JSON metadata).
        request_id, _ = read_intro_metadata(view.get("private_metadata"))
        return None if request_id is None else ("request", request_id)
    kind = FORMS.get(callback)
    row_id = parse_id(view.get("private_metadata"))
    return None if kind is None or row_id is None else (kind, row_id)


async def form_home(store: Store, body: dict[str, Any], user_id: str, team_id: str) -> str:
    """The workspace a submitted form (or an action inside it) is served in: its row's, when
    that is a peer's."""
    view = body.get("view")
    row = _form_row(view) if isinstance(view, dict) and in_an_org(body) else None
    if row is None or not user_id or not team_id:
        return team_id
    return await store.org_row_team(row[0], row[1], team_id, user_id) or team_id
