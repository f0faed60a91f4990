"""The ask detector's gate tables as a file, `bot/data/detection_gates.json`.

Reading the cue patterns' parse trees takes over a second and leaves ~3 MB of the heap behind,
so `python -m bot.detection_gate_build` (`make gates`) does it once and writes the tables here,
and the server only reads them back. The file names the cue patterns it was built from (a
SHA-256 of them), and a detector whose cues changed since refuses to start instead of gating
with tables that no longer fit.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping
from importlib import resources
from typing import Any

from bot.detection_gate import Gate, GateTables, Group, Lazy, Words, starts_pattern

__all__ = ["GATES_FILE", "StaleGates", "fingerprint", "load_gates", "read_gates", "to_json"]

GATES_FILE = "detection_gates.json"
_FORMAT = 1
_BUILD = "python -m bot.detection_gate_build"
_REBUILD = f"run `{_BUILD}` (make gates) and commit the file"
Patterns = Mapping[str, Mapping[str, re.Pattern[str]]]  # gate -> key -> cue pattern


class StaleGates(RuntimeError):
    """The gate tables file does not fit the cue patterns (or this code's format)."""


def fingerprint(gated: Patterns, triggers: Mapping[str, Collection[str]]) -> str:
    """A SHA-256 of what the tables are built from: each gate's keys and pattern sources in
    the order the gate numbers them, and the trigger words `with_trigger` was read for."""
    what: list[object] = [
        [gate, [[k, p.pattern] for k, p in ps.items()]] for gate, ps in gated.items()
    ]
    what.append(["triggers", [[key, list(words)] for key, words in triggers.items()]])
    return hashlib.sha256(json.dumps(what, ensure_ascii=True).encode("ascii")).hexdigest()


def _bits(value: int) -> list[int]:
    return [i for i in range(value.bit_length()) if value >> i & 1]


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


def _spread(value: object, depth: int = 0) -> str:
    """JSON with an entry a line in every object and in the top object's lists, compact below
    them (so a rebuild's diff reads per word)."""
    if isinstance(value, dict):
        items = [f"{_compact(key)}:{_spread(item, depth + 1)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n}"
    if isinstance(value, list) and depth == 1:
        return "[\n" + ",\n".join(_spread(item, depth + 1) for item in value) + "\n]"
    return _compact(value)


def _parts(tables: Mapping[str, GateTables]) -> tuple[set[Words], set[bytes]]:
    """Every word set the tables hold, and every word-start pattern's source."""
    sets: set[Words] = set()
    starts: set[bytes] = set()
    for table in tables.values():
        sets.add(table.vocabulary)
        for _, groups in table.under.values():
            for first, ways in groups:
                sets.add(first)
                for _, b, c, d, lazy in ways:
                    sets.update((b, c, d))
                    if lazy is not None:
                        sets.add(lazy[0])
                        starts.add(lazy[1].pattern)
    return sets, starts


def to_json(cues: str, tables: Mapping[str, GateTables], with_trigger: Mapping[str, int]) -> str:
    """The file: each word set and word-start list stored once and referred to by its index,
    bits as lists of bit numbers."""
    sets, starts = _parts(tables)
    set_list = sorted(sorted(word.decode("ascii") for word in words) for words in sets)
    set_index = {frozenset(w.encode("ascii") for w in words): i for i, words in enumerate(set_list)}
    start_list = sorted(_prefixes(source) for source in starts)
    start_index = {starts_pattern(prefixes).pattern: i for i, prefixes in enumerate(start_list)}

    def way(bit: int, b: Words, c: Words, d: Words, lazy: Lazy | None) -> list[object]:
        spelled = [set_index[lazy[0]], start_index[lazy[1].pattern]] if lazy else None
        return [bit.bit_length() - 1, set_index[b], set_index[c], set_index[d], spelled]

    def under(sure: int, groups: tuple[Group, ...]) -> list[object]:
        return [
            _bits(sure),
            [[set_index[first], [way(*w) for w in ways]] for first, ways in groups],
        ]

    body = {
        "about": f"Built from bot/detection_cues.py by `{_BUILD}` (make gates); not by hand.",
        "format": _FORMAT,
        "cues": cues,
        "sets": set_list,
        "starts": [[prefix.decode("ascii") for prefix in prefixes] for prefixes in start_list],
        "gates": {
            name: {
                "spans": [[key, first, count] for key, (first, count) in table.spans.items()],
                "vocabulary": set_index[table.vocabulary],
                "always": _bits(table.always),
                "under": {
                    word.decode("ascii"): under(*entry)
                    for word, entry in sorted(table.under.items())
                },
            }
            for name, table in tables.items()
        },
        "with_trigger": {key: _bits(bits) for key, bits in with_trigger.items()},
    }
    return _spread(body) + "\n"


def _prefixes(source: bytes) -> tuple[bytes, ...]:
    """The word starts of a pattern `starts_pattern` made (they are a-z: nothing escaped)."""
    prefixes = tuple(source[len(b" (?:") : -1].split(b"|"))
    if starts_pattern(prefixes).pattern != source:
        raise ValueError(f"not a word-start pattern: {source!r}")
    return prefixes


def read_gates(text: str | bytes, cues: str) -> tuple[dict[str, GateTables], dict[str, int]]:
    """The tables in a gates file built from the cue patterns `cues` names (or StaleGates)."""
    body = json.loads(text)
    if body.get("format") != _FORMAT or body.get("cues") != cues:
        raise StaleGates(f"bot/data/{GATES_FILE} was built from other cue patterns: {_REBUILD}")
    # One object per distinct set, word-start pattern and way: ~5,000 references to ~230 sets.
    sets = [frozenset(word.encode("ascii") for word in words) for words in body["sets"]]
    starts = [starts_pattern(tuple(p.encode("ascii") for p in ps)) for ps in body["starts"]]
    lazies: dict[tuple[int, int], Lazy] = {}
    ways: dict[tuple[int, int, int, int, int, int], Any] = {}

    def way(bit: int, b: int, c: int, d: int, lazy: list[int] | None) -> Any:
        key = (bit, b, c, d, *(lazy or (-1, -1)))
        if key not in ways:
            found = None
            if lazy is not None:
                found = lazies.setdefault((lazy[0], lazy[1]), (sets[lazy[0]], starts[lazy[1]]))
            ways[key] = (1 << bit, sets[b], sets[c], sets[d], found)
        return ways[key]

    tables: dict[str, GateTables] = {}
    for name, gate in body["gates"].items():
        under: dict[bytes, tuple[int, tuple[Group, ...]]] = {}
        for word, (sure, groups) in gate["under"].items():
            grouped = tuple((sets[first], tuple(way(*w) for w in rest)) for first, rest in groups)
            under[word.encode("ascii")] = (sum(1 << bit for bit in sure), grouped)
        spans = {key: (first, count) for key, first, count in gate["spans"]}
        always = sum(1 << bit for bit in gate["always"])
        tables[name] = GateTables(spans, sets[gate["vocabulary"]], always, under)
    held = {key: sum(1 << bit for bit in bits) for key, bits in body["with_trigger"].items()}
    return tables, held


def load_gates(
    gated: Patterns, triggers: Mapping[str, Collection[str]]
) -> tuple[dict[str, Gate], dict[str, int]]:
    """The shipped gates for these patterns, and for each key with trigger words the bits of
    its alternatives whose every match holds one (read once at import by `bot.detection`)."""
    text = resources.files("bot").joinpath("data", GATES_FILE).read_bytes()
    tables, with_trigger = read_gates(text, fingerprint(gated, triggers))
    if tables.keys() != gated.keys():
        raise StaleGates(f"bot/data/{GATES_FILE} has other gates: {_REBUILD}")
    return {name: Gate(gated[name], tables[name]) for name in gated}, with_trigger
