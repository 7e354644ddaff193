"""`trustdesk validate` and `trustdesk classify`: the accuracy gate and the brain, from a shell.

`validate` measures the brain per label on labelled history (the shipped held-out split
unless `--history` names the shop's own tickets): the precision of the answers it gives
at each label's acting confidence, its 95 % Wilson lower bound and the coverage. It
prints the table and writes `<data dir>/autonomy.json`, which the agent worker reads
at start.
`classify` reads customer messages one per line and prints one JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import IO

from brain.classifier import load_or_build
from brain.extract import extract
from brain.gate_subjects import BrainGateSubject, claude_fingerprint
from brain.language import detect_language
from brain.offline import entities_from
from brain.validation import (
    SHIPPED_SOURCE,
    OfflineReading,
    autonomy_document,
    autonomy_path,
    read_history,
    read_label_map,
    shipped_history,
    validate_reading,
    write_autonomy,
)
from domain.dialogue import HANDLED
from domain.errors import TrustdeskError
from domain.gate import GateReport, Outcome, is_autonomous
from trustdesk.config import Settings


def format_table(report: GateReport) -> str:
    """The gate's result as a Markdown table, one row per label and a total."""
    rows = [
        "| label | n | acts at | answers given | correct | precision | Wilson 95% lower "
        "| coverage | autonomous |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in report.scores:
        acts = "–" if s.acting_threshold is None else f"{s.acting_threshold:.2f}"
        precision = "–" if s.precision is None else f"{s.precision:.1%}"
        lower = f"{s.wilson_lower:.1%}" if s.given else "–"
        note = "yes" if is_autonomous(s, report.threshold) else "no"
        rows.append(
            f"| {s.label} | {s.n} | {acts} | {s.given} | {s.correct} | {precision} | {lower} "
            f"| {s.coverage:.1%} | {note} |"
        )
    given = report.given
    overall = report.correct / given if given else 0.0
    covered = report.correct / max(report.n, 1)
    rows.append(
        f"| **all** | {report.n} | | {given} | {report.correct} | {overall:.1%} | "
        f"| {covered:.1%} | |"
    )
    return "\n".join(rows)


def format_rules(report: GateReport) -> str:
    """The rule readers' answers (read-only questions), measured like labels."""
    rows = [
        "| rule reader | n (its labels) | answers given | correct | precision | Wilson 95% lower "
        "| autonomous |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    cleared = report.autonomous_rules()
    for s in report.rules:
        precision = "–" if s.precision is None else f"{s.precision:.1%}"
        lower = f"{s.wilson_lower:.1%}" if s.given else "–"
        rows.append(
            f"| {s.label} | {s.n} | {s.given} | {s.correct} | {precision} | {lower} "
            f"| {'yes' if s.label in cleared else 'no'} |"
        )
    return "\n".join(rows)


def format_confusion(outcomes: list[Outcome], languages: list[str] | None) -> str:
    """Where out-of-scope requests went, and the answers given per language."""
    oos = [o for o in outcomes if o.truth == "out_of_scope"]
    into_actions = sum(
        1 for o in oos if o.acted and o.guess not in ("out_of_scope", "other", "talk_to_human")
    )
    read_oos = [o for o in outcomes if o.guess == "out_of_scope" and o.acted]
    lines = [
        f"out_of_scope: {len(oos)} messages; read as out_of_scope and acted on "
        f"{sum(o.acted and o.guess == 'out_of_scope' for o in oos)}, abstained "
        f"{sum(not o.acted for o in oos)}, answered as a request category {into_actions}; "
        f"messages of other labels read as out_of_scope: "
        f"{sum(o.truth != 'out_of_scope' for o in read_oos)}",
    ]
    if languages:
        lines += ["", "| language | n | answers given | correct | precision | coverage |",
                  "|---|---:|---:|---:|---:|---:|"]
        for lang in sorted(set(languages), key=lambda x: (x != "en", x)):
            mine = [o for o, la in zip(outcomes, languages, strict=True) if la == lang]
            given = [o for o in mine if o.acted]
            right = sum(o.guess == o.truth for o in given)
            lines.append(
                f"| {lang} | {len(mine)} | {len(given)} | {right} | "
                f"{right / len(given) if given else 0:.1%} | {right / len(mine):.1%} |"
            )
    return "\n".join(lines)


def _gate_subject(settings: Settings) -> OfflineReading | BrainGateSubject:
    """The brain the worker would run: Claude when a key is set, else the offline classifier."""
    if (settings.anthropic_api_key or "").strip():
        from brain.claude import ClaudeBrain

        return BrainGateSubject(
            ClaudeBrain.from_settings(settings), claude_fingerprint(settings.anthropic_model)
        )
    return OfflineReading(load_or_build(settings.data_dir))


def run_validate(settings: Settings, args: argparse.Namespace) -> int:
    """Measure, print the table, write the autonomy list."""
    try:
        label_map = read_label_map(args.label_map) if args.label_map else None
        history = read_history(args.history, label_map) if args.history else shipped_history()
        classifier = _gate_subject(settings)
        report, read = validate_reading(classifier, history, threshold=args.threshold)
    except (TrustdeskError, ValueError) as exc:
        print(f"trustdesk validate: {exc}", file=sys.stderr)
        return 2
    source = SHIPPED_SOURCE if not args.history else str(args.history.resolve())
    print(
        f"Accuracy gate on {source}: {len(history.examples)} labelled messages"
        + (f" ({history.skipped} skipped)" if history.skipped else "")
    )
    print(f"model {classifier.fingerprint}")
    print()
    print(format_table(report))
    print()
    print(format_rules(report))
    print()
    print(format_confusion(read, history.languages))
    print()
    cleared = sorted(c.value for c in report.autonomous())
    handled = sorted(c.value for c in report.autonomous() if c in HANDLED)
    print(
        f"autonomous (Wilson 95% lower bound of the answers' precision >= {report.threshold:.0%}): "
        f"{', '.join(cleared) or 'none'}"
    )
    print(
        f"of these, the agent finishes on its own: {', '.join(handled) or 'none'}; "
        "every other category gets partial help and a handoff"
    )
    rules = sorted(report.autonomous_rules())
    print(f"rule readers answering on their own: {', '.join(rules) or 'none'}")
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
    classifier = load_or_build(settings.data_dir)
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
            "label": prediction.label,
            "language": detect_language(text, classifier.english_share(text)),
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
