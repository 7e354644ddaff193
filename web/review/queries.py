"""What the review UI reads from the store: the case projection, shop facts, the audit log.

Plain functions over a session factory, returning frozen dataclasses, so pages
never hold ORM rows and the same reads serve the pages and their tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from store.db import read_only
from store.models import (
    ApprovalRow,
    AuditEventRow,
    CaseRow,
    CsatRatingRow,
    CustomerRow,
    HandoffRow,
    MessageRow,
    OrderRow,
    OutboxRow,
)
from store.outbox import DEAD
from web.review.metrics import (
    DECLINED_REASON,
    ApprovalRecord,
    CaseRecord,
    HandoffRecord,
    MessageRecord,
    MetricsInput,
    RatingRecord,
    ShadowRecord,
)
from workflows.contracts import CaseStatus, Handoff

Sort = Literal["newest", "oldest"]


def _name(customer: CustomerRow | None) -> str | None:
    return f"{customer.first_name} {customer.last_name}" if customer else None


# --- the approvals queue ------------------------------------------------------------------


@dataclass(frozen=True)
class QueuedApproval:
    approval_id: str
    case_id: str
    case_status: str
    action: str
    amount: Decimal
    tier: str
    risk: str
    reasons: list[str]
    approved_by: list[str]
    customer_id: str | None
    customer_name: str | None
    requested_at: datetime
    due_at: datetime

    def age(self, now: datetime) -> timedelta:
        return now - self.requested_at

    def sla_used(self, now: datetime) -> float:
        """The share of the SLA used so far (above 1 once overdue)."""
        total = (self.due_at - self.requested_at).total_seconds()
        return (now - self.requested_at).total_seconds() / total if total > 0 else 1.0

    def sla_state(self, now: datetime) -> Literal["ok", "due_soon", "overdue"]:
        used = self.sla_used(now)
        return "overdue" if used >= 1 else "due_soon" if used >= 0.75 else "ok"


def pending_approvals(
    sessions: sessionmaker[Session],
    *,
    sla: timedelta,
    action: str | None = None,
    risk: str | None = None,
    sort: Sort = "newest",
) -> list[QueuedApproval]:
    """Approvals waiting for a decision, with their case and customer."""
    query = (
        select(ApprovalRow, CaseRow, CustomerRow)
        .join(CaseRow, CaseRow.id == ApprovalRow.case_id)
        .outerjoin(CustomerRow, CustomerRow.id == CaseRow.customer_id)
        .where(ApprovalRow.status == "pending")
    )
    if action:
        query = query.where(ApprovalRow.action == action)
    if risk:
        query = query.where(ApprovalRow.risk == risk)
    order = ApprovalRow.requested_at.desc() if sort == "newest" else ApprovalRow.requested_at
    query = query.order_by(order, ApprovalRow.id)
    with sessions() as session:
        return [
            QueuedApproval(
                approval_id=approval.id,
                case_id=case.id,
                case_status=case.status,
                action=approval.action,
                amount=approval.amount,
                tier=approval.tier,
                risk=approval.risk,
                reasons=[str(r) for r in approval.reasons or []],
                approved_by=[str(u) for u in approval.decided_by or []],
                customer_id=case.customer_id,
                customer_name=_name(customer),
                requested_at=approval.requested_at,
                due_at=approval.requested_at + sla,
            )
            for approval, case, customer in session.execute(query)
        ]


# --- the handoff inbox ----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenHandoff:
    case_id: str
    record: Handoff
    customer_name: str | None
    last_customer_message: str | None
    waiting_since: datetime


def open_handoffs(sessions: sessionmaker[Session]) -> list[OpenHandoff]:
    """Escalated cases, oldest handoff first, each with its typed handoff record."""
    with sessions() as session:
        rows = session.execute(
            select(CaseRow, HandoffRow, CustomerRow)
            .join(HandoffRow, HandoffRow.case_id == CaseRow.id)
            .outerjoin(CustomerRow, CustomerRow.id == CaseRow.customer_id)
            .where(CaseRow.status == CaseStatus.ESCALATED.value)
            .order_by(HandoffRow.created_at, HandoffRow.id)
        ).all()
        seen: set[str] = set()
        items = []
        for case, handoff, customer in rows:
            if case.id in seen:
                continue
            seen.add(case.id)
            last = session.scalars(
                select(MessageRow.text)
                .where(MessageRow.case_id == case.id, MessageRow.role == "customer")
                .order_by(MessageRow.seq.desc())
                .limit(1)
            ).first()
            items.append(
                OpenHandoff(
                    case_id=case.id,
                    record=Handoff.model_validate(handoff.record),
                    customer_name=_name(customer),
                    last_customer_message=last,
                    waiting_since=handoff.created_at,
                )
            )
        return items


@dataclass(frozen=True)
class WaitingDraft:
    case_id: str
    category: str | None
    drafted_at: datetime


def waiting_drafts(sessions: sessionmaker[Session]) -> list[WaitingDraft]:
    """Cases whose shadow-mode draft no person has sent yet, oldest first: those whose last
    `shadow.*` audit event is `shadow.drafted`."""
    latest = (
        select(func.max(AuditEventRow.seq))
        .where(AuditEventRow.kind.like("shadow.%"), AuditEventRow.case_id.is_not(None))
        .group_by(AuditEventRow.case_id)
    )
    with read_only(sessions) as session:
        rows = session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.seq.in_(latest), AuditEventRow.kind == "shadow.drafted")
            .order_by(AuditEventRow.seq)
        )
        return [
            WaitingDraft(e.case_id or "", e.payload.get("category"), e.created_at) for e in rows
        ]


# --- one case's shop facts and audit trail ---------------------------------------------------


@dataclass(frozen=True)
class OrderLine:
    name: str
    item_id: str
    price: Decimal
    options: dict[str, Any]


@dataclass(frozen=True)
class Payment:
    kind: str
    amount: Decimal
    method: str
    at: datetime


@dataclass(frozen=True)
class OrderFacts:
    order_id: str
    status: str
    lines: list[OrderLine]
    payments: list[Payment]
    total: Decimal
    ship_to: str


@dataclass(frozen=True)
class CustomerFacts:
    customer_id: str
    name: str
    email: str
    payment_methods: list[str]
    order_ids: list[str]


def describe_method(
    kind: str, brand: str | None, last_four: str | None, balance: Decimal | None
) -> str:
    if kind == "credit_card":
        return f"{(brand or 'card').title()} ending {last_four or '????'}"
    if kind == "gift_card":
        return "gift card" + (f" (balance {balance:,.2f})" if balance is not None else "")
    return kind.replace("_", " ")


def customer_facts(
    sessions: sessionmaker[Session], customer_id: str | None
) -> CustomerFacts | None:
    if not customer_id:
        return None
    with sessions() as session:
        customer = session.get(CustomerRow, customer_id)
        if customer is None:
            return None
        return CustomerFacts(
            customer_id=customer.id,
            name=_name(customer) or customer.id,
            email=customer.email,
            payment_methods=[
                f"{describe_method(m.kind, m.brand, m.last_four, m.balance)} ({m.id})"
                for m in customer.payment_methods
            ],
            order_ids=[o.id for o in customer.orders],
        )


def order_facts(sessions: sessionmaker[Session], order_id: str | None) -> OrderFacts | None:
    if not order_id:
        return None
    with sessions() as session:
        order = session.get(OrderRow, order_id)
        if order is None:
            return None
        methods = {m.id: m for m in order.customer.payment_methods}

        def method(method_id: str) -> str:
            m = methods.get(method_id)
            return describe_method(m.kind, m.brand, m.last_four, None) if m else method_id

        lines = [OrderLine(li.name, li.item_id, li.price, dict(li.options)) for li in order.lines]
        return OrderFacts(
            order_id=order.id,
            status=order.status,
            lines=lines,
            payments=[
                Payment(t.kind, t.amount, method(t.payment_method_id), t.created_at)
                for t in order.transactions
            ],
            total=sum((li.price for li in lines), Decimal("0.00")),
            ship_to=", ".join(
                p
                for p in (
                    order.address1,
                    order.address2,
                    order.city,
                    order.state,
                    order.zip,
                    order.country,
                )
                if p
            ),
        )


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    kind: str
    actor: str
    at: datetime
    payload: dict[str, Any]
    hash: str


def audit_trail(sessions: sessionmaker[Session], case_id: str) -> list[AuditEntry]:
    """The case's events from the hash-chained audit log, oldest first."""
    with sessions() as session:
        return [
            AuditEntry(e.seq, e.kind, e.actor, e.created_at, dict(e.payload), e.hash)
            for e in session.scalars(
                select(AuditEventRow)
                .where(AuditEventRow.case_id == case_id)
                .order_by(AuditEventRow.seq)
            )
        ]


# --- counts for the navigation and the metrics dashboard -------------------------------------


def waiting_counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    """How many approvals, handoffs and undelivered replies wait: the navigation's numbers."""
    with sessions() as session:
        return count_waiting(session)


def count_waiting(session: Session) -> dict[str, int]:
    """`waiting_counts` in the caller's transaction (the Prometheus collector reads it so)."""
    approvals = session.scalar(
        select(func.count()).select_from(ApprovalRow).where(ApprovalRow.status == "pending")
    )
    handoffs = session.scalar(
        select(func.count())
        .select_from(CaseRow)
        .where(CaseRow.status == CaseStatus.ESCALATED.value)
    )
    dead_letters = session.scalar(
        select(func.count()).select_from(OutboxRow).where(OutboxRow.status == DEAD)
    )
    return {
        "approvals": int(approvals or 0),
        "handoffs": int(handoffs or 0),
        "dead_letters": int(dead_letters or 0),
    }


def metrics_input(sessions: sessionmaker[Session], since: datetime) -> MetricsInput:
    """The projection's facts about cases created (or approvals requested) since `since`,
    their handoffs, and the customers' ratings; every handoff still open, whenever made.
    Read-only, so a scrape of `/metrics` never waits for a writer."""
    with read_only(sessions) as session:
        cases = list(session.scalars(select(CaseRow).where(CaseRow.created_at >= since)))
        ids = [c.id for c in cases]
        handoffs = list(
            session.scalars(
                select(HandoffRow).where(
                    HandoffRow.case_id.in_(ids) | (HandoffRow.status == "open")
                )
            )
        )
        escalated = {h.case_id for h in handoffs}
        statuses: dict[str, str] = {
            case_id: status
            for case_id, status in session.execute(
                select(CaseRow.id, CaseRow.status).where(
                    CaseRow.id.in_([h.case_id for h in handoffs])
                )
            )
        }
        acted = set(
            session.scalars(
                select(AuditEventRow.case_id).where(
                    AuditEventRow.case_id.in_(ids), AuditEventRow.kind == "action.executed"
                )
            )
        )
        approvals = list(
            session.scalars(
                select(ApprovalRow).where(
                    (ApprovalRow.requested_at >= since) | (ApprovalRow.status == "pending")
                )
            )
        )
        decided = {a.case_id for a in approvals if a.status in ("approved", "rejected")}
        messages = session.execute(
            select(
                MessageRow.case_id,
                MessageRow.seq,
                MessageRow.role,
                MessageRow.created_at,
                MessageRow.reason,
            )
            .where(MessageRow.case_id.in_(ids))
            .order_by(MessageRow.case_id, MessageRow.seq)
        ).all()
        declined = {m.case_id for m in messages if m.reason == DECLINED_REASON}
        ratings = list(
            session.scalars(select(CsatRatingRow).where(CsatRatingRow.rated_at >= since))
        )
        shadow_sent = list(
            session.scalars(
                select(AuditEventRow).where(
                    AuditEventRow.kind == "shadow.sent", AuditEventRow.created_at >= since
                )
            )
        )
        # A case whose reply a person sent in shadow mode was not handled by the agent alone.
        reviewed = {e.case_id for e in shadow_sent}
        return MetricsInput(
            cases=[
                CaseRecord(
                    case_id=c.id,
                    created_at=c.created_at,
                    status=c.status,
                    escalated=c.id in escalated,
                    acted=c.id in acted,
                    decided_by_person=c.id in decided or c.id in reviewed,
                    category=c.category,
                    customer_id=c.customer_id,
                    order_id=(c.captured or {}).get("order_id"),
                    declined=c.id in declined and c.id not in acted,
                )
                for c in cases
            ],
            approvals=[
                ApprovalRecord(
                    approval_id=a.id,
                    status=a.status,
                    requested_at=a.requested_at,
                    decided_at=a.decided_at,
                )
                for a in approvals
            ],
            messages=[MessageRecord(m[0], m[1], m[2], m[3], m[4]) for m in messages],
            handoffs=[
                HandoffRecord(
                    h.case_id,
                    h.created_at,
                    open=h.status == "open"
                    and statuses.get(h.case_id) == CaseStatus.ESCALATED.value,
                )
                for h in handoffs
            ],
            ratings=[RatingRecord(r.case_id, r.score, r.rated_at) for r in ratings],
            shadow=[
                ShadowRecord(
                    case_id=e.case_id or "",
                    category=e.payload.get("category"),
                    agreed=bool(e.payload.get("agreed")),
                    sent_at=e.created_at,
                )
                for e in shadow_sent
            ],
        )
