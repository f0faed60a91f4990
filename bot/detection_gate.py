"""Sound prefilters for the ask classifier: the words a regex cannot match without.

Every cue pattern is an alternation. For each alternative we read, from the regex's own parse
tree, a conjunction of "one of these words must be in the text" factors: literals are required,
a branch requires one word from each of its arms, a repeat that may run zero times and every
look-around require nothing. A text lacking a factor's words cannot contain a match of that
alternative, at any position, so dropping the alternative from the alternation changes no match
(alternation tries its arms in order; an arm that never matches is never chosen). One C-level
scan finds which words occur; a handful of dict and int operations then says which alternatives
can still match. docs/detection.md ("The prefilter") has the longer argument.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from functools import cache
from itertools import repeat
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

__all__ = ["Gate", "Shape", "atoms_of", "shape"]

# "1:1" is the one non-word literal worth keeping: it names a conversation on its own.
_ONE_ON_ONE = "1:1"
# Function words that occur in most messages; a factor of these is a poor first filter.
_COMMON = frozenset(
    "you your to for on in it is do of me my the and any some can have get like with up how "
    "are would could will be at as by if so we this please also hey hi hello yo and but a an "
    "i".split()
)


def _scan_splits(src: str) -> list[tuple[int, int]]:
    """(depth, index) of every top-level `|` and the spans of top-level groups, skipping
    escapes and character classes."""
    marks: list[tuple[int, int]] = []
    depth, i, in_class = 0, 0, False
    while i < len(src):
        char = src[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 2 if src[i + 1 : i + 3] in ("^]",) else 1 + (src[i + 1 : i + 2] in ("]", "^"))
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

    def only(self, keep: Iterable[int]) -> str:
        """Source of the pattern with just the alternatives `keep` (in their original order)."""
        arms = "|".join(f"(?:{self.alternatives[i]})" for i in sorted(keep))
        return f"{self.prefix}{arms}{self.suffix}" if self.prefix or self.suffix else arms


def shape(pattern: re.Pattern[str]) -> Shape:
    return Shape(pattern)


# --- required words --------------------------------------------------------------------------
# A sub-pattern is read as a small set of strings over the text's characters plus two marks:
# "#" for a place that is surely no letter (\b, ^, $, \s, punctuation) and "?" for anything
# unknown (\w+, [^.?!]{0,60}, ...). A run of a-z letters with a sure non-letter on both sides is
# a whole word of the text, so the gate can test it against the text's words (a set lookup).

_Lang = frozenset[str]
_Factor = frozenset[str]
_EXPANSIONS = 64  # ways per alternative
_REDUCED_CACHE = 4096  # compiled reduced patterns kept (word combinations are few in practice)
_KEPT = 3  # inside words kept per spelling
_PER_SEGMENT = 3  # factors read per segment
_CHECKED = 5  # factors checked per way (the rest are dropped: fewer checks, still sound)
_CAP = 4096  # strings per language; beyond it, the pieces are kept apart (less precise, sound)
_SURE = _Lang({"#"})
_ANY = _Lang({"?"})
_EMPTY = _Lang({""})
_BOUNDS = {sre.AT_BOUNDARY, sre.AT_BEGINNING, sre.AT_BEGINNING_STRING, sre.AT_END}
_BOUNDS |= {sre.AT_END_STRING}
_NON_LETTER_CATEGORIES = {sre.CATEGORY_SPACE, sre.CATEGORY_DIGIT, sre.CATEGORY_NOT_WORD}
_RUNS = re.compile(r"#{2,}|\?{2,}")
_WORD_RUN = re.compile(r"(?<=[^a-z?])[a-z]+(?=[^a-z?])")
_PREFIX_RUN = re.compile(r"(?<=[^a-z?])[a-z]{3,}(?=\?)")  # a word's start: "talk" of talk\w*


def _squash(text: str) -> str:
    """Runs of one mark are one mark; unknown text between two non-letters holds no word we
    could rely on, so it may go."""
    return _RUNS.sub(lambda m: m.group(0)[0], text).replace("#?#", "#")


@cache
def _product(left: _Lang, right: _Lang) -> _Lang | None:
    if len(left) * len(right) > _CAP * 4:
        return None
    lang = _Lang(_compress(a + b) for a in left for b in right)
    return lang if len(lang) <= _CAP else None


@cache
def _compress(text: str) -> str:
    """The string with its inside (between its first and last non-letter) reduced to its best
    few whole words: the edges still decide which words the next piece completes, and a few
    inside words are all the factors need. Keeps the languages of long patterns small."""
    text = _squash(text)
    marks = [i for i, c in enumerate(text) if not c.islower()]
    if len(marks) < 2 or marks[-1] - marks[0] < 2:
        return text
    first, last = marks[0], marks[-1]
    best = sorted(sorted(_words(text[first : last + 1]), key=_word_cost)[:_KEPT])
    return _squash(f"{text[: first + 1]}#{'#'.join(best)}#{text[last:]}") if best else text


def _char(code: int) -> str:
    """A literal as the gate sees it: a-z, digits and ":" (for "1:1") as they are; any other
    character is surely no a-z letter (the UPPERCASE tokens included)."""
    char = chr(code)
    return char if char.islower() and char.isascii() or char.isdigit() or char == ":" else "#"


def _char_set(arg: Any) -> _Lang:
    """A class: its few literal chars, or a sure non-letter, or unknown."""
    if all(op is sre.LITERAL for op, _ in arg) and len(arg) <= 12:
        return _Lang(_char(c) for _, c in arg)
    for op, value in arg:
        if op is sre.LITERAL and chr(value).isalpha():
            return _ANY
        if op is sre.RANGE and any(chr(c).isalpha() for c in range(value[0], value[1] + 1)):
            return _ANY
        if op is sre.CATEGORY and value not in _NON_LETTER_CATEGORIES:
            return _ANY
        if op in (sre.NEGATE, sre.CHARSET, sre.BIGCHARSET):
            return _ANY
    return _SURE


def _pieces(items: Any, factors: list[_Factor]) -> list[_Lang]:
    """Languages whose concatenation covers every match of `items`; factors found in parts too
    big to spell out are appended to `factors`."""
    out: list[_Lang] = []
    for op, arg in items:
        if op is sre.LITERAL:
            lang = _Lang({_char(arg)})
        elif op is sre.AT:
            lang = _SURE if arg in _BOUNDS else _EMPTY
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            lang = _EMPTY  # looks around, consumes nothing
        elif op is sre.IN:
            lang = _char_set(arg)
        elif op is sre.CATEGORY:
            lang = _SURE if arg in _NON_LETTER_CATEGORIES else _ANY
        elif op is sre.SUBPATTERN:
            out += _pieces(arg[3], factors)
            continue
        elif op is sre.BRANCH:
            arms = [_joined(_pieces(arm, factors)) for arm in arg[1]]
            if all(arm is not None for arm in arms) and sum(map(len, arms)) <= _CAP:  # type: ignore[arg-type]
                lang = _Lang().union(*arms)  # type: ignore[arg-type]
            else:
                best = [_best(words_of(arm)) for arm in arg[1]]
                if all(best):
                    factors.append(_Factor().union(*best))  # type: ignore[arg-type]
                lang = _ANY
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            lang = _repeat(arg[0], arg[1], _joined(_pieces(arg[2], factors)))
        else:  # NOT_LITERAL, ANY, group references: unknown
            lang = _ANY
        out.append(lang)
    return out


def _repeat(low: int, high: int, body: _Lang | None) -> _Lang:
    if body is None:
        return _ANY
    if body <= {"#"}:
        return _SURE if low else _Lang({"", "#"})
    if high > 4:  # keep only whether the run surely starts or ends with a non-letter
        edges = ("#" if all(s[:1] == "#" for s in body) else "?") + "?"
        edges += "#" if all(s[-1:] == "#" for s in body) else "?"
        return _Lang({_squash(edges)} | ({""} if low == 0 else set()))
    lang, total = _EMPTY, _EMPTY if low == 0 else _Lang()
    for count in range(1, high + 1):
        step = _product(lang, body)
        if step is None:
            return _ANY
        lang = step
        if count >= low:
            total |= lang
    return total if len(total) <= _CAP else _ANY


def _joined(pieces: list[_Lang]) -> _Lang | None:
    lang: _Lang | None = _EMPTY
    for piece in pieces:
        lang = _product(lang, piece) if lang is not None else None
    return lang


def _words(text: str) -> set[str]:
    """Whole words of one padded string, and "1:1", which names a conversation by itself."""
    words = set(_WORD_RUN.findall(text))
    return words | {_ONE_ON_ONE} if _ONE_ON_ONE in text else words


def _word_cost(word: str) -> tuple[int, int]:
    return (word in _COMMON, -len(word))


def _cost(factor: _Factor) -> tuple[bool, int, int, int]:
    """Lower is a better filter: whole words, no common words, short lists, long words."""
    starts = any(word.endswith("*") for word in factor)
    return (starts, sum(word in _COMMON for word in factor), len(factor), -min(map(len, factor)))


def _best(factors: list[_Factor]) -> _Factor | None:
    return min(factors, key=_cost, default=None)


def words_of(items: Any) -> list[_Factor]:
    """Word factors of a parsed pattern: any text it matches has a word of each factor.

    No word crosses a piece that is surely a non-letter (\\s+, \\b), so the pieces between two
    of those form one segment; a segment in which every spelling has a whole word gives the
    factor "one of these words"."""
    factors: list[_Factor] = []
    segments: list[list[_Lang]] = [[]]
    for piece in _pieces(items, factors):
        if piece == _SURE:
            segments.append([])
        else:
            segments[-1].append(piece)
    for index, segment in enumerate(segments):
        lang = _joined(segment)
        if lang is None:
            continue
        left = "#" if index > 0 else "?"
        right = "#" if index < len(segments) - 1 else "?"
        factors += _segment_factors(lang, left, right)
    return sorted(set(factors), key=_cost)


@cache
def _segment_factors(lang: _Lang, left: str, right: str) -> list[_Factor]:
    """Up to two factors for one segment, the second from words the first left out."""
    factors: list[_Factor] = []
    padded = [f"{left}{text}{right}" for text in lang]
    per_string = [_words(text) for text in padded]
    if padded and not all(per_string):  # then one factor that may use word starts
        per_string = [w | {f"{p}*" for p in _PREFIX_RUN.findall(t)} for w, t in zip(per_string, padded, strict=True)]
        return [_cover(per_string)] if all(per_string) else []
    factors: list[_Factor] = []
    for _ in range(_PER_SEGMENT):
        if not per_string or not all(per_string):
            break
        factor = _cover(per_string)
        factors.append(factor)
        per_string = [words - factor for words in per_string]
    return factors


def _weight(word: str) -> int:
    """How much a word costs in a factor: function words are in most texts."""
    if word.endswith("*"):  # a word's start: it needs a slower check
        return 3
    return 1000 if word in _COMMON or len(word) <= 2 else 1


def _cover(per_string: list[set[str]]) -> _Factor:
    """Few words such that every spelling has one: fewer words make a rarer factor."""
    chosen: set[str] = set()
    left = list(per_string)
    while left:
        counts: dict[str, int] = {}
        for words in left:
            for word in words:
                counts[word] = counts.get(word, 0) + 1
        word = max(counts, key=lambda w: (counts[w] / _weight(w), len(w), w))
        chosen.add(word)
        left = [words for words in left if word not in words]
    return _Factor(chosen)


def _expand(items: Any, budget: int) -> list[list[Any]]:
    """The sequence as a few simpler sequences, one per arm of its structured branches (an
    arm with more than a word), while their number stays within `budget`: "X (a b | c) Y" is
    "X a b Y" or "X c Y", and each gets its own, tighter, factors."""
    sequences: list[list[Any]] = [[]]
    for op, arg in items:
        options: list[list[Any]] = [[(op, arg)]]
        if op is sre.SUBPATTERN:
            options = _expand(arg[3], max(budget // len(sequences), 1))
        elif op is sre.BRANCH and not all(o is sre.LITERAL for arm in arg[1] for o, _ in arm):
            room = max(budget // len(sequences), 1)
            arms = [e for arm in arg[1] for e in _expand(arm, room)]
            if len(arms) > room:
                arms = [list(arm) for arm in arg[1]]
            if len(arms) <= room:
                options = arms
        if len(sequences) * len(options) > budget:
            options = [[(op, arg)]]
        sequences = [s + o for s in sequences for o in options]
    return sequences


@cache
def atoms_of(alternative: str) -> list[list[_Factor]]:
    """Ways an alternative can match, each with the word factors it needs."""
    return [words_of(items) for items in _expand(sre_parse.parse(alternative), _EXPANSIONS)]


# --- the gate --------------------------------------------------------------------------------

TEXT_WORDS = re.compile(r"[a-z]+")


def words_in(text: str) -> list[str]:
    """The words the gate looks up: maximal a-z runs, plus "1:1"."""
    words: list[str] = TEXT_WORDS.findall(text)
    if _ONE_ON_ONE in text:
        words.append(_ONE_ON_ONE)
    return words


_Way = tuple[int, int, int, int, tuple[int, tuple[str, ...]] | None]


def _has_starts(factor: _Factor) -> bool:
    return any(word[-1] == "*" for word in factor)


def _checks(factors: list[_Factor]) -> list[_Factor]:
    """The factors a gate checks, best first: the listing factor (whole words), up to
    _CHECKED - 1 more of whole words, and one with word starts (checked last)."""
    whole = [f for f in factors if not _has_starts(f)]
    return whole[:_CHECKED] + [f for f in factors if _has_starts(f)][:1] if whole else []


def _merged(ways: list[list[_Factor]]) -> list[frozenset[_Factor]]:
    """The same ways, fewer: (A and B) or (A and C) is A and (B or C), and a way that needs
    more than another adds nothing."""
    options = {frozenset(way) for way in ways}
    changed = True
    while changed:
        changed = False
        for one in sorted(options, key=len):
            for other in options:
                if other == one or len(other) != len(one) or len(one & other) != len(one) - 1:
                    continue
                (mine,), (theirs,) = one - other, other - one
                options -= {one, other}
                options.add((one & other) | {mine | theirs})
                changed = True
                break
            if changed:
                break
    return [way for way in options if not any(other < way for other in options)]


class Gate:
    """Which alternatives of named patterns can match a text, given the text's words.

    Each way an alternative can match is listed under the words of its most selective factor,
    with its other factors as bit masks over the gate's vocabulary: a text's words become one
    int, and a listed way holds when the int meets each mask. The answer is an int too, with a
    bit per alternative; `pattern()` turns it into the pattern to run."""

    def __init__(self, patterns: Mapping[str, re.Pattern[str]]) -> None:
        self.shapes = {name: Shape(pattern) for name, pattern in patterns.items()}
        self.spans: dict[str, tuple[int, int]] = {}  # name -> (first bit, number of alternatives)
        ways: list[tuple[int, list[_Factor]]] = []
        count = 0
        for name, shp in self.shapes.items():
            self.spans[name] = (count, len(shp.alternatives))
            for index in range(len(shp.alternatives)):
                for factors in _merged(atoms_of(shp.only([index]))):
                    ways.append((count + index, sorted(factors, key=_cost)))
            count += len(shp.alternatives)
        # Bits only for words a check needs; the listing words are looked up directly.
        checked = [f for _, factors in ways for f in _checks(factors)[1:]]
        vocabulary = sorted({w for f in checked for w in f if w[-1] != "*"})
        self.bits = {word: 2 << n for n, word in enumerate(vocabulary)}  # bit 0: always set
        self.vocabulary = frozenset(vocabulary)
        self.always = 0
        under: dict[str, dict[int, list[_Way]]] = {}
        for bit, factors in ways:
            whole, *rest = _checks(factors) or [None]
            if whole is None:
                self.always |= 1 << bit
                continue
            masks = [self._mask(f) for f in rest if not _has_starts(f)]
            masks += [1] * (_CHECKED - 1 - len(masks))
            starts = [f for f in rest if _has_starts(f)]
            lazy = None
            if starts:  # one factor with word starts, checked last
                lazy = self._mask(starts[0]), tuple(w[:-1] for w in starts[0] if w[-1] == "*")
            for word in whole:
                listed = under.setdefault(word, {}).setdefault(1 << bit, [])
                if (*masks, lazy) not in listed:
                    listed.append((*masks, lazy))  # type: ignore[arg-type]
        self.under = {
            word: [(bit, tuple(ways)) for bit, ways in by_bit.items()]
            for word, by_bit in under.items()
        }
        self.listed = frozenset(self.under)
        self.masks = {name: self.bits_of(name) for name in self.spans}
        self._reduced: dict[tuple[str, int], re.Pattern[str] | None] = {}

    def hits(self, words: Collection[str]) -> int:
        """A bit for each alternative that may match a text with these words."""
        mask = sum(map(self.bits.__getitem__, self.vocabulary.intersection(words))) | 1
        hit = self.always
        starts: dict[tuple[str, ...], bool] = {}  # word starts looked for, and if found
        for word in self.listed.intersection(words):
            for bit, ways in self.under[word]:
                if hit & bit:
                    continue
                for a, b, c, d, lazy in ways:
                    if not (mask & a and mask & b and mask & c and mask & d):
                        continue
                    if lazy is not None and not mask & lazy[0]:
                        found = starts.get(lazy[1])
                        if found is None:
                            found = any(map(str.startswith, words, repeat(lazy[1])))
                            starts[lazy[1]] = found
                        if not found:
                            continue
                    hit |= bit
                    break
        return hit

    def _mask(self, factor: _Factor) -> int:
        return sum(self.bits.get(word, 0) for word in factor)

    def bits_of(self, name: str) -> int:
        """The bits of pattern `name`'s alternatives in `hits()`."""
        first, count = self.spans[name]
        return ((1 << count) - 1) << first

    def pattern(self, name: str, hits: int) -> re.Pattern[str] | None:
        """Pattern `name` with only the alternatives that may match, or None if none may. The
        others cannot match anywhere in the text, so each match and its position stay."""
        keep = hits & self.masks[name]
        found = self._reduced.get((name, keep), self)
        if found is not self:
            return found  # type: ignore[return-value]
        if len(self._reduced) > _REDUCED_CACHE:
            self._reduced.clear()
        first, count = self.spans[name]
        arms = [i for i in range(count) if keep >> (first + i) & 1]
        reduced = None
        if len(arms) == count:
            reduced = self.shapes[name].full
        elif arms:
            reduced = re.compile(self.shapes[name].only(arms))
        self._reduced[name, keep] = reduced
        return reduced
