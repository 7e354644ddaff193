"""The offline classifier: the data files, training, the run-time model, thresholds, language."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from brain import classifier as clf
from brain.classifier import (
    DEVELOPMENT_FILE,
    HELDOUT_FILE,
    TRAIN_FILE,
    Prediction,
    TextClassifier,
    fingerprint_of,
    model_path,
)
from brain.language import LANGUAGES, detect_language
from brain.templates import HANDOFF_IN_LANGUAGE, handoff_in_language
from brain.text import features, lemma, tokens_of
from brain.training import (
    SHARED_RUN,
    choose_thresholds,
    fit,
    install,
    read_rows,
    shipped_model,
    training_rows,
    word_runs,
)
from brain.validation import History, OfflineReading, rule_scores, shipped_history, validate
from domain.dialogue import Category
from domain.gate import LABELS, OUT_OF_SCOPE
from trustdesk.brain_cli import format_table

# Every ninth training line: small enough to train in a few seconds.
SMALL = training_rows()[::9]


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    return shipped_model()


def test_the_data_files_are_labelled_and_large_enough() -> None:
    held = read_rows(HELDOUT_FILE)
    per_label = Counter(r.label for r in held)
    assert set(per_label) == set(LABELS)
    assert min(per_label.values()) >= 200  # enough for a Wilson bound that means something
    languages = Counter(r.language for r in held)
    assert set(languages) == {"en", "es", "fr", "de", "pt", "it"}
    assert all(n >= 40 for n in languages.values())
    assert len({r.register for r in held}) >= 10
    assert len({r.text.lower() for r in held}) == len(held)  # each message once
    assert {r.label for r in read_rows(DEVELOPMENT_FILE)} == set(LABELS)


def test_training_shares_no_run_of_words_with_the_measured_splits() -> None:
    """The gate measures messages unlike anything learned: no training line that is fitted
    repeats a held-out or development message, nor eight of its words in a row."""
    measured = read_rows(HELDOUT_FILE) + read_rows(DEVELOPMENT_FILE)
    measured_runs = set().union(*(word_runs(r.text) for r in measured))
    measured_texts = {r.text.lower() for r in measured}
    kept = training_rows()
    for r in kept:
        assert r.text.lower() not in measured_texts, r.text
        assert not word_runs(r.text) & measured_runs, r.text
    assert len(kept) > 10_000
    words = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    assert len(word_runs(" ".join(words[:SHARED_RUN]))) == 1
    assert word_runs(" ".join(words[: SHARED_RUN - 1])) == set()


def test_training_is_deterministic_and_the_artifact_predicts_what_was_trained(
    tmp_path: Path,
) -> None:
    first, second = fit(SMALL), fit(SMALL)
    texts = [r.text for r in SMALL[:60]]
    assert np.array_equal(first.probabilities(texts), second.probabilities(texts))
    # The saved arrays (float32) predict what the trained model does.
    first.save(tmp_path / "m.npz")
    restored = TextClassifier.load(tmp_path / "m.npz")
    before, after = first.predict_many(texts), restored.predict_many(texts)
    assert [p.label for p in after] == [p.label for p in before]
    assert [p.confidence for p in after] == pytest.approx([p.confidence for p in before], abs=1e-3)


def test_the_runtime_arithmetic_is_scikit_learns() -> None:
    """The numpy model applies exactly what scikit-learn fitted: same probabilities, the
    pretrained sentence vector included."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from brain.embedding import SentenceEmbedder
    from brain.training import DEFAULT, _blocks

    assert DEFAULT.embedding_weight > 0  # the shipped model has the sentence block
    weights = (DEFAULT.word_weight, DEFAULT.char_weight)
    embedder = SentenceEmbedder.load()  # its own copy: nothing shared with the model

    def sentence_block(texts: list[str]) -> sparse.csr_matrix:
        return sparse.csr_matrix(embedder.embed_many(texts) * DEFAULT.embedding_weight)

    rows = SMALL
    texts = [r.text for r in rows]
    mats = []
    vecs = []
    for i, w in enumerate(weights):
        v = TfidfVectorizer(
            analyzer=lambda t, i=i: _blocks("shop", t)[i], sublinear_tf=True, min_df=2
        )
        mats.append(v.fit_transform(texts) * w)
        vecs.append(v)
    lr = LogisticRegression(C=DEFAULT.c, class_weight="balanced", max_iter=3000).fit(
        sparse.hstack([*mats, sentence_block(texts)]).tocsr(),
        [LABELS.index(r.label) for r in rows],
    )
    probe = [r.text for r in read_rows(DEVELOPMENT_FILE)[:80]]
    tfidf = [v.transform(probe) * w for v, w in zip(vecs, weights, strict=True)]
    x = sparse.hstack([*tfidf, sentence_block(probe)])
    expected = lr.predict_proba(x.tocsr())
    ours = fit(rows).probabilities(probe)
    assert np.allclose(ours[:, lr.classes_], expected, atol=1e-6)


def test_heldout_precision_per_label(
    model: TextClassifier, capsys: pytest.CaptureFixture[str]
) -> None:
    report = validate(model, shipped_history())
    with capsys.disabled():
        print(f"\nheld-out gate (model {model.fingerprint}):\n{format_table(report)}")
    # A floor, not a target: a change that makes the brain much worse fails here.
    assert report.n == len(read_rows(HELDOUT_FILE))
    assert report.correct / report.given >= 0.9
    assert report.correct / report.n >= 0.6


def test_the_gate_meets_other_languages_as_the_offline_brain_does(model: TextClassifier) -> None:
    """A message in a language the offline brain does not read is handed to a person in
    that language: the gate counts it as no answer, for the categories and the rules."""
    texts = ["quiero cancelar mi pedido, ya no lo necesito", "please cancel my order"]
    raw = model.predict_many(texts)
    read = OfflineReading(model).predict_many(texts)
    assert read[0].abstain and read[0].handed_off and read[0].label == raw[0].label
    assert read[1] == raw[1] and not read[1].handed_off
    refunds = ["¿dónde está mi reembolso? ya lo devolví hace dos semanas"]
    history = History([(refunds[0], "refund_status")], 0, "test")
    given = [s.given for s in rule_scores(history, OfflineReading(model).predict_many(refunds))]
    assert given == [0, 0]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # The phrasings the workflow, end-to-end and demo conversations use.
        ("Hi, I want to cancel order #W0000001", Category.CANCEL_ORDER),
        ("cancel #W0000001 please, ada@example.com, ordered by mistake", Category.CANCEL_ORDER),
        ("I want to cancel order #W1000002", Category.CANCEL_ORDER),
        ("I'd like to return order #W0000003, my email is ada@example.com", Category.RETURN),
        ("where is my order #W0000002?", Category.ORDER_STATUS),
        (
            "I want to exchange the pet bed from order #W8553554 for a bigger size.",
            Category.EXCHANGE,
        ),
        (
            "Can you ship order #W6247578 to 12 Elm Street, Boston MA 02110 instead?",
            Category.CHANGE_ADDRESS,
        ),
        ("I want to talk to a real person please", Category.TALK_TO_HUMAN),
        ("hi, my email is ada@example.com", Category.OTHER),
        ("yes please", Category.OTHER),
        ("I don't want to cancel, I want to return it", Category.RETURN),
        ("how many days do I have to send something back?", Category.POLICY_QUESTION),
    ],
)
def test_known_phrasings(model: TextClassifier, text: str, category: Category) -> None:
    prediction = model.predict(text)
    assert prediction.category is category, prediction.rationale()


@pytest.mark.parametrize(
    "text",
    [
        "I forgot my password and the reset email never comes",
        "can you send me a VAT invoice for my company",
        "are you hiring? where do I send my CV",
    ],
)
def test_out_of_scope_requests_are_never_an_action(model: TextClassifier, text: str) -> None:
    prediction = model.predict(text)
    assert prediction.out_of_scope or prediction.abstain, prediction.rationale()
    assert prediction.category in (Category.OTHER, Category.TALK_TO_HUMAN) or prediction.abstain
    if prediction.out_of_scope:
        assert prediction.category is Category.OTHER  # what the dialogue sees


def test_each_label_acts_at_its_own_threshold(model: TextClassifier) -> None:
    texts = [r.text for r in read_rows(HELDOUT_FILE)]
    predictions = model.predict_many(texts)
    assert all(p.abstain == (p.confidence < model.threshold_of(p.label)) for p in predictions)
    assert any(p.abstain for p in predictions) and not all(p.abstain for p in predictions)
    assert set(model.thresholds) == set(LABELS)
    assert not any(p.abstain for p in model.with_threshold(0.0).predict_many(texts))


Reading = tuple[int, float, str, str, bool]


def _readings(*groups: Reading) -> tuple[np.ndarray, list[str], list[bool]]:
    """Out-of-fold readings: (how many, confidence, read as, truth, hand-written)."""
    probs, truth, hand = [], [], []
    for count, confidence, guess, label, written in groups:
        row = np.full(len(LABELS), (1 - confidence) / (len(LABELS) - 1))
        row[LABELS.index(guess)] = confidence
        probs += [row] * count
        truth += [label] * count
        hand += [written] * count
    return np.array(probs), truth, hand


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        # Two hand-written misreadings at 0.5: the cut goes just above them.
        (
            (
                (300, 0.95, "cancel_order", "cancel_order", False),
                (40, 0.8, "cancel_order", "cancel_order", True),
                (2, 0.5, "cancel_order", "return", True),
            ),
            0.51,
        ),
        # Sixty right answers and nothing else: too few for a lower bound of 0.98.
        (((60, 0.9, "cancel_order", "cancel_order", False),), 1.0),
        # A thousand easy template lines do not carry a label its real phrasings miss.
        (
            (
                (1000, 0.99, "cancel_order", "cancel_order", False),
                (9, 0.95, "cancel_order", "cancel_order", True),
                (1, 0.95, "cancel_order", "return", True),
            ),
            0.96,
        ),
        # Precise enough from the lowest cut on.
        (
            (
                (500, 0.7, "cancel_order", "cancel_order", False),
                (50, 0.6, "cancel_order", "cancel_order", True),
            ),
            0.3,
        ),
    ],
)
def test_thresholds_are_the_lowest_cut_that_clears_both_targets(
    groups: tuple[Reading, ...], expected: float
) -> None:
    probs, truth, hand = _readings(*groups)
    chosen = choose_thresholds(probs, truth, hand, lower=0.98, precision=0.98)
    assert chosen["cancel_order"] == expected
    assert chosen["return"] == 1.0  # never read as a return: never acts on one


def test_the_model_is_built_once_per_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(tmp_path)
    built: list[Path] = []
    monkeypatch.setattr(clf, "build", built.append)
    clf._load_or_build.cache_clear()
    loaded = clf.load_or_build(tmp_path)
    assert built == [] and loaded.fingerprint == fingerprint_of()
    # A damaged or stale artifact is rebuilt.
    model_path(tmp_path).write_bytes(b"not a model")
    clf._load_or_build.cache_clear()
    monkeypatch.setattr(clf, "build", lambda d: (built.append(d), install(d)))
    assert clf.load_or_build(tmp_path).fingerprint == fingerprint_of()
    assert built == [tmp_path.resolve()]


def test_the_fingerprint_follows_the_data(tmp_path: Path) -> None:
    corpus = tmp_path / "train.jsonl"
    corpus.write_text('{"text": "cancel it", "label": "cancel_order"}\n')
    first = fingerprint_of(corpus, DEVELOPMENT_FILE)
    assert first == fingerprint_of(corpus, DEVELOPMENT_FILE)
    corpus.write_text('{"text": "cancel it now", "label": "cancel_order"}\n')
    assert fingerprint_of(corpus, DEVELOPMENT_FILE) != first
    assert fingerprint_of() == fingerprint_of(TRAIN_FILE, DEVELOPMENT_FILE)


def test_the_worker_side_never_imports_scikit_learn_nor_wordllama() -> None:
    import subprocess
    import sys

    code = (
        "import sys, brain.offline, brain.classifier, brain.language, brain.embedding; "
        "brain.embedding.shared_embedder().embed('where is my order'); "
        "print(any(m.split('.')[0] in ('sklearn', 'scipy', 'wordllama') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Quiero devolver las zapatillas, no me quedan bien.", "es"),
        ("Je voudrais annuler ma commande, s'il vous plaît.", "fr"),
        ("Wo ist meine Bestellung? Ich warte seit zwei Wochen.", "de"),
        ("Onde está a minha encomenda? Já passou uma semana.", "pt"),
        ("Vorrei restituire le scarpe, sono troppo piccole.", "it"),
        ("Ik wil de lamp terugsturen, hij past niet bij mijn kamer.", "nl"),
        ("Dzień dobry, chciałabym zwrócić buty, są za małe.", "pl"),
        ("Hej, var är mitt paket? Jag har väntat i två veckor.", "sv"),
        ("Hej, jeg vil gerne annullere min ordre, tak.", "da"),
        ("Merhaba, siparişim nerede? İki haftadır bekliyorum.", "tr"),
        ("pls cancel my order", "en"),
        ("#W1234567", "en"),
        ("ada@example.com", "en"),
    ],
)
def test_language(model: TextClassifier, text: str, language: str) -> None:
    assert detect_language(text, model.english_share(text)) == language


def test_every_detected_language_has_an_honest_handoff_sentence() -> None:
    assert set(HANDOFF_IN_LANGUAGE) == set(LANGUAGES.values()) - {"en"}
    assert handoff_in_language("en") is None
    assert "persona" in (handoff_in_language("es") or "")


@pytest.mark.parametrize(
    ("word", "base"),
    [
        ("cancelling", "cancel"),
        ("cancelled", "cancel"),
        ("refunded", "refund"),
        ("parcels", "parcel"),
    ],
)
def test_inflections_share_one_form(word: str, base: str) -> None:
    assert lemma(word) == base


def test_texting_is_spelled_out_and_a_negated_word_is_not_the_request() -> None:
    spelled = "please do not send your package before friday , its order zorderid"
    assert tokens_of("plz dont send ur pkg b4 friday, its W1234567") == spelled.split(" ")
    said = features("I don't want to cancel, I want to return it")
    assert said["n:cancel"] == 1 and said["w:cancel"] == 0 and said["w:return"] == 1
    said = features("dont want it anymore can u cancel")
    assert said["w:cancel"] == 1 and said["n:cancel"] == 0


def test_out_of_scope_is_its_own_label() -> None:
    assert OUT_OF_SCOPE in LABELS and OUT_OF_SCOPE not in {c.value for c in Category}
    assert clf.category_of(OUT_OF_SCOPE) is Category.OTHER
    assert json.loads(json.dumps(sorted(LABELS)))  # plain strings in the autonomy file


def test_the_stored_acting_thresholds_were_chosen_for_the_shipped_corpus() -> None:
    # A changed corpus or setting makes a worker's first start choose them again (five extra
    # fits): `python -m brain.training tune` stores the new ones.
    from brain.classifier import DEVELOPMENT_FILE, TRAIN_FILE
    from brain.training import DEFAULT, stored_thresholds

    stored = stored_thresholds(DEFAULT, TRAIN_FILE, DEVELOPMENT_FILE)
    assert stored is not None, "run `python -m brain.training tune` after changing the corpus"
    assert set(stored) == set(LABELS)
    assert all(0.0 < t <= 1.0 for t in stored.values())


def test_stored_thresholds_for_other_data_are_not_used(tmp_path: Path) -> None:
    from brain.classifier import DEVELOPMENT_FILE, TRAIN_FILE
    from brain.training import DEFAULT, THRESHOLDS_FILE, stored_thresholds

    other = tmp_path / "train.jsonl"
    other.write_text(TRAIN_FILE.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert stored_thresholds(DEFAULT, other, DEVELOPMENT_FILE, THRESHOLDS_FILE) is None


class _Fixed:
    """A classifier that reads each text as a table says (for how the gate reads it)."""

    fingerprint = "fixed"
    thresholds: dict[str, float] = {}

    def __init__(self, table: dict[str, tuple[str, bool]]) -> None:
        self.table = table

    def predict_many(self, texts: list[str]) -> list[Prediction]:
        return [
            Prediction(self.table[t][0], 0.2 if self.table[t][1] else 0.9, self.table[t][1], ())
            for t in texts
        ]

    def english_share(self, text: str) -> float:
        return 1.0


def test_the_gate_reads_two_requests_part_by_part_as_the_turn_does() -> None:
    whole = "Do you ship to Canada? Also, where is my order #W1234567?"
    parts = ("Do you ship to Canada", "where is my order #W1234567?")
    table = {whole: ("order_status", False), parts[0]: ("policy_question", False),
             parts[1]: ("order_status", False)}  # fmt: skip
    reading = OfflineReading(_Fixed(table))  # type: ignore[arg-type]
    assert reading.predict_many([whole])[0].label == "policy_question"
    # The second part read unsure: still two requests, the first answered first.
    table[parts[1]] = ("order_status", True)
    assert reading.predict_many([whole])[0].label == "policy_question"
    # Both parts read unsure: one request, read whole.
    table[parts[0]] = ("policy_question", True)
    assert reading.predict_many([whole])[0].label == "order_status"
    # One request: read whole.
    table["where is my order #W1234567?"] = ("order_status", False)
    assert reading.predict_many(["where is my order #W1234567?"])[0].label == "order_status"


def test_thresholds_are_chosen_on_two_requests_read_as_the_turn_reads_them() -> None:
    from brain.training import _as_the_turn_reads

    def onehot(label: str, p: float) -> np.ndarray:
        row = np.full(len(LABELS), (1 - p) / (len(LABELS) - 1))
        row[LABELS.index(label)] = p
        return row

    parts = {"Do you ship to Canada": onehot("policy_question", 0.9),
             "where is my order #W1234567?": onehot("order_status", 0.9)}  # fmt: skip

    class Parts:
        def probabilities(self, texts: list[str]) -> np.ndarray:
            return np.array([parts[t] for t in texts])

    texts = ["Do you ship to Canada? Also, where is my order #W1234567?", "where is it?"]
    whole = np.array([onehot("order_status", 0.8), onehot("order_status", 0.7)])
    read = _as_the_turn_reads(Parts(), texts, whole.copy())  # type: ignore[arg-type]
    assert LABELS[int(read[0].argmax())] == "policy_question"
    assert np.array_equal(read[1], whole[1])
