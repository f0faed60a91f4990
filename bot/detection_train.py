"""Train the ask detector's model on the labelled corpus, deterministically.

`python -m bot.detection_train` reads every `tests/data/corpus/*.tsv` file plus the shared dev
set, keeps a held-out fifth of the corpus (chosen by a hash of each text) out of every choice,
picks the settings by k-fold cross-validation on the rest, trains on the rest, prints the
figures and writes `bot/data/detection_weights.json`. Same corpus, same weights: the order of
examples comes from a seeded generator, and nothing else is random.
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import hashlib
import math
import multiprocessing
import os
import random
import signal
import sys
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.detection import read
from bot.detection_model import WEIGHTS_FILE, Model, features, sigmoid, tokens

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT / "tests" / "data" / "corpus"
DEV_SET = ROOT.parent / "shared" / "data" / "detection_dev.tsv"
WEIGHTS_PATH = ROOT / "bot" / "data" / WEIGHTS_FILE
HELD_OUT_SHARE = 0.2
FOLDS = 5
SEED = 20261206


@dataclass(frozen=True, slots=True)
class Row:
    """One labelled message: what it is, what kind of case, where it came from."""

    is_ask: bool
    kind: str
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Example:
    """A row as the model sees it: its feature names."""

    row: Row
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Settings:
    """What cross-validation chooses among."""

    epochs: int
    l2: float
    min_count: int


GRID = tuple(
    Settings(epochs, l2, min_count)
    for epochs in (5, 10)
    for l2 in (1e-3, 1e-2)
    for min_count in (1, 2)
)
# The model is the average of this many runs in different orders (bagging): one order's
# luck evens out, and cross-validation measured it better than any single run.
RUNS = 5
# Weights are kept to this many decimals: a margin moves by less than 0.01 for it, and the
# process holds one float object per distinct weight (~1,200) rather than one per feature.
DECIMALS = 3
# The model keeps at most this many weights, the largest: a dict of up to 21,845 keys fits a
# table of 32,768 slots, and one more doubles it (0.5 MB more in every process). The weights
# dropped are the smallest (|w| about 0.1 and under), and cross-validation measures the
# model as cut.
MAX_WEIGHTS = 21_845
# Cross-validated min(precision, recall) this close to the best counts as a tie.
TIE = 0.002
# The corpus writes the bot's own mention as this id, so the model learns the `BOT` token that
# a running bot reads for its mention (any other id is a person: `MENTION`).
CORPUS_BOT_ID = "UBOTMENTR1"


def load_tsv(path: Path) -> list[Row]:
    """Rows of a `label<TAB>kind<TAB>text` (or `label<TAB>text`) file; `\\n` is a newline."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    if header not in (["label", "kind", "text"], ["label", "text"]):
        raise ValueError(f"{path.name}: unexpected header {lines[0]!r}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        parts = line.split("\t", len(header) - 1)
        if len(parts) != len(header) or parts[0] not in ("0", "1") or not parts[-1].strip():
            raise ValueError(f"{path.name}:{number}: not a labelled row")
        kind = parts[1] if len(header) == 3 else "dev"
        rows.append(Row(parts[0] == "1", kind, parts[-1].replace("\\n", "\n"), path.name))
    return rows


def load_corpus(directory: Path = CORPUS_DIR) -> list[Row]:
    """Every corpus file's rows, each text once (the first file that has it keeps it)."""
    seen: set[str] = set()
    rows = []
    for path in sorted(directory.glob("*.tsv")):
        for row in load_tsv(path):
            if row.text not in seen:
                seen.add(row.text)
                rows.append(row)
    return rows


def _bucket(text: str) -> float:
    """A stable number in [0, 1) for a text: the split must not move when files are reordered."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_held_out(row: Row) -> bool:
    return _bucket(row.text) < HELD_OUT_SHARE


def fold_of(row: Row) -> int:
    return int((_bucket(row.text) - HELD_OUT_SHARE) / (1 - HELD_OUT_SHARE) * FOLDS) % FOLDS


def example(row: Row) -> Example:
    reading = read(row.text, CORPUS_BOT_ID)
    return Example(row, tuple(features(tokens(reading.normalised), reading.cues)))


def train(examples: Sequence[Example], settings: Settings) -> Model:
    """The average of `RUNS` models, each trained in its own seeded order."""
    counts = Counter(name for item in examples for name in set(item.names))
    known = sorted(name for name, count in counts.items() if count >= settings.min_count)
    index = {name: i for i, name in enumerate(known)}
    rows = [
        ([index[name] for name in item.names if name in index], item.row.is_ask)
        for item in examples
    ]
    runs = _in_parallel(rows, len(known), settings, [SEED + run for run in range(RUNS)])
    weights = {
        name: round(sum(run[i] for run in runs) / RUNS, DECIMALS) for i, name in enumerate(known)
    }
    bias = round(sum(run[-1] for run in runs) / RUNS, 6)
    kept = sorted((name for name in known if weights[name]), key=lambda n: -abs(weights[n]))
    return Model(bias, {name: weights[name] for name in sorted(kept[:MAX_WEIGHTS])})


def _in_parallel(
    rows: Sequence[tuple[list[int], bool]], size: int, settings: Settings, seeds: list[int]
) -> list[list[float]]:
    """`_train_once` for each seed, on every core. A run is the same arithmetic in whichever
    process it runs, so the weights don't depend on how many cores there are."""
    run = functools.partial(_train_once, rows, size, settings)
    workers = min(len(seeds), _cores())
    if workers < 2:
        return [run(seed) for seed in seeds]
    # A pool for this training only, so no worker outlives it; forked, because a spawned
    # worker would import the caller's main script again (impossible for one read from stdin).
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_die_with_parent) as pool:
        return list(pool.map(run, seeds))


def _cores() -> int:
    """Cores this process may use; 1 (no workers) off Linux, where fork isn't safe."""
    if sys.platform != "linux":
        return 1
    return len(os.sched_getaffinity(0))


def _die_with_parent() -> None:
    """A worker is killed with the training that started it (a killed parent would otherwise
    leave it waiting on its queue forever, holding the parent's pipes)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_PR_SET_PDEATHSIG = 1


def _train_once(
    rows: Sequence[tuple[list[int], bool]], size: int, settings: Settings, seed: int
) -> list[float]:
    """Logistic regression by stochastic gradient descent with AdaGrad steps (each weight's
    step shrinks with its own gradients so far), in the order a seeded shuffle gives. `rows`
    are (feature numbers, is an ask); the weights come back by number, the bias last."""
    weights = [0.0] * (size + 1)  # the last one is the bias, whose feature is always on
    squares = [_EPSILON] * (size + 1)
    bias = size
    order = list(range(len(rows)))
    rng = random.Random(seed)  # noqa: S311 - a reproducible order, not a secret
    l2, sqrt, weight = settings.l2, math.sqrt, weights.__getitem__
    for _ in range(settings.epochs):
        rng.shuffle(order)
        for position in order:
            ids, label = rows[position]
            error = sigmoid(weights[bias] + sum(map(weight, ids))) - label
            squares[bias] += error * error
            weights[bias] -= _RATE * error / sqrt(squares[bias])
            # A feature is in `ids` once, so each gradient still reads its weight from before
            # this step's updates: the same arithmetic as gathering them all first, but faster.
            for i in ids:
                gradient = error + l2 * weights[i]
                squares[i] += gradient * gradient
                weights[i] -= _RATE * gradient / sqrt(squares[i])
    return weights


_RATE = 0.1
_EPSILON = 1e-8


@dataclass(frozen=True, slots=True)
class Figures:
    n: int
    asks: int
    precision: float
    recall: float

    def __str__(self) -> str:
        return (
            f"n={self.n} asks={self.asks} precision={self.precision:.3f} recall={self.recall:.3f}"
        )


def figures(pairs: Sequence[tuple[bool, bool]]) -> Figures:
    """Precision and recall of (predicted, actual) pairs."""
    tp = sum(p and a for p, a in pairs)
    fp = sum(p and not a for p, a in pairs)
    fn = sum(a and not p for p, a in pairs)
    return Figures(len(pairs), tp + fn, tp / max(tp + fp, 1), tp / max(tp + fn, 1))


def cross_validate(
    examples: Sequence[Example], settings: Settings
) -> list[tuple[float, bool, Example]]:
    """Out-of-fold probabilities for every example."""
    out: list[tuple[float, bool, Example]] = []
    for fold in range(FOLDS):
        training = [item for item in examples if fold_of(item.row) != fold]
        model = train(training, settings)
        for item in examples:
            if fold_of(item.row) == fold:
                out.append((model.probability(item.names), item.row.is_ask, item))
    return out


def best_threshold(scored: Sequence[tuple[float, bool, Example]]) -> tuple[float, float]:
    """The threshold with the best min(precision, recall), and that value."""
    best = (0.5, -1.0)
    for step in range(10, 91):
        threshold = step / 100
        result = figures([(p >= threshold, a) for p, a, _ in scored])
        value = min(result.precision, result.recall)
        if value > best[1] + 1e-9:
            best = (threshold, value)
    return best


def shifted(model: Model, threshold: float) -> Model:
    """The same model with its bias moved so that probability 0.5 falls at `threshold`."""
    logit = math.log(threshold / (1 - threshold))
    return Model(round(model.bias - logit, 6), model.weights)


def training_set(corpus: Sequence[Row], dev: Sequence[Row]) -> list[Example]:
    """What the model learns from: the corpus but its held-out part, and the dev set."""
    return [example(row) for row in corpus if not is_held_out(row)] + [example(row) for row in dev]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    parser.add_argument("--misses", action="store_true", help="print cross-validation misses")
    args = parser.parse_args(argv)
    corpus = load_corpus(args.corpus)
    dev = load_tsv(DEV_SET)
    training = training_set(corpus, dev)
    held_out = [example(row) for row in corpus if is_held_out(row)]
    print(f"corpus {len(corpus)}: training {len(training)} (with dev {len(dev)}),", end=" ")
    print(f"held out {len(held_out)}")
    results = []
    for settings in GRID:
        scored = cross_validate(training, settings)
        threshold, value = best_threshold(scored)
        results.append((value, settings, threshold, scored))
        result = figures([(p >= threshold, a) for p, a, _ in scored])
        print(f"  {settings} threshold={threshold:.2f}: {result}")
    best = max(value for value, *_ in results)
    # Among settings as good as the best (within TIE), the one with fewer weights: a smaller
    # file, a smaller process, a faster start; a difference that small is noise in the folds.
    value, settings, threshold, scored = max(
        (item for item in results if item[0] >= best - TIE),
        key=lambda item: (item[1].min_count, item[0]),
    )
    cv = figures([(p >= threshold, a) for p, a, _ in scored])
    print(f"chosen {settings}, threshold {threshold:.2f}: cross-validated {cv}")
    if args.misses:
        for p, a, item in sorted(scored, key=lambda s: s[2].row.kind):
            if (p >= threshold) != a:
                label = "FN" if a else "FP"
                print(f"    {label} {p:.2f} [{item.row.kind}] {item.row.text!r}")
    model = shifted(train(training, settings), threshold)
    held = figures([(model.probability(i.names) >= 0.5, i.row.is_ask) for i in held_out])
    print(f"held out: {held}")
    report = {
        "settings": asdict(settings),
        "runs": RUNS,
        "threshold": threshold,
        "cross_validation": asdict(cv),
        "held_out": asdict(held),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(model.to_json(report), encoding="utf-8")
    print(f"wrote {args.out} ({len(model.weights)} weights)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
