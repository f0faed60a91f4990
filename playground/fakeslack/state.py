"""What Slack puts in `view.state.values` once a person has filled in a modal's inputs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from playground.fakeslack.find import find_input, input_blocks


def _option(element: dict[str, Any], answer: Any) -> dict[str, Any]:
    options = list(element.get("options", []))
    for group in element.get("option_groups", []):
        options += group.get("options", [])
    for option in options:
        if answer in (option.get("value"), option.get("text", {}).get("text")):
            return dict(option)
    shown = [option.get("text", {}).get("text") for option in options]
    raise AssertionError(f"no option {answer!r} in {element.get('action_id')}: {shown}")


def _element_state(element: dict[str, Any], answer: Any) -> dict[str, Any]:
    """What Slack puts in state.values for one input element after a person filled it in."""
    kind = element["type"]
    state: dict[str, Any] = {"type": kind}
    many = isinstance(answer, list | tuple)
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        value = None if answer is None else str(answer)
        low, high = element.get("min_length", 0), element.get("max_length", 3000)
        if value is not None and not low <= len(value) <= high:
            raise AssertionError(f"Slack only submits {low}-{high} characters: {value[:40]!r}")
        state["value"] = value
    elif kind in ("static_select", "external_select", "radio_buttons"):
        state["selected_option"] = None if answer is None else _option(element, answer)
    elif kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        picked = answer if many else ([] if answer is None else [answer])
        state["selected_options"] = [_option(element, one) for one in picked]
    elif kind in ("users_select", "conversations_select", "channels_select"):
        state["selected_" + kind.removesuffix("s_select")] = answer
    elif kind.startswith("multi_") and kind.endswith("_select"):
        state["selected_" + kind.removeprefix("multi_").removesuffix("_select")] = list(
            answer or []
        )
    elif kind == "datepicker":
        state["selected_date"] = answer.isoformat() if isinstance(answer, date) else answer
    elif kind == "timepicker":
        state["selected_time"] = answer
    elif kind == "datetimepicker":
        stamp = answer.timestamp() if isinstance(answer, datetime) else answer
        state["selected_date_time"] = None if stamp is None else int(stamp)
    else:
        raise AssertionError(f"state_values cannot fill a {kind} yet; pass state= instead")
    return state


def _initial(element: dict[str, Any]) -> Any:
    """What a prefilled element submits when the person leaves it alone."""
    if "initial_option" in element:
        return element["initial_option"].get("value")
    if "initial_options" in element:
        return [option.get("value") for option in element["initial_options"]]
    for key in ("initial_value", "initial_user", "initial_conversation", "initial_channel"):
        if key in element:
            return element[key]
    for key in ("initial_users", "initial_conversations", "initial_channels"):
        if key in element:
            return list(element[key])
    if "initial_date" in element:
        return element["initial_date"]
    if "initial_time" in element:
        return element["initial_time"]
    if "initial_date_time" in element:
        return element["initial_date_time"]
    return None


def state_values(view: Any, answers: Mapping[str, Any]) -> dict[str, Any]:
    """`view.state.values` after a person answered inputs, keyed by label or block_id.

    An unanswered input keeps what the modal prefilled (its initial value), as in Slack, or
    appears empty; an unanswered required input with nothing prefilled fails the test, because
    Slack would not let the person submit.
    """
    blocks = input_blocks(view)
    chosen = {id(block): _initial(block["element"]) for block in blocks}
    chosen.update({id(find_input(view, key)): value for key, value in answers.items()})
    missing = [
        block.get("label", {}).get("text")
        for block in blocks
        if chosen.get(id(block)) is None and not block.get("optional")
    ]
    if missing:
        raise AssertionError(f"Slack would not submit: required inputs have no answer: {missing}")
    values: dict[str, Any] = {}
    for block in blocks:
        element = block["element"]
        state = _element_state(element, chosen.get(id(block)))
        values[block.get("block_id", "")] = {element.get("action_id", ""): state}
    return values
