"""The shape of each payload Slack sends, checked before Bolt or a listener reads one.

Bolt's matchers and our listeners read fields the way Slack sends them (`body["actions"][0]`,
`user.get("id")`), so a signed payload with a list where an object belongs would raise deep
inside them. Here each kind declares the fields that code reads, with their JSON types; a
payload that breaks its kind's shape is answered at the door and named in one log line.
Only what is read is declared: other fields may be anything, and unknown kinds pass.

The TypedDicts are read once, at import, into checks (bot/shapes.py): `str`, `int` and `bool`
there are strict, so `7` is no `Str` and `true` no `int`.
"""

from __future__ import annotations

from typing import Annotated, Any, Required, TypedDict

from bot.logs import log_name
from bot.shapes import MinLength, ShapeCheck, compile_shape

Str = str
OptStr = str | None
Obj = dict[str, Any]


class Identified(TypedDict, total=False):
    """A user, team, channel or enterprise object: what matters is its id."""

    id: Required[Str]
    team_id: Str


class Option(TypedDict, total=False):
    value: Str
    text: Obj


class ElementState(TypedDict, total=False):
    """One input's value in `state.values[block_id][action_id]`, by element type."""

    type: Str
    value: OptStr
    selected_option: Option | None
    selected_options: list[Option]
    selected_user: OptStr
    selected_users: list[Str]
    selected_channel: OptStr
    selected_channels: list[Str]
    selected_conversation: OptStr
    selected_conversations: list[Str]
    selected_date: OptStr
    selected_time: OptStr
    selected_date_time: int | None
    timezone: Str


class State(TypedDict, total=False):
    values: Required[dict[str, dict[str, ElementState]]]


class _ViewFields(TypedDict, total=False):
    id: Str
    app_installed_team_id: OptStr  # Bolt authorizes a view's payload with it, and so does the kit
    private_metadata: Str
    hash: Str
    state: State
    blocks: list[Obj]
    root_view_id: OptStr
    previous_view_id: OptStr


class View(_ViewFields, total=False):
    type: Str
    callback_id: Str


class SubmittedView(_ViewFields, total=False):
    """Bolt's view matchers index these two."""

    type: Required[Str]
    callback_id: Required[Str]


class Action(TypedDict, total=False):
    action_id: Required[Str]
    block_id: Str
    type: Str
    value: Str
    action_ts: Str
    selected_option: Option | None
    selected_options: list[Option]
    selected_user: OptStr
    selected_users: list[Str]
    selected_conversation: OptStr
    selected_channel: OptStr
    selected_date: OptStr
    selected_time: OptStr
    selected_date_time: int


class Container(TypedDict, total=False):
    type: Required[Str]
    message_ts: Str
    channel_id: Str
    view_id: Str
    is_ephemeral: bool
    thread_ts: Str


class Message(TypedDict, total=False):
    type: Str
    ts: Str
    thread_ts: Str
    text: Str
    user: Str
    bot_id: Str
    team: Str
    blocks: list[Obj]


class Interaction(TypedDict, total=False):
    """What every interactivity payload carries: who, in which workspace."""

    type: Required[Str]
    user: Required[Identified]
    team: Required[Identified | None]  # null for some org-wide installs
    enterprise: Identified | None
    api_app_id: Str
    trigger_id: Str


class BlockActions(Interaction, total=False):
    response_url: Str
    actions: Required[Annotated[list[Action], MinLength(1)]]
    container: Required[Container]
    channel: Identified
    message: Message
    view: View
    state: State


class ViewSubmission(Interaction, total=False):
    view: Required[SubmittedView]
    response_urls: list[Obj]


class Shortcut(Interaction, total=False):
    callback_id: Required[Str]


class MessageShortcut(Shortcut, total=False):
    channel: Required[Identified]
    message: Required[Message]
    response_url: Required[Str]
    message_ts: Str


class BlockSuggestion(Interaction, total=False):
    action_id: Required[Str]
    value: Required[Str]
    view: View


class Command(TypedDict, total=False):
    """A slash command's form: every field is a string."""

    command: Required[Str]
    text: Required[Str]
    user_id: Required[Str]
    team_id: Required[Str]
    channel_id: Required[Str]
    trigger_id: Str
    response_url: Str


class Event(TypedDict, total=False):
    """The events the bot reads into; for others only `type` matters."""

    type: Required[Str]
    subtype: Str
    user: Str
    bot_id: Str
    channel: Str
    channel_type: Str
    text: Str
    ts: Str
    thread_ts: Str
    event_ts: Str
    parent_user_id: Str
    hidden: bool
    tab: Str
    view: View
    message: Obj


class OtherEvent(TypedDict, total=False):
    type: Required[Str]


class _Envelope(TypedDict, total=False):
    type: Required[Str]
    team_id: Required[Str]
    event_id: Required[Str]
    api_app_id: Str
    authorizations: list[Obj]
    enterprise_id: OptStr


class EventCallback(_Envelope, total=False):
    event: Required[Event]


class OtherEventCallback(_Envelope, total=False):
    event: Required[OtherEvent]


class UrlVerification(TypedDict, total=False):
    challenge: Required[Str]


class AppRateLimited(TypedDict, total=False):
    minute_rate_limited: Required[int]
    team_id: Str


_READ_EVENTS = frozenset({"message", "app_mention", "app_home_opened"})
_BY_TYPE: dict[str, ShapeCheck] = {
    "block_actions": compile_shape(BlockActions),
    "view_submission": compile_shape(ViewSubmission),
    "view_closed": compile_shape(ViewSubmission),
    "shortcut": compile_shape(Shortcut),
    "message_action": compile_shape(MessageShortcut),
    "block_suggestion": compile_shape(BlockSuggestion),
    "url_verification": compile_shape(UrlVerification),
    "app_rate_limited": compile_shape(AppRateLimited),
}
_COMMAND = compile_shape(Command)
_EVENT = compile_shape(EventCallback)
_OTHER_EVENT = compile_shape(OtherEventCallback)


def kind_of(body: dict[str, Any]) -> str:
    """The payload's kind as Bolt tells them apart: a command, or its `type`."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    return kind if isinstance(kind, str) else "unknown"


def _shape(kind: str, body: dict[str, Any]) -> ShapeCheck | None:
    if kind == "command":
        return _COMMAND
    if kind == "event_callback":
        event = body.get("event")
        named = event.get("type") if isinstance(event, dict) else None
        read = isinstance(named, str) and named in _READ_EVENTS  # a list isn't hashable
        return _EVENT if read or not isinstance(event, dict) else _OTHER_EVENT
    return _BY_TYPE.get(kind)


def shape_problem(body: dict[str, Any]) -> tuple[str, str] | None:
    """(field, problem) for the first field that breaks the payload's shape, or None.

    The field is a dotted path such as `actions.0.action_id`; a step that holds a key from
    the payload (a block id in `state.values`) shows as "?" unless it looks like an id.
    """
    shape = _shape(kind_of(body), body)
    if shape is None or shape.fits(body):
        return None
    found = shape.problem(body)
    if found is None:  # fits() only vouches for exact types; problem() has the last word
        return None
    path, problem = found
    return ".".join(log_name(str(step)) for step in path) or "?", problem
