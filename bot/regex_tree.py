"""The one reach into CPython's private regex parser, which the ask detector's gates read cue
patterns with (bot/detection_words.py): CPython keeps no public parser.
tests/unit/test_internals.py fails loudly, naming this module, if a Python upgrade changes the
shape of what it returns.
"""

from __future__ import annotations

from re import _constants as _regex_constants  # type: ignore[attr-defined]
from re import _parser as _regex_parser  # type: ignore[attr-defined]
from typing import Any

__all__ = ["REGEX_OPCODES", "regex_parse_tree"]

# The parser's opcodes: LITERAL, BRANCH, SUBPATTERN, MAX_REPEAT, ...
REGEX_OPCODES: Any = _regex_constants


def regex_parse_tree(pattern: str) -> Any:
    """The parse tree `re` builds for `pattern`: a list of (opcode, argument) pairs."""
    return _regex_parser.parse(pattern)
