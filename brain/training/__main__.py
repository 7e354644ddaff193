"""`python -m brain.training build --data-dir DIR`: train the shipped model into DIR."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from brain.classifier import model_path
from brain.training import train_and_tune


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m brain.training")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="train the classifier into <data dir>/brain/model.npz")
    b.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    model = train_and_tune()
    path = model_path(args.data_dir)
    model.save(path)
    print(f"trained {model.fingerprint} into {path} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
