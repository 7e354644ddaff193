"""The metrics dashboard's numbers (`web.review.metrics`) and its charts (`web.review.charts`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from web.review import charts
from web.review.metrics import (
    OUTCOMES,
    ApprovalRecord,
    CaseRecord,
    MessageRecord,
    MetricsInput,
    compute_metrics,
    first_response,
    outcome_of,
)

NOW = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)
SLA = timedelta(minutes=240)


def case(case_id: str, days_ago: int = 0, status: str = "resolved", **flags: bool) -> CaseRecord:
    return CaseRecord(case_id, NOW - timedelta(days=days_ago, hours=1), status, **flags)


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (case("a", acted=True), "automated resolution"),
        (case("b", acted=True, decided_by_person=True), "resolved with approval"),
        (case("c", decided_by_person=True), "resolved with approval"),  # a rejection
        (case("d"), "deflection"),
        (case("e", status="closed"), "deflection"),
        (case("f", status="resolved", escalated=True, acted=True), "escalation"),
        (case("g", status="escalated", escalated=True), "escalation"),
        (case("h", status="awaiting_approval"), "in progress"),
        (case("i", status="awaiting_customer", acted=True), "in progress"),
        (case("j", status="open"), "in progress"),
    ],
)
def test_each_case_has_one_outcome(record: CaseRecord, expected: str) -> None:
    assert outcome_of(record) == expected


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([], None),
        ([("customer", 0)], None),
        ([("customer", 0), ("agent", 1.5)], 1.5),
        ([("customer", 0), ("customer", 4), ("agent", 6)], 6.0),
        ([("agent", 0), ("customer", 10), ("human", 70)], 60.0),  # a greeting is no answer
        ([("customer", 0), ("system", 2), ("agent", 3)], 3.0),  # a system note answers nothing
    ],
)
def test_first_response_runs_from_the_first_customer_message(
    messages: list[tuple[str, float]], expected: float | None
) -> None:
    records = [MessageRecord("c", seq, role, at(s)) for seq, (role, s) in enumerate(messages, 1)]
    got = first_response(list(reversed(records)))  # order comes from seq, not the list
    assert (got.total_seconds() if got else None) == expected


def test_compute_metrics_counts_days_outcomes_approvals_and_responses() -> None:
    data = MetricsInput(
        cases=[
            case("a", 0, acted=True),
            case("b", 0, decided_by_person=True, acted=True),
            case("c", 1),
            case("d", 3, status="escalated", escalated=True),
            case("e", 13, status="awaiting_approval"),
            case("old", 14, acted=True),  # outside the 14-day window
        ],
        approvals=[
            ApprovalRecord("w1", "pending", NOW - timedelta(minutes=30)),
            ApprovalRecord("w2", "pending", NOW - timedelta(minutes=241)),
            ApprovalRecord("d1", "approved", NOW - timedelta(hours=2), NOW - timedelta(hours=1)),
            ApprovalRecord("d2", "rejected", NOW - timedelta(hours=9), NOW - timedelta(hours=4)),
            ApprovalRecord(
                "d3", "approved", NOW - timedelta(days=30), NOW - timedelta(days=29)
            ),  # decided before the window
        ],
        messages=[
            MessageRecord("a", 1, "customer", at(-100)),
            MessageRecord("a", 2, "agent", at(-98)),
            MessageRecord("b", 1, "customer", at(-50)),
            MessageRecord("b", 2, "agent", at(-46)),
            MessageRecord("old", 1, "customer", at(-10)),
            MessageRecord("old", 2, "agent", at(-1)),
        ],
    )
    m = compute_metrics(data, now=NOW, sla=SLA, days=14)

    assert m.days[0] == date(2026, 3, 1) and m.days[-1] == date(2026, 3, 14)
    assert len(m.days) == len(m.cases_per_day) == 14
    assert m.cases_per_day[-1] == 2 and m.cases_per_day[-2] == 1 and m.cases_per_day[-4] == 1
    assert m.cases_per_day[0] == 1 and m.total_cases == 5
    assert m.outcomes == {
        "automated resolution": 1,
        "resolved with approval": 1,
        "deflection": 1,
        "escalation": 1,
        "declined": 0,
        "in progress": 1,
    }
    assert list(m.outcomes) == list(OUTCOMES)
    assert m.automation_rate == pytest.approx(2 / 5)
    assert (m.approvals_waiting, m.approvals_overdue) == (2, 1)
    assert m.decision_minutes == [60.0, 300.0]
    assert (m.decided_within_sla, m.decided_late) == (1, 1)
    assert m.median_decision_minutes == 180.0
    assert m.first_response_seconds == [2.0, 4.0]
    assert m.median_first_response_seconds == 3.0
    assert m.sla_minutes == 240


def test_no_data_gives_zeros_and_no_charts() -> None:
    m = compute_metrics(MetricsInput(), now=NOW, sla=SLA)
    assert m.total_cases == 0 and m.automation_rate is None
    assert m.median_decision_minutes is None and m.median_first_response_seconds is None
    assert set(m.outcomes.values()) == {0}
    for draw in (charts.cases_per_day, charts.outcomes, charts.approvals, charts.first_response):
        assert draw(m) is None


def test_charts_are_svg_drawn_from_the_numbers() -> None:
    data = MetricsInput(
        cases=[case("a", 0, acted=True), case("b", 2, status="escalated", escalated=True)],
        approvals=[
            ApprovalRecord("w", "pending", NOW - timedelta(minutes=300)),
            ApprovalRecord("d", "approved", NOW - timedelta(minutes=90), NOW),
        ],
        messages=[
            MessageRecord("a", 1, "customer", at(-5)),
            MessageRecord("a", 2, "agent", at(-3)),
        ],
    )
    m = compute_metrics(data, now=NOW, sla=SLA)
    drawn = {
        "cases": charts.cases_per_day(m),
        "outcomes": charts.outcomes(m),
        "approvals": charts.approvals(m),
        "first": charts.first_response(m),
    }
    for name, svg in drawn.items():
        assert svg is not None and svg.startswith("<svg") and svg.rstrip().endswith("</svg>"), name
        assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert "14 Mar" in drawn["cases"] and "12 Mar" in drawn["cases"]  # type: ignore[operator]
    assert "automated resolution" in drawn["outcomes"]  # type: ignore[operator]
    assert "SLA 240 min" in drawn["approvals"] and "overdue" in drawn["approvals"]  # type: ignore[operator]
    assert "median 2.0 s" in drawn["first"]  # type: ignore[operator]
    assert charts.outcomes(m) == drawn["outcomes"]  # the same numbers draw the same chart
