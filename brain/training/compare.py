"""Comparing classifier candidates without the held-out split.

`python -m brain.training.compare` reads, for each candidate, every training line and
development message out of fold (as the shipped procedure does), then scores the
development split in two halves (a fixed shuffle): the acting thresholds are chosen on the
training lines and one half, and the other half is scored the way the gate does (the
answers given at those thresholds, how many are right, and the coverage). The held-out
split is never read here.
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
    choose_thresholds,
    english_rows,
    out_of_fold,
    training_rows,
)
from domain.gate import LABELS

GRID = (
    DEFAULT,
    Candidate(analyser="plain"),
    Candidate(c=3.0),
    Candidate(c=30.0),
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m brain.training.compare")
    parser.add_argument("--only", type=int, nargs="*", help="indexes into GRID")
    args = parser.parse_args()
    train, dev = training_rows(), english_rows(DEVELOPMENT_FILE)
    rows = [*train, *dev]
    truth = np.array([LABELS.index(r.label) for r in rows])
    order = [len(train) + i for i in range(len(dev))]
    random.Random(5).shuffle(order)
    halves = (order[: len(order) // 2], order[len(order) // 2 :])
    for index, candidate in enumerate(GRID):
        if args.only and index not in args.only:
            continue
        started = time.perf_counter()
        probs = out_of_fold(rows, candidate)
        seconds = time.perf_counter() - started
        guess, confidence = probs.argmax(axis=1), probs.max(axis=1)
        top1 = float(np.mean(guess[len(train) :] == truth[len(train) :]))
        given = correct = 0
        for tune, score in (halves, halves[::-1]):
            chosen = [*range(len(train)), *tune]
            thresholds = choose_thresholds(
                probs[chosen], [rows[i].label for i in chosen], [i >= len(train) for i in chosen]
            )
            cut = np.array([thresholds[LABELS[g]] for g in guess[score]])
            acted = confidence[score] >= cut
            given += int(acted.sum())
            correct += int((acted & (guess[score] == truth[score])).sum())
        print(
            f"{candidate.name():28} out of fold {seconds:4.0f}s  top-1 {top1:.3f}  "
            f"answers right {correct}/{given} = {correct / max(given, 1):.3f}  "
            f"coverage {correct / len(dev):.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
