"""A secret setting (a token, a password) that never shows its value by accident."""

from __future__ import annotations

MASK = "**********"


class SecretStr:
    """A string that repr, str, f-strings and log lines all show as stars.

    The value comes out only through `get_secret_value()`, so a settings object can be logged or
    printed in a traceback without leaking a token.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """The secret itself, for the one place that sends it on."""
        return self._value

    def __repr__(self) -> str:
        return f"SecretStr('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretStr):
            return NotImplemented
        return self._value == other._value

    def __hash__(self) -> int:
        return hash(self._value)
