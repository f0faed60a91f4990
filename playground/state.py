"""The view.state.values Slack would send for a set of blocks before anyone types.

The page keeps this shape and updates it from the controls: each control's root has
data-block-id, data-action-id, data-type and data-state-key, and
values[block_id][action_id] = {"type": data-type, data-state-key: the control's value}.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from playground.elements import STATEFUL
from playground.markup import action_id_of, block_id_of, get_list

State = dict[str, dict[str, dict[str, Any]]]


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


def state_shape(blocks: Any) -> State:
    """{block_id: {action_id: {"type": …, <state key>: initial value}}} for stateful elements."""
    values: State = {}
    for index, block in enumerate(blocks if isinstance(blocks, list) else []):
        if not isinstance(block, Mapping):
            continue
        block_id = block_id_of(block, index)
        for action_id, element in placed_elements(block, block_id):
            kind = element.get("type") if isinstance(element, Mapping) else None
            if not isinstance(kind, str) or kind not in STATEFUL:
                continue
            key, initial_key = STATEFUL[kind]
            initial = element.get(initial_key)
            if initial is None and key.endswith("s"):
                initial = []
            values.setdefault(block_id, {})[action_id] = {"type": kind, key: initial}
    return values
