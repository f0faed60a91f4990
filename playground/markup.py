"""What every renderer shares: escaped attributes, defensive readers of Block Kit JSON, text
objects, the ids Slack would fill in, and the placeholder for what isn't supported."""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any

from playground.mrkdwn import emojize, mrkdwn_to_html
from playground.viewer import Viewer

Attr = str | int | bool | None


def attrs(**values: Attr) -> str:
    """HTML attributes, each value escaped; `class_` is `class`, `data_x` is `data-x`;
    None and False leave the attribute out, True writes it bare."""
    parts: list[str] = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        if value is True:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{escape(str(value), quote=True)}"')
    return "".join(parts)


def as_json(value: Any) -> str:
    """A JSON copy of what the bot sent (an option, say), to go into a data attribute."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def get_str(obj: Mapping[str, Any], key: str) -> str | None:
    """obj[key] if it is a string."""
    value = obj.get(key)
    return value if isinstance(value, str) else None


def get_dict(obj: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """obj[key] if it is an object, else {} (the bot's JSON is read, never trusted)."""
    value = obj.get(key)
    return value if isinstance(value, Mapping) else {}


def get_list(obj: Mapping[str, Any], key: str) -> list[Any]:
    """obj[key] if it is a list, else []."""
    value = obj.get(key)
    return value if isinstance(value, list) else []


def block_id_of(block: Mapping[str, Any], index: int) -> str:
    """The block's block_id; Slack makes one up when it is missing, and so do we, stably."""
    return get_str(block, "block_id") or f"auto-{index}"


def action_id_of(element: Mapping[str, Any], block_id: str, position: int) -> str:
    """The element's action_id, or a stable made-up one as Slack would make."""
    return get_str(element, "action_id") or f"{block_id}-{position}"


def plain_text(obj: Any) -> str:
    """The raw string of a text object (for attributes and <option>s, which hold no markup)."""
    if isinstance(obj, Mapping):
        text = obj.get("text")
        return text if isinstance(text, str) else ""
    return ""


def text_html(obj: Any, viewer: Viewer) -> str:
    """A plain_text or mrkdwn text object as HTML; None is nothing, anything else is a
    visible placeholder."""
    if obj is None:
        return ""
    if not isinstance(obj, Mapping):
        return unsupported("text object", type(obj).__name__)
    text = plain_text(obj)
    kind = obj.get("type")
    if kind == "mrkdwn":
        return mrkdwn_to_html(
            text, names=viewer.names, channels=viewer.channels, tz=viewer.tz, now=viewer.now
        )
    if kind == "plain_text":
        return emojize(escape(text)).replace("\n", "<br>")
    return unsupported("text object", kind)


def unsupported(what: str, kind: Any) -> str:
    """What an unknown block or element shows instead: visible, escaped, never dropped."""
    shown = kind if isinstance(kind, str) else "missing" if kind is None else repr(kind)
    return (
        f'<span class="bk-unsupported"{attrs(data_unsupported=shown)}>'
        f"[unsupported {escape(what)}: {escape(shown)}]</span>"
    )
