"""Comparing classifier candidates on the development split alone.

`python -m brain.training.compare` fits each candidate on the training lines, chooses
its acting thresholds on one half of the development split (a fixed shuffle) and scores
the other half the way the gate does: the answers given at those thresholds, how many
are right, and the coverage. The held-out split is never read here.
"""

from __future__ import annotations

import argparse
import random
import time

from brain.classifier import DEVELOPMENT_FILE
from brain.training import (
    DEFAULT,
    Candidate,
    choose_thresholds,
    fit,
    precision_table,
    read_rows,
    training_rows,
)

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
    rows = training_rows()
    dev = read_rows(DEVELOPMENT_FILE)
    order = list(range(len(dev)))
    random.Random(5).shuffle(order)
    tune = [dev[i] for i in order[: len(dev) // 2]]
    score = [dev[i] for i in order[len(dev) // 2 :]]
    for index, candidate in enumerate(GRID):
        if args.only and index not in args.only:
            continue
        started = time.perf_counter()
        model = fit(rows, candidate)
        seconds = time.perf_counter() - started
        read = model.predict_many([r.text for r in score])
        top1 = sum(p.label == r.label for p, r in zip(read, score, strict=True))
        model.thresholds = choose_thresholds(model, tune)
        table = precision_table(model, score)
        given = sum(t["given"] for t in table)
        correct = sum(t["correct"] for t in table)
        print(
            f"{candidate.name():28} fit {seconds:4.0f}s  top-1 {top1 / len(score):.3f}  "
            f"answers right {correct}/{given} = {correct / max(given, 1):.3f}  "
            f"coverage {correct / len(score):.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
