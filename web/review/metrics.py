"""The numbers behind the metrics dashboard, computed by one pure function.

`compute_metrics` takes plain records read from the store's projection (see
`web.review.queries.metrics_input`) and the current time, and returns what the
charts show. Outcomes, per case:

* **automated resolution**: resolved with an action executed, no person involved;
* **resolved with approval**: resolved after an approver decided (approve or reject);
* **deflection**: resolved by an answer alone (no action, no person);
* **escalation**: handed to a person at some point;
* **in progress**: none of the above yet.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

OUTCOMES = (
    "automated resolution",
    "resolved with approval",
    "deflection",
    "escalation",
    "in progress",
)
_DONE = frozenset({"resolved", "closed"})
_ANSWERING_ROLES = frozenset({"agent", "human", "system"})


@dataclass(frozen=True)
class CaseRecord:
    case_id: str
    created_at: datetime
    status: str
    escalated: bool = False
    acted: bool = False
    decided_by_person: bool = False


@dataclass(frozen=True)
class ApprovalRecord:
    approval_id: str
    status: str
    requested_at: datetime
    decided_at: datetime | None = None


@dataclass(frozen=True)
class MessageRecord:
    case_id: str
    seq: int
    role: str
    at: datetime


@dataclass(frozen=True)
class MetricsInput:
    cases: list[CaseRecord] = field(default_factory=list)
    approvals: list[ApprovalRecord] = field(default_factory=list)
    messages: list[MessageRecord] = field(default_factory=list)


@dataclass(frozen=True)
class Metrics:
    days: list[date]
    cases_per_day: list[int]
    outcomes: dict[str, int]
    approvals_waiting: int
    approvals_overdue: int
    decision_minutes: list[float]
    decided_within_sla: int
    decided_late: int
    first_response_seconds: list[float]
    sla_minutes: float

    @property
    def total_cases(self) -> int:
        return sum(self.cases_per_day)

    @property
    def median_decision_minutes(self) -> float | None:
        return statistics.median(self.decision_minutes) if self.decision_minutes else None

    @property
    def median_first_response_seconds(self) -> float | None:
        values = self.first_response_seconds
        return statistics.median(values) if values else None

    @property
    def automation_rate(self) -> float | None:
        """Share of cases finished without a person: automated resolutions and deflections."""
        if not self.total_cases:
            return None
        alone = self.outcomes["automated resolution"] + self.outcomes["deflection"]
        return alone / self.total_cases


def outcome_of(case: CaseRecord) -> str:
    if case.escalated:
        return "escalation"
    if case.status not in _DONE:
        return "in progress"
    if case.decided_by_person:
        return "resolved with approval"
    return "automated resolution" if case.acted else "deflection"


def first_response(messages: list[MessageRecord]) -> timedelta | None:
    """From a case's first customer message to the first answer after it."""
    asked: datetime | None = None
    for message in sorted(messages, key=lambda m: m.seq):
        if asked is None and message.role == "customer":
            asked = message.at
        elif asked is not None and message.role in _ANSWERING_ROLES:
            return message.at - asked
    return None


def compute_metrics(
    data: MetricsInput, *, now: datetime, sla: timedelta, days: int = 14
) -> Metrics:
    """What the dashboard shows for the `days` days up to and including `now`'s (UTC) day."""
    today = now.astimezone(UTC).date()
    window = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    first_day = window[0]
    cases = [c for c in data.cases if c.created_at.astimezone(UTC).date() >= first_day]
    per_day = Counter(c.created_at.astimezone(UTC).date() for c in cases)
    outcomes = Counter(outcome_of(c) for c in cases)

    waiting = [a for a in data.approvals if a.status == "pending"]
    overdue = [a for a in waiting if now - a.requested_at > sla]
    decided = [
        a
        for a in data.approvals
        if a.decided_at is not None
        and a.status != "pending"
        and a.decided_at.astimezone(UTC).date() >= first_day
    ]
    waits = [a.decided_at - a.requested_at for a in decided if a.decided_at is not None]

    by_case: dict[str, list[MessageRecord]] = {}
    in_window = {c.case_id for c in cases}
    for message in data.messages:
        if message.case_id in in_window:
            by_case.setdefault(message.case_id, []).append(message)
    responses = [r for r in (first_response(ms) for ms in by_case.values()) if r is not None]

    return Metrics(
        days=window,
        cases_per_day=[per_day.get(d, 0) for d in window],
        outcomes={name: outcomes.get(name, 0) for name in OUTCOMES},
        approvals_waiting=len(waiting),
        approvals_overdue=len(overdue),
        decision_minutes=sorted(w.total_seconds() / 60 for w in waits),
        decided_within_sla=sum(1 for w in waits if w <= sla),
        decided_late=sum(1 for w in waits if w > sla),
        first_response_seconds=sorted(max(0.0, r.total_seconds()) for r in responses),
        sla_minutes=sla.total_seconds() / 60,
    )
