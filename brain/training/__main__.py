"""`python -m brain.training build --data-dir DIR`: train the shipped model into DIR.
`python -m brain.training tune`: choose its acting thresholds again and store them."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from brain.classifier import model_path
from brain.training import THRESHOLDS_FILE, train_and_tune, tune, write_thresholds


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m brain.training")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="train the classifier into <data dir>/brain/model.npz")
    b.add_argument("--data-dir", type=Path, required=True)
    sub.add_parser(
        "tune", help=f"choose the acting thresholds out of fold and write {THRESHOLDS_FILE.name}"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    if args.command == "tune":
        write_thresholds(tune())
        print(f"wrote {THRESHOLDS_FILE} in {time.perf_counter() - started:.1f}s")
        return
    model = train_and_tune()
    path = model_path(args.data_dir)
    model.save(path)
    print(f"trained {model.fingerprint} into {path} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
