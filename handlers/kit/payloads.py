"""Reading a pressed button and a submitted view: frozen dataclasses of the fields we read, so a
Socket Mode payload of the wrong shape (HTTP ones are checked at the door, bot/payloads.py) is
refused here rather than deep in a listener."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, NamedTuple

from handlers.kit.replies import BROKEN, tell

log = logging.getLogger(__name__)

# Ids are SQLite integers; a longer digit string would overflow the binding.
ID_DIGITS_MAX = 18


def parse_id(raw: object) -> int | None:
    """A row id carried by a button or a modal, or None when it isn't a plain digit string."""
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= ID_DIGITS_MAX:
        return int(raw)
    return None


@dataclass(frozen=True, slots=True)
class _Who:
    id: str = ""
    team_id: str = ""


@dataclass(frozen=True, slots=True)
class _Action:
    action_id: str = ""
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Interaction:
    """The fields of an interactivity payload (a click or a view submission) the kit reads."""

    user: _Who = _Who()
    team: _Who | None = None
    actions: tuple[_Action, ...] = ()
    trigger_id: str = ""
    installed_team_id: str = ""  # the view's app_installed_team_id

    @property
    def team_id(self) -> str:
        """The workspace served, as Bolt authorizes it: a view's installing workspace first
        (a modal used from a Slack Connect channel comes with the submitter's own team)."""
        return self.installed_team_id or (self.team.id if self.team else "") or self.user.team_id


def _who(raw: object) -> _Who | None:
    """A user or team object; None when it isn't one or its ids aren't strings."""
    if not isinstance(raw, dict):
        return None
    who_id, team_id = raw.get("id", ""), raw.get("team_id", "")
    if not isinstance(who_id, str) or not isinstance(team_id, str):
        return None
    return _Who(who_id, team_id)


def _action(raw: object) -> _Action | None:
    if not isinstance(raw, dict):
        return None
    action_id, value = raw.get("action_id", ""), raw.get("value")
    if not isinstance(action_id, str) or not (value is None or isinstance(value, str)):
        return None
    return _Action(action_id, value)


def _actions(raw: object) -> tuple[_Action, ...] | None:
    """The pressed actions; None unless `raw` is a list of action objects."""
    if not isinstance(raw, list):
        return None
    actions = []
    for item in raw:
        action = _action(item)
        if action is None:
            return None
        actions.append(action)
    return tuple(actions)


def interaction_of(body: dict[str, Any]) -> Interaction | None:
    """The interactivity fields of `body`; None when one of them has the wrong shape.

    A field left out reads as empty (no team, no actions, ""); one of the wrong type, a null
    user included, makes the whole payload None.
    """
    user = _who(body.get("user", {}))
    raw_team = body.get("team")
    team = None if raw_team is None else _who(raw_team)
    actions = _actions(body.get("actions", []))
    trigger_id = body.get("trigger_id", "")
    view = body.get("view")
    installed = view.get("app_installed_team_id") if isinstance(view, dict) else None
    if user is None or actions is None or not isinstance(trigger_id, str):
        return None
    if raw_team is not None and team is None:  # a team of the wrong shape, not a left-out one
        return None
    if installed is not None and not isinstance(installed, str):
        return None
    return Interaction(user, team, actions, trigger_id, installed or "")


@dataclass(frozen=True, slots=True)
class Pressed:
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
