"""Sound gates for the ask classifier's cues: which alternatives of a cue can match a text.

Every cue pattern is an alternation. bot/detection_words.py reads, for each alternative, the
ways it can match and, for each way, the words it needs ("one of these" factors); that reading
takes a second, so it is done once, when the tables are built (bot/detection_gate_build.py),
and the server loads them from bot/data/detection_gates.json. A text that
lacks the words of every way cannot contain a match of that alternative at any position, so
the alternative can be dropped from the alternation without changing any match: alternation
tries its arms in order, and an arm that never matches is never chosen. `Gate.hits` turns a
text's words into one bit per alternative that may match, with a few set, dict and int
operations; `Gate.pattern` gives the pattern with just those alternatives (cached), or None.
docs/detection.md ("Speed", "The gates") says where it is used and how it is checked.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "ONE_ON_ONE",
    "Gate",
    "GateTables",
    "Group",
    "Lazy",
    "Shape",
    "Words",
    "starts_pattern",
    "words_in",
]

# "1:1" is the one non-word the gates look for: it names a conversation on its own.
ONE_ON_ONE = "1:1"
_REDUCED_CACHE = 4096  # compiled reduced patterns kept (word combinations are few in practice)
Words = frozenset[bytes]
# A factor with word starts, checked last: its whole words, and " (?:start|start)" to search
# the text's words spaced out for the starts.
Lazy = tuple[Words, re.Pattern[bytes]]
# A way under a word: (its bit, three more factors, the lazy one or None); a group holds the
# ways that check the same factor first.
Group = tuple[Words, tuple[tuple[int, Words, Words, Words, Lazy | None], ...]]
# Bytes, because splitting the UTF-8 bytes with every byte but a-z made a space is three times
# faster than re.findall("[a-z]+"), and gives the same words (non-ASCII bytes are >= 0x80).
_SPACED = bytes(c if 97 <= c <= 122 else 32 for c in range(256))
_ONE_ON_ONE = ONE_ON_ONE.encode()


def _scan_splits(src: str) -> list[tuple[int, int]]:
    """Marks of a pattern's structure, in order: (depth, index) at each "(", (-depth, index) at
    its ")", and (0, index) at each top-level "|"; escapes and character classes skipped."""
    marks: list[tuple[int, int]] = []
    depth, i, in_class = 0, 0, False
    while i < len(src):
        char = src[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":  # a "]" first in a class (after an optional "^") is a literal
            i += 1 + (src[i + 1 : i + 2] == "^")
            i += src[i : i + 1] == "]"
            in_class = True
            continue
        elif char == "(":
            depth += 1
            marks.append((depth, i))
        elif char == ")":
            marks.append((-depth, i))
            depth -= 1
        elif char == "|" and depth == 0:
            marks.append((0, i))
        i += 1
    if depth:
        raise ValueError(f"unbalanced pattern: {src!r}")
    return marks


def _alternatives(src: str) -> list[str]:
    """The top-level arms of `src`, with `(?:a|b)` arms flattened (alternation is associative)."""
    bars = [i for depth, i in _scan_splits(src) if depth == 0]
    arms = [src[a + 1 : b] for a, b in zip([-1, *bars], [*bars, len(src)], strict=True)]
    flat: list[str] = []
    for arm in arms:
        inner = _wrapped(arm)
        flat += _alternatives(inner) if inner is not None and len(arms) > 1 else [arm]
    return flat


def _wrapped(src: str) -> str | None:
    """`x` when `src` is exactly `(?:x)` (one group spanning it all), else None."""
    if not (src.startswith("(?:") and src.endswith(")")):
        return None
    closing = [i for depth, i in _scan_splits(src) if depth == -1]
    return src[3:-1] if closing == [len(src) - 1] else None


class Shape:
    """A pattern as prefix + (alternative | alternative | ...) + suffix."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        src = pattern.pattern
        if pattern.groups or pattern.flags & ~re.UNICODE:
            raise ValueError(f"gated patterns have no groups or flags: {src!r}")
        self.prefix, self.suffix = "", ""
        self.alternatives = _alternatives(src)
        if len(self.alternatives) == 1:  # maybe one group in the middle holds the alternation
            opens = [i for depth, i in _scan_splits(src) if depth == 1]
            closes = [i for depth, i in _scan_splits(src) if depth == -1]
            for start, end in zip(opens, closes, strict=True):
                inner = _wrapped(src[start : end + 1])
                if inner is not None and len(_alternatives(inner)) > 1:
                    self.prefix, self.suffix = src[: start + 3], src[end:]
                    self.alternatives = _alternatives(inner)
                    break
        self.full = pattern
        # For ASCII text, ASCII semantics give the same matches (the normalised text has no
        # \x1c-\x1f, the only ASCII characters \s treats differently) and a cheaper \b and \w.
        self.full_ascii = re.compile(src, re.ASCII)

    def only(self, keep: Iterable[int]) -> str:
        """Source of the pattern with just the alternatives `keep` (in their original order)."""
        arms = "|".join(f"(?:{self.alternatives[i]})" for i in sorted(keep))
        return f"{self.prefix}{arms}{self.suffix}" if self.prefix or self.suffix else arms


def starts_pattern(prefixes: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """Whether a text's words, spaced out as " w w w", have a word starting with a prefix."""
    return re.compile(b" (?:" + b"|".join(map(re.escape, prefixes)) + b")")


def words_in(text: str) -> list[bytes]:
    """The words the gate looks up: maximal a-z runs (as bytes), plus "1:1"."""
    words = text.encode("utf-8", "surrogatepass").translate(_SPACED).split()
    if ONE_ON_ONE in text:
        words.append(_ONE_ON_ONE)
    return words


@dataclass(frozen=True, slots=True)
class GateTables:
    """What a gate knows of its patterns' alternatives: built from their parse trees by
    bot/detection_gate_build.py, shipped in bot/data/detection_gates.json."""

    spans: dict[str, tuple[int, int]]  # name -> (first bit, alternatives)
    vocabulary: frozenset[bytes]  # every word the gate looks at
    always: int  # the alternatives that need no word: they may always match
    under: dict[bytes, tuple[int, tuple[Group, ...]]]  # word -> (bits it settles, other ways)


class Gate:
    """Which alternatives of named patterns can match a text, given the text's words.

    Each way an alternative can match is listed under the words of its most selective factor,
    with up to four more factors to check (and one with word starts, checked last). The answer
    is an int with a bit per alternative; `pattern()` turns it into the pattern to run."""

    def __init__(self, patterns: Mapping[str, re.Pattern[str]], tables: GateTables) -> None:
        self.shapes = {name: Shape(pattern) for name, pattern in patterns.items()}
        counts = {name: len(shape.alternatives) for name, shape in self.shapes.items()}
        if counts != {name: count for name, (_, count) in tables.spans.items()}:
            raise ValueError("the gate tables were built for other patterns: run `make gates`")
        self.spans = tables.spans
        self.vocabulary = tables.vocabulary
        self.always = tables.always
        self.under = tables.under
        self.listed = frozenset(self.under)
        self.masks = {name: self.bits_of(name) for name in self.spans}
        # Added to a cache key for the ASCII twin of a pattern (above every alternative's bit).
        self.ascii = 1 << sum(count for _, count in self.spans.values())
        self.compiled: dict[int, re.Pattern[str]] = {}
        self._seen: set[int] = set()

    def hits(self, words: Collection[bytes]) -> int:
        """A bit for each alternative that may match a text with these words."""
        hit = self.always
        listed = self.listed.intersection(words)
        if not listed:
            return hit
        found = self.vocabulary.intersection(words)
        spaced = None  # " w w w", made when a word start is looked for
        under = self.under
        for word in listed:
            sure, groups = under[word]
            if sure:
                hit |= sure
            for first, ways in groups:
                if first.isdisjoint(found):
                    continue
                for bit, b, c, d, lazy in ways:
                    if b.isdisjoint(found) or c.isdisjoint(found) or d.isdisjoint(found):
                        continue
                    if lazy is not None and lazy[0].isdisjoint(found):
                        spaced = spaced or b" " + b" ".join(words)
                        if not lazy[1].search(spaced):
                            continue
                    hit |= bit
        return hit

    def bits_of(self, name: str) -> int:
        """The bits of pattern `name`'s alternatives in `hits()`."""
        first, count = self.spans[name]
        return ((1 << count) - 1) << first

    def pattern(self, name: str, hits: int, ascii: int = 0) -> re.Pattern[str] | None:
        """Pattern `name` with only the alternatives that may match, or None if none may;
        `ascii=self.ascii` for the twin that only ASCII text may be searched with. A
        combination seen for the first time gets the full pattern (the same matches):
        compiling pays off only for combinations that come back. Callers in a hurry look in
        `compiled` first, keyed by `hits & bits_of(name) | ascii`."""
        keep = hits & self.masks[name]
        if not keep:
            return None
        found = self.compiled.get(keep | ascii)
        if found is not None:
            return found
        if keep | ascii not in self._seen:
            if len(self._seen) > _REDUCED_CACHE * 4:  # bounded, like the compiled ones
                self._seen.clear()
            self._seen.add(keep | ascii)
            return self.shapes[name].full_ascii if ascii else self.shapes[name].full
        return self.reduced(name, hits, ascii)

    def reduced(self, name: str, hits: int, ascii: int = 0) -> re.Pattern[str] | None:
        """Pattern `name` with only the alternatives that may match (compiled and kept), or
        None. The others cannot match anywhere in the text, so each match and its position
        stay the same."""
        keep = hits & self.masks[name]  # alternatives' bits never overlap: a key per pattern
        if not keep:
            return None
        if keep | ascii not in self.compiled:
            if len(self.compiled) > _REDUCED_CACHE:
                self.compiled.clear()
                self._seen.clear()
            first, count = self.spans[name]
            arms = [i for i in range(count) if keep >> (first + i) & 1]
            shape = self.shapes[name]
            found = shape.full_ascii if ascii else shape.full
            if len(arms) < count:
                found = re.compile(shape.only(arms), re.ASCII if ascii else 0)
            self.compiled[keep | ascii] = found
        return self.compiled[keep | ascii]
