"""`trustdesk validate` and `trustdesk classify`: the accuracy gate and the brain, from a shell.

`validate` measures the offline brain per category on labelled history (the shipped
held-out split unless `--history` names the shop's own tickets), prints the table
and writes `<data dir>/autonomy.json`, which the agent worker reads at start.
`classify` reads customer messages one per line and prints one JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import IO

from brain.classifier import TextClassifier, load_or_train
from brain.extract import extract
from brain.gate_subjects import BrainGateSubject, claude_fingerprint
from brain.offline import entities_from
from brain.validation import (
    SHIPPED_SOURCE,
    autonomy_document,
    autonomy_path,
    read_history,
    read_label_map,
    shipped_history,
    validate,
    write_autonomy,
)
from domain.dialogue import HANDLED
from domain.errors import TrustdeskError
from domain.gate import GateReport, is_autonomous
from trustdesk.config import Settings


def format_table(report: GateReport) -> str:
    """The gate's result as a Markdown table, one row per category and a total."""
    rows = [
        "| category | n | correct | abstained | accuracy | Wilson 95% lower | autonomous |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for s in report.scores:
        autonomous = is_autonomous(s, report.threshold, report.min_samples)
        note = "yes" if autonomous else ("no" if s.n >= report.min_samples else "no (too few)")
        accuracy = f"{s.accuracy:.1%}" if s.n else "–"
        lower = f"{s.wilson_lower:.1%}" if s.n else "–"
        rows.append(
            f"| {s.category.value} | {s.n} | {s.correct} | {s.abstained} "
            f"| {accuracy} | {lower} | {note} |"
        )
    rows.append(
        f"| **all** | {report.n} | {report.correct} | "
        f"{sum(s.abstained for s in report.scores)} | {report.accuracy:.1%} | | |"
    )
    return "\n".join(rows)


def _gate_subject(settings: Settings) -> TextClassifier | BrainGateSubject:
    """The brain the worker would run: Claude when a key is set, else the offline classifier."""
    if (settings.anthropic_api_key or "").strip():
        from brain.claude import ClaudeBrain

        return BrainGateSubject(
            ClaudeBrain.from_settings(settings), claude_fingerprint(settings.anthropic_model)
        )
    return load_or_train(settings.data_dir)


def run_validate(settings: Settings, args: argparse.Namespace) -> int:
    """Measure, print the table, write the autonomy list."""
    try:
        label_map = read_label_map(args.label_map) if args.label_map else None
        history = read_history(args.history, label_map) if args.history else shipped_history()
        classifier = _gate_subject(settings)
        report = validate(
            classifier, history, threshold=args.threshold, min_samples=args.min_samples
        )
    except (TrustdeskError, ValueError) as exc:
        print(f"trustdesk validate: {exc}", file=sys.stderr)
        return 2
    source = SHIPPED_SOURCE if not args.history else str(args.history.resolve())
    print(
        f"Accuracy gate on {source}: {len(history.examples)} labelled messages"
        + (f" ({history.skipped} skipped)" if history.skipped else "")
    )
    print(f"model {classifier.fingerprint}, abstains below confidence {classifier.threshold:.2f}")
    print()
    print(format_table(report))
    print()
    cleared = sorted(c.value for c in report.autonomous())
    handled = sorted(c.value for c in report.autonomous() if c in HANDLED)
    print(
        f"autonomous (accuracy >= {report.threshold:.0%} on >= {report.min_samples} messages): "
        f"{', '.join(cleared) or 'none'}"
    )
    print(
        f"of these, the agent finishes on its own: {', '.join(handled) or 'none'}; "
        "every other category gets partial help and a handoff"
    )
    path = autonomy_path(settings.data_dir)
    write_autonomy(
        path,
        autonomy_document(
            report,
            model=classifier.fingerprint,
            source=source,
            label_map=str(args.label_map.resolve()) if args.label_map else None,
        ),
    )
    print(f"wrote {path}")
    return 0


def classify_lines(
    settings: Settings, lines: Iterable[str], threshold: float | None
) -> Iterable[dict[str, object]]:
    classifier = load_or_train(settings.data_dir)
    if threshold is not None:
        classifier = classifier.with_threshold(threshold)
    for line in lines:
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        prediction = classifier.predict(text)
        found = extract(text)
        yield {
            "category": prediction.category.value,
            "confidence": prediction.confidence,
            "abstain": prediction.abstain,
            "wants_human": found.wants_person,
            "entities": entities_from(found).model_dump(exclude_defaults=True),
        }


def run_classify(
    settings: Settings, args: argparse.Namespace, stdin: IO[str], stdout: IO[str]
) -> int:
    """One JSON object per non-empty input line: category, confidence, abstain, entities."""
    for result in classify_lines(settings, stdin, getattr(args, "threshold", None)):
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0
