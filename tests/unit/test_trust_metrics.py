"""The trust dashboard's numbers on a scripted set of cases, counted by hand.

Seven cases, `NOW` 14 March 2026 15:00 UTC, a 7-day re-contact window:

* a  (customer c1, order o1, return):       refund executed, 10 days ago; rated 5.
* b  (c2, o2, order status):                answered, 12 days ago; c2 came back about o2.
* b2 (c2, o2, order status):                2 days after b: handed to a person who closed it.
* c  (c3, o3, cancellation):                proposed, the customer said no, 9 days ago.
* d  (c4, o4, return):                      refund executed 2 days ago: window still open.
* e  (c5, o5, complaint):                   with a person since 3 hours ago, no reply yet.
* f  (c1, o9, order status):                answered 8 days ago; a different order from a's,
                                            so a is not a re-contact; rated 2.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from web.review import charts
from web.review.metrics import CaseRecord as Case
from web.review.metrics import (
    GateFigure,
    HandoffRecord,
    MessageRecord,
    MetricsInput,
    RatingRecord,
    ShadowRecord,
    compute_metrics,
    first_response,
    is_handled,
    recontacted,
)

NOW = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)
SLA = timedelta(minutes=240)
IDENTITY = "identity must be verified before disclosing anything or acting"
ANSWERED = "order status is shown to its verified owner"


def ago(days: float = 0, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


A = Case("a", ago(10), "resolved", acted=True, category="return", customer_id="c1", order_id="o1")
B = Case("b", ago(12), "resolved", category="order_status", customer_id="c2", order_id="o2")
B2 = Case(
    "b2", ago(10), "closed", escalated=True, category="order_status", customer_id="c2",
    order_id="o2",
)  # fmt: skip
C = Case(
    "c", ago(9), "resolved", declined=True, category="cancel_order", customer_id="c3",
    order_id="o3",
)  # fmt: skip
D = Case("d", ago(2), "resolved", acted=True, category="return", customer_id="c4", order_id="o4")
E = Case(
    "e", ago(hours=3), "escalated", escalated=True, category="complaint", customer_id="c5",
    order_id="o5",
)  # fmt: skip
F = Case("f", ago(8), "resolved", category="order_status", customer_id="c1", order_id="o9")
CASES = [A, B, B2, C, D, E, F]


def said(
    case: Case, seq: int, role: str, seconds: float, reason: str | None = None
) -> MessageRecord:
    return MessageRecord(
        case.case_id, seq, role, case.created_at + timedelta(seconds=seconds), reason
    )


MESSAGES = [
    # a: the identity prompt after 1 s is not the first response; the proposal at 32 s is.
    said(A, 1, "customer", 0),
    said(A, 2, "agent", 1, IDENTITY),
    said(A, 3, "customer", 30),
    said(A, 4, "agent", 32, "the order was delivered within the return window"),
    said(B, 1, "customer", 0),
    said(B, 2, "agent", 5, ANSWERED),
    said(B2, 1, "customer", 0),
    said(B2, 2, "human", 21 * 60, "reply from sam"),
    said(C, 1, "customer", 0),
    said(C, 2, "agent", 4, "the order has not shipped yet, so it can be cancelled"),
    said(C, 3, "customer", 20),
    said(C, 4, "agent", 21, "the customer declined the proposed action"),
    said(F, 1, "customer", 0),
    said(F, 2, "agent", 2, ANSWERED),
]
DATA = MetricsInput(
    cases=CASES,
    messages=MESSAGES,
    handoffs=[
        HandoffRecord("b2", B2.created_at + timedelta(minutes=1), open=False),
        HandoffRecord("e", E.created_at, open=True),
    ],
    ratings=[RatingRecord("a", 5, ago(9)), RatingRecord("f", 2, ago(7))],
    gate=[
        GateFigure("return", 0.8, given=100, correct=97, autonomous=True),
        GateFigure("order_status", 0.7, given=50, correct=40, autonomous=False),
        GateFigure("complaint", None, given=0, correct=0, autonomous=False),
    ],
    gate_source="the shipped labelled set",
)


def test_the_scripted_cases_match_the_hand_count() -> None:
    m = compute_metrics(DATA, now=NOW, sla=SLA, days=14, recontact_days=7)

    assert m.total_cases == 7
    # Handled: a (acted), b (answered), b2 (a person closed it), d (acted), f (answered);
    # not c (declined) nor e (still with a person).
    assert m.handled == 5
    assert m.recontacts == 1  # b: c2 came back about o2 two days later
    assert m.resolved_unconfirmed == 2  # d and e are younger than the 7-day window
    assert m.resolved == 3  # a, b2, f
    assert m.resolution_rate == pytest.approx(3 / 5)
    # Deflection beside it: b and f were answered without an action or a person.
    assert m.outcomes["deflection"] == 2 and m.deflection_rate == pytest.approx(2 / 7)
    assert m.outcomes["declined"] == 1 and m.declined == 1
    assert m.outcomes["automated resolution"] == 2
    assert m.escalated == 2 and m.escalation_rate == pytest.approx(2 / 7)
    # First substantive response: a 32 s (not the 1 s identity prompt), b 5, c 4, f 2,
    # b2 a person after 21 minutes.
    assert m.first_response_seconds == [2.0, 4.0, 5.0, 32.0, 1260.0]
    assert m.median_first_response_seconds == 5.0
    assert m.handoff_backlog == 1 and m.handoff_wait_minutes == [180.0]
    assert m.human_first_response_minutes == [20.0]
    assert m.ratings == [5, 2]
    assert m.csat_average == 3.5 and m.csat_satisfied == 0.5

    by_category = {c.category: c for c in m.categories}
    assert set(by_category) == {"return", "order_status", "cancel_order", "complaint"}
    ret = by_category["return"]
    assert (ret.cases, ret.automated, ret.automated_judged, ret.automated_correct) == (2, 2, 1, 1)
    assert ret.precision == 1.0 and ret.autonomous and ret.gate_precision == 0.97
    status = by_category["order_status"]
    assert (status.cases, status.automated, status.automated_judged) == (3, 2, 2)
    assert status.precision == 0.5  # b came back, f did not
    assert status.automated_share == pytest.approx(2 / 3) and not status.autonomous
    assert by_category["cancel_order"].automated_share == 0.0
    assert by_category["cancel_order"].precision is None
    # Calibration from the gate's held-out figures: labels with a threshold and answers.
    assert [g.label for g in m.calibration] == ["return", "order_status"]
    assert m.calibration_source == "the shipped labelled set"


def test_a_declined_proposal_is_not_handled_even_when_answered() -> None:
    c_messages = [msg for msg in MESSAGES if msg.case_id == "c"]
    assert not is_handled(C, c_messages)
    assert is_handled(Case("c", C.created_at, "resolved"), c_messages)


def test_only_clarifying_replies_are_not_an_answer() -> None:
    asked = [said(B, 1, "customer", 0), said(B, 2, "agent", 1, IDENTITY)]
    assert first_response(asked) is None
    assert not is_handled(B, asked)


@pytest.mark.parametrize(
    ("later", "expected"),
    [
        (Case("x", ago(9), "open", customer_id="c1", order_id="o1"), True),  # same order
        (Case("x", ago(9), "open", customer_id="c1", order_id=None), True),  # order unknown
        (Case("x", ago(9), "open", customer_id="c1", order_id="o7"), False),  # other order
        (Case("x", ago(9), "open", customer_id="c9", order_id="o1"), False),  # other customer
        (Case("x", ago(2), "open", customer_id="c1", order_id="o1"), False),  # after 8 days
        (Case("x", ago(10.5), "open", customer_id="c1", order_id="o1"), False),  # before it
    ],
)
def test_a_recontact_is_the_same_customer_and_order_within_the_window(
    later: Case, expected: bool
) -> None:
    assert recontacted(A, [A, later], timedelta(days=7)) is expected


def test_the_trust_charts_draw_calibration_and_ratings() -> None:
    m = compute_metrics(DATA, now=NOW, sla=SLA, days=14, recontact_days=7)
    calibration = charts.calibration(m)
    rating = charts.csat(m)
    assert calibration is not None and "order status" in calibration
    assert "observed precision" in calibration
    assert rating is not None and "rating" in rating
    empty = compute_metrics(MetricsInput(), now=NOW, sla=SLA)
    assert charts.calibration(empty) is None and charts.csat(empty) is None


def test_shadow_agreement_is_counted_per_category_from_the_drafts_sent() -> None:
    day = timedelta(days=1)
    sent = [
        ShadowRecord("s1", "return", agreed=True, sent_at=NOW - 2 * day),
        ShadowRecord("s1", "return", agreed=False, sent_at=NOW - 2 * day),
        ShadowRecord("s2", "return", agreed=True, sent_at=NOW - day),
        ShadowRecord("s3", "exchange", agreed=False, sent_at=NOW - day),
        ShadowRecord("s4", "exchange", agreed=True, sent_at=NOW - 20 * day),  # before the window
    ]
    m = compute_metrics(MetricsInput(shadow=sent), now=NOW, sla=SLA, days=14)
    by_category = {s.category: (s.sent, s.unchanged) for s in m.shadow}
    assert by_category == {"exchange": (1, 0), "return": (3, 2)}
    assert [s.agreement for s in m.shadow] == [0.0, pytest.approx(2 / 3)]
    assert m.shadow_agreement == pytest.approx(2 / 4)
    assert compute_metrics(MetricsInput(), now=NOW, sla=SLA).shadow_agreement is None
