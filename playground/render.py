"""Block Kit to HTML for the playground page: blocks, messages and views. Pure: no I/O.

Nothing the bot or a user wrote ever becomes markup: text goes through mrkdwn.py or is
escaped, attributes through markup.attrs, and what isn't understood shows as a placeholder
(.bk-unsupported, data-unsupported=its type).

What the page script reads:
- each message or view is a <form>: .bk-message (data-channel, data-thread-ts) or .bk-view
  (data-view-type, data-callback-id, data-private-metadata, data-external-id); a modal's
  buttons are [data-role=submit] (type=submit) and [data-role=close];
- each block is .bk-block with data-block-id (made up as "auto-<index>" when the bot gave
  none) and data-block-type;
- each element's root has data-type, data-block-id and data-action-id. A button also has
  data-value, data-url and data-confirm (its <dialog class="bk-confirm"> follows it, with
  [data-role=confirm] and [data-role=deny]); an overflow is a <details> whose option
  buttons have data-value and data-option (the option object as JSON);
- a stateful element's root has data-state-key (its key in view.state.values) and its
  controls are named "block_id/action_id": state.state_values(blocks, FormData, viewer=…)
  turns the form into view.state.values; state.state_shape(blocks) is the state before any
  change. An input block's <fieldset> has data-optional and data-dispatch-action.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from playground.elements import Place, image_html, render_element
from playground.markup import (
    attrs,
    block_id_of,
    get_dict,
    get_list,
    get_str,
    plain_text,
    text_html,
    unsupported,
)
from playground.mrkdwn import emojize
from playground.state import placed_elements
from playground.viewer import Viewer

Errors = Mapping[str, str]


def render_blocks(blocks: Any, *, viewer: Viewer) -> str:
    """A list of blocks as HTML, in a div.bk-blocks."""
    return f'<div class="bk-blocks">{_blocks(blocks, viewer, {})}</div>'


def render_message(message: Mapping[str, Any], *, viewer: Viewer, ephemeral: bool = False) -> str:
    """A chat.postMessage or chat.postEphemeral body (or a response_url reply) as one message;
    the blocks when there are any, else the text (Slack otherwise uses it for notifications)."""
    # A response_url or slash-command reply says it is ephemeral itself.
    ephemeral = ephemeral or message.get("response_type") == "ephemeral"
    blocks = message.get("blocks")
    if isinstance(blocks, list) and blocks:
        body = render_blocks(blocks, viewer=viewer)
    else:
        text = get_str(message, "text") or ""
        kind = "plain_text" if message.get("mrkdwn") is False else "mrkdwn"
        body = f'<div class="bk-text">{text_html({"type": kind, "text": text}, viewer)}</div>'
    if message.get("attachments"):
        body += unsupported("message part", "attachments")
    body += render_files(get_list(message, "files"), viewer=viewer)
    note = '<div class="bk-ephemeral-note">Only visible to you</div>' if ephemeral else ""
    root = attrs(
        class_="bk-message bk-ephemeral" if ephemeral else "bk-message",
        data_channel=get_str(message, "channel"),
        data_thread_ts=get_str(message, "thread_ts"),
    )
    # A form of its own scopes its radio buttons and lets the page read its controls.
    return f"<form{root}>{note}{body}</form>"


def render_files(files: list[Any], *, viewer: Viewer) -> str:
    """A message's shared files as download links (GET /files/<id>/<name>?user=<viewer>),
    or nothing when there are none."""
    links = []
    for shared in files:
        if not isinstance(shared, Mapping):
            continue
        file_id, name = get_str(shared, "id") or "", get_str(shared, "name") or "file"
        href = f"/files/{quote(file_id, safe='')}/{quote(name, safe='')}?"
        href += urlencode({"user": viewer.user})
        link = f"<a{attrs(href=href, download=name, class_='pg-file-link')}>{escape(name)}</a>"
        links.append(f'<li class="pg-file">📎 {link}</li>')
    return f'<ul class="pg-files">{"".join(links)}</ul>' if links else ""


def render_view(view: Mapping[str, Any], *, viewer: Viewer, errors: Errors | None = None) -> str:
    """A modal or Home view; `errors` (block_id -> message, from a response_action "errors")
    show under their inputs, and any whose block isn't there show at the top."""
    errors = errors or {}
    kind = get_str(view, "type") or "modal"
    raw_blocks = view.get("blocks", [])
    blocks = raw_blocks if isinstance(raw_blocks, list) else []
    root = attrs(
        class_=f"bk-view bk-{kind}",
        data_view_type=kind,
        data_callback_id=get_str(view, "callback_id"),
        data_private_metadata=get_str(view, "private_metadata"),
        data_external_id=get_str(view, "external_id"),
        data_notify_on_close=view.get("notify_on_close") is True,
    )
    known = {block_id_of(b, i) for i, b in enumerate(blocks) if isinstance(b, Mapping)}
    stray = "".join(
        f'<div class="bk-error" role="alert">{escape(message)}</div>'
        for block_id, message in errors.items()
        if block_id not in known
    )
    body = f'<div class="bk-blocks">{stray}{_blocks(raw_blocks, viewer, errors)}</div>'
    if kind == "home":
        return f"<form{root}>{body}</form>"
    head = f'<header class="bk-view-title">{text_html(view.get("title"), viewer)}</header>'
    if kind != "modal":
        head += unsupported("view", kind)
    close = text_html(view.get("close"), viewer) or "Cancel"
    buttons = f'<button type="button" class="bk-button" data-role="close">{close}</button>'
    if "submit" in view:
        submit = text_html(view.get("submit"), viewer)
        primary = 'class="bk-button bk-primary" data-role="submit"'
        buttons += f'<button type="submit" {primary}>{submit}</button>'
    return f'<form{root}>{head}{body}<footer class="bk-view-footer">{buttons}</footer></form>'


def _blocks(blocks: Any, viewer: Viewer, errors: Errors) -> str:
    if not isinstance(blocks, list):
        return unsupported("blocks", type(blocks).__name__)
    return "".join(_block(block, index, viewer, errors) for index, block in enumerate(blocks))


def _block(block: Any, index: int, viewer: Viewer, errors: Errors) -> str:
    if not isinstance(block, Mapping):
        return unsupported("block", type(block).__name__)
    kind = block.get("type")
    block_id = block_id_of(block, index)
    root = attrs(class_=f"bk-block bk-{kind}", data_block_id=block_id, data_block_type=kind)
    if kind == "header":
        return f"<h2{root}>{text_html(block.get('text'), viewer)}</h2>"
    if kind == "divider":
        return f"<hr{root}>"
    if kind == "image":
        title = text_html(block.get("title"), viewer)
        caption = f"<figcaption>{title}</figcaption>" if title else ""
        return f"<figure{root}>{image_html(block)}{caption}</figure>"
    if kind == "context":
        parts = "".join(_context_part(e, viewer) for e in get_list(block, "elements"))
        return f"<div{root}>{parts}</div>"
    if kind in ("section", "actions", "input"):
        inner = _section if kind == "section" else _actions if kind == "actions" else _input
        return f"<div{root}>{inner(block, block_id, viewer, errors)}</div>"
    return unsupported("block", kind)


def _context_part(element: Any, viewer: Viewer) -> str:
    if isinstance(element, Mapping) and element.get("type") == "image":
        return image_html(element)
    return f'<span class="bk-context-text">{text_html(element, viewer)}</span>'


def _section(block: Mapping[str, Any], block_id: str, viewer: Viewer, errors: Errors) -> str:
    parts = []
    if "text" in block:
        parts.append(f'<div class="bk-section-text">{text_html(block.get("text"), viewer)}</div>')
    fields = get_list(block, "fields")
    if fields:
        cells = "".join(f'<div class="bk-field">{text_html(f, viewer)}</div>' for f in fields)
        parts.append(f'<div class="bk-fields">{cells}</div>')
    for action_id, element in placed_elements(block, block_id):
        html = render_element(element, Place(block_id, action_id, viewer))
        parts.append(f'<div class="bk-accessory">{html}</div>')
    return "".join(parts)


def _actions(block: Mapping[str, Any], block_id: str, viewer: Viewer, errors: Errors) -> str:
    return "".join(
        render_element(element, Place(block_id, action_id, viewer))
        for action_id, element in placed_elements(block, block_id)
    )


def _input(block: Mapping[str, Any], block_id: str, viewer: Viewer, errors: Errors) -> str:
    optional = block.get("optional") is True
    label = escape(plain_text(block.get("label")))
    flag = ' <span class="bk-optional">(optional)</span>' if optional else ""
    controls = "".join(
        render_element(element, Place(block_id, action_id, viewer, required=not optional))
        for action_id, element in placed_elements(block, block_id)
    )
    hint = get_dict(block, "hint")
    hint_html = f'<div class="bk-hint">{text_html(hint, viewer)}</div>' if hint else ""
    error = errors.get(block_id)
    error_html = f'<div class="bk-error" role="alert">{escape(error)}</div>' if error else ""
    root = attrs(
        class_="bk-input-field",
        data_optional=optional,
        data_dispatch_action=block.get("dispatch_action") is True,
    )
    return (
        f"<fieldset{root}><legend>{emojize(label)}{flag}</legend>"
        f"{controls}{hint_html}{error_html}</fieldset>"
    )
