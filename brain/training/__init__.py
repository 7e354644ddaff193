"""Training the offline brain's classifier: scikit-learn, run only by `trustdesk validate`,
the model comparison and the first start of a worker (in a child process).

The corpus is data: `brain/data/train.jsonl` (`{"text", "label", "group"}`, a group being
messages that share a template and are held back together), the hand-written development
split `brain/data/split/development.jsonl`, and the held-out split
`brain/data/split/heldout.jsonl`, measured once at the end and never used to choose
anything. Training lines that equal a measured message, or share a run of eight words
with one, are dropped before fitting.

The shipped model is fitted on the training lines and the development split's English
messages together. Its acting thresholds are chosen on out-of-fold readings of the same
messages (grouped k-fold, a template's lines always in one fold), so every message is read
by a model that never saw it or its siblings: about 14,000 readings, not the development
split's 1,200, with the hand-written ones held to their own precision bar.

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

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from brain.classifier import (
    DEVELOPMENT_FILE,
    HELDOUT_FILE,
    TRAIN_FILE,
    TextClassifier,
    category_of,
    fingerprint_of,
    model_path,
)
from brain.embedding import shared_embedder
from brain.text import ANALYSERS
from domain.gate import LABELS, wilson_lower_bound
from domain.turn import split_requests, two_requests

SHARED_RUN = 8  # words in a row a training line may not share with a measured message
#: Folds of the out-of-fold readings the acting thresholds are chosen on.
CALIBRATION_FOLDS = 5
#: At a label's acting threshold, the Wilson 95 % lower bound of the out-of-fold answers'
#: precision (all messages) must reach this: above the gate's 0.95, because the
#: templated training lines are easier than a customer's own words.
TARGET_LOWER = 0.98
#: And the precision of the hand-written (development) messages' out-of-fold answers
#: must reach this, so the templates cannot carry a label the real phrasings do not.
TARGET_PRECISION = 0.98
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


def english_rows(path: Path) -> list[Row]:
    """A split's English messages. The others are left out of fitting: their words would
    enter the vocabulary and make them look English to `brain.language` (the offline brain
    hands them off in their language, whatever it reads them as)."""
    return [r for r in read_rows(path) if r.language == "en"]


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
    """The settings of one model; `DEFAULT` (below) is what ships."""

    analyser: str = "shop"
    c: float = 10.0  # inverse regularisation of the logistic regression
    char_weight: float = 0.7
    min_df: int = 2
    word_weight: float = 1.0  # 0 with char_weight 0: no tf-idf blocks at all
    embedding_weight: float = 0.0  # the sentence vector of `brain.embedding`; 0: none

    def name(self) -> str:
        if not self.word_weight and not self.char_weight:
            return f"sentence vector alone C={self.c:g}"
        name = f"{self.analyser} C={self.c:g} chars×{self.char_weight:g}"
        if self.word_weight != 1.0:
            name += f" words×{self.word_weight:g}"
        if self.embedding_weight:
            name += f" sentence×{self.embedding_weight:g}"
        return name


#: The shop's features and the pretrained sentence vector at half the word block's weight
#: (`python -m brain.training.compare`: the best of the weights tried, docs/brain.md).
DEFAULT = Candidate(embedding_weight=0.5)


@lru_cache(maxsize=65536)
def _blocks(analyser: str, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words, chars = ANALYSERS[analyser](text)
    return tuple(words), tuple(chars)


@lru_cache(maxsize=65536)
def _sentence_vector(text: str) -> np.ndarray:
    return shared_embedder().embed(text)


def fit(
    rows: Sequence[Row], candidate: Candidate = DEFAULT, fingerprint: str = ""
) -> TextClassifier:
    """Fit the vectorisers and the model on `rows`; thresholds are set later (all 0.5)."""
    labels = list(LABELS)
    texts = [r.text for r in rows]
    y = np.array([labels.index(r.label) for r in rows])
    vectorisers = []
    matrices = []
    weights: tuple[tuple[int, float], ...] = ()  # no tf-idf block when both weigh nothing
    if candidate.word_weight or candidate.char_weight:
        weights = ((0, candidate.word_weight), (1, candidate.char_weight))
    for index, weight in weights:
        v = TfidfVectorizer(
            analyzer=lambda t, i=index: _blocks(candidate.analyser, t)[i],
            sublinear_tf=True,
            min_df=candidate.min_df,
            dtype=np.float64,
        )
        matrices.append(v.fit_transform(texts) * weight)
        vectorisers.append((v, weight))
    if candidate.embedding_weight:
        dense = np.array([_sentence_vector(t) for t in texts]) * candidate.embedding_weight
        matrices.append(sparse.csr_matrix(dense))
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
        embedding_weight=candidate.embedding_weight,
    )


def out_of_fold(
    rows: Sequence[Row], candidate: Candidate = DEFAULT, folds: int = CALIBRATION_FOLDS
) -> np.ndarray:
    """Each row's probabilities from a model fitted on the other folds (grouped by `group`,
    so a template's lines are never read by a model that learned their siblings)."""
    labels = list(LABELS)
    y = np.array([labels.index(r.label) for r in rows])
    groups = np.array([r.group for r in rows])
    probs = np.zeros((len(rows), len(labels)))
    for fitted, held in GroupKFold(n_splits=folds).split(np.zeros(len(rows)), y, groups):
        model = fit([rows[i] for i in fitted], candidate)
        texts = [rows[i].text for i in held]
        probs[held] = _as_the_turn_reads(model, texts, model.probabilities(texts))
    return probs


def _as_the_turn_reads(model: TextClassifier, texts: list[str], probs: np.ndarray) -> np.ndarray:
    """`probs`, with a message that makes two requests read by its first part, as the turn
    reads it (`graph.nodes._two_requests`) and the gate measures it
    (`brain.validation.OfflineReading`); sure means at least `domain.turn.CONFIDENT`."""
    for i, text in enumerate(texts):
        parts = split_requests(text)
        if parts is None:
            continue
        first, second = model.probabilities(list(parts))
        if two_requests(
            category_of(LABELS[int(first.argmax())]),
            float(first.max()),
            category_of(LABELS[int(second.argmax())]),
            float(second.max()),
        ):
            probs[i] = first
    return probs


def choose_thresholds(
    probs: np.ndarray,
    truth: Sequence[str],
    hand_written: Sequence[bool],
    *,
    lower: float = TARGET_LOWER,
    precision: float = TARGET_PRECISION,
) -> dict[str, float]:
    """Per label, the lowest confidence at which the answers for that label (read out of
    fold) have a Wilson lower bound of at least `lower` and the hand-written messages'
    answers a precision of at least `precision`; 1.0 (never acting) when no cut does."""
    labels = list(LABELS)
    guess = probs.argmax(axis=1)
    confidence = probs.max(axis=1)
    right = guess == np.array([labels.index(t) for t in truth])
    hand = np.asarray(hand_written, dtype=bool)
    chosen = {}
    for j, label in enumerate(labels):
        chosen[label] = 1.0
        for t in THRESHOLD_GRID:
            given = (guess == j) & (confidence >= t)
            if not given.any():
                break
            if wilson_lower_bound(int(right[given].sum()), int(given.sum())) < lower:
                continue
            if (given & hand).any() and right[given & hand].mean() < precision:
                continue
            chosen[label] = float(t)
            break
    return chosen


#: The acting thresholds the shipped procedure chose, kept beside the corpus with the
#: fingerprint of the data and settings they were chosen for (`python -m brain.training
#: tune` writes it): a worker's first start then fits one model instead of six.
THRESHOLDS_FILE = TRAIN_FILE.parent / "thresholds.json"


def _thresholds_key(candidate: Candidate, train_file: Path, development_file: Path) -> str:
    return f"{fingerprint_of(train_file, development_file)} {candidate.name()}"


def tune(
    candidate: Candidate = DEFAULT,
    train_file: Path = TRAIN_FILE,
    development_file: Path = DEVELOPMENT_FILE,
) -> dict[str, float]:
    """The acting thresholds from out-of-fold readings of the training lines and the
    development split (five fits)."""
    train, development = training_rows(train_file), english_rows(development_file)
    rows = [*train, *development]
    return choose_thresholds(
        out_of_fold(rows, candidate),
        [r.label for r in rows],
        [False] * len(train) + [True] * len(development),
    )


def write_thresholds(thresholds: dict[str, float], path: Path = THRESHOLDS_FILE) -> None:
    key = _thresholds_key(DEFAULT, TRAIN_FILE, DEVELOPMENT_FILE)
    document = {"chosen_for": key, "thresholds": thresholds}
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def stored_thresholds(
    candidate: Candidate, train_file: Path, development_file: Path, path: Path = THRESHOLDS_FILE
) -> dict[str, float] | None:
    """The stored thresholds when they were chosen for exactly this data and these settings."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if document.get("chosen_for") != _thresholds_key(candidate, train_file, development_file):
        return None
    return {str(k): float(v) for k, v in document["thresholds"].items()}


def train_and_tune(
    candidate: Candidate = DEFAULT,
    train_file: Path = TRAIN_FILE,
    development_file: Path = DEVELOPMENT_FILE,
) -> TextClassifier:
    """The shipped procedure: thresholds from out-of-fold readings of the training lines and
    the development split (stored ones when they were chosen for this data), then the model
    fitted on all of them."""
    thresholds = stored_thresholds(candidate, train_file, development_file)
    if thresholds is None:
        thresholds = tune(candidate, train_file, development_file)
    rows = [*training_rows(train_file), *english_rows(development_file)]
    model = fit(rows, candidate, fingerprint=fingerprint_of(train_file, development_file))
    model.thresholds = thresholds
    return model


@lru_cache(maxsize=1)
def shipped_model() -> TextClassifier:
    """The shipped procedure's model, trained in this process once (tests and tools only)."""
    return train_and_tune()


def install(data_dir: Path) -> Path:
    """Write the shipped model into `data_dir` (trained here, or reused from this process)."""
    path = model_path(data_dir)
    shipped_model().save(path)
    return path
