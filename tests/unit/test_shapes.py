"""bot/shapes.py: each type rule, what it answers and where, and the fast check agreeing with
the walk that names the problem."""

from __future__ import annotations

import copy
import random
from typing import Annotated, Any, NotRequired, Required, TypedDict

import pytest

from bot.payloads import BlockActions, EventCallback, ViewSubmission, shape_problem
from bot.shapes import MinLength, ShapeCheck, compile_shape


class Inner(TypedDict, total=False):
    name: Required[str]
    note: str


class Everything(TypedDict, total=False):
    text: Required[str]
    count: int
    flag: bool
    maybe: str | None
    inner: Inner
    maybe_inner: Required[Inner | None]
    words: list[str]
    items: Annotated[list[Inner], MinLength(1)]
    by_key: dict[str, Inner]
    anything: dict[str, Any]


class Base(TypedDict, total=False):
    first: Required[str]


class Derived(Base, total=False):
    second: Required[str]


class Total(TypedDict):
    needed: str
    spare: NotRequired[str]


class Forked(TypedDict, total=False):
    value: str | int


EVERYTHING = compile_shape(Everything)
GOOD: dict[str, Any] = {
    "text": "hi",
    "count": 3,
    "flag": False,
    "maybe": None,
    "inner": {"name": "a", "note": "b"},
    "maybe_inner": None,
    "words": ["x", "y"],
    "items": [{"name": "a"}, {"name": "b"}],
    "by_key": {"k1": {"name": "a"}},
    "anything": {"x": [1, {"y": None}]},
    "unknown": object(),  # keys that aren't declared may hold anything
}


def _answer(check: ShapeCheck, value: object) -> tuple[tuple[str | int, ...], str] | None:
    """What the check says, after making sure its two halves agree."""
    found = check.problem(value)
    assert check.fits(value) is (found is None)
    return found


def _with(**fields: Any) -> dict[str, Any]:
    return {**GOOD, **fields}


def test_a_value_of_the_declared_shape_fits() -> None:
    assert _answer(EVERYTHING, GOOD) is None
    assert _answer(EVERYTHING, {"text": "", "maybe_inner": {"name": "a"}}) is None


@pytest.mark.parametrize(
    ("fields", "found"),
    [
        ({"text": 7}, (("text",), "string_type")),
        ({"text": None}, (("text",), "string_type")),
        ({"text": b"hi"}, (("text",), "string_type")),
        ({"count": True}, (("count",), "int_type")),  # a bool is no int
        ({"count": "3"}, (("count",), "int_type")),
        ({"count": 3.0}, (("count",), "int_type")),
        ({"count": None}, (("count",), "int_type")),
        ({"flag": 1}, (("flag",), "bool_type")),  # nor is 1 a bool
        ({"flag": "true"}, (("flag",), "bool_type")),
        ({"maybe": 1}, (("maybe",), "string_type")),
        ({"inner": None}, (("inner",), "dict_type")),  # None only where `| None` says so
        ({"inner": ["a"]}, (("inner",), "dict_type")),
        ({"inner": {"note": "b"}}, (("inner", "name"), "missing")),
        ({"inner": {"name": 1}}, (("inner", "name"), "string_type")),
        ({"maybe_inner": "a"}, (("maybe_inner",), "dict_type")),
        ({"maybe_inner": {"name": "a", "note": 2}}, (("maybe_inner", "note"), "string_type")),
        ({"words": "xy"}, (("words",), "list_type")),
        ({"words": {"x": "y"}}, (("words",), "list_type")),
        ({"words": ["x", 2, 3]}, (("words", 1), "string_type")),
        ({"items": []}, (("items",), "too_short")),
        ({"items": [{"name": "a"}, {}]}, (("items", 1, "name"), "missing")),
        ({"items": [{"name": "a"}, "b"]}, (("items", 1), "dict_type")),
        ({"by_key": []}, (("by_key",), "dict_type")),
        (
            {"by_key": {"k1": {"name": "a"}, "k2": {"name": None}}},
            (("by_key", "k2", "name"), "string_type"),
        ),
        ({"anything": None}, (("anything",), "dict_type")),
    ],
)
def test_each_rule_names_the_field_and_the_problem(
    fields: dict[str, Any], found: tuple[tuple[str | int, ...], str]
) -> None:
    assert _answer(EVERYTHING, _with(**fields)) == found


def test_required_keys_must_be_there_and_the_others_may_be_left_out() -> None:
    assert _answer(EVERYTHING, {"maybe_inner": None}) == (("text",), "missing")
    assert _answer(EVERYTHING, {"text": "hi"}) == (("maybe_inner",), "missing")
    assert _answer(EVERYTHING, "not an object") == ((), "dict_type")


def test_the_first_problem_is_the_first_declared_field_base_fields_first() -> None:
    check = compile_shape(Derived)
    assert _answer(check, {}) == (("first",), "missing")
    assert _answer(check, {"second": 1}) == (("first",), "missing")
    assert _answer(check, {"first": "a", "second": 1}) == (("second",), "string_type")
    broken = _with(text=1, count="x", words=[1])
    assert _answer(EVERYTHING, broken) == (("text",), "string_type")
    del broken["text"]
    assert _answer(EVERYTHING, broken) == (("text",), "missing")


def test_a_total_typeddict_needs_its_keys_but_not_the_not_required_ones() -> None:
    check = compile_shape(Total)
    assert _answer(check, {"needed": "a"}) is None
    assert _answer(check, {"spare": "a"}) == (("needed",), "missing")


def test_a_type_with_no_rule_is_refused_when_compiled() -> None:
    with pytest.raises(TypeError, match="no check"):
        compile_shape(Forked)


def test_a_value_that_is_not_plain_json_is_judged_by_the_walk() -> None:
    class Name(str):
        pass

    # fits() compares exact types and says no; the walk has the last word.
    assert not EVERYTHING.fits(_with(text=Name("hi")))
    assert EVERYTHING.problem(_with(text=Name("hi"))) is None


def _block_actions() -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": "U1", "team_id": "T1"},
        "team": {"id": "T1"},
        "container": {"type": "message", "message_ts": "1.2", "is_ephemeral": False},
        "actions": [{"action_id": "a1", "value": "1"}, {"action_id": "a2"}],
        "state": {"values": {"block_1": {"pick": {"type": "static_select"}}}},
    }


def _state(block_id: str, action_id: str, element: dict[str, Any]) -> dict[str, Any]:
    return {"state": {"values": {block_id: {action_id: element}}}}


@pytest.mark.parametrize(
    ("change", "found"),
    [
        ({}, None),
        (
            {"actions": [{"action_id": "a1"}, {"action_id": 2}]},
            ("actions.1.action_id", "string_type"),
        ),
        (
            _state("block_1", "pick", {"value": 5}),
            ("state.values.block_1.pick.value", "string_type"),
        ),
        # Keys a payload chooses are logged only when they look like ids.
        (_state("a b", "p q", {"value": 5}), ("state.values.?.?.value", "string_type")),
        (_state("", "", {"value": 5}), ("state.values.?.?.value", "string_type")),
        ({"user": None}, ("user", "dict_type")),
        ({"view": {"app_installed_team_id": 5}}, ("view.app_installed_team_id", "string_type")),
        (
            {"container": {"type": "view", "is_ephemeral": 0}},
            ("container.is_ephemeral", "bool_type"),
        ),
    ],
)
def test_the_door_joins_the_path_with_dots(
    change: dict[str, Any], found: tuple[str, str] | None
) -> None:
    assert shape_problem({**_block_actions(), **change}) == found


def test_the_door_names_a_broken_root_with_a_question_mark() -> None:
    assert compile_shape(EventCallback).problem([]) == ((), "dict_type")
    assert shape_problem({"type": "url_verification"}) == ("challenge", "missing")
    assert shape_problem({"type": "something_new", "user": 1}) is None  # unknown kinds pass


def _mutations(node: Any, rng: random.Random) -> None:
    """Swap, drop or add values at random all through `node`, in place."""
    odd = [None, 0, 1, True, 1.5, "", "x", [], {}, [1], {"id": 1}, [{}]]
    if isinstance(node, dict):
        for key in list(node):
            roll = rng.random()
            if roll < 0.1:
                del node[key]
            elif roll < 0.2:
                node[key] = copy.deepcopy(rng.choice(odd))
            else:
                _mutations(node[key], rng)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if rng.random() < 0.15:
                node[index] = copy.deepcopy(rng.choice(odd))
            else:
                _mutations(item, rng)


@pytest.mark.parametrize("typed_dict", [BlockActions, ViewSubmission, EventCallback, Everything])
def test_the_fast_check_and_the_walk_agree(typed_dict: type) -> None:
    check = compile_shape(typed_dict)
    view = {"type": "modal", "callback_id": "c", "state": _block_actions()["state"]}
    seeds = [
        _block_actions(),
        {**_block_actions(), "type": "view_submission", "view": view},
        {"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": {"type": "x"}},
        GOOD,
    ]
    rng = random.Random(7)
    answers = set()
    for _ in range(2000):
        value = copy.deepcopy(rng.choice(seeds))
        _mutations(value, rng)
        answers.add(_answer(check, value) is None)
    assert answers == {True, False}  # both answers were seen, and each time the halves agreed
