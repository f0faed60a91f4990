"""The words a regex cannot match without, read off its parse tree (for bot/detection_gate.py).

A sub-pattern is read as a small set of strings over the text's characters plus two marks: "#"
for a place that is surely no a-z letter (\\b, ^, $, \\s, punctuation) and "?" for anything
unknown (\\w+, [^.?!]{0,60}, ...). A run of a-z letters with a sure non-letter on both sides is
a whole word of any text the pattern matches; a run with only its start sure is a word's start.
Strings are short because pieces between two sure non-letters are read apart ("segments"), and
the inside of a long string is cut down to its best few words (the edges stay, since the next
piece may complete them). Every step only ever forgets words, so what is left is still needed.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from bot.detection_gate import ONE_ON_ONE
from bot.regex_tree import REGEX_OPCODES as sre
from bot.regex_tree import regex_parse_tree

__all__ = [
    "COMMON",
    "Factor",
    "checks",
    "has_starts",
    "merged",
    "ways_of",
]

Factor = frozenset[str]  # "one of these words"; "talk*" stands for a word starting "talk"
_Lang = frozenset[str]
# Function words that occur in most messages; a factor of these is a poor filter.
COMMON = frozenset({
    "you", "your", "to", "for", "on", "in", "it", "is", "do", "of", "me", "my", "the", "and",
    "any", "some", "can", "have", "get", "like", "with", "up", "how", "are", "would", "could",
    "will", "be", "at", "as", "by", "if", "so", "we", "this", "please", "also", "hey", "hi",
    "hello", "yo", "but", "a", "an", "i",
})  # fmt: skip
_EXPANSIONS = 64  # ways read per alternative
_KEPT = 3  # inside words kept per spelling
_PER_SEGMENT = 3  # factors read per segment
_CHECKED = 5  # factors checked per way (the rest are dropped: fewer checks, still sound)
_CAP = 4096  # spellings per language; beyond it, pieces are read apart (less precise, sound)

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
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
    return char if (char.islower() and char.isascii()) or char.isdigit() or char == ":" else "#"


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


def _pieces(items: Any, factors: list[Factor]) -> list[_Lang]:
    """Languages whose concatenation covers every match of `items`; factors that every match
    needs, found in parts too big to spell out, are appended to `factors`."""
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
            # An arm's own factors hold only when that arm matches: they stay inside it.
            arms = [_joined(_pieces(arm, [])) for arm in arg[1]]
            if all(arm is not None for arm in arms) and sum(map(len, arms)) <= _CAP:  # type: ignore[arg-type]
                lang = _Lang().union(*arms)  # type: ignore[arg-type]
            else:
                best = [_best(words_of(arm)) for arm in arg[1]]
                if all(best):
                    factors.append(Factor().union(*best))  # type: ignore[arg-type]
                lang = _ANY
        elif op in _REPEATS:
            inner: list[Factor] = []
            lang = _repeat(arg[0], arg[1], _joined(_pieces(arg[2], inner)))
            factors += inner if arg[0] else []  # a body that may not run requires nothing
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
    return words | {ONE_ON_ONE} if ONE_ON_ONE in text else words


def _word_cost(word: str) -> tuple[int, int]:
    return (word in COMMON, -len(word))


def _cost(factor: Factor) -> tuple[bool, int, int, int]:
    """Lower is a better filter: whole words, no common words, short lists, long words."""
    starts = any(word.endswith("*") for word in factor)
    return (starts, sum(word in COMMON for word in factor), len(factor), -min(map(len, factor)))


def _order(factor: Factor) -> tuple[tuple[bool, int, int, int], list[str]]:
    """`_cost`, ties broken by the words: a set's order changes with the hash seed, and the
    gate tables are built once and shipped (bot/detection_gate_build.py), so they must not."""
    return _cost(factor), sorted(factor)


def _best(factors: list[Factor]) -> Factor | None:
    return min(factors, key=_cost, default=None)


def words_of(items: Any) -> list[Factor]:
    """Word factors of a parsed pattern: any text it matches has a word of each factor.

    No word crosses a piece that is surely a non-letter (\\s+, \\b), so the pieces between two
    of those form one segment; a segment in which every spelling has a whole word gives the
    factor "one of these words"."""
    factors: list[Factor] = []
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
    return sorted(set(factors), key=_order)


@cache
def _segment_factors(lang: _Lang, left: str, right: str) -> list[Factor]:
    """Factors for one segment, each from words the ones before left out; a factor with word
    starts only if some spelling has no whole word."""
    padded = [f"{left}{text}{right}" for text in lang]
    per_string = [_words(text) for text in padded]
    if padded and not all(per_string):  # then one factor that may use word starts
        per_string = [
            w | {f"{p}*" for p in _PREFIX_RUN.findall(t)}
            for w, t in zip(per_string, padded, strict=True)
        ]
        return [_cover(per_string)] if all(per_string) else []
    factors: list[Factor] = []
    for _ in range(_PER_SEGMENT):
        if not per_string or not all(per_string):
            break
        factor = _cover(per_string)
        factors.append(factor)
        # The next factor does without the word this one leans on most ("spare" in "a spare
        # minute"), which leaves the other slot's words ("minute", "hour", ...).
        top = max(sorted(factor), key=lambda word: sum(word in words for words in per_string))
        per_string = [words - {top} for words in per_string]
    return factors


def _weight(word: str) -> int:
    """How much a word costs in a factor: function words are in most texts."""
    if word.endswith("*"):  # a word's start: it needs a slower check
        return 3
    return 1000 if word in COMMON or len(word) <= 2 else 1


def _cover(per_string: list[set[str]]) -> Factor:
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
    return Factor(chosen)


def _plain(items: Any) -> bool:
    """A run of literal characters: nothing to gain from reading it as a way of its own."""
    return all(op is sre.LITERAL for op, _ in items)


def _expand(items: Any, budget: int) -> list[list[Any]]:
    """The sequence as a few simpler sequences, one per arm of its structured branches (an
    arm with more than a word), while their number stays within `budget`: "X (a b | c) Y" is
    "X a b Y" or "X c Y", and each gets its own, tighter, factors."""
    sequences: list[list[Any]] = [[]]
    for op, arg in items:
        options: list[list[Any]] = [[(op, arg)]]
        if op is sre.SUBPATTERN:
            options = _expand(arg[3], max(budget // len(sequences), 1))
        elif op is sre.BRANCH and not all(_plain(arm) for arm in arg[1]):
            room = max(budget // len(sequences), 1)
            arms = [e for arm in arg[1] for e in _expand(arm, room)]
            if len(arms) > room:
                arms = [list(arm) for arm in arg[1]]
            if len(arms) <= room:
                options = arms
        elif op in _REPEATS and arg[:2] == (0, 1) and not _plain(arg[2]):
            options = [[], list(arg[2])]  # "X (B)? Y" is "X Y" or "X B Y"
        if len(sequences) * len(options) > budget:
            options = [[(op, arg)]]
        sequences = [s + o for s in sequences for o in options]
    return sequences


@cache
def ways_of(pattern: str) -> list[list[Factor]]:
    """Ways a pattern can match, each with the word factors it needs, best first."""
    ways = [words_of(items) for items in _expand(regex_parse_tree(pattern), _EXPANSIONS)]
    return [sorted(way, key=_order) for way in merged(ways)]


def has_starts(factor: Factor) -> bool:
    return any(word[-1] == "*" for word in factor)


def checks(factors: list[Factor]) -> list[Factor]:
    """The factors a gate checks, best first: the listing factor (whole words), up to
    _CHECKED - 1 more of whole words, and one with word starts (checked last)."""
    whole = [f for f in factors if not has_starts(f)]
    return whole[:_CHECKED] + [f for f in factors if has_starts(f)][:1] if whole else []


def merged(ways: list[list[Factor]]) -> list[frozenset[Factor]]:
    """The same ways, fewer: (A and B) or (A and C) is A and (B or C), and a way that needs
    more than another adds nothing."""
    options = {frozenset(way) for way in ways}
    changed = True
    while changed:
        changed = False
        ordered = sorted(options, key=_way_order)  # not the set's order: it follows the hash seed
        for one in ordered:
            for other in ordered:
                if other == one or len(other) != len(one) or len(one & other) != len(one) - 1:
                    continue
                (mine,), (theirs,) = one - other, other - one
                options -= {one, other}
                options.add((one & other) | {mine | theirs})
                changed = True
                break
            if changed:
                break
    return [way for way in sorted(options, key=_way_order) if not any(o < way for o in options)]


def _way_order(way: frozenset[Factor]) -> tuple[int, list[list[str]]]:
    return len(way), sorted(sorted(factor) for factor in way)
