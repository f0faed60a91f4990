"""Find what a person would see and press in what the bot sent.

Every helper takes a "source": a recorded `Call` (the answered message or view when Slack took
it, so ids match what Slack stored; else what the bot sent), a message or view dict, a
chat.*/views.* answer (dict or slack_sdk response), or a bare list of blocks.
"""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]

_TEXT_OBJECTS = ("plain_text", "mrkdwn")
_HIDDEN_KEYS = ("confirm", "alt_text", "action_id", "block_id", "value", "url", "image_url")


def surface_of(source: Any) -> dict[str, Any]:
    """The message or view dict a source stands for."""
    if isinstance(getattr(source, "data", None), dict):  # a slack_sdk SlackResponse
        source = source.data
    response = getattr(source, "response", None)
    args = getattr(source, "args", None)
    if isinstance(args, dict):
        if isinstance(response, dict) and response.get("ok"):
            for key in ("view", "message"):
                if isinstance(response.get(key), dict):
                    return dict(response[key])
        return dict(args["view"]) if isinstance(args.get("view"), dict) else dict(args)
    if isinstance(source, list):
        return {"blocks": source}
    if isinstance(source, dict):
        for key in ("view", "message"):
            if isinstance(source.get(key), dict):
                return dict(source[key])
        return source
    raise TypeError(f"not a message, view, call or block list: {type(source).__name__}")


def blocks_of(source: Any) -> list[Block]:
    """The blocks of a message or view (empty when it has none)."""
    blocks = surface_of(source).get("blocks")
    return [b for b in blocks if isinstance(b, dict)] if isinstance(blocks, list) else []


def _elements(block: Block) -> list[dict[str, Any]]:
    found = [el for el in block.get("elements", []) if isinstance(el, dict)]
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            found.append(block[key])
    return found


def _label(element: dict[str, Any], key: str = "text") -> str:
    text = element.get(key)
    return str(text.get("text", "")) if isinstance(text, dict) else ""


def _pick(items: list[dict[str, Any]], wanted: str, labels: list[str], what: str) -> dict[str, Any]:
    """Exact label, then case-insensitive, then one unique substring match."""
    for matches in (
        lambda label: label == wanted,
        lambda label: label.casefold() == wanted.casefold(),
        lambda label: wanted.casefold() in label.casefold(),
    ):
        hits = [item for item, label in zip(items, labels, strict=True) if matches(label)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise AssertionError(f"{len(hits)} {what}s match {wanted!r}: {labels}")
    raise AssertionError(f"no {what} {wanted!r}; the {what}s are: {labels}")


def all_buttons(source: Any) -> list[dict[str, Any]]:
    """Every button, in the order a person reads them."""
    return [
        element
        for block in blocks_of(source)
        for element in _elements(block)
        if element.get("type") == "button"
    ]


def button_labels(source: Any) -> list[str]:
    """The visible text of every button."""
    return [_label(button) for button in all_buttons(source)]


def find_button(source: Any, label: str) -> dict[str, Any]:
    """The button whose visible text is `label` (or whose action_id is)."""
    buttons = all_buttons(source)
    by_id = [b for b in buttons if b.get("action_id") == label]
    if by_id and not any(_label(b) == label for b in buttons):
        return by_id[0]
    return _pick(buttons, label, [_label(b) for b in buttons], "button")


def block_of(source: Any, element: dict[str, Any]) -> Block | None:
    """The block holding `element` (compared by value), for its block_id."""
    for block in blocks_of(source):
        if any(candidate == element for candidate in _elements(block)):
            return block
    return None


def input_blocks(source: Any) -> list[Block]:
    """Every input block of a view (or message)."""
    return [block for block in blocks_of(source) if block.get("type") == "input"]


def find_input(view: Any, label: str) -> Block:
    """The input block whose label is `label` (or whose block_id is)."""
    inputs = input_blocks(view)
    for block in inputs:
        if block.get("block_id") == label:
            return block
    return _pick(inputs, label, [_label(b, "label") for b in inputs], "input")


def _texts(node: Any, out: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _texts(item, out)
    elif isinstance(node, dict):
        kind = node.get("type")
        if kind in _TEXT_OBJECTS or (kind in ("text", "markdown") and "text" in node):
            out.append(str(node.get("text", "")))
            return
        if kind == "link":
            out.append(str(node.get("text") or node.get("url", "")))
        elif kind == "user":
            out.append(f"<@{node.get('user_id', '')}>")
        elif kind == "emoji":
            out.append(f":{node.get('name', '')}:")
        for key, value in node.items():
            if key not in _HIDDEN_KEYS:
                _texts(value, out)


def block_texts(source: Any) -> str:
    """All text a person sees, one piece a line: a view's title, then every block.

    A message without blocks shows its `text`; with blocks, `text` is only the notification.
    """
    surface = surface_of(source)
    out: list[str] = []
    if isinstance(surface.get("title"), dict):
        out.append(_label(surface, "title"))
    blocks = blocks_of(surface)
    if blocks:
        _texts(blocks, out)
    elif surface.get("text"):
        out.append(str(surface["text"]))
    return "\n".join(piece for piece in out if piece)
