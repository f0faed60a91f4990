"""What the page shows one person: the sidebar, a conversation, Home and their modals, as
JSON with HTML already rendered (Block Kit through render.py, the rest escaped here)."""

from __future__ import annotations

from typing import Any

from playground.app import Playground
from playground.render import render_message, render_view
from playground.viewer import Viewer

Item = dict[str, Any]


def page_state(pg: Playground, user_id: str, channel_id: str | None, tab: str) -> dict[str, Any]:
    """Everything the page draws for `user_id` looking at `channel_id` (or Home)."""
    if not pg.lock.locked():
        # Mid-action, the action syncs itself once it knows whose trigger_ids came back.
        pg.world.sync()
    me = pg.person(user_id)
    viewer = pg.viewer(user_id)
    conversations = pg.conversations(user_id)
    if channel_id not in {c["id"] for c in conversations}:
        channel_id = conversations[0]["id"]
    now = pg.clock.now().astimezone(viewer.zone)
    state: dict[str, Any] = {
        "me": me.user_id,
        "now": pg.clock.now().isoformat(),
        "now_label": now.strftime("%a %d %b %Y, %H:%M ") + (now.tzname() or ""),
        "people": [
            {"id": p.user_id, "name": p.real_name, "role": p.role, "tz": p.tz}
            for p in pg.people.values()
        ],
        "conversations": conversations,
        "channel": channel_id,
        "tab": "home" if tab == "home" else "messages",
        "messages": conversation(pg, viewer, user_id, channel_id),
        "home": None,
        "modals": [
            {
                "view_id": modal.view_id,
                "html": render_view(
                    pg.fake.view(modal.view_id), viewer=viewer, errors=modal.errors
                ),
            }
            for modal in pg.world.stack(user_id)
            if modal.view_id in pg.fake.views
        ],
    }
    home = pg.fake.home_view(user_id)
    if home is not None:
        state["home"] = {"view_id": home["id"], "html": render_view(home, viewer=viewer)}
    return state


def conversation(pg: Playground, viewer: Viewer, user_id: str, channel_id: str) -> list[Item]:
    """The conversation's messages this person sees, oldest first, replies under their parent."""
    items: list[Item] = []
    for message in pg.fake.messages(channel_id):
        shown = {**message, "channel": channel_id}
        items.append(
            _item(
                kind="bot",
                ts=str(message["ts"]),
                thread_ts=message.get("thread_ts"),
                author="mentorbot",
                html=render_message(shown, viewer=viewer),
                edited="edited" in message,
                surface={"kind": "message", "channel": channel_id, "ts": message["ts"]},
            )
        )
    for human in pg.world.human:
        if human.channel != channel_id:
            continue
        text = {"text": human.text, "channel": channel_id}
        items.append(
            _item(
                kind="human",
                ts=human.ts,
                thread_ts=human.thread_ts,
                author=viewer.names.get(human.user, human.user),
                html=render_message(text, viewer=viewer),
                surface={"kind": "human", "channel": channel_id, "ts": human.ts},
            )
        )
    for ephemeral in pg.world.ephemerals.values():
        if ephemeral.user != user_id or ephemeral.channel != channel_id:
            continue
        body = {**ephemeral.body, "channel": channel_id}
        items.append(
            _item(
                kind="ephemeral",
                ts=ephemeral.ts,
                thread_ts=ephemeral.thread_ts,
                author="mentorbot",
                html=render_message(body, viewer=viewer, ephemeral=True),
                surface={"kind": "ephemeral", "key": ephemeral.key},
            )
        )
    items.sort(key=lambda item: float(item["ts"]))
    return _threaded(items)


def _item(**fields: Any) -> Item:
    fields["author"] = str(fields["author"])  # the page sets it as text, never as HTML
    fields["replies"] = []
    return fields


def _threaded(items: list[Item]) -> list[Item]:
    """Replies go under the message they answer; a reply whose parent isn't shown stays."""
    top: dict[str, Item] = {}
    ordered: list[Item] = []
    for item in items:
        parent = top.get(str(item["thread_ts"])) if item["thread_ts"] else None
        if parent is not None and item["thread_ts"] != item["ts"]:
            parent["replies"].append(item)
        else:
            top[item["ts"]] = item
            ordered.append(item)
    return ordered
