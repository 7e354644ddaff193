"""The labelled corpus the offline brain learns from and is measured on.

`python -m brain.corpus` regenerates `brain/data/train.jsonl` (templates in
`training.py`) and `brain/data/heldout.jsonl` (hand-written messages in
`heldout.py`) from a fixed seed, so the committed files can always be rebuilt
byte for byte. A training line that happens to equal a held-out message, or to
share a run of `SHARED_RUN` words with one, is dropped, so nothing is measured on
what was learned verbatim.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from brain.corpus import heldout, training

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TRAIN_FILE = DATA_DIR / "train.jsonl"
HELDOUT_FILE = DATA_DIR / "heldout.jsonl"
SEED = 20240604
PER_CATEGORY = 700
SHARED_RUN = 8  # words in a row a training line may not share with a held-out message


def word_runs(text: str, n: int = SHARED_RUN) -> set[tuple[str, ...]]:
    """Every run of `n` consecutive words in a message (letters only, lower case)."""
    words = re.findall(r"[a-z]+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def build(
    seed: int = SEED, per_category: int = PER_CATEGORY
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The training and held-out rows, deterministic for a given seed."""
    held = heldout.generate(random.Random(f"{seed}-heldout"))
    held_texts = {row["text"].lower() for row in held}
    held_runs = set().union(*(word_runs(row["text"]) for row in held))
    train = [
        row
        for row in training.generate(random.Random(f"{seed}-train"), per_category)
        if row["text"].lower() not in held_texts and not word_runs(row["text"]) & held_runs
    ]
    return train, held


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> int:
    train, held = build()
    write_jsonl(TRAIN_FILE, train)
    write_jsonl(HELDOUT_FILE, held)
    print(f"wrote {len(train)} training lines to {TRAIN_FILE}")
    print(f"wrote {len(held)} held-out lines to {HELDOUT_FILE}")
    return 0
