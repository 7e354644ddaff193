"""The accuracy gate: Wilson bounds, per-category counts, and who earns autonomy."""

from __future__ import annotations

import pytest

from domain.dialogue import Category
from domain.gate import CategoryScore, is_autonomous, measure, wilson_lower_bound

C = Category


@pytest.mark.parametrize(
    ("correct", "n", "expected"),
    [
        (0, 10, 0.0),
        (10, 10, 0.72247),  # n / (n + z²)
        (1, 1, 0.20655),
        (50, 100, 0.40383),
        (95, 100, 0.88825),
        (19, 20, 0.76387),
        (0, 0, 0.0),
    ],
)
def test_wilson_lower_bound_known_values(correct: int, n: int, expected: float) -> None:
    assert wilson_lower_bound(correct, n) == pytest.approx(expected, abs=1e-5)


def test_wilson_lower_bound_grows_with_evidence() -> None:
    # The same 95 % accuracy is more believable on more messages.
    bounds = [wilson_lower_bound(19 * k, 20 * k) for k in (1, 2, 5, 50)]
    assert bounds == sorted(bounds)
    assert all(b < 0.95 for b in bounds)


def test_wilson_lower_bound_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson_lower_bound(11, 10)


def _score(n: int, correct: int) -> CategoryScore:
    return CategoryScore(C.RETURN, n=n, correct=correct, abstained=0, predicted=correct)


@pytest.mark.parametrize(
    ("n", "correct", "threshold", "min_samples", "autonomous"),
    [
        (40, 38, 0.95, 30, True),  # exactly 95 %
        (40, 37, 0.95, 30, False),  # 92.5 %
        (20, 20, 0.95, 30, False),  # perfect, but too few to tell
        (30, 30, 0.95, 30, True),
        (60, 57, 0.95, 30, True),  # 0.95 exactly, despite float rounding
        (100, 90, 0.9, 30, True),  # a shop may choose its own threshold
        (100, 90, 0.95, 30, False),
        (0, 0, 0.95, 1, False),
    ],
)
def test_autonomy_needs_accuracy_on_enough_samples(
    n: int, correct: int, threshold: float, min_samples: int, autonomous: bool
) -> None:
    assert is_autonomous(_score(n, correct), threshold, min_samples) is autonomous


def test_measure_counts_per_category() -> None:
    outcomes = (
        [(C.CANCEL_ORDER, C.CANCEL_ORDER)] * 30
        + [(C.RETURN, C.RETURN)] * 28
        + [(C.RETURN, C.EXCHANGE)] * 1
        + [(C.RETURN, None)] * 1  # abstained
        + [(C.EXCHANGE, C.EXCHANGE)] * 5
    )
    report = measure(outcomes)
    cancel, ret, exchange = (report.score_of(c) for c in (C.CANCEL_ORDER, C.RETURN, C.EXCHANGE))
    assert (cancel.n, cancel.correct, cancel.accuracy) == (30, 30, 1.0)
    assert (ret.n, ret.correct, ret.abstained) == (30, 28, 1)
    assert ret.accuracy == pytest.approx(28 / 30)
    assert (exchange.n, exchange.predicted, exchange.precision) == (5, 6, pytest.approx(5 / 6))
    assert report.score_of(C.COMPLAINT).n == 0 and report.score_of(C.COMPLAINT).precision is None
    assert len(report.scores) == len(Category)
    assert (report.n, report.correct) == (65, 63)
    # Cancel: 30/30. Return: 93 %. Exchange: perfect but only 5 messages.
    assert report.autonomous() == {C.CANCEL_ORDER}
    assert measure(outcomes, min_samples=5).autonomous() == {C.CANCEL_ORDER, C.EXCHANGE}
    assert measure(outcomes, threshold=0.9).autonomous() == {C.CANCEL_ORDER, C.RETURN}


def test_an_abstention_is_never_correct() -> None:
    report = measure([(C.ORDER_STATUS, None)] * 40)
    assert report.score_of(C.ORDER_STATUS).correct == 0
    assert report.autonomous() == frozenset()


@pytest.mark.parametrize(("threshold", "min_samples"), [(0.0, 30), (1.5, 30), (0.95, 0)])
def test_measure_rejects_nonsense_settings(threshold: float, min_samples: int) -> None:
    with pytest.raises(ValueError):
        measure([], threshold=threshold, min_samples=min_samples)
