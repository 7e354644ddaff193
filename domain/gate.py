"""The accuracy gate: how far each of the brain's readings can be trusted, and what that earns.

What matters to a customer is the answers the agent actually gives. So per label the
gate counts, at the confidence the agent acts on for that label, every message the
brain read as that label (`given`) and how many of them really were (`correct`). The
label is autonomous only when the 95 % Wilson lower bound of that precision,
correct / given, is at least `threshold` (0.95 by default), so a handful of lucky
answers never clears it: with no mistake at all it takes 73 answers. Next to it the
gate reports coverage, the share of the label's own messages the agent answers at that
confidence (the rest get one clarifying question, then a person).

A label a message is read as is a `Category` value or `out_of_scope`, a request the
shop's tools cannot serve (it is measured like the others and never autonomous: the
agent hands those off).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from domain.dialogue import Category

DEFAULT_THRESHOLD = 0.95
Z_95 = 1.959963984540054  # two-sided 95 % normal quantile
OUT_OF_SCOPE = "out_of_scope"
#: Every label the brain reads a message as.
LABELS: tuple[str, ...] = (*(c.value for c in Category), OUT_OF_SCOPE)


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
class Outcome:
    """One labelled message as the brain read it."""

    truth: str
    guess: str
    acted: bool  # the confidence reached the acting threshold of `guess`


@dataclass(frozen=True)
class LabelScore:
    label: str
    n: int  # labelled messages of this label
    given: int  # messages of any label the brain read as this one, at the acting confidence
    correct: int  # of those, the ones that really are this label
    acting_threshold: float | None = None  # the confidence the agent acts on for this label

    @property
    def precision(self) -> float | None:
        return self.correct / self.given if self.given else None

    @property
    def wilson_lower(self) -> float:
        """The 95 % Wilson lower bound of the precision of the answers given."""
        return wilson_lower_bound(self.correct, self.given)

    @property
    def coverage(self) -> float:
        """Of this label's own messages, the share answered (rightly) at the acting confidence."""
        return self.correct / self.n if self.n else 0.0


def is_autonomous(score: LabelScore, threshold: float) -> bool:
    """The answers given for this label are right often enough, with 95 % confidence."""
    return score.label != OUT_OF_SCOPE and score.given > 0 and score.wilson_lower >= threshold


@dataclass(frozen=True)
class GateReport:
    scores: tuple[LabelScore, ...]
    threshold: float = DEFAULT_THRESHOLD
    #: Rule readers measured like labels (`domain.turn.RULE_READERS`), by their rule key.
    rules: tuple[LabelScore, ...] = ()

    def autonomous_rules(self) -> frozenset[str]:
        """The rule readers whose answers clear the bar, by rule key."""
        return frozenset(
            s.label for s in self.rules if s.given > 0 and s.wilson_lower >= self.threshold
        )

    @property
    def n(self) -> int:
        return sum(s.n for s in self.scores)

    @property
    def given(self) -> int:
        return sum(s.given for s in self.scores)

    @property
    def correct(self) -> int:
        return sum(s.correct for s in self.scores)

    def autonomous(self) -> frozenset[Category]:
        return frozenset(
            Category(s.label) for s in self.scores if is_autonomous(s, self.threshold)
        )

    def score_of(self, label: str | Category) -> LabelScore:
        key = label.value if isinstance(label, Category) else label
        return next(s for s in self.scores if s.label == key)


def measure(
    outcomes: Iterable[Outcome],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    acting_thresholds: dict[str, float] | None = None,
) -> GateReport:
    """Score labelled messages as the brain read them. Every label appears in the report."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    n = dict.fromkeys(LABELS, 0)
    given = dict.fromkeys(LABELS, 0)
    correct = dict.fromkeys(LABELS, 0)
    for o in outcomes:
        if o.truth not in n or o.guess not in n:
            raise ValueError(f"unknown label in {o}")
        n[o.truth] += 1
        if o.acted:
            given[o.guess] += 1
            correct[o.guess] += o.guess == o.truth
    acting = acting_thresholds or {}
    scores = tuple(
        LabelScore(label, n[label], given[label], correct[label], acting.get(label))
        for label in LABELS
    )
    return GateReport(scores, threshold)
