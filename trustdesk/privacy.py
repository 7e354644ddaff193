"""What Trustdesk holds about a customer: export it, or erase it.

Erasure keeps what the law and the books need - orders, transactions, action records and
approvals' decisions - with the person replaced by a pseudonym, and removes the rest: the
conversation (messages, outbox, email and webhook records, handoff notes, approvals' free
text, captured details) and the Temporal histories. Those histories are crypto-shredded:
each case's data key is destroyed (trustdesk/encryption.py), so every copy of them - the
server's database, archives, backups - is unreadable; the executions are then deleted, which
also drops the `CustomerId` search attribute from visibility.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from domain.consent import CONSENT_FLAGS
from domain.pseudonym import customer_pseudonym
from store.audit import append_event
from store.models import (
    ApprovalRow,
    CaseRow,
    CustomerConsentRow,
    CustomerRow,
    EmailMessageRow,
    HandoffRow,
    MessageRow,
    OrderRow,
    OutboxRow,
    PaymentMethodRow,
    SinkMailRow,
    WebhookDeliveryRow,
)
from trustdesk.encryption import CaseKeys

ADDRESS_FIELDS = ("address1", "address2", "city", "state", "country", "zip")


class CustomerNotFoundError(LookupError):
    """No customer with that email address is in the store."""


@dataclass
class ErasureReport:
    customer_id: str
    pseudonym: str
    cases: list[str] = field(default_factory=list)
    keys_shredded: int = 0
    workflows_terminated: int = 0
    workflows_deleted: int = 0
    messages_deleted: int = 0


def _customer(session: Session, email: str) -> CustomerRow:
    row = session.scalars(
        select(CustomerRow).where(CustomerRow.email == email.strip().lower())
    ).first()
    if row is None:
        raise CustomerNotFoundError(f"no customer with email {email!r}")
    return row


def _case_ids(session: Session, customer: CustomerRow) -> list[str]:
    """The customer's cases: identified as theirs, or whose messages carry their address."""
    mentioned = select(MessageRow.case_id).where(MessageRow.text.contains(customer.email))
    rows = session.scalars(
        select(CaseRow.id)
        .where(or_(CaseRow.customer_id == customer.id, CaseRow.id.in_(mentioned)))
        .order_by(CaseRow.created_at)
    )
    return list(rows)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def export_customer(
    sessions: sessionmaker[Session], email: str, *, actor: str | None = None
) -> dict[str, Any]:
    """Everything the store holds about the customer with `email`, as plain JSON data; with
    an `actor`, audited as `customer.exported` (under the customer's pseudonym)."""
    if actor is not None:
        with sessions() as session:
            customer = _customer(session, email)
            append_event(
                session,
                kind="customer.exported",
                actor=actor,
                payload={"customer": customer_pseudonym(customer.id)},
            )
            session.commit()
    with sessions() as session:
        customer = _customer(session, email)
        cases = []
        for case_id in _case_ids(session, customer):
            case = session.get(CaseRow, case_id)
            assert case is not None
            messages = session.scalars(
                select(MessageRow).where(MessageRow.case_id == case_id).order_by(MessageRow.seq)
            )
            approvals = session.scalars(select(ApprovalRow).where(ApprovalRow.case_id == case_id))
            handoffs = session.scalars(select(HandoffRow).where(HandoffRow.case_id == case_id))
            cases.append(
                {
                    "id": case.id,
                    "channel": case.channel,
                    "status": case.status,
                    "category": case.category,
                    "opened": _plain(case.created_at),
                    "details": case.captured,
                    "messages": [
                        {"role": m.role, "text": m.text, "at": _plain(m.created_at)}
                        for m in messages
                    ],
                    "approvals": [
                        {
                            "action": a.action,
                            "amount": _plain(a.amount),
                            "status": a.status,
                            "note": a.note,
                        }
                        for a in approvals
                    ],
                    "handoffs": [
                        {"reason": h.reason, "status": h.status, "at": _plain(h.created_at)}
                        for h in handoffs
                    ],
                }
            )
        orders = session.scalars(
            select(OrderRow)
            .where(OrderRow.customer_id == customer.id)
            .order_by(OrderRow.customer_position)
        )
        consent = session.get(CustomerConsentRow, customer.id)
        return {
            "consent": {
                flag: bool(consent is not None and getattr(consent, flag)) for flag in CONSENT_FLAGS
            },
            "customer": {
                "id": customer.id,
                "first_name": customer.first_name,
                "last_name": customer.last_name,
                "email": customer.email,
                "address": {f: getattr(customer, f) for f in ADDRESS_FIELDS},
            },
            "payment_methods": [
                {"kind": p.kind, "brand": p.brand, "last_four": p.last_four}
                for p in customer.payment_methods
            ],
            "orders": [
                {
                    "id": o.id,
                    "status": o.status,
                    "placed": _plain(o.created_at),
                    "ship_to": {f: getattr(o, f) for f in ADDRESS_FIELDS},
                    "items": [{"name": li.name, "price": _plain(li.price)} for li in o.lines],
                    "payments": [
                        {"kind": t.kind, "amount": _plain(t.amount)} for t in o.transactions
                    ],
                }
                for o in orders
            ],
            "cases": cases,
        }


def export_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def scrub_cases(
    session: Session, case_ids: list[str], *, customer_id: str | None, email: str | None = None
) -> int:
    """Remove the conversation of these cases, keeping their rows (status, category, amount)
    and their approvals' decisions; the case rows then name `customer_id`. Messages deleted."""
    deleted = 0
    threads = []
    for case_id in case_ids:
        case = session.get(CaseRow, case_id)
        assert case is not None
        threads.append(case.thread_id)
        case.captured = {}
        case.customer_id = customer_id
        for message in session.scalars(select(MessageRow).where(MessageRow.case_id == case_id)):
            session.delete(message)
            deleted += 1
        for handoff in session.scalars(select(HandoffRow).where(HandoffRow.case_id == case_id)):
            handoff.reason, handoff.record = "(erased)", {}
        for approval in session.scalars(select(ApprovalRow).where(ApprovalRow.case_id == case_id)):
            approval.note, approval.reasons = None, []
        for outbox in session.scalars(select(OutboxRow).where(OutboxRow.case_id == case_id)):
            session.delete(outbox)
    mail_match: ColumnElement[bool] = EmailMessageRow.thread_id.in_(threads)
    if email is not None:
        mail_match = or_(EmailMessageRow.address == email, mail_match)
    for mail in session.scalars(select(EmailMessageRow).where(mail_match)):
        session.delete(mail)
    if email is not None:  # what the local mail sink kept for them (one-time codes, replies)
        for kept in session.scalars(
            select(SinkMailRow).where(func.lower(SinkMailRow.to_address) == email.lower())
        ):
            session.delete(kept)
    for delivery in session.scalars(
        select(WebhookDeliveryRow).where(WebhookDeliveryRow.thread_id.in_(threads))
    ):
        session.delete(delivery)
    return deleted


def _erase_store(session: Session, customer: CustomerRow, case_ids: list[str]) -> ErasureReport:
    pseudonym = customer_pseudonym(customer.id)
    report = ErasureReport(customer_id=customer.id, pseudonym=pseudonym, cases=case_ids)
    email = customer.email
    # The person's row is replaced by a pseudonymous one the kept orders point at.
    session.add(
        CustomerRow(
            id=pseudonym,
            first_name="(erased)",
            last_name="",
            email=f"{pseudonym}@erased.invalid",
            position=customer.position,
            created_at=customer.created_at,
        )
    )
    session.flush()
    for order in session.scalars(select(OrderRow).where(OrderRow.customer_id == customer.id)):
        order.customer_id = pseudonym
        for name in ADDRESS_FIELDS:
            setattr(order, name, "")
    for method in session.scalars(
        select(PaymentMethodRow).where(PaymentMethodRow.customer_id == customer.id)
    ):
        method.customer_id = pseudonym
    report.messages_deleted = scrub_cases(session, case_ids, customer_id=pseudonym, email=email)
    session.execute(delete(CustomerConsentRow).where(CustomerConsentRow.customer_id == customer.id))
    session.flush()
    session.expire(customer)  # its collections now load empty: nothing follows it out
    session.delete(customer)
    return report


@dataclass
class HistoriesEnded:
    terminated: int = 0
    deleted: int = 0


async def end_histories(client: Client, case_ids: list[str], reason: str) -> HistoriesEnded:
    """Stop the cases still running; delete every execution (and its search attributes).
    A case whose execution is already gone counts as neither."""
    report = HistoriesEnded()
    for case_id in case_ids:
        handle = client.get_workflow_handle(case_id)
        try:
            described = await handle.describe()
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                continue
            raise
        if described.status == WorkflowExecutionStatus.RUNNING:
            await handle.terminate(reason=reason)
            report.terminated += 1
        await client.workflow_service.delete_workflow_execution(
            DeleteWorkflowExecutionRequest(
                namespace=client.namespace,
                workflow_execution=WorkflowExecution(workflow_id=case_id),
            )
        )
        report.deleted += 1
    return report


async def erase_customer(
    sessions: sessionmaker[Session],
    keys: CaseKeys,
    client: Client | None,
    email: str,
    *,
    actor: str,
) -> ErasureReport:
    """Erase the customer with `email` (see the module docstring); audited as
    `customer.erased` with the pseudonym, never the person's data."""
    with sessions() as session:
        customer = _customer(session, email)
        case_ids = _case_ids(session, customer)
    # Histories first: a running case must not write the person back after the store is clean.
    ended = HistoriesEnded()
    if client is not None:
        ended = await end_histories(client, case_ids, "the customer's data was erased")
    with sessions() as session:
        customer = _customer(session, email)
        report = _erase_store(session, customer, case_ids)
        report.workflows_terminated = ended.terminated
        report.workflows_deleted = ended.deleted
        report.keys_shredded = keys.shred(session, case_ids)
        append_event(
            session,
            kind="customer.erased",
            actor=actor,
            payload={
                "customer": report.pseudonym,
                "cases": len(case_ids),
                "keys_shredded": report.keys_shredded,
                "workflows_deleted": report.workflows_deleted,
            },
        )
        session.commit()
    return report


#: Case statuses after which nothing more happens on a case.
CLOSED_STATUSES = ("resolved", "closed")


def closed_cases_before(sessions: sessionmaker[Session], cutoff: datetime) -> list[str]:
    """Retention's cases: closed, last touched before `cutoff`, still holding a customer or
    a conversation."""
    with sessions() as session:
        with_messages = select(MessageRow.case_id)
        return list(
            session.scalars(
                select(CaseRow.id).where(
                    CaseRow.status.in_(CLOSED_STATUSES),
                    CaseRow.updated_at < cutoff,
                    or_(CaseRow.customer_id.is_not(None), CaseRow.id.in_(with_messages)),
                )
            )
        )


def purge_cases(
    sessions: sessionmaker[Session], keys: CaseKeys, case_ids: list[str], cutoff: datetime
) -> int:
    """Retention: the cases lose their conversation and their history keys; their rows stay,
    with no customer, for the numbers. The keys shredded."""
    if not case_ids:
        return 0
    with sessions() as session:
        scrub_cases(session, case_ids, customer_id=None)
        shredded = keys.shred(session, case_ids)
        append_event(
            session,
            kind="retention.purged",
            actor="retention",
            payload={"cases": len(case_ids), "keys_shredded": shredded, "before": cutoff},
        )
        session.commit()
    return shredded
