"""The learned half of the ask detector: a linear model over a message's words and cues.

The cues in `bot/detection_cues.py` know the shapes of an ask ("got a min?", "pick your
brain"); the model weighs them against the words around them, which it learned from the
labelled corpus in `tests/data/corpus/`. A message's features are its word unigrams and
bigrams (with start and end marks), its length, and the names of the cues that fired. The
weights come from `bot/detection_train.py` and ship as `bot/data/detection_weights.json`.
"""

from __future__ import annotations

import json
import math
import string
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from itertools import pairwise

__all__ = ["WEIGHTS_FILE", "Model", "features", "load", "sigmoid", "tokens"]

# Tokens are what stands between spaces once ASCII punctuation is gone: words ("don't" is
# "dont"), the UPPERCASE markup tokens, emoji and other non-ASCII runs, and "?", which stays
# a token of its own. Every digit reads "0", so "10 min" and "15 min" are one feature.
_TOKEN_TABLE = str.maketrans(
    {character: " " for character in string.punctuation if character not in "?'"}
    | dict.fromkeys(string.digits, "0")
    | {"'": None}
)
# The length in words, in steps of four: a terse "2 mins?" reads differently from the same
# words inside a paragraph.
_LENGTHS = tuple(f"@length{step}" for step in range(7))
WEIGHTS_FILE = "detection_weights.json"


def tokens(normalised: str) -> list[str]:
    """The tokens of a normalised text, in order ("1:1" is "ONEONONE", not "0 0")."""
    if "1:1" in normalised:
        normalised = normalised.replace("1:1", " ONEONONE ")
    return normalised.translate(_TOKEN_TABLE).replace("?", " ? ").split()


def length_feature(words: list[str]) -> str:
    return _LENGTHS[min(len(words) // 4, len(_LENGTHS) - 1)]


def features(words: list[str], cues: Iterable[str] = ()) -> list[str]:
    """Feature names, each once: unigrams, bigrams with "^"/"$" at the ends, the length and
    "#cue" for each cue that fired."""
    padded = ["^", *words, "$"]
    found = words + [f"{a} {b}" for a, b in pairwise(padded)]
    found.append(length_feature(words))
    found += [f"#{cue}" for cue in cues]
    return list(dict.fromkeys(found))


def sigmoid(margin: float) -> float:
    if margin < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-margin))


@dataclass(frozen=True, slots=True)
class Model:
    """A logistic model: P(ask) = sigmoid(bias + the weights of the features present)."""

    bias: float
    weights: dict[str, float]

    def margin(self, names: Iterable[str]) -> float:
        return self.bias + self.weight_of(names)

    def weight_of(self, names: Iterable[str]) -> float:
        """The weights of these features, summed (a name the model doesn't know weighs 0)."""
        get = self.weights.get
        return sum(get(name, 0.0) for name in names)

    def word_margin(self, words: list[str]) -> float:
        """`margin(features(words))`, without building the feature list (the hot path)."""
        get = self.weights.get
        seen: set[str] = set()
        total = self.bias + get(length_feature(words), 0.0)
        previous = "^"
        for word in words:
            if word not in seen:
                seen.add(word)
                total += get(word, 0.0)
            pair = f"{previous} {word}"
            if pair not in seen:
                seen.add(pair)
                total += get(pair, 0.0)
            previous = word
        return total + get(f"{previous} $", 0.0)

    def probability(self, names: Iterable[str]) -> float:
        return sigmoid(self.margin(names))

    def to_json(self, report: dict[str, object] | None = None) -> str:
        """The weights file: the figures the training measured (`report`), then the model."""
        body = {
            "report": report or {},
            "bias": self.bias,
            "weights": dict(sorted(self.weights.items())),
        }
        # ASCII only (emoji features escaped): a text with one non-ASCII character is held at
        # four bytes a character while it is parsed, and the process keeps that peak (1.9 MB).
        return json.dumps(body, indent=0, ensure_ascii=True) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> Model:
        # One float object per distinct number: the weights have ~1,200 distinct values for
        # ~22,000 features (`DECIMALS` in bot/detection_train.py); one each is 0.5 MB more.
        shared: dict[str, float] = {}

        def number(literal: str) -> float:
            value = shared.get(literal)
            if value is None:
                value = shared[literal] = float(literal)
            return value

        body = json.loads(text, parse_float=number)
        weights = body["weights"]
        # The parsed dict is kept as it is when it is already {str: float}, as the training
        # writes it: a copy would hold twice the memory while it is made, and the process
        # keeps that peak (24,000 weights: 3 MB).
        if not all(type(weight) is float for weight in weights.values()):
            weights = {name: float(weight) for name, weight in weights.items()}
        return cls(float(body["bias"]), weights)


def load() -> Model:
    """The shipped model (read once at import by `bot.detection`)."""
    return Model.from_json(resources.files("bot").joinpath("data", WEIGHTS_FILE).read_bytes())
