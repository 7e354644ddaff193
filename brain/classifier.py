"""The offline brain's classifier: which category a customer message belongs to, and how sure.

A multinomial logistic regression, trained with mini-batch Adam in numpy, over word
lemmas and their bigrams, character 3–5-grams of content words and a length bucket
(sublinear tf × idf; the word and character blocks each L2-normalised and weighted).
Before features are taken an email's greeting and signature are stripped, ids and
numbers become placeholders, texting shorthand and contractions are spelled out and
inflections reduced to one form; a word a negation covers counts as `n:<word>`, so
"I don't want to cancel" is not a cancellation.

Confidence is calibrated by temperature scaling: the model is first fit without a
slice of whole templates, the temperature that minimises the negative
log-likelihood on that slice is kept, the abstention threshold is chosen on the
same slice, and the final model is refit on everything with the same settings.
Below `threshold` the classifier abstains. The settings were chosen by grouped
cross-validation on the training split (`brain.model_selection`).

Training is deterministic (zero initialisation, a seeded shuffle, fixed order) and
takes a few seconds. The model is cached as JSON in `<data dir>/brain/model.json`,
keyed by a fingerprint of the training data, the settings and `MODEL_VERSION`, so a
changed corpus or changed feature code retrains on the next start.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from brain.corpus import TRAIN_FILE
from domain.dialogue import Category

FORMAT = 1
# Bump whenever `features` or the training procedure change: part of the fingerprint, so a
# cached model built by older code is never mistaken for the current one.
MODEL_VERSION = 4
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Settings:
    """Everything that shapes the model besides the data; part of the fingerprint.

    `l2`, `epochs`, `char_weight`, `length_weight` and `negation_scope` were chosen by grouped
    cross-validation on the training split alone (`python -m brain.model_selection`).
    """

    char_min: int = 3
    char_max: int = 5
    min_df: int = 2
    l2: float = 1e-5
    learning_rate: float = 0.05
    epochs: int = 6
    batch_size: int = 256
    seed: int = 7
    calibration_share: int = 15  # percent of each category's templates held back to calibrate
    word_weight: float = 1.0  # how much the word block weighs against the character block
    char_weight: float = 0.7
    length_weight: float = 1.0  # the length bucket's fixed value
    negation_scope: int = 2  # content words after "not", "no", "never" marked as negated
    abstain_cost: float = 0.5  # asking again, as a share of the cost of acting on a wrong reading


# --- features ---------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ORDER = re.compile(r"#?\s?\bw\s?-?\d{7}\b|\border\s+(?:no\.?|number|#)?\s*\d{7}\b")
_DIGITS = re.compile(r"\d+")
_REPEAT = re.compile(r"(\w)\1{2,}")
_TOKEN = re.compile(r"[a-z0-9]+|[!?.,;:]")
_BREAKS = frozenset("!?.,;:")


_GREETING_LINE = re.compile(
    r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening|day)|to whom)\b[^.?!]{0,40}[,:!]?\s*$",
    re.IGNORECASE,
)
_SIGN_OFF_LINE = re.compile(
    r"^\s*(kind regards|best regards|warm regards|regards|best|best wishes|thanks|thank you|"
    r"many thanks|thanks again|thanks a lot|thanks so much|with thanks|cheers|take care|"
    r"speak soon|sincerely|yours( sincerely| faithfully| truly)?|"
    r"all the best|sent from my \w+( \w+)?|--)\s*[,.!]?\s*$",
    re.IGNORECASE,
)


def strip_letter(text: str) -> str:
    """A message without the greeting line, the sign-off and the signature under it."""
    lines = text.splitlines()
    if len(lines) < 2:
        return text
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and _GREETING_LINE.match(lines[0]):
        lines.pop(0)
    for i, line in enumerate(lines):
        if i > 0 and _SIGN_OFF_LINE.match(line):
            lines = lines[:i]
            break
    return "\n".join(lines).strip() or text


def normalise(text: str) -> str:
    """Lower case, accents and apostrophes gone, order ids and emails replaced by placeholders."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = _EMAIL.sub(" zemail ", text)
    text = _ORDER.sub(" order zorderid ", text)
    text = text.replace("'", "").replace("’", "")
    return _REPEAT.sub(r"\1\1", text)


def _table(groups: dict[str, str]) -> dict[str, str]:
    return {word: canonical for canonical, words in groups.items() for word in words.split()}


# Texting shorthand and contractions (their apostrophes already gone), spelled out.
_SPELLED_OUT: dict[str, tuple[str, ...]] = {
    short: tuple(full.split())
    for short, full in _table(
        {
            "you": "u ya yu",
            "your": "ur yr",
            "you are": "youre",
            "please": "plz pls plez plse pleez",
            "thanks": "thx thnx thanx tx ty",
            "order": "ordr odrer",
            "package": "pkg pckg",
            "right now": "rn",
            "before": "b4",
            "because": "bc cuz coz cos bcoz bcuz",
            "want to": "wanna",
            "going to": "gonna",
            "got to": "gotta",
            "i am": "im",
            "i have": "ive",
            "do not": "dont",
            "does not": "doesnt",
            "did not": "didnt",
            "can not": "cant cannot",
            "will not": "wont",
            "is not": "isnt",
            "are not": "arent",
            "was not": "wasnt",
            "were not": "werent",
            "has not": "hasnt",
            "have not": "havent",
            "had not": "hadnt",
            "should not": "shouldnt",
            "could not": "couldnt",
            "would not": "wouldnt",
            "not": "aint",
            "i do not know": "idk",
            "are": "r",
            "and": "n",
            "with": "w",
            "ok": "k kk okay okey",
            "tomorrow": "tmrw tmr tmrow",
            "today": "2day",
            "message": "msg",
            "never mind": "nvm",
            "through": "thru",
            "someone": "some1 sum1",
            "anyone": "any1",
            "everyone": "every1",
            "what": "wat wot",
            "should": "shud",
            "would": "wud",
            "could": "cud",
            "address": "addy",
            "people": "ppl",
            "about": "abt",
            "let me": "lemme",
            "give me": "gimme",
            "do not know": "dunno",
            "though": "tho",
            "week": "wk",
            "weeks": "wks",
            "hours": "hrs",
            "received": "rcvd recd",
            "account": "acct",
            "password": "pwd",
            "next": "nxt",
            "great": "gr8",
            "later": "l8r",
        }
    ).items()
}

# Inflections and spellings of the words requests turn on, reduced to one form.
_LEMMAS: dict[str, str] = _table(
    {
        "cancel": "cancels cancelled canceled cancelling canceling cancellation cancellations "
        "cancelation cancle cancell",
        "refund": "refunds refunded refunding refundable",
        "return": "returns returned returning returnable",
        "ship": "ships shipped shipping",
        "deliver": "delivers delivered delivering delivery deliveries",
        "arrive": "arrives arrived arriving arrival",
        "exchange": "exchanges exchanged exchanging",
        "order": "orders ordered ordering",
        "receive": "receives received receiving recieve recieved",
        "send": "sends sent sending",
        "buy": "buys bought buying",
        "purchase": "purchases purchased purchasing",
        "pay": "pays paid paying",
        "charge": "charges charged charging",
        "change": "changes changed changing",
        "track": "tracks tracked tracking",
        "want": "wants wanted wanting",
        "need": "needs needed needing",
        "swap": "swaps swapped swapping",
        "replace": "replaces replaced replacing replacement replacements",
        "reimburse": "reimburses reimbursed reimbursing reimbursement reimbursements",
        "credit": "credits credited crediting",
        "process": "processes processed processing",
        "dispatch": "dispatches dispatched dispatching",
        "talk": "talks talked talking",
        "speak": "speaks spoke speaking spoken",
        "person": "people persons",
        "colour": "color colours colors",
        "stop": "stops stopped stopping",
        "fit": "fits fitted fitting",
        "break": "breaks broke broken breaking",
        "damage": "damages damaged damaging",
        "move": "moves moved moving",
        "update": "updates updated updating",
        "modify": "modifies modified modifying modification",
        "switch": "switches switched switching",
        "complain": "complains complained complaining complaint complaints",
        "disappoint": "disappoints disappointed disappointing disappointment",
        "wait": "waits waited waiting",
        "take": "takes took taken taking",
        "give": "gives gave given giving",
        "get": "gets got gotten getting",
        "come": "comes came coming",
        "go": "goes went gone going",
        "use": "uses used using",
        "work": "works worked working",
        "expect": "expects expected expecting",
        "policy": "policies",
        "ask": "asks asked asking",
        "try": "tries tried trying",
        "plan": "plans planned planning",
        "mean": "means meant meaning",
        "reverse": "reverses reversed reversing reversal",
        "collect": "collects collected collecting",
        "withdraw": "withdraws withdrew withdrawn withdrawing withdrawal",
        "redirect": "redirects redirected redirecting",
        "reroute": "reroutes rerouted rerouting",
        "forward": "forwards forwarded forwarding",
    }
)
# Words ending in s that are not plurals.
_NOT_PLURAL = frozenset(
    """
    news always perhaps thanks jeans sunglasses glasses headphones trousers pants shorts series
    christmas yes plus bus gas less unless across minus bonus whereas afterwards towards
    """.split()  # noqa: SIM905
)

STOPWORDS = frozenset(
    """
    a an the i me my mine we our you your u ur it its is are was were be been am to of in on at
    for from with and or but so if that this these those there here do does did have has had
    can could would will should shall may might just please pls hi hello hey thanks thank
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_NEGATORS = frozenset(["not", "no", "never", "nothing", "nobody", "without", "nor", "neither"])
# Verbs a negation passes through to the word it is about: "don't want to cancel".
_NEGATION_PASSES = frozenset(["want", "need", "wish", "like", "mean", "plan", "try", "ask"])
# Words that end what a negation covers: "I don't want to cancel, just return it", and the
# words a new request begins with, which texting runs on without a comma: "dont want it
# anymore can u cancel".
_NEGATION_ENDS = frozenset(
    ["but", "instead", "rather", "just", "only", "so", "because", "though", "although"]
    + ["can", "could", "would", "will", "please"]
)


def lemma(word: str) -> str:
    """One form for the inflections of a word: cancelled, cancelling, cancellation -> cancel."""
    if word in _LEMMAS:
        return _LEMMAS[word]
    if (
        len(word) > 3
        and word.endswith("s")
        and word[-2] not in "siu"
        and word not in _NOT_PLURAL
        and word not in STOPWORDS
    ):
        word = word[:-2] + "y" if word.endswith("ies") and len(word) > 4 else word[:-1]
        return _LEMMAS.get(word, word)
    return word


def tokens_of(text: str) -> list[str]:
    """The words of a message (shorthand spelled out, numbers as `znum`) and its punctuation."""
    out: list[str] = []
    for token in _TOKEN.findall(normalise(strip_letter(text))):
        if token in _SPELLED_OUT:
            out.extend(_SPELLED_OUT[token])
        elif any(ch.isdigit() for ch in token):
            out.extend(_DIGITS.sub(" znum ", token).split())
        else:
            out.append(token)
    return out


def features(text: str, settings: Settings = Settings()) -> Counter[str]:
    """The feature counts of one message: word lemmas and their bigrams within a clause,
    character n-grams of content words, and a length bucket. A content word a negation
    covers ("I don't want to *cancel*") counts as `n:<lemma>` instead of itself."""
    tokens = tokens_of(text)
    counts: Counter[str] = Counter()
    counts[f"len:{min(sum(t not in _BREAKS for t in tokens), 12) // 3}"] += 1
    previous: str | None = None
    negated = 0
    for token in tokens:
        if token in _BREAKS:
            if token in "!?":
                counts["w:" + token] += 1
            previous, negated = None, 0
            continue
        base = lemma(token)
        if previous is not None:
            counts[f"b:{previous} {base}"] += 1
        previous = base
        if token in _NEGATION_ENDS:
            negated = 0
        elif token in _NEGATORS:
            negated = settings.negation_scope
        elif negated and token not in STOPWORDS:
            counts["n:" + base] += 1
            if base not in _NEGATION_PASSES:
                negated -= 1
            continue
        counts["w:" + base] += 1
        if token in STOPWORDS:  # their letters say nothing about the request
            continue
        padded = f" {token} "
        for n in range(settings.char_min, settings.char_max + 1):
            for i in range(len(padded) - n + 1):
                counts["c:" + padded[i : i + n]] += 1
    return counts


@dataclass
class _Matrix:
    """A compressed sparse row matrix, just enough for this model."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    @property
    def rows(self) -> int:
        return len(self.indptr) - 1


def _blocks(vocab: Sequence[str]) -> np.ndarray:
    """Which block each feature belongs to: 0 words, 1 character n-grams, 2 the length."""
    return np.fromiter(
        (1 if f.startswith("c:") else 2 if f.startswith("len:") else 0 for f in vocab),
        dtype=np.int64,
        count=len(vocab),
    )


@dataclass
class _Counts:
    """Feature counts of many messages, interned once: row `r` holds `ids[indptr[r]:indptr[r+1]]`
    (indices into `names`, in each message's own order) and their `counts`. Training looks
    the same messages up against two vocabularies (the calibration fit and the final one);
    interning turns each lookup into array indexing instead of a dictionary probe per
    feature."""

    names: list[str]
    indptr: np.ndarray
    ids: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, docs: Sequence[Counter[str]]) -> _Counts:
        names = list(dict.fromkeys(chain.from_iterable(docs)))
        position = {f: i for i, f in enumerate(names)}
        ids = np.fromiter(map(position.__getitem__, chain.from_iterable(docs)), dtype=np.int64)
        counts = np.fromiter(chain.from_iterable(d.values() for d in docs), dtype=np.float64)
        indptr = np.r_[0, np.cumsum([len(d) for d in docs])].astype(np.int64)
        return cls(names, indptr, ids, counts)

    def subset(self, rows: np.ndarray) -> _Counts:
        """The rows `rows` (in that order), sharing the interned names."""
        lengths = np.diff(self.indptr)[rows]
        starts = self.indptr[:-1][rows]
        offsets = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(
            lengths.sum()
        )
        ptr = np.r_[0, np.cumsum(lengths)].astype(np.int64)
        return _Counts(self.names, ptr, self.ids[offsets], self.counts[offsets])

    def document_frequency(self) -> np.ndarray:
        """In how many messages each interned feature occurs."""
        return np.bincount(self.ids, minlength=len(self.names))

    def lookup(self, vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`(indptr, indices, counts)` of the features that are in `vocab`, by vocab index."""
        local = np.fromiter(
            (vocab.get(f, -1) for f in self.names), dtype=np.int64, count=len(self.names)
        )
        mapped = local[self.ids] if len(self.ids) else np.zeros(0, dtype=np.int64)
        keep = mapped >= 0
        rows = np.repeat(np.arange(len(self.indptr) - 1), np.diff(self.indptr))
        indptr = np.r_[0, np.cumsum(np.bincount(rows[keep], minlength=len(self.indptr) - 1))]
        return indptr.astype(np.int64), mapped[keep], self.counts[keep]


def _vectorise(
    docs: Sequence[Counter[str]] | _Counts,
    vocab: dict[str, int],
    idf: np.ndarray,
    blocks: np.ndarray,
    settings: Settings,
) -> _Matrix:
    """Sublinear tf × idf; the word block and the character block each L2-normalised and
    weighted, so neither drowns the other (a word has one feature, its letters a dozen). The
    length bucket is a fixed weight: normalised on its own it would speak as loudly as all
    the words of a message, and most loudly for one whose words are all unknown."""
    if isinstance(docs, _Counts):
        ptr, idx, count_values = docs.lookup(vocab)
    else:
        indptr, indices, counts = [0], [], []
        for doc in docs:
            for feature, count in doc.items():
                i = vocab.get(feature)
                if i is not None:
                    indices.append(i)
                    counts.append(count)
            indptr.append(len(indices))
        ptr = np.asarray(indptr, dtype=np.int64)
        idx = np.asarray(indices, dtype=np.int64)
        count_values = np.asarray(counts, dtype=np.float64)
    n_docs = len(ptr) - 1
    tf = 1.0 + np.log(count_values)  # sublinear
    values = tf * idf[idx] if len(idx) else np.zeros(0)
    rows = np.repeat(np.arange(n_docs), np.diff(ptr))
    block = blocks[idx] if len(idx) else np.zeros(0, dtype=np.int64)
    cell = rows * 3 + block
    norms = np.sqrt(np.bincount(cell, weights=values**2, minlength=3 * n_docs))
    norms[2::3] = 1.0
    values = np.where(block == 2, 1.0, values)
    scale = np.array([settings.word_weight, settings.char_weight, settings.length_weight])[block]
    values = values * scale / np.where(norms > 0, norms, 1.0)[cell]
    return _Matrix(ptr, idx, values.astype(np.float32))


def _logits(x: _Matrix, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    out = np.tile(bias, (x.rows, 1)).astype(np.float64)
    lengths = np.diff(x.indptr)
    nonempty = lengths > 0
    if x.indices.size:
        gathered = weights[x.indices] * x.data[:, None]
        sums = np.add.reduceat(gathered, x.indptr[:-1][nonempty], axis=0)
        out[nonempty] += sums
    return out


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _rows(x: _Matrix, chosen: np.ndarray) -> _Matrix:
    """The rows `chosen` of `x`, in that order."""
    lengths = np.diff(x.indptr)[chosen]
    starts = x.indptr[:-1][chosen]
    offsets = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(
        lengths.sum()
    )
    return _Matrix(np.r_[0, np.cumsum(lengths)], x.indices[offsets], x.data[offsets])


def _fit(
    x: _Matrix, y: np.ndarray, n_features: int, n_labels: int, settings: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression with L2 and balanced class weights, mini-batch Adam from zero with a
    seeded shuffle: the same data gives the same weights.

    Adam's moments are updated only for the features a batch contains (the others have no
    data gradient; their L2 pull is applied when they next occur), so a step costs what the
    batch holds rather than the whole vocabulary."""
    weights = np.zeros((n_features, n_labels), dtype=np.float64)
    bias = np.zeros(n_labels, dtype=np.float64)
    onehot = np.eye(n_labels)[y]
    counts = np.bincount(y, minlength=n_labels).astype(np.float64)
    class_weight = len(y) / (n_labels * np.maximum(counts, 1.0))
    m_w, v_w = np.zeros_like(weights), np.zeros_like(weights)
    m_b, v_b = np.zeros_like(bias), np.zeros_like(bias)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    shuffle = np.random.default_rng(settings.seed)
    present = np.zeros(n_features, dtype=bool)
    position = np.zeros(n_features, dtype=np.int64)
    step = 0
    for _ in range(settings.epochs):
        permutation = shuffle.permutation(x.rows)
        epoch = _rows(x, permutation)
        for begin in range(0, x.rows, settings.batch_size):
            end = min(begin + settings.batch_size, x.rows)
            chosen = permutation[begin:end]
            lo, hi = epoch.indptr[begin], epoch.indptr[end]
            batch = _Matrix(
                epoch.indptr[begin : end + 1] - lo, epoch.indices[lo:hi], epoch.data[lo:hi]
            )
            residual = _softmax(_logits(batch, weights, bias)) - onehot[chosen]
            residual *= class_weight[y[chosen]][:, None] / len(chosen)
            rows = np.repeat(np.arange(batch.rows), np.diff(batch.indptr))
            # The features the batch holds, in order, and where each entry's feature is among
            # them (what np.unique(..., return_inverse=True) gives, without sorting).
            present[batch.indices] = True
            touched = np.flatnonzero(present)
            present[touched] = False
            position[touched] = np.arange(len(touched))
            where = position[batch.indices]
            contributions = batch.data[:, None] * residual[rows]
            cells = (where[:, None] * n_labels + np.arange(n_labels)).ravel()
            grad: np.ndarray = np.bincount(
                cells, weights=contributions.ravel(), minlength=len(touched) * n_labels
            ).reshape(len(touched), n_labels)
            grad += settings.l2 * weights[touched]
            grad_b = residual.sum(axis=0)
            step += 1
            lr = settings.learning_rate * math.sqrt(1 - beta2**step) / (1 - beta1**step)
            m = m_w[touched] * beta1 + (1 - beta1) * grad
            v = v_w[touched] * beta2 + (1 - beta2) * grad * grad
            m_w[touched], v_w[touched] = m, v
            weights[touched] -= lr * m / (np.sqrt(v) + eps)
            m_b *= beta1
            m_b += (1 - beta1) * grad_b
            v_b *= beta2
            v_b += (1 - beta2) * grad_b * grad_b
            bias -= lr * m_b / (np.sqrt(v_b) + eps)
    return weights, bias


def _nll(logits: np.ndarray, y: np.ndarray, temperature: float) -> float:
    probs = _softmax(logits / temperature)
    return float(-np.mean(np.log(probs[np.arange(len(y)), y] + 1e-12)))


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood (golden-section on log T)."""
    lo, hi = math.log(0.05), math.log(20.0)
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = _nll(logits, y, math.exp(a)), _nll(logits, y, math.exp(b))
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = _nll(logits, y, math.exp(a))
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = _nll(logits, y, math.exp(b))
    return math.exp((lo + hi) / 2)


# --- the model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Prediction:
    category: Category
    confidence: float
    abstain: bool
    ranked: tuple[tuple[Category, float], ...]  # the three likeliest, best first
    cues: tuple[str, ...] = ()  # the words that weighed most for the winner

    def rationale(self) -> str:
        runner = (
            f", then {self.ranked[1][0].value} {self.ranked[1][1]:.2f}"
            if len(self.ranked) > 1
            else ""
        )
        cues = f"; cues: {', '.join(repr(c) for c in self.cues)}" if self.cues else ""
        verdict = "abstains: " if self.abstain else ""
        return f"{verdict}{self.category.value} {self.confidence:.2f}{runner}{cues}"


class TextClassifier:
    """A trained model: predicts a category with a calibrated confidence."""

    def __init__(
        self,
        *,
        labels: Sequence[Category],
        vocab: Sequence[str],
        idf: np.ndarray,
        weights: np.ndarray,
        bias: np.ndarray,
        temperature: float,
        fingerprint: str,
        settings: Settings = Settings(),
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.labels = tuple(labels)
        self.vocab_list = tuple(vocab)
        self.vocab = {f: i for i, f in enumerate(vocab)}
        self.blocks = _blocks(self.vocab_list)
        self.idf = idf
        self.weights = weights
        self.bias = bias
        self.temperature = temperature
        self.fingerprint = fingerprint
        self.settings = settings
        self.threshold = threshold

    def with_threshold(self, threshold: float) -> TextClassifier:
        """The same model abstaining below another confidence."""
        clone = object.__new__(TextClassifier)
        clone.__dict__.update(self.__dict__)
        clone.threshold = threshold
        return clone

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Uncalibrated scores, one row per text."""
        return self.logits_of([features(t, self.settings) for t in texts])

    def logits_of(self, docs: Sequence[Counter[str]]) -> np.ndarray:
        """Uncalibrated scores of feature counts, one row per message."""
        x = _vectorise(docs, self.vocab, self.idf, self.blocks, self.settings)
        return _logits(x, self.weights, self.bias)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return _softmax(self.logits(texts) / self.temperature)

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        if not texts:
            return []
        probs = self.probabilities(texts)
        return [self._prediction(text, row) for text, row in zip(texts, probs, strict=True)]

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def _prediction(self, text: str, probs: np.ndarray) -> Prediction:
        order = np.argsort(-probs, kind="stable")[:3]
        best = int(order[0])
        confidence = float(probs[best])
        return Prediction(
            category=self.labels[best],
            confidence=round(confidence, 4),
            abstain=confidence < self.threshold,
            ranked=tuple((self.labels[int(i)], round(float(probs[int(i)]), 4)) for i in order),
            cues=self._cues(text, best),
        )

    def _cues(self, text: str, label: int) -> tuple[str, ...]:
        words = {
            f
            for f in features(text, self.settings)
            if f.startswith("w:")
            and f in self.vocab
            and f[2:] not in _NEGATORS
            and f[2:] not in STOPWORDS
            and f[2:] not in "!?"
        }
        scored = sorted(
            ((self.weights[self.vocab[f], label] * self.idf[self.vocab[f]], f[2:]) for f in words),
            reverse=True,
        )
        return tuple(word for score, word in scored[:3] if score > 0)

    # --- persistence

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "fingerprint": self.fingerprint,
            "settings": self.settings.__dict__,
            "labels": [c.value for c in self.labels],
            "temperature": self.temperature,
            "threshold": self.threshold,
            "vocab": list(self.vocab_list),
            "idf": _encode(self.idf),
            "weights": _encode(self.weights),
            "bias": _encode(self.bias),
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> TextClassifier:
        labels = [Category(v) for v in doc["labels"]]
        vocab = doc["vocab"]
        return cls(
            labels=labels,
            vocab=vocab,
            idf=_decode(doc["idf"], (len(vocab),)),
            weights=_decode(doc["weights"], (len(vocab), len(labels))),
            bias=_decode(doc["bias"], (len(labels),)),
            temperature=float(doc["temperature"]),
            fingerprint=doc["fingerprint"],
            settings=Settings(**doc["settings"]),
            threshold=float(doc["threshold"]),
        )


def _encode(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def _decode(text: str, shape: tuple[int, ...]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(np.float64).reshape(shape)


# --- training -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    text: str
    category: Category
    group: str  # examples of one group (a template) are held back together


def read_examples(path: Path) -> list[Example]:
    """The labelled lines of a JSONL corpus file."""
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            text = row["text"]
            examples.append(Example(text, Category(row["category"]), row.get("template") or text))
    return examples


def _calibration_groups(examples: Sequence[Example], share: int) -> set[str]:
    """About `share` percent of each category's groups, chosen by a stable hash."""
    chosen: set[str] = set()
    by_category: dict[Category, set[str]] = {}
    for e in examples:
        by_category.setdefault(e.category, set()).add(e.group)
    for groups in by_category.values():
        ranked = sorted(groups, key=lambda g: (zlib.crc32(g.encode()), g))
        chosen.update(ranked[: max(1, round(len(ranked) * share / 100))])
    return chosen


def _train_once(
    counts: _Counts, y: np.ndarray, n_labels: int, settings: Settings
) -> dict[str, Any]:
    """Vocabulary, idf and weights fitted on the interned feature counts with labels `y`."""
    df = counts.document_frequency()
    vocab = sorted(counts.names[i] for i in np.flatnonzero(df >= max(settings.min_df, 1)))
    index = {f: i for i, f in enumerate(vocab)}
    n = len(counts.indptr) - 1
    frequency = dict(zip(counts.names, df.tolist(), strict=True))
    idf = np.array([math.log((1 + n) / (1 + frequency[f])) + 1.0 for f in vocab])
    x = _vectorise(counts, index, idf, _blocks(vocab), settings)
    weights, bias = _fit(x, y, len(vocab), n_labels, settings)
    return {"vocab": vocab, "idf": idf, "weights": weights, "bias": bias}


def choose_threshold(confidence: np.ndarray, correct: np.ndarray, abstain_cost: float) -> float:
    """The abstention threshold with the least cost on a calibration slice: a wrong reading
    acted on costs 1, asking again costs `abstain_cost`. Candidates run from 0.30 to 0.80; of
    equally good ones, the one nearest `1 - abstain_cost` (the right cut for perfectly
    calibrated confidence) wins."""
    best: tuple[float, float, float] = (math.inf, math.inf, 1 - abstain_cost)
    for threshold in np.round(np.arange(0.30, 0.801, 0.05), 2):
        kept = confidence >= threshold
        cost = float(np.sum(kept & ~correct) + abstain_cost * np.sum(~kept))
        best = min(best, (round(cost, 9), abs(threshold - (1 - abstain_cost)), float(threshold)))
    return best[2]


def train(
    examples: Sequence[Example],
    *,
    fingerprint: str = "",
    settings: Settings = Settings(),
    docs: Sequence[Counter[str]] | None = None,
) -> TextClassifier:
    """Fit without a slice of whole templates, calibrate the temperature and choose the
    abstention threshold on that slice, then refit on everything. `docs` are the examples'
    feature counts when the caller already has them."""
    labels = list(Category)
    label_index = {c: i for i, c in enumerate(labels)}
    if docs is None:
        docs = [features(e.text, settings) for e in examples]
    y = np.array([label_index[e.category] for e in examples], dtype=np.int64)
    calibration = _calibration_groups(examples, settings.calibration_share)
    held = np.array([e.group in calibration for e in examples], dtype=bool)
    counts = _Counts.of(docs)
    provisional = _train_once(counts.subset(np.flatnonzero(~held)), y[~held], len(labels), settings)
    calibration_x = _vectorise(
        counts.subset(np.flatnonzero(held)),
        {f: i for i, f in enumerate(provisional["vocab"])},
        provisional["idf"],
        _blocks(provisional["vocab"]),
        settings,
    )
    logits = _logits(calibration_x, provisional["weights"], provisional["bias"])
    temperature = fit_temperature(logits, y[held])
    probs = _softmax(logits / temperature)
    threshold = choose_threshold(
        probs.max(axis=1), probs.argmax(axis=1) == y[held], settings.abstain_cost
    )
    return TextClassifier(
        labels=labels,
        **_train_once(counts, y, len(labels), settings),
        temperature=temperature,
        fingerprint=fingerprint,
        settings=settings,
        threshold=threshold,
    )


def fingerprint_of(train_file: Path, settings: Settings = Settings()) -> str:
    """Changes whenever the training data, the model's code version or its settings change."""
    h = hashlib.sha256()
    h.update(f"format={FORMAT};model={MODEL_VERSION};{sorted(settings.__dict__.items())}".encode())
    h.update(train_file.read_bytes())
    return h.hexdigest()[:16]


def model_path(data_dir: Path) -> Path:
    return data_dir / "brain" / "model.json"


def load_or_train(data_dir: Path, train_file: Path = TRAIN_FILE) -> TextClassifier:
    """The cached model for the current training data; trained and cached when missing or stale."""
    fingerprint = fingerprint_of(train_file)
    return _load_or_train(model_path(data_dir).resolve(), train_file.resolve(), fingerprint)


@lru_cache(maxsize=4)
def _load_or_train(path: Path, train_file: Path, fingerprint: str) -> TextClassifier:
    if path.exists():
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("format") == FORMAT and doc.get("fingerprint") == fingerprint:
                return TextClassifier.from_json(doc)
        except (ValueError, KeyError, TypeError):
            pass  # a damaged cache is rebuilt below
    if train_file == TRAIN_FILE.resolve() and fingerprint == fingerprint_of(TRAIN_FILE):
        model = shipped_model()  # already trained in this process, perhaps
    else:
        model = train(read_examples(train_file), fingerprint=fingerprint)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(model.to_json()), encoding="utf-8")
    os.replace(partial, path)  # atomic: a concurrent reader sees the old file or the new
    return model


@lru_cache(maxsize=1)
def shipped_model() -> TextClassifier:
    """The model trained on the shipped corpus, in memory only (no data dir needed)."""
    return train(read_examples(TRAIN_FILE), fingerprint=fingerprint_of(TRAIN_FILE))


def accuracy(model: TextClassifier, examples: Iterable[Example]) -> float:
    items = list(examples)
    predictions = model.predict_many([e.text for e in items])
    return sum(p.category is e.category for p, e in zip(predictions, items, strict=True)) / max(
        1, len(items)
    )
