"""The accuracy gate: Wilson bounds, the precision of the answers given, and who earns autonomy."""

from __future__ import annotations

import pytest

from brain.classifier import Prediction
from brain.validation import History, validate
from domain.dialogue import Category
from domain.gate import (
    LABELS,
    OUT_OF_SCOPE,
    LabelScore,
    Outcome,
    is_autonomous,
    measure,
    wilson_lower_bound,
)
from domain.turn import AnswerSource, rule_key

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


def _score(given: int, correct: int, label: str = C.RETURN.value) -> LabelScore:
    return LabelScore(label, n=given, given=given, correct=correct)


@pytest.mark.parametrize(
    ("given", "correct", "threshold", "autonomous"),
    [
        (73, 73, 0.95, True),  # no mistake in 73 answers: the bound just clears 0.95
        (72, 72, 0.95, False),  # one answer fewer does not
        (40, 40, 0.95, False),  # perfect, but too few answers to tell
        (200, 197, 0.95, True),  # 98.5 %: bound 0.957
        (200, 195, 0.95, False),  # 97.5 %: bound 0.943, a point estimate would have cleared it
        (100, 97, 0.9, True),  # a shop may choose its own bar: bound 0.915
        (0, 0, 0.95, False),  # no answers given, nothing to trust
    ],
)
def test_autonomy_needs_the_lower_bound_of_precision(
    given: int, correct: int, threshold: float, autonomous: bool
) -> None:
    assert is_autonomous(_score(given, correct), threshold) is autonomous


def test_out_of_scope_is_never_autonomous() -> None:
    assert not is_autonomous(_score(500, 500, OUT_OF_SCOPE), 0.95)


def _o(truth: Category | str, guess: Category | str, acted: bool = True) -> Outcome:
    t = truth.value if isinstance(truth, Category) else truth
    g = guess.value if isinstance(guess, Category) else guess
    return Outcome(t, g, acted)


def test_measure_counts_answers_given_per_label() -> None:
    outcomes = (
        [_o(C.CANCEL_ORDER, C.CANCEL_ORDER)] * 30
        + [_o(C.RETURN, C.RETURN)] * 28
        + [_o(C.RETURN, C.EXCHANGE)] * 1
        + [_o(C.RETURN, C.RETURN, acted=False)] * 1  # below the acting confidence
        + [_o(C.EXCHANGE, C.EXCHANGE)] * 5
        + [_o(OUT_OF_SCOPE, C.CANCEL_ORDER)] * 2  # an invoice request read as a cancellation
    )
    report = measure(outcomes, acting_thresholds={"return": 0.6})
    cancel, ret, exchange = (report.score_of(c) for c in (C.CANCEL_ORDER, C.RETURN, C.EXCHANGE))
    # What else lands in a category counts against it: 30 of 32 cancellations given are right.
    assert (cancel.n, cancel.given, cancel.correct) == (30, 32, 30)
    assert cancel.precision == pytest.approx(30 / 32)
    assert (ret.n, ret.given, ret.correct, ret.acting_threshold) == (30, 28, 28, 0.6)
    assert ret.coverage == pytest.approx(28 / 30)
    assert (exchange.n, exchange.given, exchange.precision) == (5, 6, pytest.approx(5 / 6))
    assert report.score_of(C.COMPLAINT).n == 0 and report.score_of(C.COMPLAINT).precision is None
    assert report.score_of(OUT_OF_SCOPE).n == 2
    assert len(report.scores) == len(LABELS) == len(Category) + 1
    assert (report.n, report.given, report.correct) == (67, 66, 63)


def test_a_category_that_collects_other_requests_does_not_clear_the_gate() -> None:
    # Every cancellation recognised, but many other messages read as cancellations too:
    # the old rule (recall) would clear it, the precision of the answers given does not.
    outcomes = [_o(C.CANCEL_ORDER, C.CANCEL_ORDER)] * 100 + [_o(OUT_OF_SCOPE, C.CANCEL_ORDER)] * 20
    report = measure(outcomes)
    assert report.score_of(C.CANCEL_ORDER).coverage == 1.0
    assert C.CANCEL_ORDER not in report.autonomous()
    assert C.CANCEL_ORDER in measure([_o(C.CANCEL_ORDER, C.CANCEL_ORDER)] * 100).autonomous()


def test_measure_rejects_unknown_labels_and_thresholds() -> None:
    with pytest.raises(ValueError):
        measure([Outcome("refund_please", "return", True)])
    with pytest.raises(ValueError):
        measure([], threshold=0.0)


class _Reads:
    """A brain that reads each text as the table says, sure of itself."""

    fingerprint = "table"

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table

    def predict_many(self, texts: list[str]) -> list[Prediction]:
        return [Prediction(self.table[t], 0.9, False, ((self.table[t], 0.9),)) for t in texts]


def test_rule_readers_are_measured_by_the_labels_their_answers_are_right_for() -> None:
    where = "where is my refund for the lamp?"
    when = "when will the refund for my order come through"
    ask_for_one = "I want a refund, the lamp broke"  # a request, no status cue: not read
    contents = "what did I order last week?"
    history = History(
        examples=[
            (where, "refund_status"),
            (when, "return"),  # the rule answers it, and the label says it is wrong
            (ask_for_one, "return"),
            (contents, "order_status"),
        ],
        skipped=0,
        source="test",
    )
    brain = _Reads({where: "return", when: "return", ask_for_one: "return", contents: "other"})
    report = validate(brain, history)
    scores = {s.label: s for s in report.rules}
    refund = scores[rule_key(AnswerSource.REFUND_STATUS)]
    assert (refund.n, refund.given, refund.correct) == (1, 2, 1)
    contents_score = scores[rule_key(AnswerSource.ORDER_CONTENTS)]
    assert (contents_score.n, contents_score.given, contents_score.correct) == (1, 1, 1)
    assert report.autonomous_rules() == frozenset()  # one right answer proves nothing
