"""Reading a pressed button and a submitted view: pydantic models of the fields we read, so a
Socket Mode payload of the wrong shape (HTTP ones are checked at the door, bot/payloads.py) is
refused here rather than deep in a listener."""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

from pydantic import BaseModel, StrictStr, ValidationError

from handlers.kit.replies import BROKEN, tell

log = logging.getLogger(__name__)

# Ids are SQLite integers; a longer digit string would overflow the binding.
ID_DIGITS_MAX = 18


def parse_id(raw: object) -> int | None:
    """A row id carried by a button or a modal, or None when it isn't a plain digit string."""
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= ID_DIGITS_MAX:
        return int(raw)
    return None


class _Who(BaseModel):
    id: StrictStr = ""
    team_id: StrictStr = ""


class _Action(BaseModel):
    action_id: StrictStr = ""
    value: StrictStr | None = None


class Interaction(BaseModel):
    """The fields of an interactivity payload (a click or a view submission) the kit reads."""

    user: _Who = _Who()
    team: _Who | None = None
    actions: list[_Action] = []
    trigger_id: StrictStr = ""

    @property
    def team_id(self) -> str:
        return (self.team.id if self.team else "") or self.user.team_id


def interaction_of(body: dict[str, Any]) -> Interaction | None:
    """The interactivity fields of `body`; None when one of them has the wrong shape."""
    try:
        return Interaction.model_validate(body)
    except ValidationError:
        return None


class Pressed(BaseModel, frozen=True):
    """Who pressed a button, in which workspace, and the row id the button carries."""

    user_id: str
    team_id: str
    target_id: int
    trigger_id: str


def read_pressed(body: dict[str, Any], surface: str = "booking") -> Pressed | None:
    """The presser and the id on the button; None (and a log line naming `surface`) when the
    payload is malformed."""
    read = interaction_of(body)
    action = read.actions[0] if read and read.actions else _Action()
    target_id = parse_id(action.value)
    if read is None or target_id is None or not read.user.id or not read.team_id:
        # Ids only: the value is untrusted and may be anything.
        user_id = read.user.id if read else None
        log.warning("broken %s button action=%s user=%s", surface, action.action_id, user_id)
        return None
    return Pressed(
        user_id=read.user.id, team_id=read.team_id, target_id=target_id, trigger_id=read.trigger_id
    )


async def pressed_or_tell(
    body: dict[str, Any], respond: Any, surface: str = "booking"
) -> Pressed | None:
    """read_pressed, telling the presser when the button is broken."""
    pressed = read_pressed(body, surface)
    if pressed is None:
        await tell(respond, BROKEN)
    return pressed


class Submitted(NamedTuple):
    """Who submitted a view (or pressed a Home button), and in which workspace."""

    user_id: str
    team_id: str


def submitter(body: dict[str, Any]) -> Submitted:
    """The submitter of a view submission or Home click; empty strings when absent."""
    read = interaction_of(body)
    if read is None:
        return Submitted("", "")
    return Submitted(read.user.id, read.team_id)


def metadata_id(body: dict[str, Any]) -> int | None:
    """The id a modal carries in private_metadata."""
    view = body.get("view")
    return parse_id(view.get("private_metadata") if isinstance(view, dict) else None)
