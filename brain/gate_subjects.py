"""What the accuracy gate measures: the brain the worker will run.

The offline classifier measures itself (`TextClassifier`); Claude is measured through
its `understand` call, one labelled message at a time, so a shop that turns Claude on
learns per category how far it may be trusted before the agent acts on its word.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from brain.base import Brain, TurnContext
from brain.validation import autonomy_path, read_autonomy
from domain.dialogue import Category
from domain.gate import OUT_OF_SCOPE

#: Below this confidence a measured Claude answer counts as an abstention.
CLAUDE_ABSTAIN_BELOW = 0.5


@dataclass(frozen=True)
class GatePrediction:
    category: Category
    confidence: float
    abstain: bool
    out_of_scope: bool = False

    @property
    def label(self) -> str:
        return OUT_OF_SCOPE if self.out_of_scope else self.category.value


def claude_fingerprint(model: str) -> str:
    """The model id an autonomy file records for a Claude brain."""
    return f"claude:{model}"


class BrainGateSubject:
    """Any brain, measured through `understand`; the shape `brain.validation.validate` reads."""

    def __init__(
        self, brain: Brain, fingerprint: str, *, abstain_below: float = CLAUDE_ABSTAIN_BELOW
    ) -> None:
        self.brain = brain
        self.fingerprint = fingerprint
        self.threshold = abstain_below

    def predict_many(self, texts: Sequence[str]) -> list[GatePrediction]:
        return asyncio.run(self._predict_all(texts))

    async def _predict_all(self, texts: Sequence[str]) -> list[GatePrediction]:
        predictions = []
        for text in texts:
            understood = await self.brain.understand(TurnContext(text=text))
            predictions.append(
                GatePrediction(
                    understood.category,
                    understood.confidence,
                    abstain=understood.confidence < self.threshold,
                    out_of_scope=understood.out_of_scope,
                )
            )
        return predictions


def recorded_autonomy(
    data_dir: Path, fingerprint: str, *, say: Callable[[str], None]
) -> frozenset[str]:
    """The categories a recorded gate result clears for this brain, or none.

    A worker never measures a paid model at start: without a result recorded for exactly
    this model (by `trustdesk validate` with the key set), nothing is autonomous.
    """
    path = autonomy_path(data_dir)
    doc = read_autonomy(path)
    if doc is None or doc.get("model") != fingerprint:
        say(
            f"no accuracy-gate result for {fingerprint} in {path}: every category gets "
            "partial help and a handoff until `trustdesk validate` is run with this brain"
        )
        return frozenset()
    return frozenset(str(c) for c in doc.get("autonomous") or ())
