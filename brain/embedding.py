"""A pretrained sentence vector of a message: WordLlama's static token embeddings, averaged.

The PyPI package `wordllama` (MIT) ships its default model inside the wheel: a 32,000 x 256
table of token vectors (`weights/l2_supercat_256.safetensors`, float16, 16 MB) and the
LLaMA-2 tokenizer it was trained with (`tokenizers/l2_supercat_tokenizer_config.json`). A
message's vector is the mean of its tokens' vectors, L2-normalised, as the package computes
it. This module reads those two files itself and never imports `wordllama`: importing it
configures the root logger and loads `requests`, and its own loader looks for the tokenizer
in a folder the wheel does not have, then tries to download it. The table is memory-mapped
from the safetensors file (an 8-byte header length, a JSON header, then the raw array), so a
process holds only the pages of the rows its messages use, and the page cache is shared by
every worker on the machine; the tokenizer is read by `tokenizers`.

The text embedded is the shop's reading of the message (`brain.text.tokens_of`: greeting
and signature stripped, shorthand spelled out), without the placeholders that stand for
order ids, emails and numbers.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from brain.text import tokens_of

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MODEL_NAME = "wordllama l2_supercat_256"
WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
TENSOR = "embedding.weight"
TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
_PLACEHOLDERS = frozenset(["zorderid", "zemail", "znum"])


def package_dir() -> Path:
    """Where the installed `wordllama` package keeps its files (found, not imported)."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the wordllama package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def read_table(path: Path, name: str = TENSOR) -> np.ndarray:
    """The float16 array `name` of a safetensors file, memory-mapped read-only."""
    with path.open("rb") as f:
        header_size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(header_size))
    entry = header[name]
    if entry["dtype"] != "F16":
        raise ValueError(f"{path}: {name} is {entry['dtype']}, not F16")
    start, end = entry["data_offsets"]
    shape = tuple(entry["shape"])
    table = np.memmap(path, dtype="<f2", mode="r", offset=8 + header_size + start, shape=shape)
    if table.nbytes != end - start:
        raise ValueError(f"{path}: {name} has {end - start} bytes for shape {shape}")
    return table


@lru_cache(maxsize=1)
def model_identity() -> str:
    """A digest of the token table and the tokenizer (part of the classifier's fingerprint:
    another table is another model; a new release of the package with the same files is not)."""
    try:
        root = package_dir()
    except ModuleNotFoundError:
        return f"{MODEL_NAME} missing"
    h = hashlib.sha256()
    for name in (WEIGHTS, TOKENIZER):
        h.update((root / name).read_bytes())
    return f"{MODEL_NAME} {h.hexdigest()[:16]}"


def embedding_text(text: str) -> str:
    """The words of a message the sentence vector is taken of."""
    return " ".join(t for t in tokens_of(text) if t not in _PLACEHOLDERS)


class SentenceEmbedder:
    """Token vectors averaged into one unit vector per message."""

    def __init__(self, table: np.ndarray, tokenizer: Tokenizer) -> None:
        self._table = table  # (vocabulary, dim), float16 as shipped
        self._tokenizer = tokenizer
        self.dim = int(table.shape[1])

    @classmethod
    def load(cls, root: Path | None = None) -> SentenceEmbedder:
        from tokenizers import Tokenizer

        root = root or package_dir()
        return cls(read_table(root / WEIGHTS), Tokenizer.from_file(str(root / TOKENIZER)))

    def token_ids(self, text: str) -> list[int]:
        ids: list[int] = self._tokenizer.encode(embedding_text(text), add_special_tokens=False).ids
        return [i for i in ids if 0 <= i < len(self._table)]

    def embed(self, text: str) -> np.ndarray:
        """The message's unit vector (zeros when it has no words)."""
        ids = self.token_ids(text)
        if not ids:
            return np.zeros(self.dim)
        v: np.ndarray = self._table[ids].astype(np.float64).mean(axis=0)
        return v / max(float(np.linalg.norm(v)), 1e-12)

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim))
        for i, text in enumerate(texts):
            out[i] = self.embed(text)
        return out


@lru_cache(maxsize=1)
def shared_embedder() -> SentenceEmbedder:
    """One table per process: every model that uses the sentence vector shares it."""
    return SentenceEmbedder.load()
