"""Build the ask detector's gate tables from the cue patterns and write them to a file.

`python -m bot.detection_gate_build` (`make gates`) reads each gated cue pattern's parse tree
(bot/detection_words.py) and writes `bot/data/detection_gates.json`, which `bot.detection`
loads; the server never imports this module. Run it after editing a cue pattern or its trigger
words: tests/unit/test_detection_gates.py fails while the file is not what this makes.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Collection, Mapping, Sequence
from functools import partial
from pathlib import Path

from bot.detection_cues import GATED, TRIGGERS
from bot.detection_gate import GateTables, Group, Lazy, Shape, Words, starts_pattern
from bot.detection_gate_file import GATES_FILE, Patterns, fingerprint, to_json
from bot.detection_words import Factor, checks, has_starts, ways_of

__all__ = ["GATES_PATH", "build", "main", "tables_for", "with_trigger"]

GATES_PATH = Path(__file__).resolve().parent / "data" / GATES_FILE
_Way = tuple[Words, Words, Words, Words, Lazy | None]


def tables_for(patterns: Mapping[str, re.Pattern[str]]) -> GateTables:
    """What a gate over these patterns needs: each way an alternative can match, listed under
    the words of its first factor, with up to four more factors to check."""
    shapes = {name: Shape(pattern) for name, pattern in patterns.items()}
    distinct: dict[Words, Words] = {}

    def words(factor: Factor) -> Words:
        found = frozenset(word.encode() for word in factor if word[-1] != "*")
        return distinct.setdefault(found, found)  # one object per distinct set

    spans: dict[str, tuple[int, int]] = {}  # name -> (first bit, alternatives)
    ways: list[tuple[int, list[Factor]]] = []
    for name, shape in shapes.items():
        first = sum(count for _, count in spans.values())
        spans[name] = (first, len(shape.alternatives))
        for index in range(len(shape.alternatives)):
            ways += [(first + index, checks(way)) for way in ways_of(shape.only([index]))]
    # Every word the gate looks at; a text's share of them is never empty when a way is
    # listed under one of its words, so "all of them" is a factor that always holds.
    vocabulary = frozenset(
        word.encode() for _, way in ways for f in way for word in f if word[-1] != "*"
    )
    always = 0
    under: dict[bytes, dict[int, list[_Way]]] = {}
    starting: dict[tuple[bytes, ...], re.Pattern[bytes]] = {}
    for bit, way in ways:
        if not way:  # nothing to check: the alternative may always match
            always |= 1 << bit
            continue
        whole = [words(f) for f in way[1:] if not has_starts(f)]
        whole += [vocabulary] * (4 - len(whole))
        starts = [f for f in way[1:] if has_starts(f)]
        lazy = None
        if starts:  # a factor with word starts, checked last
            prefixes = tuple(sorted(w[:-1].encode() for w in starts[0] if w[-1] == "*"))
            lazy = words(starts[0]), starting.setdefault(prefixes, starts_pattern(prefixes))
        for word in way[0]:
            listed = under.setdefault(word.encode(), {}).setdefault(1 << bit, [])
            if (*whole, lazy) not in listed:
                listed.append((*whole, lazy))  # type: ignore[arg-type]
    # Per word: the bits its presence alone settles (no other factor), and the other ways
    # grouped by the factor they check first (one check for the whole group).
    tables: dict[bytes, tuple[int, tuple[Group, ...]]] = {}
    for key, by_bit in under.items():
        sure = sum(bit for bit, options in by_bit.items() if _settled(options, vocabulary))
        tables[key] = (sure, _grouped(by_bit, sure))
    return GateTables(spans, vocabulary, always, tables)


def _settled(ways: list[_Way], vocabulary: Words) -> bool:
    """Whether one of these ways needs nothing but the word it is listed under."""
    return any(way[4] is None and all(f is vocabulary for f in way[:4]) for way in ways)


def _grouped(by_bit: dict[int, list[_Way]], sure: int) -> tuple[Group, ...]:
    """A word's ways, but those of the bits it settles alone, grouped by their first factor."""
    groups: dict[Words, list[tuple[int, Words, Words, Words, Lazy | None]]] = {}
    for bit, ways in by_bit.items():
        for first, b, c, d, lazy in ways if not sure & bit else ():
            groups.setdefault(first, []).append((bit, b, c, d, lazy))
    return tuple((first, tuple(rest)) for first, rest in groups.items())


def _holds(substrings: Collection[str], factor: Factor) -> bool:
    """Whether every word of the factor ("talk*": a word starting "talk") holds a substring."""
    return all(any(part in word.rstrip("*") for part in substrings) for word in factor)


def with_trigger(pattern: re.Pattern[str], first: int, substrings: Collection[str]) -> int:
    """Bits (from `first` on) of the pattern's alternatives whose every match contains one of
    `substrings`: each way they can match by has a factor whose every word holds one."""
    bits = 0
    shape = Shape(pattern)
    for index in range(len(shape.alternatives)):
        ways = ways_of(shape.only([index]))
        if all(any(map(partial(_holds, substrings), way)) for way in ways):
            bits |= 1 << (first + index)
    return bits


def build(
    gated: Patterns, triggers: Mapping[str, Collection[str]]
) -> tuple[dict[str, GateTables], dict[str, int]]:
    """Each gate's tables, and for each key with trigger words `with_trigger`'s bits."""
    tables = {name: tables_for(patterns) for name, patterns in gated.items()}
    held: dict[str, int] = {}
    for name, patterns in gated.items():
        for key, pattern in patterns.items():
            if key in triggers:
                first = tables[name].spans[key][0]
                held[key] = with_trigger(pattern, first, triggers[key])
    return tables, held


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=GATES_PATH)
    args = parser.parse_args(argv)
    tables, held = build(GATED, TRIGGERS)
    text = to_json(fingerprint(GATED, TRIGGERS), tables, held)
    unchanged = args.out.exists() and args.out.read_text(encoding="ascii") == text
    args.out.write_text(text, encoding="ascii")
    words = sum(len(table.under) for table in tables.values())
    print(f"wrote {args.out} ({len(text):,} bytes, {words} words){' unchanged' * unchanged}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
