"""The accuracy gate: how often the brain was right per category, and whether that earns autonomy.

A category is autonomous only when the brain classified at least `threshold` of its
labelled messages correctly (an abstention counts as not correct) on at least
`min_samples` of them. The 95 % Wilson lower bound is reported next to the
accuracy so a reader can see how much a small sample could flatter it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from domain.dialogue import Category

DEFAULT_THRESHOLD = 0.95
DEFAULT_MIN_SAMPLES = 30
Z_95 = 1.959963984540054  # two-sided 95 % normal quantile


def wilson_lower_bound(correct: int, n: int, z: float = Z_95) -> float:
    """The lower end of the Wilson score interval for `correct` successes out of `n`."""
    if n <= 0:
        return 0.0
    if not 0 <= correct <= n:
        raise ValueError(f"correct must be between 0 and n, got {correct} of {n}")
    p = correct / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, (centre - margin) / (1 + z2 / n))


@dataclass(frozen=True)
class CategoryScore:
    category: Category
    n: int  # labelled messages of this category
    correct: int  # of them, classified as this category without abstaining
    abstained: int  # of them, where the brain abstained
    predicted: int  # messages of any category the brain put here without abstaining

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def wilson_lower(self) -> float:
        return wilson_lower_bound(self.correct, self.n)

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None


def is_autonomous(score: CategoryScore, threshold: float, min_samples: int) -> bool:
    """Measured often enough, and right often enough."""
    return score.n >= min_samples and score.correct >= threshold * score.n - 1e-9


@dataclass(frozen=True)
class GateReport:
    scores: tuple[CategoryScore, ...]
    threshold: float = DEFAULT_THRESHOLD
    min_samples: int = DEFAULT_MIN_SAMPLES

    @property
    def n(self) -> int:
        return sum(s.n for s in self.scores)

    @property
    def correct(self) -> int:
        return sum(s.correct for s in self.scores)

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    def autonomous(self) -> frozenset[Category]:
        return frozenset(
            s.category for s in self.scores if is_autonomous(s, self.threshold, self.min_samples)
        )

    def score_of(self, category: Category) -> CategoryScore:
        return next(s for s in self.scores if s.category is category)


def measure(
    outcomes: Iterable[tuple[Category, Category | None]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_samples: int = DEFAULT_MIN_SAMPLES,
) -> GateReport:
    """Score (true category, predicted category or None when the brain abstained) pairs.

    Every category appears in the report, with n = 0 when the history has none of it.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if min_samples < 1:
        raise ValueError(f"min_samples must be at least 1, got {min_samples}")
    n = dict.fromkeys(Category, 0)
    correct = dict.fromkeys(Category, 0)
    abstained = dict.fromkeys(Category, 0)
    predicted = dict.fromkeys(Category, 0)
    for truth, guess in outcomes:
        n[truth] += 1
        if guess is None:
            abstained[truth] += 1
            continue
        predicted[guess] += 1
        if guess is truth:
            correct[truth] += 1
    scores = tuple(CategoryScore(c, n[c], correct[c], abstained[c], predicted[c]) for c in Category)
    return GateReport(scores, threshold, min_samples)
