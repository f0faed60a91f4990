"""Reading a settings class from the environment and .env, with every problem in one error.

A settings class is a frozen dataclass whose fields carry `metadata=variable(name, convert)`:
the variable they are read from and the conversion of its raw value; the field's default
(or default_factory) applies when the variable is set nowhere.
Values given to the constructor win over the environment, which wins over `.env` (read by
python-dotenv); a variable's name matches in any case there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, fields
from pathlib import Path

from dotenv import dotenv_values

_VARIABLE = "variable"  # the key of a field's metadata that holds its Variable


@dataclass(frozen=True)
class Variable:
    """The environment variable a field is read from, and how its raw value becomes the field's."""

    name: str
    convert: Callable[[object], object]


def variable(name: str, convert: Callable[[object], object]) -> dict[str, Variable]:
    """A field's metadata: it is read from the variable `name`, through `convert`."""
    return {_VARIABLE: Variable(name, convert)}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the settings; `variable` is None for a rule across variables."""

    variable: str | None
    message: str

    def __str__(self) -> str:
        # A rule across variables names them in its message already.
        return self.message if self.variable is None else f"{self.variable}: {self.message}"


class SettingsError(ValueError):
    """The settings can't be used; str() is one line naming each bad variable and why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


def _environment(names: Iterable[str], env_file: str | Path | None) -> dict[str, str]:
    """The variables among `names` that are set: the environment's, else the .env file's."""
    by_lower = {name.lower(): name for name in names}
    found: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        for key, value in dotenv_values(env_file, encoding="utf-8").items():
            if value is not None and key.lower() in by_lower:
                found[by_lower[key.lower()]] = value
    for key, value in os.environ.items():
        if key.lower() in by_lower:
            found[by_lower[key.lower()]] = value
    return found


@dataclass(frozen=True, init=False)
class FromEnvironment:
    """Settings read from the environment and a .env file (`_env_file=None`: no file).

    Keyword arguments are variables by name (`SLACK_BOT_TOKEN="xoxb-..."`), as a string or
    as the field's own type; names that aren't this class's variables are ignored.
    """

    def __init__(self, _env_file: str | Path | None = ".env", **values: object) -> None:
        declared = {spec.metadata[_VARIABLE].name: spec for spec in fields(self)}
        given: Mapping[str, object] = {
            **_environment(declared, _env_file),
            **{name: value for name, value in values.items() if name in declared},
        }
        problems: list[Problem] = []
        for name, spec in declared.items():
            if name in given:
                try:
                    value = spec.metadata[_VARIABLE].convert(given[name])
                except ValueError as error:
                    problems.append(Problem(name, str(error)))
                    continue
            elif spec.default_factory is not MISSING:
                value = spec.default_factory()
            else:
                value = spec.default
            object.__setattr__(self, spec.name, value)
        if problems:
            raise SettingsError(problems)
        try:
            self._check()
        except ValueError as error:
            raise SettingsError([Problem(None, str(error))]) from None

    def _check(self) -> None:
        """Rules across variables, once each one is valid; ValueError says what is wrong."""
