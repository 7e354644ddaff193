"""The offline brain's classifier at run time: a fitted linear model applied to a message.

The model is trained by scikit-learn in `brain.training` (tf-idf over the features of
`brain.text`, then logistic regression) and exported as plain arrays: each feature
block's vocabulary and idf, the coefficients, the intercepts, and a confidence
threshold per label chosen on the development split. Applying it needs numpy only, so
a worker never imports scikit-learn (about 150 MB and seconds of start-up) and never
holds the training corpus.

The artifact lives in `<data dir>/brain/model.npz`, keyed by a fingerprint of the
training data and the training settings. When it is missing or stale, `load_or_build`
builds it in a child process (`python -m brain.training build`), so the memory
training takes is returned to the system when it ends.

A message is read as the likeliest label. It `abstains` when the confidence is below
that label's acting threshold: the agent then asks one clarifying question, and hands
off if it still cannot act. `out_of_scope` (a request the shop's tools cannot serve)
is a label like the others; the brain interface reports it as `other` with the
`out_of_scope` flag, so it is never mapped onto an action category.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from brain.embedding import SentenceEmbedder, model_identity, shared_embedder
from brain.text import ANALYSERS
from domain.dialogue import Category
from domain.gate import OUT_OF_SCOPE

log = logging.getLogger(__name__)

ARTIFACT_FORMAT = 2
DATA_DIR = Path(__file__).resolve().parent / "data"
TRAIN_FILE = DATA_DIR / "train.jsonl"
SPLIT_DIR = DATA_DIR / "split"
HELDOUT_FILE = SPLIT_DIR / "heldout.jsonl"
DEVELOPMENT_FILE = SPLIT_DIR / "development.jsonl"


def category_of(label: str) -> Category:
    """The dialogue's category for a label: `out_of_scope` is `other` to the dialogue."""
    return Category.OTHER if label == OUT_OF_SCOPE else Category(label)


@dataclass(frozen=True)
class Prediction:
    label: str  # a category's value, or "out_of_scope"
    confidence: float
    abstain: bool  # below the label's acting threshold
    ranked: tuple[tuple[str, float], ...]  # the three likeliest labels, best first
    cues: tuple[str, ...] = ()  # the words that weighed most for the winner
    # Written in a language the offline brain does not read: handed to a person in that
    # language, so no answer at all (`brain.validation.OfflineReading`).
    handed_off: bool = False

    @property
    def category(self) -> Category:
        return category_of(self.label)

    @property
    def out_of_scope(self) -> bool:
        return self.label == OUT_OF_SCOPE

    def rationale(self) -> str:
        runner = ""
        if len(self.ranked) > 1:
            runner = f", then {self.ranked[1][0]} {self.ranked[1][1]:.2f}"
        cues = f"; cues: {', '.join(repr(c) for c in self.cues)}" if self.cues else ""
        verdict = "abstains: " if self.abstain else ""
        return f"{verdict}{self.label} {self.confidence:.2f}{runner}{cues}"


@dataclass(frozen=True)
class _Block:
    vocab: dict[str, int]  # feature -> column of this block
    idf: np.ndarray
    weight: float  # how much this block weighs after its L2 normalisation
    offset: int  # the block's first column in the coefficient matrix


class TextClassifier:
    """A fitted model: `predict_many` reads messages, thresholds decide when it acts."""

    def __init__(
        self,
        *,
        labels: Sequence[str],
        analyser: str,
        blocks: Sequence[tuple[Sequence[str], np.ndarray, float]],
        coef: np.ndarray,  # (features, labels)
        intercept: np.ndarray,
        thresholds: dict[str, float],
        fingerprint: str,
        sublinear_tf: bool = True,
        embedding_weight: float = 0.0,
    ) -> None:
        self.labels = tuple(labels)
        self.analyser = analyser
        self._analyse = ANALYSERS[analyser]
        offset = 0
        built = []
        for vocab, idf, weight in blocks:
            built.append(_Block({f: i for i, f in enumerate(vocab)}, idf, weight, offset))
            offset += len(vocab)
        self._blocks = tuple(built)
        # The sentence vector (`brain.embedding`), when the model has one, takes the last
        # rows of the coefficients, after every block's columns.
        self.embedding_weight = embedding_weight
        self._embedder: SentenceEmbedder | None = None
        self._dense_offset = offset
        if embedding_weight:
            self._embedder = shared_embedder()
            if coef.shape[0] != offset + self._embedder.dim:
                raise ValueError("the coefficients do not match the sentence vector's size")
        self.coef = coef
        self.intercept = intercept
        self.thresholds = dict(thresholds)
        self.fingerprint = fingerprint
        self.sublinear_tf = sublinear_tf

    def english_share(self, text: str) -> float:
        """The share of the message's words (two letters or more) the training corpus knows."""
        if not self._blocks:
            return 1.0
        words = [w for w in self._analyse(text)[0] if w.startswith("w:") and len(w) > 3]
        if not words:
            return 1.0
        known = self._blocks[0].vocab
        return sum(w in known for w in words) / len(words)

    def threshold_of(self, label: str) -> float:
        return self.thresholds.get(label, 1.0)

    def with_threshold(self, threshold: float) -> TextClassifier:
        """The same model acting on every label at one confidence (for `trustdesk classify`)."""
        clone = object.__new__(TextClassifier)
        clone.__dict__.update(self.__dict__)
        clone.thresholds = dict.fromkeys(self.labels, threshold)
        return clone

    def _row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The message's non-zero columns and their tf-idf values, each block L2-normalised."""
        columns: list[int] = []
        values: list[float] = []
        analysed = self._analyse(text) if self._blocks else ()
        for block, tokens in zip(self._blocks, analysed, strict=True):
            counts = Counter(t for t in tokens if t in block.vocab)
            if not counts:
                continue
            cols = np.fromiter((block.vocab[t] for t in counts), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if self.sublinear_tf:
                tf = 1.0 + np.log(tf)
            v = tf * block.idf[cols]
            v *= block.weight / max(float(np.linalg.norm(v)), 1e-12)
            columns.extend((cols + block.offset).tolist())
            values.extend(v.tolist())
        return np.array(columns, dtype=np.int64), np.array(values, dtype=np.float64)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), len(self.labels)))
        for i, text in enumerate(texts):
            cols, vals = self._row(text)
            z = self.intercept + (vals @ self.coef[cols] if len(cols) else 0.0)
            if self._embedder is not None:
                dense = self._embedder.embed(text) * self.embedding_weight
                z = z + dense @ self.coef[self._dense_offset :]
            z = np.exp(z - z.max())
            out[i] = z / z.sum()
        return out

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        if not texts:
            return []
        probs = self.probabilities(texts)
        return [self._prediction(t, row) for t, row in zip(texts, probs, strict=True)]

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def _prediction(self, text: str, probs: np.ndarray) -> Prediction:
        order = np.argsort(-probs, kind="stable")[:3]
        best = int(order[0])
        label = self.labels[best]
        confidence = float(probs[best])
        return Prediction(
            label=label,
            confidence=confidence,  # unrounded: acting and showing read the same figure
            abstain=confidence < self.threshold_of(label),
            ranked=tuple((self.labels[int(i)], round(float(probs[int(i)]), 4)) for i in order),
            cues=self._cues(text, best),
        )

    def _cues(self, text: str, label: int) -> tuple[str, ...]:
        if not self._blocks:
            return ()
        words = self._analyse(text)[0]
        block = self._blocks[0]
        scored = sorted(
            {
                (float(self.coef[block.vocab[w] + block.offset, label]), w.split(":", 1)[1])
                for w in set(words)
                if w.startswith("w:") and w in block.vocab
            },
            reverse=True,
        )
        return tuple(word for score, word in scored[:3] if score > 0)

    # --- persistence

    def save(self, path: Path) -> None:
        meta = {
            "format": ARTIFACT_FORMAT,
            "fingerprint": self.fingerprint,
            "labels": list(self.labels),
            "analyser": self.analyser,
            "thresholds": self.thresholds,
            "weights": [b.weight for b in self._blocks],
            "sublinear_tf": self.sublinear_tf,
            "embedding_weight": self.embedding_weight,
        }
        arrays: dict[str, Any] = {"meta": np.array(json.dumps(meta))}
        for i, b in enumerate(self._blocks):
            arrays[f"vocab{i}"] = np.array(sorted(b.vocab, key=b.vocab.__getitem__))
            arrays[f"idf{i}"] = b.idf.astype(np.float32)
        arrays["coef"] = self.coef.astype(np.float32)
        arrays["intercept"] = self.intercept.astype(np.float32)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.stem}.partial.npz")
        with partial.open("wb") as f:
            np.savez_compressed(f, **arrays)
        partial.replace(path)  # atomic: a concurrent reader sees the old file or the new

    @classmethod
    def load(cls, path: Path) -> TextClassifier:
        with np.load(path, allow_pickle=False) as doc:
            meta = json.loads(str(doc["meta"]))
            if meta.get("format") != ARTIFACT_FORMAT:
                raise ValueError(f"{path}: artifact format {meta.get('format')}")
            blocks = [
                (doc[f"vocab{i}"].tolist(), doc[f"idf{i}"].astype(np.float64), float(w))
                for i, w in enumerate(meta["weights"])
            ]
            return cls(
                labels=meta["labels"],
                analyser=meta["analyser"],
                blocks=blocks,
                coef=doc["coef"].astype(np.float64),
                intercept=doc["intercept"].astype(np.float64),
                thresholds={str(k): float(v) for k, v in meta["thresholds"].items()},
                fingerprint=meta["fingerprint"],
                sublinear_tf=bool(meta["sublinear_tf"]),
                embedding_weight=float(meta.get("embedding_weight", 0.0)),
            )


# --- the artifact in the data dir --------------------------------------------------------------

#: Bump when `brain.text`, this module's arithmetic or the training procedure change.
MODEL_VERSION = 7


def fingerprint_of(train_file: Path = TRAIN_FILE, development_file: Path = DEVELOPMENT_FILE) -> str:
    """Changes whenever the training data, the development split (thresholds are chosen on
    it), the model's code version or the pretrained sentence vector change."""
    identity = f"format={ARTIFACT_FORMAT};model={MODEL_VERSION};sentence={model_identity()}"
    h = hashlib.sha256(identity.encode())
    h.update(train_file.read_bytes())
    h.update(development_file.read_bytes())
    return h.hexdigest()[:16]


def model_path(data_dir: Path) -> Path:
    return data_dir / "brain" / "model.npz"


def build(data_dir: Path) -> None:
    """Train the artifact into `data_dir` in a child process (scikit-learn stays out of here)."""
    log.info("training the offline brain's classifier into %s", model_path(data_dir))
    subprocess.run(
        [sys.executable, "-m", "brain.training", "build", "--data-dir", str(data_dir)],
        check=True,
    )


def load_or_build(data_dir: Path) -> TextClassifier:
    """The model for the current training data, built first when missing or stale."""
    return _load_or_build(model_path(data_dir).resolve(), fingerprint_of())


@lru_cache(maxsize=4)
def _load_or_build(path: Path, fingerprint: str) -> TextClassifier:
    if path.exists():
        try:
            model = TextClassifier.load(path)
            if model.fingerprint == fingerprint:
                return model
        except (OSError, ValueError, KeyError) as exc:
            log.warning("rebuilding the unreadable model %s: %s", path, exc)
    build(path.parent.parent)
    return TextClassifier.load(path)


# Kept for callers that name the old entry point.
load_or_train = load_or_build

