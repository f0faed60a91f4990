"""Row: frozen dataclasses that convert and check their fields by their annotations.

The Store turns every row it reads into one of these, so reading must cost little. Each class
gets a table of converters, built once from its annotations when the class is made:

- ``Model.from_row(row)`` takes a database row (or a dict) as the Store gets it: text times,
  0/1 booleans, JSON text. It takes a plain text column as it comes (only checking that a
  required one isn't NULL), and converts and checks every other field.
- ``Model(field=…)`` and ``dataclasses.replace(row, …)`` run every check, text included.

Annotations say what a field takes: str, bool, int, date, an Enum, a Literal, ``tuple[T, ...]``,
``dict[str, Any]``, another Row, Any, any of these ``| None``, and ``Annotated`` with the markers
below. A bad value raises RowError, one sentence that names the field. The checks here never
show the value, since private text must never reach a log; a Convert function may show one it
can't read (storage.models shows a stored time that isn't one).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from enum import Enum
from typing import Annotated, Any, ClassVar, Literal, Protocol, Self, cast, dataclass_transform

Converter = Callable[[Any], Any]


class RowError(ValueError):
    """A value that doesn't fit its field; the message is one sentence a person can read."""


@dataclasses.dataclass(frozen=True)
class Range:
    """``Annotated[int, Range(ge, le)]``: the smallest and largest value, both allowed."""

    ge: int
    le: int


@dataclasses.dataclass(frozen=True)
class Length:
    """``Annotated[str, Length(…)]``: how many characters (for a tuple, items) it may have."""

    min: int = 0
    max: int | None = None


@dataclasses.dataclass(frozen=True)
class Convert:
    """``Annotated[T, Convert(f)]``: f takes any accepted input to the value, instead of T's
    own conversion. It raises ValueError with what the value must be ("must be …")."""

    function: Converter


@dataclasses.dataclass(frozen=True)
class Check:
    """``Annotated[T, Check(f)]``: f gets the converted value and returns it, maybe cleaned;
    its ValueError is shown as it is, so it says the whole sentence."""

    function: Converter


class _Private:
    def __repr__(self) -> str:
        return "PRIVATE"


# ``Annotated[str, PRIVATE]``: kept out of repr (so is a ``field(repr=False)``).
PRIVATE: Any = _Private()


class Columns(Protocol):
    """A database row as from_row reads it: sqlite3.Row, or storage.engine's Record."""

    def keys(self) -> Iterable[str]: ...

    def __iter__(self) -> Iterator[Any]:
        """The values, in the order of keys()."""


@dataclass_transform(
    kw_only_default=True, frozen_default=True, field_specifiers=(dataclasses.field,)
)
class Row:
    """Base of the stored rows and the drafts: subclasses are frozen, keyword-only dataclasses.

    A keyword that names no field is refused (a column that names none is left out). The
    class keyword ``strip=True`` strips the whitespace around every text, before its Length
    is checked. A subclass may define ``__post_init__`` for checks across fields: it runs
    after every field is converted, and raises RowError.
    """

    # The per-class tables, made by __init_subclass__.
    _names: ClassVar[frozenset[str]]
    _fields: ClassVar[tuple[_Field, ...]]
    _row_converters: ClassVar[tuple[tuple[str, Converter, bool], ...]]
    _required_texts: ClassVar[tuple[str, ...]]
    _shown: ClassVar[tuple[str, ...]]
    _post_init: ClassVar[Callable[[Any], None] | None]

    def __init_subclass__(cls, *, strip: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(cls, init=False, repr=False, frozen=True, kw_only=True)
        hints = typing.get_type_hints(cls, include_extras=True)
        cls._fields = tuple(
            _Field.of(spec, hints[spec.name], strip) for spec in dataclasses.fields(cast(Any, cls))
        )
        cls._names = frozenset(field.name for field in cls._fields)
        cls._row_converters = tuple(
            (field.name, field.row_convert, field.nullable)
            for field in cls._fields
            if field.row_convert is not None
        )
        cls._required_texts = tuple(
            field.name for field in cls._fields if field.row_convert is None and not field.nullable
        )
        cls._shown = tuple(field.name for field in cls._fields if field.shown)
        cls._post_init = getattr(cls, "__post_init__", None)

    def __init__(self, **given: Any) -> None:
        values = {}
        for field in self._fields:
            if field.name in given:
                value = given.pop(field.name)
                values[field.name] = (
                    value if value is None and field.nullable else field.convert(value)
                )
            else:
                values[field.name] = field.default()
        if given:
            raise RowError(f"{type(self).__name__} has no field {', '.join(sorted(given))}")
        _set_fields(self, values)

    @classmethod
    def from_row(cls, row: Columns | dict[str, Any]) -> Self:
        """The model of one stored row (or a dict of its columns); columns it has no field
        for are left out, fields it has no column for take their defaults."""
        values = dict(row) if isinstance(row, dict) else columns(row)
        if values.keys() != cls._names:
            for extra in values.keys() - cls._names:
                del values[extra]
            if len(values) < len(cls._names):
                for field in cls._fields:
                    if field.name not in values:
                        values[field.name] = field.default()
        for name, convert, nullable in cls._row_converters:
            value = values[name]
            if value is not None:
                try:
                    values[name] = convert(value)
                except RowError:
                    raise
                except ValueError as error:
                    raise RowError(f"{_label(name)} {error}") from None
            elif not nullable:
                raise RowError(f"{_label(name)} is required")
        for name in cls._required_texts:
            if values[name] is None:
                raise RowError(f"{_label(name)} is required")
        row_object = cls.__new__(cls)
        _set_fields(row_object, values)
        return row_object

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{type(self).__name__}({shown})"


def columns(row: Columns) -> dict[str, Any]:
    """A database row as a dict of its columns."""
    # dict(sqlite3.Row) looks each name up among all the names: 7 µs for a request's 32.
    return dict(zip(row.keys(), row, strict=True))


def _set_fields(row: Row, values: dict[str, Any]) -> None:
    # The frozen dataclass refuses setattr; its __dict__ is set once, whole, at no extra cost.
    object.__setattr__(row, "__dict__", values)
    check = type(row)._post_init
    if check is not None:
        check(row)


def _label(name: str) -> str:
    return name.replace("_", " ")


@dataclasses.dataclass(frozen=True)
class _Field:
    """One field's entry in its class's table."""

    name: str
    spec: dataclasses.Field[Any]
    full_convert: Converter  # every check: for keywords and replace()
    row_convert: Converter | None  # for from_row: None when the column is taken as it is
    nullable: bool
    shown: bool

    @classmethod
    def of(cls, spec: dataclasses.Field[Any], hint: Any, strip: bool) -> _Field:
        kind, markers, nullable = _parts(hint)
        convert = _converter(kind, markers, strip)
        return cls(
            name=spec.name,
            spec=spec,
            full_convert=convert,
            row_convert=None if convert is _text else convert,
            nullable=nullable or kind is Any,
            shown=spec.repr and PRIVATE not in markers,
        )

    def convert(self, value: Any) -> Any:
        """The field's value for this input, or RowError."""
        if value is None:
            raise RowError(f"{_label(self.name)} is required")
        try:
            return self.full_convert(value)
        except RowError:
            raise
        except ValueError as error:
            raise RowError(f"{_label(self.name)} {error}") from None

    def default(self) -> Any:
        """The value of a field not given, or RowError if it has no default."""
        if self.spec.default is not dataclasses.MISSING:
            return self.spec.default
        if self.spec.default_factory is not dataclasses.MISSING:
            return self.spec.default_factory()
        raise RowError(f"{_label(self.name)} is required")


def _parts(hint: Any) -> tuple[Any, list[Any], bool]:
    """The type under Annotated and ``| None``, the markers met on the way, and whether None
    is allowed."""
    markers: list[Any] = []
    nullable = False
    while True:
        origin = typing.get_origin(hint)
        if origin is Annotated:
            markers += hint.__metadata__
            hint = hint.__origin__
        elif origin is typing.Union or origin is types.UnionType:
            others = [arg for arg in typing.get_args(hint) if arg is not type(None)]
            if len(others) != 1:
                raise TypeError(f"a Row field takes one type, or it | None: not {hint!r}")
            nullable, hint = True, others[0]
        else:
            return hint, markers, nullable


def _converter(kind: Any, markers: list[Any], strip: bool) -> Converter:
    """The whole conversion of one field (or tuple item): its type's, then its markers'."""
    given = [marker.function for marker in markers if isinstance(marker, Convert)]
    convert = given[0] if given else _by_type(kind, strip)
    for marker in markers:
        if isinstance(marker, Range):
            convert = _in_range(convert, marker)
        elif isinstance(marker, Length):
            convert = _of_length(convert, marker, "characters" if kind is str else "items")
        elif isinstance(marker, Check):
            convert = _checked(convert, marker.function)
    return convert


def _by_type(kind: Any, strip: bool) -> Converter:
    simple: dict[Any, Converter] = {
        str: _stripped if strip else _text,
        bool: _bool,
        int: _int,
        date: _date,
        Any: _same,
    }
    if kind in simple:
        return simple[kind]
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is Literal:
        return _one_of(args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item, markers, _ = _parts(args[0])
        return _items(_converter(item, markers, strip))
    if origin is dict:
        return _mapping
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _member(kind)
    if isinstance(kind, type) and issubclass(kind, Row):
        return _nested(kind)
    raise TypeError(f"a Row field can't hold {kind!r}")


def _same(value: Any) -> Any:
    return value


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise ValueError("must be text")


def _stripped(value: Any) -> str:
    return _text(value).strip()


def _bool(value: Any) -> bool:
    # SQLite and our PostgreSQL schema store booleans as 0 and 1.
    if type(value) is bool:
        return value
    if type(value) is int and (value == 0 or value == 1):
        return value == 1
    raise ValueError("must be true or false")


def _int(value: Any) -> int:
    if type(value) is int:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise ValueError("must be a whole number")


def _date(value: Any) -> date:
    if type(value) is date:
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("must be a date (YYYY-MM-DD)")


def _mapping(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return dict(value)
    raise ValueError("must be a mapping")


def _either(values: Iterable[Any]) -> str:
    shown = [repr(value) for value in values]
    return f"{', '.join(shown[:-1])} or {shown[-1]}" if len(shown) > 1 else shown[0]


def _member(kind: type[Enum]) -> Converter:
    # A lookup, since calling the Enum class costs ten times as much; a StrEnum's member and
    # its text are one key.
    members: dict[Any, Enum] = {member.value: member for member in kind}
    members.update((member, member) for member in kind)
    message = f"must be one of {_either(member.value for member in kind)}"

    def member(value: Any) -> Enum:
        try:
            return members[value]
        except (KeyError, TypeError):
            raise ValueError(message) from None

    return member


def _one_of(allowed: tuple[Any, ...]) -> Converter:
    message = f"must be one of {_either(allowed)}"

    def one_of(value: Any) -> Any:
        if value in allowed:
            return value
        raise ValueError(message)

    return one_of


def _items(item: Converter) -> Converter:
    def items(value: Any) -> tuple[Any, ...]:
        if isinstance(value, tuple | list | set | frozenset):
            return tuple(map(item, value))
        raise ValueError("must be a list")

    return items


def _nested(kind: type[Row]) -> Converter:
    def nested(value: Any) -> Row:
        if isinstance(value, kind):
            return value
        if isinstance(value, dict):
            return kind(**value)
        raise ValueError(f"must be a {kind.__name__}")

    return nested


def _in_range(convert: Converter, bounds: Range) -> Converter:
    low, high = bounds.ge, bounds.le
    message = f"must be from {low} to {high}"

    def in_range(value: Any) -> Any:
        value = convert(value)
        if low <= value <= high:
            return value
        raise ValueError(message)

    return in_range


def _of_length(convert: Converter, length: Length, unit: str) -> Converter:
    low, high = length.min, length.max

    def of_length(value: Any) -> Any:
        value = convert(value)
        if len(value) < low:
            raise ValueError("can't be empty" if low == 1 else f"needs at least {low} {unit}")
        if high is not None and len(value) > high:
            raise ValueError(f"can have at most {high} {unit}")
        return value

    return of_length


def _checked(convert: Converter, check: Converter) -> Converter:
    def checked(value: Any) -> Any:
        value = convert(value)
        try:
            return check(value)
        except RowError:
            raise
        except ValueError as error:
            raise RowError(str(error)) from None

    return checked
