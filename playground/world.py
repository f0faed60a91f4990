"""What each person sees that the fake Slack doesn't keep: their own messages, ephemerals,
response_url replies and their stack of modals, read from the fake's record of the bot's calls.

The fake stores the bot's messages and views; Slack itself would also show people's own
messages and the private replies only one person sees, so the playground keeps those here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from playground.fakeslack import FakeSlack


@dataclass
class HumanMessage:
    """A message a person wrote through the page."""

    channel: str
    ts: str
    user: str
    text: str
    thread_ts: str | None = None


@dataclass
class Ephemeral:
    """A message only `user` sees: chat.postEphemeral or a response_url reply."""

    key: str
    user: str
    channel: str
    ts: str
    body: dict[str, Any]
    thread_ts: str | None = None


@dataclass
class Origin:
    """Where a response_url came from, so a reply to it lands in front of the right person."""

    user: str
    channel: str
    ephemeral: str | None = None  # the key of the ephemeral it was clicked in


@dataclass
class Modal:
    """One modal on a person's stack; its content lives in the fake's views."""

    view_id: str
    errors: dict[str, str] = field(default_factory=dict)


class World:
    """Per-person state beside the fake; `sync()` reads the calls made since the last one."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self.human: list[HumanMessage] = []
        self.ephemerals: dict[str, Ephemeral] = {}
        self.modals: dict[str, list[Modal]] = {}
        self.triggers: dict[str, str] = {}  # trigger_id -> who pressed
        self.origins: dict[str, Origin] = {}  # response_url tail -> where it came from
        self._seen = 0
        self._serial = itertools.count(1)

    def stack(self, user_id: str) -> list[Modal]:
        """A person's open modals, bottom first."""
        return self.modals.setdefault(user_id, [])

    def add_ephemeral(
        self, user: str, channel: str, body: dict[str, Any], thread_ts: str | None = None
    ) -> Ephemeral:
        """Show `body` to `user` alone, in `channel`, now."""
        key = f"e{next(self._serial)}"
        shown = Ephemeral(key, user, channel, self.fake.next_ts(), dict(body), thread_ts)
        self.ephemerals[key] = shown
        return shown

    def sync(self) -> None:
        """Apply the bot's calls since the last sync: ephemerals, response_urls, modals."""
        calls = self.fake.calls[self._seen :]
        self._seen = len(self.fake.calls)
        for call in calls:
            if not call.ok:
                continue
            args = call.args
            if call.method == "chat.postEphemeral":
                key = f"e{next(self._serial)}"
                ts = str(call.response.get("message_ts"))
                thread = args.get("thread_ts")
                shown = Ephemeral(key, str(args.get("user")), str(args.get("channel")), ts, {})
                shown.body, shown.thread_ts = dict(args), str(thread) if thread else None
                self.ephemerals[key] = shown
            elif call.method == "response_url":
                self._response(call.path.split("/hooks/", 1)[-1], args)
            elif call.method in ("views.open", "views.push"):
                user = self.triggers.get(str(args.get("trigger_id")))
                if user is not None:
                    stack = self.stack(user)
                    if call.method == "views.open":
                        stack.clear()
                    stack.append(Modal(str(call.response["view"]["id"])))

    def _response(self, tail: str, body: dict[str, Any]) -> None:
        origin = self.origins.get(tail)
        if origin is None:
            return
        shown = self.ephemerals.get(origin.ephemeral or "")
        if body.get("delete_original") in (True, "true"):
            if shown is not None:
                del self.ephemerals[shown.key]
        elif body.get("replace_original") in (True, "true"):
            if shown is not None:
                shown.body = dict(body)
        elif body.get("response_type") != "in_channel":
            thread = shown.thread_ts if shown else None
            self.add_ephemeral(origin.user, origin.channel, body, thread)

    def submitted(self, user_id: str, view_id: str, answer: Any) -> None:
        """Apply a view_submission's answer: errors stay on the modal; update, push and clear
        change the stack as Slack does; anything else closes the modal."""
        stack = self.stack(user_id)
        top = next((m for m in stack if m.view_id == view_id), None)
        action = answer.get("response_action") if isinstance(answer, dict) else None
        if top is None:
            return
        if action == "errors":
            top.errors = {str(k): str(v) for k, v in dict(answer.get("errors", {})).items()}
        elif action == "update":
            self.fake.store_view(dict(answer["view"]), view_id=view_id)
            top.errors = {}
        elif action == "push":
            stack.append(Modal(str(self.fake.store_view(dict(answer["view"]))["id"])))
        elif action == "clear":
            stack.clear()
        else:
            stack.remove(top)
