"""Decide whether a Slack message asks a person for their time or advice.

Pure, dependency-free and fast: normalise the Slack markup (code and quotes dropped, mentions
and links turned into tokens), find the hand-written cues sentence by sentence (phrase cues
such as "got a min?" or "pick your brain", and negatives such as offers, durations, work tasks
and reported speech, which cancel a phrase cue in their sentence), and let a linear model
learned from a labelled corpus weigh the words and the cues (`bot/detection_model.py`). See
docs/detection.md for the reasoning, the corpus, the measured precision/recall and how to
retrain.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from bot.detection_cues import GATED, NEGATIVE, POSITIVE, TRIGGERS
from bot.detection_gate import words_in
from bot.detection_gate_file import load_gates
from bot.detection_model import load, sigmoid, tokens
from bot.detection_text import normalise as _normalise

__all__ = ["DEFAULT_THRESHOLD", "Detection", "Reading", "classify", "read"]

DEFAULT_THRESHOLD = 0.5
# Netting a sentence: its strongest phrase cue, plus this much for each other one (two at
# most), plus its negatives. A sentence that nets nothing keeps only its negatives.
_EXTRA = 0.5


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
# Their tables are built ahead (`make gates`) and read from bot/data/detection_gates.json.
_GATES, _WITH_TRIGGER = load_gates(GATED, TRIGGERS)
_ASK_GATE, _REST_GATE = _GATES["ask"], _GATES["rest"]
# The last item: the bits of the alternatives that may match without a trigger word. When the
# gate keeps none of those, looking for a trigger first is no use: a match would contain one.
_POSITIVE = tuple(
    (name, weight, _words(triggers), key, bits, bits & ~_WITH_TRIGGER[key])
    for i, (name, weight, triggers, _) in enumerate(POSITIVE)
    if (bits := _ASK_GATE.bits_of(key := f"positive{i}"))
)
_NEGATIVE = tuple(
    (name, weight, key, _REST_GATE.bits_of(key))
    for i, (name, weight, _, _) in enumerate(NEGATIVE)
    if (key := f"negative{i}")
)
_PHRASE_BITS = sum(cue[4] for cue in _POSITIVE)
_PHRASE_ORDER = tuple(dict.fromkeys(cue[0] for cue in POSITIVE))


def _sentence_ends(text: str) -> list[int]:
    """Where each sentence ends: after a ".", "!" or "?" that a space or the end follows."""
    last = len(text) - 1
    if text.find("?", 0, last) < 0 and text.find(".", 0, last) < 0 and text.find("!", 0, last) < 0:
        return [last + 1] if text[last:] in ("?", ".", "!") else []  # one sentence: most texts
    return [m.end() for m in _SENTENCE_END.finditer(text)]


def cues(text: str, words: Collection[bytes], hits: int, rest: int | None = None) -> list[str]:
    """The cues the model reads in a normalised text: the strongest phrase cue of the sentences
    that net above zero, then "not_…" for each negative found in a sentence with a phrase cue.
    So a negative ("thanks for the chat!") can't cancel an ask in the next sentence. `words`
    holds at least the text's words, `hits` what `_ASK_GATE` makes of them and `rest`, if
    known, what `_REST_GATE` does."""
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
    if not sentences:
        return []  # negatives only ever cancel phrase cues
    if rest is None:
        rest = _REST_GATE.hits(words)
    compiled = _REST_GATE.compiled
    flag = _REST_GATE.ascii if ascii else 0
    for name, weight, key, bits in _NEGATIVE:
        if not rest & bits:
            continue
        pattern = compiled.get(rest & bits | flag) or _REST_GATE.pattern(key, rest, flag)
        for match in pattern.finditer(text) if pattern is not None else ():
            if (index := bisect_right(ends, match.start())) in sentences:
                sentences[index][name] = weight
    standing: set[str] = set()
    against: list[str] = []
    for index in sorted(sentences):
        weights = sentences[index]
        positive = sorted(weight for weight in weights.values() if weight > 0)
        negative = [(name, weight) for name, weight in weights.items() if weight < 0]
        net = positive[-1] + _EXTRA * min(len(positive) - 1, 2)
        if net + sum(weight for _, weight in negative) > 0:
            standing.update(name for name, weight in weights.items() if weight > 0)
        against += [f"not_{name}" for name, _ in negative]
    # The table lists the strongest cues first.
    top = [name for name in _PHRASE_ORDER if name in standing][:1]
    return top + list(dict.fromkeys(against))


MODEL = load()
_NEGATIVE_NAMES = tuple(dict.fromkeys(cue[0] for cue in NEGATIVE))


def _cue_weight(name: str) -> float:
    return MODEL.weights.get(f"#{name}", 0.0)


# The most the cues can add to a margin: the strongest phrase cue the gate lets fire (only one
# is read), and the negatives whose weight came out positive.
_PHRASE_CUES = tuple(
    (sum(cue[4] for cue in _POSITIVE if cue[0] == name), max(_cue_weight(name), 0.0))
    for name in _PHRASE_ORDER
)
_NEGATIVES_MOST = sum(max(_cue_weight(f"not_{name}"), 0.0) for name in _NEGATIVE_NAMES)
_CUES_MOST = _NEGATIVES_MOST + max((weight for _, weight in _PHRASE_CUES), default=0.0)
# And the least: the weakest phrase cue, and every negative whose weight came out negative,
# each with the rest gate's bits of its patterns (one the gate rules out takes nothing away).
_PHRASE_LEAST = min(0.0, *(_cue_weight(name) for name in _PHRASE_ORDER))
_NEGATIVE_PULLS = tuple(
    (sum(cue[3] for cue in _NEGATIVE if cue[0] == name), weight)
    for name in _NEGATIVE_NAMES
    if (weight := _cue_weight(f"not_{name}")) < 0
)
_CUES_LEAST = _PHRASE_LEAST + sum(weight for _, weight in _NEGATIVE_PULLS)


def _most_from_cues(hits: int) -> float:
    phrase = (weight for bits, weight in _PHRASE_CUES if hits & bits)
    return _NEGATIVES_MOST + max(phrase, default=0.0)


def _least_from_cues(rest: int) -> float:
    return _PHRASE_LEAST + sum(weight for bits, weight in _NEGATIVE_PULLS if rest & bits)


def _logit(probability: float) -> float:
    if probability <= 0.0:
        return -math.inf
    if probability >= 1.0:
        return math.inf
    return math.log(probability / (1.0 - probability))


_DEFAULT_LOGIT = _logit(DEFAULT_THRESHOLD)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the detector reads in one message: its normalised text, mentions and cues."""

    normalised: str
    mentions: list[str]
    cues: list[str]


def read(text: str, bot_user_id: str | None = None) -> Reading:
    """Normalise a message and find its cues: what the model's features are made of."""
    normalised, mentions = _normalise(text, bot_user_id)
    words = words_in(normalised)
    hits = _ASK_GATE.hits(words)
    found = cues(normalised, words, hits) if hits & _PHRASE_BITS else []
    return Reading(normalised, mentions, found)


def classify(
    text: str,
    *,
    thread_parent_user: str | None = None,
    bot_user_id: str | None = None,
    author: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> Detection:
    """Classify one Slack message (raw event text) as an ask for time or advice, or not.

    The model weighs the message's words; the cues are looked for only when they could change
    the verdict, so when the words settle it, `score` and `reasons` leave them out
    (docs/detection.md, "Speed")."""
    normalised, mentions = _normalise(text, bot_user_id)
    margin = MODEL.word_margin(tokens(normalised))
    reasons: tuple[str, ...] = ()
    line = _DEFAULT_LOGIT if threshold == DEFAULT_THRESHOLD else _logit(threshold)
    # The cues run only when they can change the verdict: when they can lift the words' margin
    # over the line, and can also pull it under.
    if margin + _CUES_MOST >= line and margin + _CUES_LEAST < line:
        words = words_in(normalised)
        # Words already over the line, and no negative that could fire here: settled. Most
        # plain asks end here, before the phrase cues' regexes.
        rest = _REST_GATE.hits(words) if margin >= line else None
        if rest is None or margin + _least_from_cues(rest) < line:
            hits = _ASK_GATE.hits(words)
            if hits & _PHRASE_BITS and margin + _most_from_cues(hits) >= line:
                reasons = tuple(cues(normalised, words, hits, rest))
                margin += MODEL.weight_of(f"#{name}" for name in reasons)
    score = sigmoid(margin)
    if score < threshold:
        return Detection(False, score, None, reasons)
    # The first person mentioned, else the thread's starter; never the bot, nor the author
    # ("<@me> here: <@dana> got a minute?" asks Dana).
    named = (user for user in (*mentions, thread_parent_user) if user)
    target = next((user for user in named if user not in (bot_user_id, author)), None)
    return Detection(True, score, target, reasons)
