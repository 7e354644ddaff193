"""The pretrained sentence vector of the offline brain (`brain.embedding`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from brain.classifier import TextClassifier
from brain.embedding import (
    TOKENIZER,
    WEIGHTS,
    SentenceEmbedder,
    embedding_text,
    package_dir,
    read_table,
    shared_embedder,
)
from brain.training import Candidate, fit, training_rows

SMALL = training_rows()[::9]


@pytest.fixture(scope="module")
def embedder() -> SentenceEmbedder:
    return shared_embedder()


def test_the_table_is_mapped_from_the_installed_package_as_safetensors_reads_it(
    tmp_path: Path,
) -> None:
    from safetensors.numpy import load_file, save_file

    root = package_dir()
    assert (root / TOKENIZER).is_file()
    table = read_table(root / WEIGHTS)
    assert isinstance(table, np.memmap) and table.shape == (32_000, 256)
    assert np.array_equal(table, load_file(str(root / WEIGHTS))["embedding.weight"])
    # Another tensor type is refused, not misread.
    save_file({"embedding.weight": np.ones((4, 2), dtype=np.float32)}, str(tmp_path / "t.st"))
    with pytest.raises(ValueError, match="not F16"):
        read_table(tmp_path / "t.st")


@pytest.mark.parametrize(
    "text",
    [
        "where is my order #W1234567?",
        "Hi,\n\nI'd like to send back the shoes, they are too small.\n\nKind regards\nAda",
        "plz cancel it b4 it ships",
        "can I return something I bought 45 days ago?",
    ],
)
def test_the_vector_is_wordllamas_own_average(embedder: SentenceEmbedder, text: str) -> None:
    """Read by this module, the vector is the one the package itself computes."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer
    from wordllama.inference import WordLlamaInference

    root = package_dir()
    theirs = WordLlamaInference(
        load_file(str(root / WEIGHTS))["embedding.weight"],
        Tokenizer.from_file(str(root / TOKENIZER)),
    ).embed([embedding_text(text)], norm=True)[0]
    ours = embedder.embed(text)
    assert np.linalg.norm(ours) == pytest.approx(1.0)
    assert np.allclose(ours, theirs, atol=1e-5)


def test_the_text_embedded_is_the_shops_reading(embedder: SentenceEmbedder) -> None:
    text = "Hello,\nplz move order #W1234567 to ada@example.com by 5pm\nThanks\nAda"
    assert embedding_text(text) == "please move order order to by pm"
    # The same request in other clothes reads closer than a different request.
    same = embedder.embed("I would like to send these shoes back")
    assert same @ embedder.embed("i want to return the shoes") > 0.6
    assert same @ embedder.embed("cancel my order") < 0.3


@pytest.mark.parametrize("text", ["", "  \n ", "ada@example.com", "123"])
def test_a_message_without_words_has_no_vector(embedder: SentenceEmbedder, text: str) -> None:
    assert not embedder.embed(text).any()


def test_the_sentence_block_is_saved_and_restored(tmp_path: Path) -> None:
    model = fit(SMALL, Candidate(embedding_weight=0.5))
    texts = ["I would like to send these shoes back", "where's my parcel??", "#W1234567"]
    model.save(tmp_path / "m.npz")
    restored = TextClassifier.load(tmp_path / "m.npz")
    assert restored.embedding_weight == 0.5
    assert np.allclose(restored.probabilities(texts), model.probabilities(texts), atol=1e-5)
    # The block weighs: without it the same coefficients read the messages otherwise.
    plain = fit(SMALL, Candidate(embedding_weight=0.0))
    assert not np.allclose(plain.probabilities(texts), model.probabilities(texts), atol=1e-3)


def test_the_sentence_vector_alone_is_a_model(embedder: SentenceEmbedder) -> None:
    """The comparison's 'alone' candidate: no tf-idf block, the vector only."""
    model = fit(SMALL, Candidate(word_weight=0.0, char_weight=0.0, embedding_weight=1.0))
    assert model.coef.shape[0] == embedder.dim
    probs = model.probabilities(["I want my money back for the broken kettle"])
    assert probs.sum() == pytest.approx(1.0)
    assert model.predict("hello").cues == ()


def test_another_table_is_another_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The classifier's fingerprint holds a digest of the two files, not a version number."""
    import shutil

    from brain import embedding

    for name in (WEIGHTS, TOKENIZER):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(package_dir() / name, tmp_path / name)
    shipped = embedding.model_identity()
    monkeypatch.setattr(embedding, "package_dir", lambda: tmp_path)
    embedding.model_identity.cache_clear()
    try:
        assert embedding.model_identity() == shipped  # the same files: the same model
        with (tmp_path / TOKENIZER).open("a") as f:
            f.write(" ")
        embedding.model_identity.cache_clear()
        assert embedding.model_identity() != shipped
    finally:
        embedding.model_identity.cache_clear()
