"""Conversions of one setting's raw value into its type, each with the operator's message.

A raw value is a string from the environment or .env, or a typed value given to the
constructor (tests and the playground pass both). Each conversion raises ValueError with a
message that follows the variable's name in `invalid configuration: NAME: message`; the
messages are the ones the settings printed when pydantic checked them, so operators and their
scripts see no change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from bot.secret import SecretStr

T = TypeVar("T")
Convert = Callable[[object], T]

# What pydantic's lax mode took as an int: '80', ' 80 ', '+80', '1_000', '80.0'; ASCII digits.
_INTEGER = re.compile(r"[+-]?\d+(?:_\d+)*(?:\.0+)?", re.ASCII)


def text(value: object) -> str:
    """A string, as given."""
    if not isinstance(value, str):
        raise ValueError("input should be a valid string")
    return value


def secret(value: object) -> SecretStr:
    """A string kept as a SecretStr, so it never reaches a log."""
    if isinstance(value, SecretStr):
        return value
    return SecretStr(text(value))


def whole_number(value: object) -> int:
    """An int from text like '80' or '80.0', or from an int, a whole float or a bool."""
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("input should be a valid integer, got a number with a fractional part")
        return int(value)
    if isinstance(value, str):
        cleaned = value.strip()
        if _INTEGER.fullmatch(cleaned) is None:
            raise ValueError(
                "input should be a valid integer, unable to parse string as an integer"
            )
        return int(cleaned.partition(".")[0])
    raise ValueError("input should be a valid integer")


def real_number(value: object) -> float:
    """A float from text like '2.5', '1e1' or 'inf', or from an int, a float or a bool."""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise ValueError(
                "input should be a valid number, unable to parse string as a number"
            ) from None
    raise ValueError("input should be a valid number")


def _at_most(value: float, high: float) -> None:
    # `not <=` so that NaN fails here, as it did under pydantic (which checked the top first).
    if not value <= high:
        raise ValueError(f"input should be less than or equal to {high}")


def integer(low: int, high: int) -> Convert[int]:
    """A whole number from low to high, both included."""

    def convert(value: object) -> int:
        number = whole_number(value)
        _at_most(number, high)
        if not number >= low:
            raise ValueError(f"input should be greater than or equal to {low}")
        return number

    return convert


def number(above: float, high: float) -> Convert[float]:
    """A number greater than `above`, and at most `high`."""

    def convert(value: object) -> float:
        result = real_number(value)
        _at_most(result, high)
        if not result > above:
            raise ValueError(f"input should be greater than {above}")
        return result

    return convert


def blank_is_unset(convert: Convert[T]) -> Convert[T | None]:
    """`convert`, except that None or blank text (as .env.example leaves it) means unset."""

    def convert_if_set(value: object) -> T | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return convert(value)

    return convert_if_set
