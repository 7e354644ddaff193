"""The numbers behind the metrics dashboard, computed by one pure function.

`compute_metrics` takes plain records read from the store's projection (see
`web.review.queries.metrics_input`) and the current time, and returns what the
charts show. Outcomes, per case:

* **automated resolution**: resolved with an action executed, no person involved;
* **resolved with approval**: resolved after an approver decided (approve or reject);
* **deflection**: resolved by an answer alone (no action, no person);
* **escalation**: handed to a person at some point;
* **in progress**: none of the above yet.

Beside those outcomes, the dashboard's headline is the *re-contact-adjusted resolution*
(`is_handled`, `recontacted`): a case counts as resolved only when its problem was handled
(an action done, a substantive answer the customer did not decline, or a person closed it)
and the same customer did not open another case about the same order, on any channel,
within `recontact_days`. Deflection is shown beside it, never instead of it.
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
    "declined",
    "in progress",
)
_DONE = frozenset({"resolved", "closed"})
_ANSWERING_ROLES = frozenset({"agent", "human", "system"})
#: The reasons `domain.dialogue` gives for a clarifying question (`Step.ASK`): a reply
#: with one of these asks rather than answers, so it is not the first substantive reply.
CLARIFYING_REASONS = frozenset(
    {
        "identity must be verified before disclosing anything or acting",
        "the customer has not said what they need yet",
        "the request was not understood with enough confidence",
        "the request needs an order number",
        "a cancellation needs its reason",
        "a refund needs a payment method",
        "the order has several items; one must be named",
        "a price difference needs a payment method",
        "a new address needs street, city, state and zip",
        "the new payment method must be one of the customer's own",
        "the preferred resolution helps the person",
    }
)
#: The reason `domain.dialogue` gives when the customer says no to a proposed action.
DECLINED_REASON = "the customer declined the proposed action"
SATISFIED = 4  # a rating of 4 or 5 counts as satisfied


@dataclass(frozen=True)
class CaseRecord:
    case_id: str
    created_at: datetime
    status: str
    escalated: bool = False
    acted: bool = False
    decided_by_person: bool = False
    category: str | None = None
    customer_id: str | None = None
    order_id: str | None = None
    declined: bool = False  # the customer said no to the proposed action


@dataclass(frozen=True)
class HandoffRecord:
    case_id: str
    created_at: datetime
    open: bool


@dataclass(frozen=True)
class RatingRecord:
    case_id: str
    score: int
    rated_at: datetime


@dataclass(frozen=True)
class GateFigure:
    """One label's held-out figures from the accuracy gate's autonomy file."""

    label: str
    acting_threshold: float | None
    given: int
    correct: int
    autonomous: bool

    @property
    def precision(self) -> float | None:
        return self.correct / self.given if self.given else None


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
    reason: str | None = None

    @property
    def substantive(self) -> bool:
        """A reply that answers, proposes or acts (not a clarifying question)."""
        if self.role == "human":
            return True
        return self.role == "agent" and self.reason not in CLARIFYING_REASONS


@dataclass(frozen=True)
class ShadowRecord:
    """A shadow-mode draft a person sent: `agreed` when sent exactly as drafted."""

    case_id: str
    category: str | None
    agreed: bool
    sent_at: datetime


@dataclass(frozen=True)
class ShadowFigures:
    """Per category in shadow mode: drafts sent, and how many unchanged."""

    category: str
    sent: int
    unchanged: int

    @property
    def agreement(self) -> float | None:
        return self.unchanged / self.sent if self.sent else None


@dataclass(frozen=True)
class MetricsInput:
    cases: list[CaseRecord] = field(default_factory=list)
    approvals: list[ApprovalRecord] = field(default_factory=list)
    messages: list[MessageRecord] = field(default_factory=list)
    handoffs: list[HandoffRecord] = field(default_factory=list)
    ratings: list[RatingRecord] = field(default_factory=list)
    gate: list[GateFigure] = field(default_factory=list)
    gate_source: str | None = None  # where the gate's figures were measured
    shadow: list[ShadowRecord] = field(default_factory=list)


@dataclass(frozen=True)
class CategoryFigures:
    category: str
    cases: int
    automated: int  # finished without a person
    automated_judged: int  # of those, the ones past the re-contact window
    automated_correct: int  # of those judged, resolved and not come back
    autonomous: bool  # the gate cleared it
    gate_precision: float | None  # held-out, from the autonomy file

    @property
    def automated_share(self) -> float | None:
        return self.automated / self.cases if self.cases else None

    @property
    def precision(self) -> float | None:
        return self.automated_correct / self.automated_judged if self.automated_judged else None


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
    recontact_days: int = 7
    resolved: int = 0  # handled and not come back within the re-contact window
    resolved_unconfirmed: int = 0  # handled, the window still open
    handled: int = 0
    recontacts: int = 0
    declined: int = 0
    escalated: int = 0
    handoff_backlog: int = 0
    handoff_wait_minutes: list[float] = field(default_factory=list)  # open handoffs, now
    human_first_response_minutes: list[float] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)
    categories: list[CategoryFigures] = field(default_factory=list)
    calibration: list[GateFigure] = field(default_factory=list)
    calibration_source: str | None = None
    shadow: list[ShadowFigures] = field(default_factory=list)

    @property
    def shadow_agreement(self) -> float | None:
        """Drafts sent unchanged over drafts sent, all shadowed categories together."""
        sent = sum(s.sent for s in self.shadow)
        return self._share(sum(s.unchanged for s in self.shadow), sent)

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def resolution_rate(self) -> float | None:
        """Re-contact-adjusted resolutions over cases whose re-contact window has closed."""
        return self._share(self.resolved, self.total_cases - self.resolved_unconfirmed)

    @property
    def deflection_rate(self) -> float | None:
        return self._share(self.outcomes["deflection"], self.total_cases)

    @property
    def escalation_rate(self) -> float | None:
        return self._share(self.escalated, self.total_cases)

    @property
    def csat_average(self) -> float | None:
        return statistics.fmean(self.ratings) if self.ratings else None

    @property
    def csat_satisfied(self) -> float | None:
        return self._share(sum(1 for r in self.ratings if r >= SATISFIED), len(self.ratings))

    @property
    def median_handoff_wait_minutes(self) -> float | None:
        values = self.handoff_wait_minutes
        return statistics.median(values) if values else None

    @property
    def median_human_first_response_minutes(self) -> float | None:
        values = self.human_first_response_minutes
        return statistics.median(values) if values else None

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
    if case.declined:
        return "declined"
    return "automated resolution" if case.acted else "deflection"


def first_response(messages: list[MessageRecord]) -> timedelta | None:
    """From a case's first customer message to the first substantive reply after it:
    one that answers, proposes or acts, not the identity prompt or another question."""
    asked: datetime | None = None
    for message in sorted(messages, key=lambda m: m.seq):
        if asked is None and message.role == "customer":
            asked = message.at
        elif asked is not None and message.role in _ANSWERING_ROLES and message.substantive:
            return message.at - asked
    return None


def is_handled(case: CaseRecord, messages: list[MessageRecord]) -> bool:
    """The problem was dealt with: an action done, a person closed it or decided it, or a
    substantive answer the customer did not decline. A declined proposal is not handled."""
    if case.status not in _DONE or case.declined:
        return False
    if case.acted or case.decided_by_person or case.escalated:
        return True
    return any(m.role == "agent" and m.substantive for m in messages)


def recontacted(case: CaseRecord, others: list[CaseRecord], window: timedelta) -> bool:
    """The same customer opened another case about the same order within `window` after
    this one, on any channel. Without an order on either side, any later case counts."""
    if case.customer_id is None:
        return False
    for other in others:
        if other.case_id == case.case_id or other.customer_id != case.customer_id:
            continue
        if not case.created_at < other.created_at <= case.created_at + window:
            continue
        if case.order_id and other.order_id and case.order_id != other.order_id:
            continue
        return True
    return False


def _category_figures(
    cases: list[CaseRecord],
    resolved_ids: set[str],
    judged_ids: set[str],
    gate: list[GateFigure],
) -> list[CategoryFigures]:
    by_gate = {g.label: g for g in gate}
    names = sorted({c.category for c in cases if c.category})
    out = []
    for name in names:
        mine = [c for c in cases if c.category == name]
        alone = [c for c in mine if outcome_of(c) in ("automated resolution", "deflection")]
        judged = [c for c in alone if c.case_id in judged_ids]
        figure = by_gate.get(name)
        out.append(
            CategoryFigures(
                category=name,
                cases=len(mine),
                automated=len(alone),
                automated_judged=len(judged),
                automated_correct=sum(1 for c in judged if c.case_id in resolved_ids),
                autonomous=bool(figure and figure.autonomous),
                gate_precision=figure.precision if figure else None,
            )
        )
    return out


def shadow_figures(records: list[ShadowRecord], first_day: date) -> list[ShadowFigures]:
    """Agreement per category: drafts a person sent unchanged, of those sent since `first_day`."""
    sent: Counter[str] = Counter()
    unchanged: Counter[str] = Counter()
    for r in records:
        if r.sent_at.astimezone(UTC).date() < first_day:
            continue
        name = r.category or "unknown"
        sent[name] += 1
        unchanged[name] += r.agreed
    return [ShadowFigures(name, sent[name], unchanged[name]) for name in sorted(sent)]


def compute_metrics(
    data: MetricsInput,
    *,
    now: datetime,
    sla: timedelta,
    days: int = 14,
    recontact_days: int = 7,
) -> Metrics:
    """What the dashboard shows for the `days` days up to and including `now`'s (UTC) day.

    `data.cases` may hold cases newer than the window's (none are) and must hold every
    case created within `recontact_days` after a window case, so re-contacts are seen."""
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

    window_len = timedelta(days=recontact_days)
    handled = [c for c in cases if is_handled(c, by_case.get(c.case_id, []))]
    by_customer: dict[str, list[CaseRecord]] = {}
    for c in data.cases:
        if c.customer_id is not None:
            by_customer.setdefault(c.customer_id, []).append(c)
    came_back = {
        c.case_id
        for c in cases
        if c.customer_id is not None and recontacted(c, by_customer[c.customer_id], window_len)
    }
    judged = {
        c.case_id for c in cases if now - c.created_at >= window_len or c.case_id in came_back
    }
    resolved_ids = {c.case_id for c in handled if c.case_id not in came_back}

    handoffs = [h for h in data.handoffs if h.case_id in in_window or h.open]
    open_handoffs = [h for h in data.handoffs if h.open]
    human_first: list[float] = []
    for h in handoffs:
        replies = [
            m.at for m in by_case.get(h.case_id, []) if m.role == "human" and m.at >= h.created_at
        ]
        if replies:
            human_first.append((min(replies) - h.created_at).total_seconds() / 60)
    rated = [
        r.score
        for r in data.ratings
        if r.rated_at.astimezone(UTC).date() >= first_day and 1 <= r.score <= 5
    ]

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
        recontact_days=recontact_days,
        resolved=sum(1 for c in cases if c.case_id in resolved_ids and c.case_id in judged),
        resolved_unconfirmed=sum(1 for c in cases if c.case_id not in judged),
        handled=len(handled),
        recontacts=len(came_back),
        declined=sum(1 for c in cases if c.declined),
        escalated=sum(1 for c in cases if c.escalated),
        handoff_backlog=len(open_handoffs),
        handoff_wait_minutes=sorted(
            max(0.0, (now - h.created_at).total_seconds() / 60) for h in open_handoffs
        ),
        human_first_response_minutes=sorted(human_first),
        ratings=rated,
        categories=_category_figures(cases, resolved_ids, judged, data.gate),
        calibration=[g for g in data.gate if g.acting_threshold is not None and g.given],
        calibration_source=data.gate_source,
        shadow=shadow_figures(data.shadow, first_day),
    )


def gate_figures(document: dict[str, object] | None) -> tuple[list[GateFigure], str | None]:
    """Each label's held-out figures from the accuracy gate's autonomy file, and where
    they were measured (its `source`); nothing when no file has been written."""
    if not document:
        return [], None
    categories = document.get("categories")
    if not isinstance(categories, dict):
        return [], None
    figures = []
    for label, raw in sorted(categories.items()):
        if not isinstance(raw, dict):
            continue
        threshold = raw.get("acting_threshold")
        figures.append(
            GateFigure(
                label=str(label),
                acting_threshold=float(threshold) if threshold is not None else None,
                given=int(raw.get("given") or 0),
                correct=int(raw.get("correct") or 0),
                autonomous=bool(raw.get("autonomous")),
            )
        )
    source = document.get("source")
    return figures, str(source) if source else None
