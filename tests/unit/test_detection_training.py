"""The detector's model: trained deterministically, shipped as trained, read as trained."""

from __future__ import annotations

import json
import math
import re

import pytest

from bot import detection
from bot.detection_model import Model, features, load, tokens
from bot.detection_train import (
    CORPUS_BOT_ID,
    DECIMALS,
    DEV_SET,
    FOLDS,
    MAX_WEIGHTS,
    WEIGHTS_PATH,
    Row,
    Settings,
    best_threshold,
    cross_validate,
    example,
    figures,
    fold_of,
    is_held_out,
    load_corpus,
    load_tsv,
    shifted,
    train,
    training_set,
)

needs_dev = pytest.mark.skipif(
    not DEV_SET.exists(), reason=f"the shared dev set is not at {DEV_SET}: it is trained on"
)


def _report() -> dict[str, object]:
    report = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))["report"]
    assert isinstance(report, dict)
    return report


@pytest.fixture(scope="module")
def training() -> list[object]:
    return list(training_set(load_corpus(), load_tsv(DEV_SET)))


@needs_dev
def test_the_shipped_weights_are_what_the_training_script_makes(training: list[object]) -> None:
    report = _report()
    settings = Settings(**report["settings"])  # type: ignore[arg-type]
    model = shifted(train(training, settings), float(report["threshold"]))  # type: ignore[arg-type]
    shipped = load()
    assert model.bias == pytest.approx(shipped.bias, abs=1e-6)
    assert model.weights.keys() == shipped.weights.keys()
    worst = max(abs(model.weights[name] - shipped.weights[name]) for name in model.weights)
    assert worst <= 2e-6, "retrain with `make train-detector` and commit the weights"


@needs_dev
def test_training_twice_gives_the_same_weights(training: list[object]) -> None:
    settings = Settings(epochs=2, l2=1e-3, min_count=2)
    assert train(training, settings) == train(training, settings)  # type: ignore[arg-type]


@needs_dev
@pytest.mark.slow
def test_cross_validation_reproduces_the_reported_figures(training: list[object]) -> None:
    report = _report()
    settings = Settings(**report["settings"])  # type: ignore[arg-type]
    scored = cross_validate(training, settings)  # type: ignore[arg-type]
    threshold, _ = best_threshold(scored)
    measured = figures([(p >= threshold, a) for p, a, _ in scored])
    print(f"{FOLDS}-fold cross-validation: {measured}")
    assert threshold == report["threshold"]
    expected = report["cross_validation"]
    assert isinstance(expected, dict)
    assert measured.precision == pytest.approx(expected["precision"], abs=1e-9)
    assert measured.recall == pytest.approx(expected["recall"], abs=1e-9)


def test_held_out_rows_are_never_trained_on() -> None:
    corpus = load_corpus()
    held = {row.text for row in corpus if is_held_out(row)}
    assert held
    if DEV_SET.exists():
        trained = {example.row.text for example in training_set(corpus, load_tsv(DEV_SET))}
        assert not held & trained
    folds = {fold_of(row) for row in corpus if not is_held_out(row)}
    assert folds == set(range(FOLDS))


def test_the_corpus_bots_mention_is_read_as_the_running_bot_reads_its_own() -> None:
    """The model must learn the `BOT` token a running bot reads for its mention; any other
    mention in the corpus is a person."""
    to_bot = example(Row(True, "bot_ask_mentor", f"<@{CORPUS_BOT_ID}> find me a mentor", "t"))
    to_person = example(Row(True, "terse_time", "<@U0ALICE01> got a minute?", "t"))
    assert "BOT" in to_bot.names
    assert "MENTION" not in to_bot.names
    assert "MENTION" in to_person.names
    corpus_bot_rows = [row for row in load_corpus() if f"<@{CORPUS_BOT_ID}>" in row.text]
    assert len(corpus_bot_rows) >= 20
    assert {row.is_ask for row in corpus_bot_rows} == {True, False}


def test_the_fast_margin_equals_the_features_margin() -> None:
    model = detection.MODEL
    for text in [row.text for row in load_corpus()[::7]] + ["", "?", "a a a a", "MENTION"]:
        words = tokens(detection._normalise(text, None)[0])
        assert model.word_margin(words) == pytest.approx(model.margin(features(words)), abs=1e-9)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MENTION got 10 minutes?", ["MENTION", "got", "00", "minutes", "?"]),
        ("can we do a 1:1 today", ["can", "we", "do", "a", "ONEONONE", "today"]),
        ("i'm curious, résumé ☕", ["im", "curious", "résumé", "☕"]),
        ("QUOTE and LINK (e-mail)", ["QUOTE", "and", "LINK", "e", "mail"]),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_features_are_each_once_with_ends_length_and_cues() -> None:
    names = features(["you", "you", "free", "?"], ["time_request", "time_request"])
    assert names == [
        "you", "free", "?", "^ you", "you you", "you free", "free ?", "? $", "@length1",
        "#time_request",
    ]  # fmt: skip


def test_the_weights_file_round_trips_and_says_what_was_measured() -> None:
    model = Model(-1.5, {"you": 0.25, "? $": 1.0})
    assert Model.from_json(model.to_json({"runs": 5})) == model
    # Loaded as parsed (no copy) when every weight is a float; an integer is made one.
    whole = Model.from_json('{"bias": -1, "weights": {"you": 1, "free": 0.5}}')
    assert whole == Model(-1.0, {"you": 1.0, "free": 0.5})
    assert all(type(weight) is float for weight in whole.weights.values())
    assert math.isclose(model.probability(["you", "? $", "nothing"]), 1 / (1 + math.exp(0.25)))
    report = _report()
    assert set(report) == {"settings", "runs", "threshold", "cross_validation", "held_out"}
    assert not any(re.search(r"\s{2,}", name) for name in load().weights)


def test_the_shipped_weights_are_few_short_and_shared() -> None:
    weights = load().weights
    # At most MAX_WEIGHTS: a dict of that many keys keeps a table of 32,768 slots.
    assert 0 < len(weights) <= MAX_WEIGHTS
    assert all(round(weight, DECIMALS) == weight for weight in weights.values())
    # One float object per distinct value, however many features carry it.
    assert len({id(weight) for weight in weights.values()}) == len(set(weights.values()))
    assert len(set(weights.values())) < len(weights) // 5


@needs_dev
def test_training_keeps_the_largest_weights_when_it_must_cut(
    training: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(epochs=1, l2=1e-3, min_count=2)
    whole = train(training, settings)  # type: ignore[arg-type]
    monkeypatch.setattr("bot.detection_train.MAX_WEIGHTS", 100)
    cut = train(training, settings)  # type: ignore[arg-type]
    assert len(cut.weights) == 100
    assert cut.weights.items() <= whole.weights.items()
    smallest_kept = min(abs(weight) for weight in cut.weights.values())
    assert all(
        abs(whole.weights[name]) <= smallest_kept
        for name in whole.weights.keys() - cut.weights.keys()
    )
