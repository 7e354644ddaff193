"""Choosing the classifier's settings by grouped cross-validation on the training split alone.

`python -m brain.model_selection` splits the training corpus into folds by template
(every message of a template, or of a compositional frame's key phrase, lands in one
fold), trains the whole pipeline (fit, temperature, abstention threshold) on the other
folds, and scores the held fold the way the accuracy gate scores a category: a message
counts as right only when classified correctly without abstaining. It prints one row per
candidate; the best candidate by cross-validation gives the defaults in
`brain.classifier.Settings`. Each row also shows the candidate trained on the whole
training split and scored the same way on the development split
(`brain/data/development.jsonl`), so a reader can see whether the two measures agree;
the choice itself is made by cross-validation. `GRID` is the last of several rounds; the
earlier ones, coarser, ruled out stronger regularisation, a heavier character block, no
negation scope and a scope of three words, and twelve epochs cost more training time
than they returned.

The held-out split is never read here: it measures the chosen model, it does not choose it.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from brain.classifier import Example, Settings, features, read_examples, train
from brain.corpus import DEVELOPMENT_FILE, TRAIN_FILE
from domain.dialogue import HANDLED, Category


@dataclass(frozen=True)
class FoldScore:
    settings: Settings
    accuracy: float  # right without abstaining, over all held-fold messages
    macro: float  # the same, averaged over categories
    worst_handled: float  # the lowest of the handled categories
    abstained: float
    seconds: float


def folds_of(examples: Sequence[Example], k: int) -> np.ndarray:
    """The fold of each example: whole groups, spread over the folds within each category."""
    groups: dict[Category, list[str]] = {}
    for e in examples:
        groups.setdefault(e.category, [])
        if e.group not in groups[e.category]:
            groups[e.category].append(e.group)
    fold_of_group: dict[str, int] = {}
    for names in groups.values():
        for i, name in enumerate(sorted(names, key=lambda g: (zlib.crc32(g.encode()), g))):
            fold_of_group[name] = i % k
    return np.array([fold_of_group[e.group] for e in examples])


def cross_validate(
    examples: Sequence[Example],
    settings: Settings,
    *,
    k: int = 5,
    docs: Sequence[Counter[str]] | None = None,
) -> FoldScore:
    """Train on k-1 folds, score the k-th, for every fold."""
    started = time.perf_counter()
    if docs is None:
        docs = [features(e.text, settings) for e in examples]
    fold = folds_of(examples, k)
    truth: list[Category] = []
    said: list[Category | None] = []
    for f in range(k):
        inside = [i for i in range(len(examples)) if fold[i] != f]
        outside = [i for i in range(len(examples)) if fold[i] == f]
        model = train(
            [examples[i] for i in inside], settings=settings, docs=[docs[i] for i in inside]
        )
        probs = model.probabilities([examples[i].text for i in outside])
        for i, row in zip(outside, probs, strict=True):
            best = int(np.argmax(row))
            truth.append(examples[i].category)
            said.append(None if row[best] < model.threshold else model.labels[best])
    right = np.array([t is s for t, s in zip(truth, said, strict=True)])
    per_category = {
        c: float(np.mean([r for t, r in zip(truth, right, strict=True) if t is c]))
        for c in Category
    }
    return FoldScore(
        settings=settings,
        accuracy=float(right.mean()),
        macro=float(np.mean(list(per_category.values()))),
        worst_handled=min(per_category[c] for c in HANDLED),
        abstained=float(np.mean([s is None for s in said])),
        seconds=time.perf_counter() - started,
    )


def development_accuracy(
    examples: Sequence[Example],
    development: Sequence[Example],
    settings: Settings,
    docs: Sequence[Counter[str]] | None = None,
) -> float:
    """Trained on all of `examples`, the share of `development` classified right without
    abstaining."""
    model = train(examples, settings=settings, docs=docs)
    predictions = model.predict_many([e.text for e in development])
    right = [
        not p.abstain and p.category is e.category
        for p, e in zip(predictions, development, strict=True)
    ]
    return float(np.mean(right))


def candidates(grid: dict[str, Iterable[object]]) -> list[Settings]:
    names = list(grid)
    return [
        dataclasses.replace(Settings(), **dict(zip(names, values, strict=True)))
        for values in itertools.product(*(list(grid[n]) for n in names))
    ]


GRID: dict[str, tuple[object, ...]] = {
    "l2": (1e-5, 3e-5),
    "char_weight": (0.5, 0.7),
    "epochs": (6, 8),
    "length_weight": (0.25, 1.0),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    examples = read_examples(TRAIN_FILE)
    development = read_examples(DEVELOPMENT_FILE)
    cached: dict[tuple[int, int, int], list[Counter[str]]] = {}
    print("| settings | accuracy | macro | worst handled | abstained | development | seconds |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    scores = []
    for settings in candidates(GRID):
        key = (settings.char_min, settings.char_max, settings.negation_scope)
        if key not in cached:
            cached[key] = [features(e.text, settings) for e in examples]
        score = cross_validate(examples, settings, k=args.folds, docs=cached[key])
        scores.append(score)
        dev = development_accuracy(examples, development, settings, docs=cached[key])
        changed = {n: getattr(settings, n) for n in GRID}
        print(
            f"| {changed} | {score.accuracy:.3f} | {score.macro:.3f} | "
            f"{score.worst_handled:.3f} | {score.abstained:.3f} | {dev:.3f} | "
            f"{score.seconds:.0f} |",
            flush=True,
        )
    best = max(scores, key=lambda s: (round(s.macro, 3), round(s.worst_handled, 3)))
    print(f"best: { {n: getattr(best.settings, n) for n in GRID} }")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
