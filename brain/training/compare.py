"""Comparing classifier candidates without the held-out split.

`python -m brain.training.compare` reads, for each candidate, every training line and
development message out of fold (as the shipped procedure does), then scores the
development split in two halves (a fixed shuffle): the acting thresholds are chosen on the
training lines and one half, and the other half is scored the way the gate does (the
answers given at those thresholds, how many are right, and the coverage). The held-out
split is never read here. `--labels` adds each label's answers right / given and its
coverage on the development messages; `--shuffles N` averages the scoring over N shuffles,
so that a difference of a few answers can be told from the luck of one split.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np

from brain.classifier import DEVELOPMENT_FILE
from brain.training import (
    DEFAULT,
    Candidate,
    Row,
    choose_thresholds,
    english_rows,
    out_of_fold,
    training_rows,
)
from domain.gate import LABELS

GRID = (
    DEFAULT,  # the shop's features and the sentence vector ×0.5
    Candidate(),  # the shop's features alone (shipped until model version 7)
    Candidate(analyser="plain"),
    Candidate(c=3.0),
    Candidate(c=30.0),
    # The pretrained sentence vector of `brain.embedding` beside the shop's features, at
    # other weights ...
    Candidate(embedding_weight=0.25),
    Candidate(embedding_weight=0.35),
    Candidate(embedding_weight=0.7),
    Candidate(embedding_weight=1.0),
    Candidate(embedding_weight=2.0),
    # ... and alone.
    Candidate(word_weight=0.0, char_weight=0.0, embedding_weight=1.0),
    Candidate(word_weight=0.0, char_weight=0.0, embedding_weight=1.0, c=100.0),
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m brain.training.compare")
    parser.add_argument("--only", type=int, nargs="*", help="indexes into GRID")
    parser.add_argument("--labels", action="store_true", help="print each label's figures")
    parser.add_argument(
        "--shuffles",
        type=int,
        default=0,
        help="average the scoring over this many shuffles of the development split "
        "(seeds 0 to N-1) instead of the one fixed shuffle",
    )
    args = parser.parse_args()
    train, dev = training_rows(), english_rows(DEVELOPMENT_FILE)
    rows = [*train, *dev]
    truth = np.array([LABELS.index(r.label) for r in rows])
    seeds = range(args.shuffles) if args.shuffles else (5,)
    for index, candidate in enumerate(GRID):
        if args.only and index not in args.only:
            continue
        started = time.perf_counter()
        probs = out_of_fold(rows, candidate)
        seconds = time.perf_counter() - started
        guess = probs.argmax(axis=1)
        top1 = float(np.mean(guess[len(train) :] == truth[len(train) :]))
        given = np.zeros(len(LABELS))  # per label read, summed over the seeds
        correct = np.zeros(len(LABELS))
        for seed in seeds:
            g, c = _score_halves(probs, rows, truth, len(train), seed)
            given, correct = given + g, correct + c
        given, correct = given / len(seeds), correct / len(seeds)
        digits = 1 if args.shuffles else 0
        print(
            f"{index}: {candidate.name():40} out of fold {seconds:4.0f}s  top-1 {top1:.3f}  "
            f"answers right {correct.sum():.{digits}f}/{given.sum():.{digits}f} = "
            f"{correct.sum() / max(given.sum(), 1):.3f}  coverage {correct.sum() / len(dev):.3f}",
            flush=True,
        )
        if args.labels:
            n = np.bincount(truth[len(train) :], minlength=len(LABELS))
            for j, label in enumerate(LABELS):
                print(
                    f"    {label:16} right {correct[j]:5.{digits}f}/{given[j]:5.{digits}f}  "
                    f"coverage {correct[j] / max(n[j], 1):.3f}  (n {n[j]})",
                    flush=True,
                )


def _score_halves(
    probs: np.ndarray, rows: list[Row], truth: np.ndarray, n_train: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per label, the answers given and the right ones on the development split, each half
    scored at the thresholds chosen on the training lines and the other half."""
    guess, confidence = probs.argmax(axis=1), probs.max(axis=1)
    order = list(range(n_train, len(rows)))
    random.Random(seed).shuffle(order)
    halves = (order[: len(order) // 2], order[len(order) // 2 :])
    given = np.zeros(len(LABELS), dtype=int)
    correct = np.zeros(len(LABELS), dtype=int)
    for tune, score in (halves, halves[::-1]):
        chosen = [*range(n_train), *tune]
        thresholds = choose_thresholds(
            probs[chosen], [rows[i].label for i in chosen], [i >= n_train for i in chosen]
        )
        cut = np.array([thresholds[LABELS[g]] for g in guess[score]])
        acted = confidence[score] >= cut
        right = acted & (guess[score] == truth[score])
        given += np.bincount(guess[score][acted], minlength=len(LABELS))
        correct += np.bincount(guess[score][right], minlength=len(LABELS))
    return given, correct


if __name__ == "__main__":
    main()
