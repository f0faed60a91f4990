"""Checking a parsed JSON value against a TypedDict's declared shape, without a library.

`compile_shape(SomeTypedDict)` reads the declaration once and gives two checks of the same
rules:

- `fits(value)`, the hot path, run on every request: a function written out for the shape
  (nested shapes inlined, one `if` per field, no calls) and compiled once. It compares exact
  types and answers True only when the value surely fits.
- `problem(value)`, run only when `fits` said no: a walk over the declared fields in
  declaration order (a base TypedDict's fields first) that names the first one breaking the
  shape as `(path, code)`, or None.

The rules, and their codes (the ones pydantic gave, which logs and tests rely on):
- `str`, `int`, `bool` are strict: an int is never a str, a bool never an int, 1 never a
  bool, 1.0 never an int (`string_type`, `int_type`, `bool_type`).
- `X | None` also takes null; other unions are refused when the shape is compiled.
- A nested TypedDict and `dict[str, X]` need an object (`dict_type`), `list[X]` an array
  (`list_type`); `Annotated[list[X], MinLength(n)]` needs n items (`too_short`).
- `Required[...]` keys must be there (`missing`); other keys of a `total=False` TypedDict
  may be left out. Keys that aren't declared may hold anything, and `Any` takes anything.

Values are what a JSON or form parser gives: dict, list, str, int, float, bool, None. On
those the answers are pydantic's, checked against it on fuzzed payloads when this replaced
it. Other Python types may be answered differently (pydantic took a tuple as a list and any
Mapping as an object; here they are `list_type` and `dict_type`), and object keys aren't
checked (pydantic refused one that isn't a str): a parser gives neither.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, NotRequired, Required

Path = tuple[str | int, ...]
Found = tuple[Path, str]  # where, counted from the value checked, and the problem's code


@dataclass(frozen=True, slots=True)
class MinLength:
    """Metadata for `Annotated[list[X], MinLength(n)]`: the list needs at least n items."""

    length: int


@dataclass(frozen=True, slots=True)
class ShapeCheck:
    """A TypedDict's checks: `fits` (fast, exact types only) and `problem` (the first break)."""

    fits: Callable[[object], bool]
    problem: Callable[[object], Found | None]
    source: str  # the text of `fits`, for reading


class _Check:
    """One declared type. `types` are the exact types a fitting value has; `flat` says a
    value of one of them fits without looking inside."""

    __slots__ = ("flat", "types")

    def __init__(self, types: frozenset[type], flat: bool) -> None:
        self.types = types
        self.flat = flat

    def problem(self, value: object) -> Found | None:
        """The first place `value` breaks this type, or None."""
        raise NotImplementedError

    def write_inside(self, out: _Source, var: str, depth: int) -> None:
        """Lines checking inside `var`, whose type is one of `types`."""


class _Scalar(_Check):
    __slots__ = ("code", "is_one")

    def __init__(self, kind: type, code: str, is_one: Callable[[object], bool]) -> None:
        super().__init__(frozenset({kind}), flat=True)
        self.code = code
        self.is_one = is_one

    def problem(self, value: object) -> Found | None:
        return None if self.is_one(value) else ((), self.code)


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


class _Anything(_Check):
    __slots__ = ()

    def problem(self, value: object) -> Found | None:
        return None


_ANY = _Anything(frozenset(), flat=True)  # no types: the writers leave it out


class _Nullable(_Check):
    __slots__ = ("inner",)

    def __init__(self, inner: _Check) -> None:
        super().__init__(inner.types | {type(None)}, inner.flat)
        self.inner = inner

    def problem(self, value: object) -> Found | None:
        return None if value is None else self.inner.problem(value)

    def write_inside(self, out: _Source, var: str, depth: int) -> None:
        if not self.inner.flat:
            out.line(depth, f"if {var} is not None:")
            self.inner.write_inside(out, var, depth + 1)


class _ListOf(_Check):
    __slots__ = ("item", "min_length")

    def __init__(self, item: _Check, min_length: int) -> None:
        super().__init__(frozenset({list}), flat=item is _ANY and not min_length)
        self.item = item
        self.min_length = min_length

    def problem(self, value: object) -> Found | None:
        if not isinstance(value, list):
            return (), "list_type"
        for index, item in enumerate(value):
            found = self.item.problem(item)
            if found is not None:
                return (index, *found[0]), found[1]
        return ((), "too_short") if len(value) < self.min_length else None

    def write_inside(self, out: _Source, var: str, depth: int) -> None:
        if self.min_length:
            out.line(depth, f"if len({var}) < {self.min_length}: return False")
        if self.item is not _ANY:
            item = out.name("item")
            out.line(depth, f"for {item} in {var}:")
            _check_value(out, self.item, item, depth + 1)


class _DictOf(_Check):
    """`dict[str, X]`: an object whose values are all X, under keys the payload chooses."""

    __slots__ = ("value",)

    def __init__(self, value: _Check) -> None:
        super().__init__(frozenset({dict}), flat=value is _ANY)
        self.value = value

    def problem(self, value: object) -> Found | None:
        if not isinstance(value, dict):
            return (), "dict_type"
        for key, item in value.items():
            found = self.value.problem(item)
            if found is not None:
                return (key, *found[0]), found[1]
        return None

    def write_inside(self, out: _Source, var: str, depth: int) -> None:
        if self.value is not _ANY:
            item = out.name("item")
            out.line(depth, f"for {item} in {var}.values():")
            _check_value(out, self.value, item, depth + 1)


class _Shape(_Check):
    """A TypedDict: its fields as (key, check, required), in declaration order."""

    __slots__ = ("fields",)

    def __init__(self, fields: list[tuple[str, _Check, bool]]) -> None:
        super().__init__(frozenset({dict}), flat=False)
        self.fields = fields

    def problem(self, value: object) -> Found | None:
        if not isinstance(value, dict):
            return (), "dict_type"
        for key, check, required in self.fields:
            if key not in value:
                if required:
                    return (key,), "missing"
                continue
            found = check.problem(value[key])
            if found is not None:
                return (key, *found[0]), found[1]
        return None

    def write_inside(self, out: _Source, var: str, depth: int) -> None:
        for key, check, required in self.fields:
            at = f"{var}[{key!r}]"
            if check is _ANY:
                if required:
                    out.line(depth, f"if {key!r} not in {var}: return False")
            elif check.flat:  # one line: the key left out, or a value of the right type
                wrong = out.wrong_type(at, check.types)
                if required:
                    out.line(depth, f"if {key!r} not in {var} or {wrong}: return False")
                else:
                    out.line(depth, f"if {key!r} in {var} and {wrong}: return False")
            elif required:
                out.line(depth, f"if {key!r} not in {var}: return False")
                child = out.name("value")
                out.line(depth, f"{child} = {at}")
                _check_value(out, check, child, depth)
            else:
                out.line(depth, f"if {key!r} in {var}:")
                child = out.name("value")
                out.line(depth + 1, f"{child} = {at}")
                _check_value(out, check, child, depth + 1)


class _Source:
    """The lines of one generated `fits` function, and the names they use."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {}
        self.count = 0

    def line(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def name(self, prefix: str) -> str:
        """A variable name not used before in this function."""
        self.count += 1
        return f"{prefix}_{self.count}"

    def wrong_type(self, expr: str, allowed: frozenset[type]) -> str:
        """A condition true when `expr`'s type isn't one of `allowed` (exact types)."""
        for kind in allowed:
            self.names[kind.__name__] = kind
        if len(allowed) == 1:
            [kind] = allowed
            return f"type({expr}) is not {kind.__name__}"
        name = "_".join(sorted(kind.__name__ for kind in allowed)).lower()
        self.names[name] = allowed
        return f"type({expr}) not in {name}"


def _check_value(out: _Source, check: _Check, var: str, depth: int) -> None:
    """Lines returning False unless the value in `var` fits `check`."""
    if check is not _ANY:
        out.line(depth, f"if {out.wrong_type(var, check.types)}: return False")
        check.write_inside(out, var, depth)


_SCALARS: dict[object, _Check] = {
    str: _Scalar(str, "string_type", _is_str),
    int: _Scalar(int, "int_type", _is_int),
    bool: _Scalar(bool, "bool_type", _is_bool),
    Any: _ANY,
}


def _compile(hint: Any) -> _Check:
    """The check for one declared type."""
    if hint in _SCALARS:
        return _SCALARS[hint]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if typing.is_typeddict(hint):
        return _shape(hint)
    if origin in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        [inner] = [arg for arg in args if arg is not type(None)]
        check = _compile(inner)
        return check if check is _ANY else _Nullable(check)
    if origin is list:
        return _ListOf(_compile(args[0]), 0)
    if origin is dict and args[0] is str:
        return _DictOf(_compile(args[1]))
    if origin is Annotated and typing.get_origin(args[0]) is list:
        lengths = [meta.length for meta in hint.__metadata__ if isinstance(meta, MinLength)]
        return _ListOf(_compile(typing.get_args(args[0])[0]), max(lengths, default=0))
    raise TypeError(f"no check for {hint!r}")


def _shape(typed_dict: Any) -> _Shape:
    fields = []
    for key, hint in typing.get_type_hints(typed_dict, include_extras=True).items():
        marker = typing.get_origin(hint)
        if marker in (Required, NotRequired):
            hint = typing.get_args(hint)[0]
        # `__required_keys__` misses a Required[...] that is a string (`from __future__ import
        # annotations` on Python 3.11), so the marker is read from the resolved hint too.
        required = marker is Required or (
            marker is not NotRequired and key in typed_dict.__required_keys__
        )
        fields.append((key, _compile(hint), required))
    return _Shape(fields)


def compile_shape(typed_dict: type) -> ShapeCheck:
    """The checks for a TypedDict (and the TypedDicts it holds)."""
    shape = _shape(typed_dict)
    out = _Source()
    out.line(0, "def fits(value):")
    _check_value(out, shape, "value", 1)
    out.line(1, "return True")
    source = "\n".join(out.lines) + "\n"
    namespace = dict(out.names)
    # The text is built from our own declarations only (keys go in through repr()).
    exec(compile(source, f"<fits {typed_dict.__name__}>", "exec"), namespace)  # noqa: S102
    return ShapeCheck(namespace["fits"], shape.problem, source)
