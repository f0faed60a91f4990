"""The shape of each payload Slack sends, checked before Bolt or a listener reads one.

Bolt's matchers and our listeners read fields the way Slack sends them (`body["actions"][0]`,
`user.get("id")`), so a signed payload with a list where an object belongs would raise deep
inside them. Here each kind declares the fields that code reads, with their JSON types; a
payload that breaks its kind's shape is answered at the door and named in one log line.
Only what is read is declared: other fields may be anything, and unknown kinds pass.
"""

from __future__ import annotations

from typing import Annotated, Any, Required

from pydantic import Field, StrictBool, StrictInt, StrictStr, TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from bot.logs import log_name

Str = StrictStr
OptStr = StrictStr | None
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
    selected_date_time: StrictInt | None
    timezone: Str


class State(TypedDict, total=False):
    values: Required[dict[str, dict[str, ElementState]]]


class _ViewFields(TypedDict, total=False):
    id: Str
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
    selected_date_time: StrictInt


class Container(TypedDict, total=False):
    type: Required[Str]
    message_ts: Str
    channel_id: Str
    view_id: Str
    is_ephemeral: StrictBool
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
    actions: Required[Annotated[list[Action], Field(min_length=1)]]
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
    hidden: StrictBool
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
    minute_rate_limited: Required[StrictInt]
    team_id: Str


_READ_EVENTS = frozenset({"message", "app_mention", "app_home_opened"})
_BY_TYPE: dict[str, TypeAdapter[Any]] = {
    "block_actions": TypeAdapter(BlockActions),
    "view_submission": TypeAdapter(ViewSubmission),
    "view_closed": TypeAdapter(ViewSubmission),
    "shortcut": TypeAdapter(Shortcut),
    "message_action": TypeAdapter(MessageShortcut),
    "block_suggestion": TypeAdapter(BlockSuggestion),
    "url_verification": TypeAdapter(UrlVerification),
    "app_rate_limited": TypeAdapter(AppRateLimited),
}
_COMMAND = TypeAdapter(Command)
_EVENT = TypeAdapter(EventCallback)
_OTHER_EVENT = TypeAdapter(OtherEventCallback)


def kind_of(body: dict[str, Any]) -> str:
    """The payload's kind as Bolt tells them apart: a command, or its `type`."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    return kind if isinstance(kind, str) else "unknown"


def _adapter(kind: str, body: dict[str, Any]) -> TypeAdapter[Any] | None:
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
    adapter = _adapter(kind_of(body), body)
    if adapter is None:
        return None
    try:
        adapter.validate_python(body)
    except ValidationError as error:
        first = error.errors(include_url=False, include_context=False, include_input=False)[0]
        return ".".join(log_name(str(step)) for step in first["loc"]) or "?", first["type"]
    return None
