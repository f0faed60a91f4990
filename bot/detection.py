"""Decide whether a Slack message asks a person for their time or advice.

Pure, dependency-free and fast: normalise the Slack markup (code and quotes dropped, mentions
and links turned into tokens), then score hand-written cues sentence by sentence: phrase cues
("got a min?", "pick your brain"), a request-frame + requested-object fallback, negative cues
(offers, durations, work tasks, reported speech) and message-wide context. See
docs/detection.md for the reasoning, the measured precision/recall and how to tune it.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from bot.detection_cues import (
    CONTEXT,
    FRAME,
    NEGATIVE,
    OBJECTS,
    POSITIVE,
    W_COMPOSITE,
    W_EXTRA,
)
from bot.detection_gate import Gate, words_in
from bot.detection_text import MAX_SCAN_CHARS
from bot.detection_text import normalise as _normalise
from bot.detection_text import raw_words as _raw_words

__all__ = ["DEFAULT_THRESHOLD", "Detection", "classify"]

DEFAULT_THRESHOLD = 0.5
# Points needed for score 0.5: one strong cue (3.0) clears it alone, a medium cue needs support.
_BIAS = 2.8


@dataclass(frozen=True, slots=True)
class Detection:
    """Verdict for one message: is it an ask, how sure, whom it targets and why."""

    is_ask: bool
    score: float
    target: str | None
    reasons: tuple[str, ...]


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


# The cues' trigger words, compiled: one C-level search per cue instead of a Python loop over
# its words.
def _words(words: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(set(words), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered)) if ordered else "(?!)")


# Each pattern is known to a gate by a key; the gates say which of its alternatives can match.
_ASK_GATE = Gate(
    {f"positive{i}": cue[3] for i, cue in enumerate(POSITIVE)}
    | {f"object{i}": cue[3] for i, cue in enumerate(OBJECTS)}
    | {"frame": FRAME}
)
_REST_GATE = Gate(
    {f"negative{i}": cue[3] for i, cue in enumerate(NEGATIVE)}
    | {f"context{i}": context[0] for i, context in enumerate(CONTEXT)}
)
# The last item: the bits of the alternatives that may match without a trigger word. When the
# gate keeps none of those, looking for a trigger first is no use: a match would contain one.
_POSITIVE = tuple(
    (name, weight, _words(triggers), key, bits, bits & ~_ASK_GATE.containing(key, triggers))
    for i, (name, weight, triggers, _) in enumerate(POSITIVE)
    if (bits := _ASK_GATE.bits_of(key := f"positive{i}"))
)
_OBJECTS = tuple(
    (name, weight, _words(triggers), key, bits, bits & ~_ASK_GATE.containing(key, triggers))
    for i, (name, weight, triggers, _) in enumerate(OBJECTS)
    if (bits := _ASK_GATE.bits_of(key := f"object{i}"))
)
_NEGATIVE = tuple(
    (name, weight, key, _REST_GATE.bits_of(key))
    for i, (name, weight, _, _) in enumerate(NEGATIVE)
    if (key := f"negative{i}")
)
_CONTEXT = tuple(
    (key, weight, reason, _REST_GATE.bits_of(key))
    for i, (_, weight, reason) in enumerate(CONTEXT)
    if (key := f"context{i}")
)
_PHRASE_BITS = sum(cue[4] for cue in _POSITIVE)
_OBJECT_BITS = sum(cue[4] for cue in _OBJECTS)
_FRAME_BITS = _ASK_GATE.bits_of("frame")


def _composite(
    text: str, ends: list[int], skip: set[int], hits: int, ascii: int
) -> dict[int, dict[str, float]]:
    """Frame + requested objects per sentence, for sentences no phrase cue already explained."""
    if not (hits & _FRAME_BITS and hits & _OBJECT_BITS):
        return {}  # no frame or nothing requested can match
    if skip and skip.issuperset(range(len(ends) + (not ends or ends[-1] < len(text)))):
        return {}  # every sentence already has a phrase cue
    # The frame first: its reduced pattern is mostly a word or two, and it often rules out all.
    compiled = _ASK_GATE.compiled
    frame = compiled.get(hits & _FRAME_BITS | ascii) or _ASK_GATE.pattern("frame", hits, ascii)
    framed = {bisect_right(ends, m.start()) for m in frame.finditer(text)} - skip if frame else None
    if not framed:
        return {}
    objects = [
        (kind, sentences)
        for kind, _, triggers, key, bits, unsure in _OBJECTS
        if hits & bits
        and (pattern := compiled.get(hits & bits | ascii) or _ASK_GATE.pattern(key, hits, ascii))
        and (not hits & unsure or triggers.search(text))
        and (sentences := {bisect_right(ends, m.start()) for m in pattern.finditer(text)} - skip)
    ]
    found: dict[int, list[str]] = {}
    for kind, sentences in objects:
        for index in sentences & framed:
            found.setdefault(index, []).append(kind)
    return {
        index: {f"asks_for_{'+'.join(kinds)}": W_COMPOSITE + W_EXTRA * (len(kinds) - 1)}
        for index, kinds in found.items()
    }


def _sentence_ends(text: str) -> list[int]:
    """Where each sentence ends: after a ".", "!" or "?" that a space or the end follows."""
    last = len(text) - 1
    if text.find("?", 0, last) < 0 and text.find(".", 0, last) < 0 and text.find("!", 0, last) < 0:
        return [last + 1] if text[last:] in ("?", ".", "!") else []  # one sentence: most texts
    return [m.end() for m in _SENTENCE_END.finditer(text)]


def _score(text: str, words: Collection[bytes], hits: int) -> tuple[float, list[str]]:
    """Points and reasons. Each sentence nets its own cues, so a negative ("thanks for the chat!")
    can't cancel an ask in the next sentence; question, address and topic count once per message.
    `words` holds at least the text's words and `hits` what `_ASK_GATE` makes of them.
    """
    ends = _sentence_ends(text)
    ascii = text.isascii()  # then each gate gives the ASCII twins of its patterns
    flag = _ASK_GATE.ascii if ascii else 0
    sentences: dict[int, dict[str, float]] = {}
    compiled = _ASK_GATE.compiled
    for name, weight, triggers, key, bits, unsure in _POSITIVE if hits & _PHRASE_BITS else ():
        if not hits & bits:
            continue
        pattern = compiled.get(hits & bits | flag) or _ASK_GATE.pattern(key, hits, flag)
        if pattern is not None and (not hits & unsure or triggers.search(text)):
            for match in pattern.finditer(text):
                sentences.setdefault(bisect_right(ends, match.start()), {})[name] = weight
    sentences.update(_composite(text, ends, set(sentences), hits, flag))
    if not sentences:
        return 0.0, []  # negatives only ever cancel positives, so most messages stop here
    rest = _REST_GATE.hits(words)  # the same for negatives and context
    compiled = _REST_GATE.compiled
    flag = _REST_GATE.ascii if ascii else 0
    for name, weight, key, bits in _NEGATIVE:
        if not rest & bits:
            continue
        pattern = compiled.get(rest & bits | flag) or _REST_GATE.pattern(key, rest, flag)
        for match in pattern.finditer(text) if pattern is not None else ():
            if (index := bisect_right(ends, match.start())) in sentences:
                sentences[index][name] = weight
    points, reasons = 0.0, []
    for index in sorted(sentences):
        cues = sentences[index]
        positive: list[tuple[float, str]] = []
        negative, against = 0.0, []
        for name, weight in cues.items():  # in the order the cues were found, as sum() adds
            if weight > 0:
                positive.append((weight, name))
            elif weight < 0:
                negative += weight
                against.append(f"not_{name}")
        positive.sort()
        # The strongest cue carries the sentence; more cues agreeing add a little.
        net = positive[-1][0] + W_EXTRA * min(len(positive) - 1, 2)
        net += negative
        if net > 0:
            points += net
            reasons += [name for _, name in reversed(positive)]
        reasons += against
    if points > 0:
        for key, weight, reason, bits in _CONTEXT:
            if not rest & bits:
                continue
            pattern = compiled.get(rest & bits | flag) or _REST_GATE.pattern(key, rest, flag)
            if pattern is not None and pattern.search(text):
                points += weight
                reasons.append(reason)
    return points, reasons


_NOT_AN_ASK = Detection(is_ask=False, score=0.0, target=None, reasons=())


def classify(
    text: str,
    *,
    thread_parent_user: str | None = None,
    bot_user_id: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> Detection:
    """Classify one Slack message (raw event text) as an ask for time or advice, or not."""
    words, hits, slang = None, 0, True
    if len(text) <= MAX_SCAN_CHARS:  # longer texts are cut while normalised: no raw prefilter
        words, slang = _raw_words(text)
        hits = _ASK_GATE.hits(words)
        if not (hits & _PHRASE_BITS or (hits & _FRAME_BITS and hits & _OBJECT_BITS)):
            return _NOT_AN_ASK  # the verdict the full path gives a text no positive cue matches
    normalised, mentions = _normalise(text, bot_user_id, slang)
    if words is None:
        words = words_in(normalised)
        hits = _ASK_GATE.hits(words)
    points, reasons = _score(normalised, words, hits) if normalised else (0.0, [])
    score = 1.0 / (1.0 + math.exp(_BIAS - points)) if points > 0 else 0.0
    if points <= 0 or score < threshold:
        return Detection(False, score, None, tuple(reasons))  # positional: a little cheaper
    target = mentions[0] if mentions else None
    if target is None and thread_parent_user and thread_parent_user != bot_user_id:
        target = thread_parent_user
    return Detection(True, score, target, tuple(dict.fromkeys(reasons)))
