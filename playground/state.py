"""view.state.values, as Slack would send it: before anyone types (state_shape), and from what
a browser form holds (state_values).

Each stateful control's root has data-block-id, data-action-id, data-type and data-state-key,
and its form controls are named "block_id/action_id"; in view.state.values that is
values[block_id][action_id] = {"type": data-type, data-state-key: the value}.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from playground.elements import STATEFUL, field_name
from playground.markup import action_id_of, block_id_of, get_list
from playground.viewer import Viewer

State = dict[str, dict[str, dict[str, Any]]]
# The keys that hold a list; the others hold one value or None.
_MANY = frozenset(key for key, _ in STATEFUL.values() if key.endswith("s"))
_OPTIONS = frozenset({"static_select", "multi_static_select", "radio_buttons", "checkboxes"})


def placed_elements(block: Mapping[str, Any], block_id: str) -> Iterator[tuple[str, Any]]:
    """(action_id, element) for every element a block holds, ids filled in as Slack would."""
    kind = block.get("type")
    if kind == "input":
        found = [block.get("element")]
    elif kind == "actions":
        found = get_list(block, "elements")
    elif kind == "section":
        found = [block["accessory"]] if "accessory" in block else []
    else:
        found = []
    for position, element in enumerate(found):
        if isinstance(element, Mapping):
            yield action_id_of(element, block_id, position), element
        else:
            yield f"{block_id}-{position}", element


def _stateful(blocks: Any) -> Iterator[tuple[str, str, str, Mapping[str, Any]]]:
    # (block_id, action_id, type, element) for every element that keeps a value.
    for index, block in enumerate(blocks if isinstance(blocks, list) else []):
        if not isinstance(block, Mapping):
            continue
        block_id = block_id_of(block, index)
        for action_id, element in placed_elements(block, block_id):
            kind = element.get("type") if isinstance(element, Mapping) else None
            if isinstance(kind, str) and kind in STATEFUL:
                yield block_id, action_id, kind, element


def state_shape(blocks: Any) -> State:
    """{block_id: {action_id: {"type": …, <state key>: initial value}}} for stateful elements."""
    values: State = {}
    for block_id, action_id, kind, element in _stateful(blocks):
        key, initial_key = STATEFUL[kind]
        initial = element.get(initial_key)
        if initial is None and key in _MANY:
            initial = []
        values.setdefault(block_id, {})[action_id] = {"type": kind, key: initial}
    return values


def state_values(blocks: Any, form: Mapping[str, Sequence[str]], *, viewer: Viewer) -> State:
    """view.state.values from a submitted form: field name -> the values the browser sent
    (a FormData's getAll). Options come back as the objects the bot sent, a datetimepicker's
    local time as a Unix time in the viewer's zone, and an empty field as None or []."""
    values: State = {}
    for block_id, action_id, kind, element in _stateful(blocks):
        key, _ = STATEFUL[kind]
        sent = [v for v in form.get(field_name(block_id, action_id), ()) if v != ""]
        value: Any
        if kind in _OPTIONS:
            chosen = [o for o in _options(element) if o.get("value") in sent]
            value = chosen if key in _MANY else next(iter(chosen), None)
        elif key in _MANY:
            value = sent
        elif kind == "datetimepicker":
            value = _timestamp(sent[0], viewer) if sent else None
        else:
            value = sent[0] if sent else None
        values.setdefault(block_id, {})[action_id] = {"type": kind, key: value}
    return values


def _options(element: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = list(get_list(element, "options"))
    for group in get_list(element, "option_groups"):
        if isinstance(group, Mapping):
            found += get_list(group, "options")
    return [option for option in found if isinstance(option, Mapping)]


def _timestamp(local: str, viewer: Viewer) -> int | None:
    try:
        at = datetime.fromisoformat(local)
    except ValueError:
        return None
    return int(at.replace(tzinfo=viewer.zone).timestamp())
