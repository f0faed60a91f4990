"""storage.rows: what each annotation converts and checks, from a stored row and by keyword."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

import pytest

from storage.rows import PRIVATE, Check, Convert, Length, Range, Row, RowError
from tests.stored_rows import stored


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


def _sizes(value: Any) -> tuple[int, ...]:
    if value == "S":  # stored as a letter
        return (1,)
    if isinstance(value, tuple) and all(type(size) is int for size in value):
        return value
    raise ValueError("must be sizes")


def _even(number: int) -> int:
    if number % 2:
        raise ValueError("an even number, please")
    return number


class Sample(Row):
    name: str
    flag: bool = False
    count: Annotated[int, Range(0, 10)] = 1
    colour: Colour = Colour.RED
    side: Literal["left", "right"] = "left"
    day: date | None = None
    sizes: Annotated[tuple[int, ...], Convert(_sizes)] = ()
    tags: tuple[str, ...] = ()
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    anything: Any = None
    secret: Annotated[str, PRIVATE] = ""
    reason: str | None = dataclasses.field(default=None, repr=False)
    even: Annotated[int, Check(_even)] = 0


class Typed(Row, strip=True):
    text: Annotated[str, Length(1, 5)]
    words: Annotated[tuple[str, ...], Length(max=2)] = ()


class Pair(Row):
    low: int
    high: int

    def __post_init__(self) -> None:
        if self.low >= self.high:
            raise RowError("low must be below high")


class Outer(Row):
    inner: Typed
    items: tuple[Pair, ...] = ()


def test_a_stored_row_is_converted_field_by_field() -> None:
    row = stored(
        name="n", flag=1, count=3, colour="blue", side="right", day="2026-12-01", sizes="S",
        tags=None, extra=None, anything=None, secret="s", reason=None, even=4,
    )  # fmt: skip
    sample = Sample.from_row({**dict(row), "tags": ["a", "b"], "extra": {"k": 1}})
    assert sample.flag is True
    assert sample.count == 3
    assert sample.colour is Colour.BLUE
    assert sample.side == "right"
    assert sample.day == date(2026, 12, 1)
    assert sample.sizes == (1,)
    assert sample.tags == ("a", "b")
    assert sample.extra == {"k": 1}
    assert sample.even == 4


def test_from_row_reads_a_sqlite_row_and_a_dict_alike() -> None:
    row = stored(name="n", flag=0, count=2, unknown="left out")
    assert Sample.from_row(row) == Sample.from_row(dict(row)) == Sample(name="n", count=2)
    assert not hasattr(Sample.from_row(row), "unknown")


def test_plain_text_from_a_row_is_taken_as_it_is() -> None:
    name = "".join(["a", "b"])  # a fresh object, so identity means untouched
    assert Sample.from_row({"name": name}).name is name


def test_missing_columns_take_their_defaults_and_factories_are_fresh() -> None:
    one, two = Sample.from_row({"name": "a"}), Sample.from_row({"name": "b"})
    assert one.count == 1
    assert one.extra == {}
    assert one.extra is not two.extra


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": None}, "name is required"),
        ({"flag": 2}, "flag must be true or false"),
        ({"count": 11}, "count must be from 0 to 10"),
        ({"count": "3"}, "count must be a whole number"),
        ({"colour": "green"}, "colour must be one of 'red' or 'blue'"),
        ({"side": "up"}, "side must be one of 'left' or 'right'"),
        ({"day": "soon"}, "day must be a date (YYYY-MM-DD)"),
        ({"sizes": "M"}, "sizes must be sizes"),
        ({"tags": "a"}, "tags must be a list"),
        ({"tags": (1,)}, "tags must be text"),
        ({"extra": []}, "extra must be a mapping"),
        ({"even": 3}, "an even number, please"),
    ],
)
def test_bad_values_raise_one_readable_sentence(changes: dict[str, Any], message: str) -> None:
    for make in (Sample.from_row, lambda values: Sample(**values)):
        with pytest.raises(RowError) as caught:
            make({"name": "n", **changes})
        assert str(caught.value) == message
        assert isinstance(caught.value, ValueError)


def test_a_missing_field_or_an_unknown_keyword_is_refused() -> None:
    with pytest.raises(RowError, match=r"^name is required$"):
        Sample()  # type: ignore[call-arg]
    with pytest.raises(RowError, match=r"^name is required$"):
        Sample.from_row({"count": 1})
    with pytest.raises(RowError, match=r"^Sample has no field colur$"):
        Sample(name="n", colur="red")  # type: ignore[call-arg]


def test_keywords_convert_too() -> None:
    sample = Sample(name="n", flag=1, colour="blue", day="2026-12-01", tags=["a"], sizes="S")  # type: ignore[arg-type]
    assert sample.flag is True
    assert sample.colour is Colour.BLUE
    assert sample.day == date(2026, 12, 1)
    assert sample.tags == ("a",)
    assert sample.sizes == (1,)


def test_keywords_check_text_and_strip_it_when_asked() -> None:
    assert Typed(text="  abc ").text == "abc"
    assert Typed(text="a", words=(" x ",)).words == ("x",)
    with pytest.raises(RowError, match=r"^text can't be empty$"):
        Typed(text="   ")
    with pytest.raises(RowError, match=r"^text can have at most 5 characters$"):
        Typed(text="abcdef")
    with pytest.raises(RowError, match=r"^words can have at most 2 items$"):
        Typed(text="a", words=("x", "y", "z"))
    with pytest.raises(RowError, match=r"^name must be text$"):
        Sample(name=3)  # type: ignore[arg-type]


def test_checks_across_fields_run_after_every_way_in() -> None:
    with pytest.raises(RowError, match=r"^low must be below high$"):
        Pair(low=2, high=1)
    with pytest.raises(RowError, match=r"^low must be below high$"):
        Pair.from_row({"low": 2, "high": 1})
    with pytest.raises(RowError, match=r"^low must be below high$"):
        dataclasses.replace(Pair(low=1, high=2), low=3)


def test_rows_nest_from_dicts_or_instances() -> None:
    outer = Outer(inner={"text": " x "}, items=[{"low": 1, "high": 2}])  # type: ignore[arg-type]
    assert outer.inner == Typed(text="x")
    assert outer.items == (Pair(low=1, high=2),)
    assert Outer(inner=outer.inner).inner is outer.inner
    with pytest.raises(RowError, match=r"^low must be below high$"):
        Outer(inner=outer.inner, items=({"low": 2, "high": 2},))  # type: ignore[arg-type]
    with pytest.raises(RowError, match=r"^inner must be a Typed$"):
        Outer(inner="x")  # type: ignore[arg-type]


def test_repr_leaves_private_text_out() -> None:
    sample = Sample(name="n", secret="my salary", reason="too busy")
    shown = repr(sample)
    assert shown.startswith("Sample(name='n', flag=False, count=1, colour=<Colour.RED: 'red'>")
    assert "salary" not in shown
    assert "busy" not in shown
    assert "secret" not in shown
    assert "reason" not in shown


def test_rows_are_frozen_equal_by_value_and_hashable() -> None:
    sample = Sample(name="n")
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample.name = "m"  # type: ignore[misc]
    assert Sample(name="n") == sample
    assert Sample(name="m") != sample
    assert hash(Pair(low=1, high=2)) == hash(Pair.from_row({"low": 1, "high": 2}))


def test_replace_converts_and_checks_like_keywords() -> None:
    sample = Sample(name="n")
    changed = dataclasses.replace(sample, flag=1, colour="blue")  # type: ignore[arg-type]
    assert changed.flag is True
    assert changed.colour is Colour.BLUE
    assert sample.flag is False  # the original stays as it was
    with pytest.raises(RowError, match=r"^count must be from 0 to 10$"):
        dataclasses.replace(sample, count=-1)


def test_errors_never_show_the_value() -> None:
    with pytest.raises(RowError) as caught:
        Sample(name="n", secret=12345)  # type: ignore[arg-type]
    assert "12345" not in str(caught.value)


def test_a_type_with_no_conversion_is_refused_when_the_class_is_made() -> None:
    with pytest.raises(TypeError, match="can't hold"):

        class Bad(Row):
            ratio: float

    with pytest.raises(TypeError, match="one type"):

        class Either(Row):
            value: int | str


def test_markers_print_plainly() -> None:
    assert repr(PRIVATE) == "PRIVATE"
