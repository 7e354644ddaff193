"""Training the offline brain's classifier: scikit-learn, run only by `trustdesk validate`,
the model comparison and the first start of a worker (in a child process).

The corpus is data: `brain/data/train.jsonl` (`{"text", "label", "group"}`, a group being
messages that share a template and are held back together), the development split
`brain/data/split/development.jsonl` on which the acting thresholds are chosen, and the
held-out split `brain/data/split/heldout.jsonl`, measured once at the end and never used
to choose anything. Training lines that equal a measured message, or share a run of
eight words with one, are dropped before fitting.

A model is tf-idf (sublinear tf, smoothed idf, each block L2-normalised) over the word
and character blocks of `brain.text`, and multinomial logistic regression with balanced
class weights. It is exported to `brain.classifier.TextClassifier`, which applies it with
numpy alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from brain.classifier import (
    DEVELOPMENT_FILE,
    HELDOUT_FILE,
    TRAIN_FILE,
    TextClassifier,
    fingerprint_of,
    model_path,
)
from brain.text import ANALYSERS
from domain.gate import LABELS, wilson_lower_bound

SHARED_RUN = 8  # words in a row a training line may not share with a measured message
#: The precision the acting threshold must reach on the development split.
TARGET_PRECISION = 0.97
THRESHOLD_GRID = tuple(round(x, 2) for x in np.arange(0.30, 0.991, 0.01))


@dataclass(frozen=True)
class Row:
    text: str
    label: str
    group: str = ""
    language: str = "en"
    register: str = ""


def read_rows(path: Path) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc = json.loads(line)
            label = doc.get("label") or doc["category"]
            if label not in LABELS:
                raise ValueError(f"{path}: unknown label {label!r}")
            rows.append(
                Row(
                    doc["text"],
                    label,
                    doc.get("group") or doc.get("template") or doc["text"],
                    doc.get("language", "en"),
                    doc.get("register") or doc.get("style") or "",
                )
            )
    return rows


def word_runs(text: str, n: int = SHARED_RUN) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z]+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def training_rows(
    train_file: Path = TRAIN_FILE, measured: Sequence[Path] = (HELDOUT_FILE, DEVELOPMENT_FILE)
) -> list[Row]:
    """The training lines, less any that repeat a measured message or eight words of one."""
    seen = [r for path in measured for r in read_rows(path)]
    texts = {r.text.lower() for r in seen}
    runs: set[tuple[str, ...]] = set().union(*(word_runs(r.text) for r in seen))
    return [
        r
        for r in read_rows(train_file)
        if r.text.lower() not in texts and not word_runs(r.text) & runs
    ]


@dataclass(frozen=True)
class Candidate:
    """The settings of one model; the default is what ships."""

    analyser: str = "shop"
    c: float = 10.0  # inverse regularisation of the logistic regression
    char_weight: float = 0.7
    min_df: int = 2

    def name(self) -> str:
        return f"{self.analyser} C={self.c:g} chars×{self.char_weight:g}"


DEFAULT = Candidate()


@lru_cache(maxsize=65536)
def _blocks(analyser: str, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words, chars = ANALYSERS[analyser](text)
    return tuple(words), tuple(chars)


def fit(
    rows: Sequence[Row], candidate: Candidate = DEFAULT, fingerprint: str = ""
) -> TextClassifier:
    """Fit the vectorisers and the model on `rows`; thresholds are set later (all 0.5)."""
    labels = list(LABELS)
    texts = [r.text for r in rows]
    y = np.array([labels.index(r.label) for r in rows])
    vectorisers = []
    matrices = []
    for index, weight in ((0, 1.0), (1, candidate.char_weight)):
        v = TfidfVectorizer(
            analyzer=lambda t, i=index: _blocks(candidate.analyser, t)[i],
            sublinear_tf=True,
            min_df=candidate.min_df,
            dtype=np.float64,
        )
        matrices.append(v.fit_transform(texts) * weight)
        vectorisers.append((v, weight))
    x = sparse.hstack(matrices).tocsr()
    model = LogisticRegression(C=candidate.c, class_weight="balanced", max_iter=3000)
    model.fit(x, y)
    coef = np.zeros((x.shape[1], len(labels)))
    coef[:, model.classes_] = model.coef_.T
    intercept = np.full(len(labels), -1e9)
    intercept[model.classes_] = model.intercept_
    return TextClassifier(
        labels=labels,
        analyser=candidate.analyser,
        blocks=[(list(v.get_feature_names_out()), v.idf_, w) for v, w in vectorisers],
        coef=coef,
        intercept=intercept,
        thresholds=dict.fromkeys(labels, 0.5),
        fingerprint=fingerprint,
    )


def choose_thresholds(
    model: TextClassifier, development: Sequence[Row], target: float = TARGET_PRECISION
) -> dict[str, float]:
    """Per label, the lowest confidence at which the development split's answers for that
    label are at least `target` precise (1.0, never acting, when no cut reaches it)."""
    probs = model.probabilities([r.text for r in development])
    guess = probs.argmax(axis=1)
    confidence = probs.max(axis=1)
    truth = np.array([model.labels.index(r.label) for r in development])
    chosen = {}
    for j, label in enumerate(model.labels):
        chosen[label] = 1.0
        for t in THRESHOLD_GRID:
            given = (guess == j) & (confidence >= t)
            if given.sum() and (truth[given] == j).mean() >= target:
                chosen[label] = float(t)
                break
    return chosen


def train_and_tune(
    candidate: Candidate = DEFAULT,
    train_file: Path = TRAIN_FILE,
    development_file: Path = DEVELOPMENT_FILE,
) -> TextClassifier:
    """The shipped procedure: fit on the training lines, choose thresholds on development."""
    model = fit(
        training_rows(train_file),
        candidate,
        fingerprint=fingerprint_of(train_file, development_file),
    )
    model.thresholds = choose_thresholds(model, read_rows(development_file))
    return model


def precision_table(model: TextClassifier, rows: Sequence[Row]) -> list[dict[str, Any]]:
    """Per label: n, answers given at the acting threshold, correct, precision, Wilson
    lower bound, coverage (used by the comparison; the gate proper is `domain.gate`)."""
    preds = model.predict_many([r.text for r in rows])
    out = []
    for label in model.labels:
        n = sum(r.label == label for r in rows)
        given = [
            (p, r)
            for p, r in zip(preds, rows, strict=True)
            if p.label == label and not p.abstain
        ]
        correct = sum(r.label == label for _, r in given)
        out.append(
            {
                "label": label,
                "n": n,
                "given": len(given),
                "correct": correct,
                "lower": wilson_lower_bound(correct, len(given)),
                "coverage": correct / n if n else 0.0,
            }
        )
    return out


@lru_cache(maxsize=1)
def shipped_model() -> TextClassifier:
    """The shipped procedure's model, trained in this process once (tests and tools only)."""
    return train_and_tune()


def install(data_dir: Path) -> Path:
    """Write the shipped model into `data_dir` (trained here, or reused from this process)."""
    path = model_path(data_dir)
    shipped_model().save(path)
    return path
