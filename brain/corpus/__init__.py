"""The labelled corpus the offline brain learns from and is measured on.

`python -m brain.corpus` regenerates `brain/data/train.jsonl` (templates in
`training.py`), `brain/data/heldout.jsonl` (hand-written messages in `heldout.py`,
which measure the shipped model for the accuracy gate) and
`brain/data/development.jsonl` (hand-written messages in `development.py`, which
the corpus and the model are tuned on) from a fixed seed, so the committed files
can always be rebuilt byte for byte. A training line that happens to equal a
held-out or development message, or to share a run of `SHARED_RUN` words with one,
is dropped, so neither split is measured on what was learned verbatim.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from brain.corpus import development, heldout, training

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TRAIN_FILE = DATA_DIR / "train.jsonl"
HELDOUT_FILE = DATA_DIR / "heldout.jsonl"
DEVELOPMENT_FILE = DATA_DIR / "development.jsonl"
SEED = 20240604
PER_CATEGORY = 850
SHARED_RUN = 8  # words in a row a training line may not share with a measured message


def word_runs(text: str, n: int = SHARED_RUN) -> set[tuple[str, ...]]:
    """Every run of `n` consecutive words in a message (letters only, lower case)."""
    words = re.findall(r"[a-z]+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def build(
    seed: int = SEED, per_category: int = PER_CATEGORY
) -> tuple[list[dict[str, str]], list[dict[str, str]], list[dict[str, str]]]:
    """The training, held-out and development rows, deterministic for a given seed."""
    held = heldout.generate(random.Random(f"{seed}-heldout"))
    dev = development.generate()
    measured = held + dev
    measured_texts = {row["text"].lower() for row in measured}
    measured_runs = set().union(*(word_runs(row["text"]) for row in measured))
    train = [
        row
        for row in training.generate(random.Random(f"{seed}-train"), per_category)
        if row["text"].lower() not in measured_texts and not word_runs(row["text"]) & measured_runs
    ]
    return train, held, dev


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> int:
    train, held, dev = build()
    write_jsonl(TRAIN_FILE, train)
    write_jsonl(HELDOUT_FILE, held)
    write_jsonl(DEVELOPMENT_FILE, dev)
    print(f"wrote {len(train)} training lines to {TRAIN_FILE}")
    print(f"wrote {len(held)} held-out lines to {HELDOUT_FILE}")
    print(f"wrote {len(dev)} development lines to {DEVELOPMENT_FILE}")
    return 0
