"""Running the accuracy gate: labelled history in, the autonomy list the agent reads out.

`read_history` loads a shop's labelled tickets (CSV or JSONL, with an optional label
map onto Trustdesk's labels: the categories and `out_of_scope`), `validate` scores the
brain on them with `domain.gate.measure` (the precision of the answers it gives at each
label's acting confidence), and `write_autonomy` / `read_autonomy` keep the result, with
the acting threshold per category the agent reads, in `<data dir>/autonomy.json`.
`ensure_autonomy` is what a worker calls at start: the recorded list when it was measured
on the current model, else a fresh measurement on the shipped held-out split.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from brain.classifier import (
    HELDOUT_FILE,
    Prediction,
    TextClassifier,
    category_of,
    fingerprint_of,
)
from brain.language import DEFAULT as ENGLISH
from brain.language import detect_language
from domain.dialogue import Category
from domain.errors import ConfigError
from domain.gate import DEFAULT_THRESHOLD, LABELS, GateReport, LabelScore, Outcome, measure
from domain.turn import RULE_READERS, read_only_question, rule_key, split_requests, two_requests

log = logging.getLogger(__name__)

SHIPPED_SOURCE = "shipped held-out split"
AUTONOMY_FORMAT = 2
TEXT_FIELDS = ("text", "message", "body", "customer_message")
LABEL_FIELDS = ("category", "label", "intent", "topic")


@dataclass(frozen=True)
class History:
    examples: list[tuple[str, str]]  # (text, label): a category's value or "out_of_scope"
    skipped: int  # rows the label map drops (mapped to null) or without text
    source: str
    languages: list[str] | None = None  # per example, when the history records it


def shipped_split_fingerprint() -> str:
    """The shipped held-out split's content, hashed: a result measured on another version
    of the split is measured again."""
    return hashlib.sha256(HELDOUT_FILE.read_bytes()).hexdigest()[:16]


def shipped_history() -> History:
    lines = HELDOUT_FILE.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return History(
        [(r["text"], r["label"]) for r in rows],
        0,
        SHIPPED_SOURCE,
        [r.get("language", "en") for r in rows],
    )


class OfflineReading:
    """The offline brain as a customer meets it, for the gate: the classifier's reading of
    each message, except that a message the brain reads as another language is handed to
    a person in that language (`brain.offline.OfflineBrain.understand`), so it is no answer
    the agent gives and counts as an abstention, and a message making two requests is
    answered by its first part's reading, as the turn reads it."""

    def __init__(self, classifier: TextClassifier) -> None:
        self.classifier = classifier
        self.fingerprint = classifier.fingerprint
        self.thresholds = classifier.thresholds

    def predict_many(self, texts: list[str]) -> list[Prediction]:
        predictions = self.classifier.predict_many(texts)
        return [
            self._first_of_two(text, p)
            if detect_language(text, self.classifier.english_share(text)) == ENGLISH
            else replace(p, abstain=True, handed_off=True)
            for text, p in zip(texts, predictions, strict=True)
        ]

    def _first_of_two(self, text: str, whole: Prediction) -> Prediction:
        """A message making two requests is read part by part, as the turn reads it
        (`graph.nodes._two_requests`): the first part's reading is the one answered."""
        parts = split_requests(text)
        if parts is None:
            return whole
        first, second = self.classifier.predict_many(list(parts))
        if not two_requests(
            first.category,
            0.0 if first.abstain else first.confidence,
            second.category,
            0.0 if second.abstain else second.confidence,
        ):
            return whole
        return first


class GateSubject(Protocol):
    """What the gate measures: the offline classifier, or any brain through `understand`."""

    fingerprint: str

    def predict_many(self, texts: list[str]) -> list[Any]: ...


def read_label_map(path: Path) -> dict[str, str | None]:
    """A JSON object from the shop's labels to Trustdesk categories (null drops the label)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the label map {path}: {exc}") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"the label map {path} must be a JSON object of label -> category")
    known = set(LABELS)
    bad = sorted(str(v) for v in doc.values() if v is not None and v not in known)
    if bad:
        raise ConfigError(
            f"the label map {path} maps to unknown categories: {', '.join(bad)} "
            f"(known: {', '.join(sorted(known))})"
        )
    return {str(k): v for k, v in doc.items()}


def _rows(path: Path) -> list[dict[str, Any]]:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"cannot read the history {path}: {exc}") from exc
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        rows = []
        for number, line in enumerate(raw.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except ValueError as exc:
                    raise ConfigError(f"{path}:{number} is not a JSON object: {exc}") from exc
        return rows
    if path.suffix.lower() in (".csv", ".tsv"):
        dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
        return list(csv.DictReader(raw.splitlines(), dialect=dialect))
    raise ConfigError(f"the history {path} must be .csv, .tsv or .jsonl")


def _field(row: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    lowered = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    for name in names:
        if name in lowered and lowered[name] is not None:
            return str(lowered[name])
    return None


def _label_of(label: str, label_map: Mapping[str, str | None]) -> tuple[str | None, bool]:
    """(Trustdesk label or None when the map drops it, whether it is known)."""
    for key in (label, label.strip(), label.strip().lower()):
        if key in label_map:
            return label_map[key], True
    normalised = label.strip().lower().replace(" ", "_").replace("-", "_")
    return (normalised, True) if normalised in LABELS else (label, False)


def read_history(path: Path, label_map: Mapping[str, str | None] | None = None) -> History:
    """Labelled messages from a CSV or JSONL file with a text column and a label column."""
    label_map = label_map or {}
    examples: list[tuple[str, str]] = []
    unknown: dict[str, int] = {}
    skipped = 0
    for number, row in enumerate(_rows(path), 1):
        if not isinstance(row, Mapping):
            raise ConfigError(f"{path}: row {number} is not an object")
        text, label = _field(row, TEXT_FIELDS), _field(row, LABEL_FIELDS)
        if label is None:
            raise ConfigError(
                f"{path}: row {number} has no label column (one of {', '.join(LABEL_FIELDS)})"
            )
        if text is None or not text.strip():
            skipped += 1
            continue
        mapped, known = _label_of(label, label_map)
        if mapped is None:
            skipped += 1
        elif known:
            examples.append((text, mapped))
        else:
            unknown[mapped] = unknown.get(mapped, 0) + 1
    if unknown:
        listed = ", ".join(f"{k!r} ({v})" for k, v in sorted(unknown.items())[:12])
        raise ConfigError(
            f"{path}: labels that are not Trustdesk categories (or out_of_scope): {listed}. "
            "Map them with --label-map (a JSON object of label -> category, or null to skip)."
        )
    if not examples:
        raise ConfigError(f"{path}: no labelled messages to validate on")
    return History(examples, skipped, str(path))


def outcomes(subject: GateSubject, history: History) -> list[Outcome]:
    """How the brain read each labelled message, and whether it would act on it."""
    return _outcomes(history, subject.predict_many([text for text, _ in history.examples]))


def _outcomes(history: History, predictions: list[Any]) -> list[Outcome]:
    return [
        Outcome(truth, p.label, not p.abstain)
        for (_, truth), p in zip(history.examples, predictions, strict=True)
    ]


def validate(
    subject: GateSubject, history: History, *, threshold: float = DEFAULT_THRESHOLD
) -> GateReport:
    """The precision of the brain's answers per label on the history, and what it earns;
    the rule readers' answers too (`rule_scores`). Each message is read once."""
    return validate_reading(subject, history, threshold=threshold)[0]


def validate_reading(
    subject: GateSubject, history: History, *, threshold: float = DEFAULT_THRESHOLD
) -> tuple[GateReport, list[Outcome]]:
    """`validate`, with how each message was read (for the tables per language)."""
    predictions = subject.predict_many([text for text, _ in history.examples])
    read = _outcomes(history, predictions)
    report = measure(
        read, threshold=threshold, acting_thresholds=getattr(subject, "thresholds", None)
    )
    return replace(report, rules=rule_scores(history, predictions)), read


def rule_scores(history: History, predictions: list[Any]) -> tuple[LabelScore, ...]:
    """How precise the read-only rule readers are on the history: of the messages a rule
    answers (with the brain's reading of them, as the turn reads them), how many carry a
    label that answer is right for. `n` counts the messages of those labels."""
    readings = [category_of(p.label) for p in predictions]
    scores = []
    for source, labels in RULE_READERS.items():
        given = correct = 0
        for (text, truth), reading, p in zip(history.examples, readings, predictions, strict=True):
            if getattr(p, "handed_off", False):
                continue  # handed to a person in its language before any rule reads it
            if read_only_question(text, reading) is source:
                given += 1
                correct += truth in labels
        n = sum(1 for _, truth in history.examples if truth in labels)
        scores.append(LabelScore(rule_key(source), n, given, correct))
    return tuple(scores)


# --- the autonomy file ------------------------------------------------------------------------


def autonomy_path(data_dir: Path) -> Path:
    return data_dir / "autonomy.json"


def autonomy_document(
    report: GateReport,
    *,
    model: str,
    source: str,
    label_map: str | None = None,
    measured_at: datetime | None = None,
) -> dict[str, Any]:
    autonomous = report.autonomous()
    rules = report.autonomous_rules()
    return {
        "format": AUTONOMY_FORMAT,
        "model": model,
        "source": source,
        "split": shipped_split_fingerprint() if source == SHIPPED_SOURCE else None,
        "label_map": label_map,
        "threshold": report.threshold,
        "measured_at": (measured_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        "autonomous": sorted(c.value for c in autonomous) + sorted(rules),
        # The confidence the agent acts on per label; below it, one clarifying question.
        "acting_thresholds": {
            s.label: s.acting_threshold for s in report.scores if s.acting_threshold is not None
        },
        "categories": {
            s.label: {
                "n": s.n,
                "given": s.given,
                "correct": s.correct,
                "precision": None if s.precision is None else round(s.precision, 4),
                "wilson_lower": round(s.wilson_lower, 4),
                "coverage": round(s.coverage, 4),
                "acting_threshold": s.acting_threshold,
                "autonomous": s.label in {c.value for c in autonomous},
            }
            for s in report.scores
        },
        "rules": {
            s.label: {
                "n": s.n,
                "given": s.given,
                "correct": s.correct,
                "precision": None if s.precision is None else round(s.precision, 4),
                "wilson_lower": round(s.wilson_lower, 4),
                "autonomous": s.label in rules,
            }
            for s in report.rules
        },
    }


def write_autonomy(path: Path, document: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)


def read_autonomy(path: Path) -> dict[str, Any] | None:
    """The recorded gate result, or None when there is none (or it cannot be read)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable autonomy file %s: %s", path, exc)
        return None
    if not isinstance(doc, dict) or doc.get("format") != AUTONOMY_FORMAT:
        log.warning("ignoring autonomy file %s of an unknown format", path)
        return None
    return doc


PINNED_SOURCE = "pinned by hand"


def pin_autonomy(data_dir: Path, categories: Iterable[str]) -> Path:
    """Record `categories` as autonomous for the current model without measuring anything.

    The seam for tests and demos that need the agent to act on its own whatever the
    gate says; a worker starting on this data dir reads it like a measured result.
    """
    known = {c.value for c in Category} | {rule_key(s) for s in RULE_READERS}
    chosen = sorted(set(categories))
    if unknown := [c for c in chosen if c not in known]:
        raise ConfigError(f"not categories: {', '.join(unknown)}")
    path = autonomy_path(data_dir)
    write_autonomy(
        path,
        {
            "format": AUTONOMY_FORMAT,
            "model": fingerprint_of(),
            "source": PINNED_SOURCE,
            "label_map": None,
            "threshold": None,
            "acting_thresholds": {},
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "autonomous": chosen,
            "categories": {},
        },
    )
    return path


def ensure_autonomy(
    data_dir: Path,
    classifier: GateSubject,
    *,
    say: Callable[[str], None] = log.info,
) -> frozenset[str]:
    """The categories the gate clears, measured on the current model.

    A recorded result for this model is used as is (one measured on the shipped split,
    only while the split is unchanged). Without one, the shipped held-out split is
    measured and the result written. A result measured on the shop's own
    history for an older model is not silently replaced: no category is autonomous
    until `trustdesk validate --history …` is run again.
    """
    path = autonomy_path(data_dir)
    doc = read_autonomy(path)
    current = doc is not None and doc.get("model") == classifier.fingerprint
    if current and doc is not None and doc.get("source") == SHIPPED_SOURCE:
        current = doc.get("split") == shipped_split_fingerprint()
    if current and doc is not None:
        return frozenset(str(c) for c in doc.get("autonomous") or ())
    if doc is not None and doc.get("source") != SHIPPED_SOURCE:
        say(
            f"{path} was measured on {doc.get('source')} for another model; no category is "
            "autonomous until `trustdesk validate --history ...` is run again"
        )
        return frozenset()
    subject = OfflineReading(classifier) if isinstance(classifier, TextClassifier) else classifier
    report = validate(subject, shipped_history())
    write_autonomy(
        path, autonomy_document(report, model=classifier.fingerprint, source=SHIPPED_SOURCE)
    )
    cleared = sorted(c.value for c in report.autonomous())
    say(
        f"accuracy gate on the {SHIPPED_SOURCE}: autonomous {', '.join(cleared) or 'none'} ({path})"
    )
    return frozenset(cleared)
