"""Block elements (buttons, menus, inputs, pickers) as HTML controls that carry what the page
needs to send the block_actions or view_submission payload Slack would send.

The element's root carries data-type, data-block-id and data-action-id; a stateful one also
carries data-state-key, the key its value takes in view.state.values, and its form controls
are named "block_id/action_id" so a FormData of the form can be read by state.state_values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from playground.markup import (
    as_json,
    attrs,
    get_dict,
    get_list,
    get_str,
    plain_text,
    text_html,
    unsupported,
)
from playground.mrkdwn import safe_url
from playground.viewer import Viewer

# Element type -> (its key in view.state.values, the field that sets its first value).
STATEFUL: dict[str, tuple[str, str]] = {
    "plain_text_input": ("value", "initial_value"),
    "email_text_input": ("value", "initial_value"),
    "url_text_input": ("value", "initial_value"),
    "number_input": ("value", "initial_value"),
    "static_select": ("selected_option", "initial_option"),
    "multi_static_select": ("selected_options", "initial_options"),
    "radio_buttons": ("selected_option", "initial_option"),
    "checkboxes": ("selected_options", "initial_options"),
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
}


@dataclass(frozen=True)
class Place:
    """Where an element sits: its block, its action_id, and whether the form requires it."""

    block_id: str
    action_id: str
    viewer: Viewer
    required: bool = False

    @property
    def field_name(self) -> str:
        """The form field name of its control(s): what FormData and state_values use."""
        return field_name(self.block_id, self.action_id)


def field_name(block_id: str, action_id: str) -> str:
    """The name "block_id/action_id": one per element, unique within a message or view."""
    return f"{block_id}/{action_id}"


def render_element(element: Any, place: Place) -> str:
    """One block element as HTML; an unknown type becomes a visible placeholder."""
    if not isinstance(element, Mapping):
        return unsupported("element", type(element).__name__)
    kind = element.get("type")
    render = _RENDERERS.get(kind) if isinstance(kind, str) else None
    if render is None:
        return unsupported("element", kind)
    return render(element, place)


def _root(element: Mapping[str, Any], place: Place, **extra: Any) -> str:
    kind = str(element.get("type"))
    state_key = STATEFUL.get(kind, (None, None))[0]
    return attrs(
        data_type=kind,
        data_block_id=place.block_id,
        data_action_id=place.action_id,
        data_state_key=state_key,
        **extra,
    )


def _confirm(element: Mapping[str, Any], viewer: Viewer) -> str:
    confirm = get_dict(element, "confirm")
    if not confirm:
        return ""
    style = get_str(confirm, "style")
    title = text_html(confirm.get("title"), viewer) or "Are you sure?"
    yes = text_html(confirm.get("confirm"), viewer) or "Yes"
    no = text_html(confirm.get("deny"), viewer) or "Cancel"
    # The page shows this <dialog> on a click and sends the action only on "confirm".
    return (
        '<dialog class="bk-confirm">'
        f'<h3 class="bk-confirm-title">{title}</h3>'
        f'<div class="bk-confirm-text">{text_html(confirm.get("text"), viewer)}</div>'
        f'<button type="button" class="bk-button" data-role="deny">{no}</button>'
        f'<button type="button"{attrs(class_=_button_class(style))} data-role="confirm">'
        f"{yes}</button></dialog>"
    )


def _button_class(style: str | None) -> str:
    return f"bk-button bk-{style}" if style in ("primary", "danger") else "bk-button"


def _button(element: Mapping[str, Any], place: Place) -> str:
    url = get_str(element, "url")
    root = _root(
        element,
        place,
        class_=_button_class(get_str(element, "style")),
        data_value=get_str(element, "value"),
        data_url=url if url and safe_url(url) else None,
        data_confirm=bool(get_dict(element, "confirm")),
    )
    label = text_html(element.get("text"), place.viewer)
    return f'<button type="button"{root}>{label}</button>{_confirm(element, place.viewer)}'


def _overflow(element: Mapping[str, Any], place: Place) -> str:
    items = []
    for option in get_list(element, "options"):
        if not isinstance(option, Mapping):
            continue
        url = get_str(option, "url")
        data = attrs(
            data_role="option",
            data_value=get_str(option, "value"),
            data_option=as_json(option),
            data_url=url if url and safe_url(url) else None,
        )
        label = text_html(option.get("text"), place.viewer)
        items.append(
            f'<li><button type="button" class="bk-overflow-option"{data}>{label}</button></li>'
        )
    root = _root(
        element, place, class_="bk-overflow", data_confirm=bool(get_dict(element, "confirm"))
    )
    return (
        f'<details{root}><summary aria-label="More actions">⋯</summary>'
        f"<ul>{''.join(items)}</ul></details>{_confirm(element, place.viewer)}"
    )


def _values(element: Mapping[str, Any], single: str, many: str) -> set[str]:
    # The values an element starts with: initial_option(s) are objects, initial_user(s) ids.
    chosen = [element.get(single), *get_list(element, many)]
    found = set()
    for item in chosen:
        if isinstance(item, Mapping) and isinstance(item.get("value"), str):
            found.add(item["value"])
        elif isinstance(item, str):
            found.add(item)
    return found


def _option_tag(option: Mapping[str, Any], chosen: set[str]) -> str:
    value = get_str(option, "value") or ""
    data = attrs(value=value, data_option=as_json(option), selected=value in chosen)
    return f"<option{data}>{escape(plain_text(option.get('text')))}</option>"


def _select(element: Mapping[str, Any], place: Place, body: str, multiple: bool) -> str:
    root = _root(
        element,
        place,
        class_="bk-select",
        name=place.field_name,
        multiple=multiple,
        required=place.required,
        data_max_selected=_int(element.get("max_selected_items")) if multiple else None,
    )
    blank = ""
    if not multiple:
        placeholder = plain_text(element.get("placeholder")) or "Select an item"
        blank = f'<option value="">{escape(placeholder)}</option>'
    return f"<select{root}>{blank}{body}</select>"


def _static_select(element: Mapping[str, Any], place: Place) -> str:
    chosen = _values(element, "initial_option", "initial_options")
    parts = [_option_tag(o, chosen) for o in get_list(element, "options") if isinstance(o, Mapping)]
    for group in get_list(element, "option_groups"):
        if isinstance(group, Mapping):
            inner = "".join(
                _option_tag(o, chosen) for o in get_list(group, "options") if isinstance(o, Mapping)
            )
            label = attrs(label=plain_text(group.get("label")))
            parts.append(f"<optgroup{label}>{inner}</optgroup>")
    multiple = str(element.get("type")).startswith("multi_")
    return _select(element, place, "".join(parts), multiple)


def _directory_select(kind: str) -> Callable[[Mapping[str, Any], Place], str]:
    # users_select and the conversation menus list whom and what the viewer can see.
    def render(element: Mapping[str, Any], place: Place) -> str:
        singular = kind.removesuffix("s")
        chosen = _values(element, f"initial_{singular}", f"initial_{kind}")
        known = place.viewer.names if kind == "users" else place.viewer.channels
        prefix = "@" if kind == "users" else "#"
        entries = sorted(known.items(), key=lambda item: item[1].lower())
        entries += [(missing, missing) for missing in sorted(chosen - set(known))]
        body = "".join(
            f"<option{attrs(value=key, selected=key in chosen)}>{escape(prefix + name)}</option>"
            for key, name in entries
        )
        multiple = str(element.get("type")).startswith("multi_")
        return _select(element, place, body, multiple)

    return render


def _choices(element: Mapping[str, Any], place: Place) -> str:
    kind = "checkbox" if element.get("type") == "checkboxes" else "radio"
    chosen = _values(element, "initial_option", "initial_options")
    rows = []
    for option in get_list(element, "options"):
        if not isinstance(option, Mapping):
            continue
        value = get_str(option, "value") or ""
        control = attrs(
            type=kind,
            name=place.field_name,
            value=value,
            checked=value in chosen,
            required=place.required and kind == "radio",
            data_option=as_json(option),
        )
        description = option.get("description")
        extra = (
            f'<span class="bk-description">{text_html(description, place.viewer)}</span>'
            if description
            else ""
        )
        label = text_html(option.get("text"), place.viewer)
        rows.append(f'<label class="bk-option"><input{control}> {label}{extra}</label>')
    group = "bk-checkboxes" if kind == "checkbox" else "bk-radios"
    return f"<div{_root(element, place, class_=group)}>{''.join(rows)}</div>"


def _text_input(element: Mapping[str, Any], place: Place) -> str:
    kinds = {"plain_text_input": "text", "email_text_input": "email", "url_text_input": "url"}
    initial = get_str(element, "initial_value") or ""
    multiline = element.get("multiline") is True
    root = _root(
        element,
        place,
        class_="bk-text-input",
        name=place.field_name,
        type=None if multiline else kinds[str(element.get("type"))],
        placeholder=plain_text(element.get("placeholder")) or None,
        maxlength=_int(element.get("max_length")),
        minlength=_int(element.get("min_length")),
        required=place.required,
        value=None if multiline else initial,
    )
    if multiline:
        # Browsers drop one newline right after <textarea>; a value starting with one keeps it.
        lead = "\n" if initial.startswith("\n") else ""
        return f'<textarea rows="4"{root}>{lead}{escape(initial)}</textarea>'
    return f"<input{root}>"


def _number_input(element: Mapping[str, Any], place: Place) -> str:
    decimal = element.get("is_decimal_allowed") is True
    root = _root(
        element,
        place,
        class_="bk-number-input",
        name=place.field_name,
        type="number",
        step="any" if decimal else "1",
        inputmode="decimal" if decimal else "numeric",
        min=get_str(element, "min_value"),
        max=get_str(element, "max_value"),
        value=get_str(element, "initial_value"),
        placeholder=plain_text(element.get("placeholder")) or None,
        required=place.required,
    )
    return f"<input{root}>"


def _picker(html_type: str, initial: str) -> Callable[[Mapping[str, Any], Place], str]:
    def render(element: Mapping[str, Any], place: Place) -> str:
        root = _root(
            element,
            place,
            class_="bk-picker",
            name=place.field_name,
            type=html_type,
            value=get_str(element, initial),
            required=place.required,
        )
        return f"<input{root}>"

    return render


def _datetimepicker(element: Mapping[str, Any], place: Place) -> str:
    # Slack's value is a Unix time and the browser's control is local: both sides read it in
    # the viewer's zone, named in data-timezone (state.state_values converts it back).
    root = _root(
        element,
        place,
        class_="bk-picker",
        name=place.field_name,
        type="datetime-local",
        value=_local_time(_int(element.get("initial_date_time")), place.viewer),
        required=place.required,
        data_timezone=place.viewer.tz,
    )
    return f"<input{root}>"


def _local_time(timestamp: int | None, viewer: Viewer) -> str | None:
    if timestamp is None:
        return None
    try:
        at = datetime.fromtimestamp(timestamp, viewer.zone)
    except (OverflowError, OSError, ValueError):
        return None  # a time no calendar holds: the picker starts empty
    # Seconds only when there are some, so the form gives back exactly the time it got.
    return at.strftime("%Y-%m-%dT%H:%M:%S" if at.second else "%Y-%m-%dT%H:%M")


def image_html(element: Mapping[str, Any]) -> str:
    """An image element or block; only http(s) sources load, others show their alt text."""
    url = get_str(element, "image_url")
    alt = get_str(element, "alt_text") or ""
    if url and url.lower().startswith(("https://", "http://")):
        return f'<img class="bk-image"{attrs(src=url, alt=alt, loading="lazy")}>'
    return f'<span class="bk-image-missing">[image: {escape(alt)}]</span>'


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


_RENDERERS: dict[str, Callable[[Mapping[str, Any], Place], str]] = {
    "button": _button,
    "overflow": _overflow,
    "static_select": _static_select,
    "multi_static_select": _static_select,
    "users_select": _directory_select("users"),
    "multi_users_select": _directory_select("users"),
    "conversations_select": _directory_select("conversations"),
    "multi_conversations_select": _directory_select("conversations"),
    "channels_select": _directory_select("channels"),
    "multi_channels_select": _directory_select("channels"),
    "checkboxes": _choices,
    "radio_buttons": _choices,
    "plain_text_input": _text_input,
    "email_text_input": _text_input,
    "url_text_input": _text_input,
    "number_input": _number_input,
    "datepicker": _picker("date", "initial_date"),
    "timepicker": _picker("time", "initial_time"),
    "datetimepicker": _datetimepicker,
    "image": lambda element, _place: image_html(element),
}
