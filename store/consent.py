"""Customers' consent flags in the store (`domain.consent`), each change on the audit chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from domain.consent import Consent
from domain.errors import NotFound
from store.audit import append_event
from store.models import CustomerConsentRow, CustomerRow, utcnow


@dataclass(frozen=True)
class ConsentRecord:
    consent: Consent
    updated_by: str | None  # None: never set, the defaults apply
    updated_at: datetime | None


def _consent(row: CustomerConsentRow | None) -> Consent:
    if row is None:
        return Consent()
    return Consent(
        personalisation=row.personalisation, marketing=row.marketing, past_cases=row.past_cases
    )


def read_consent(sessions: sessionmaker[Session], customer_id: str) -> Consent:
    """The customer's consent; the defaults (nothing beyond the request) when never set."""
    with sessions() as session:
        return _consent(session.get(CustomerConsentRow, customer_id))


def consent_record(sessions: sessionmaker[Session], customer_id: str) -> ConsentRecord:
    with sessions() as session:
        row = session.get(CustomerConsentRow, customer_id)
        return ConsentRecord(
            _consent(row), row.updated_by if row else None, row.updated_at if row else None
        )


def set_consent(
    sessions: sessionmaker[Session],
    customer_id: str,
    consent: Consent,
    *,
    actor: str,
    subject: str,
) -> bool:
    """Record the customer's choice and audit who changed what; False when nothing changed.

    The audit event names the customer by `subject` (their erasure pseudonym): the chain
    cannot be rewritten, so it never holds an id that names the person."""
    with sessions() as session:
        if session.get(CustomerRow, customer_id) is None:
            raise NotFound(f"no customer {customer_id}")
        row = session.get(CustomerConsentRow, customer_id)
        before = _consent(row)
        if row is not None and before == consent:
            return False
        if row is None:
            row = CustomerConsentRow(customer_id=customer_id, updated_by=actor)
            session.add(row)
        row.personalisation = consent.personalisation
        row.marketing = consent.marketing
        row.past_cases = consent.past_cases
        row.updated_by = actor
        row.updated_at = utcnow()
        append_event(
            session,
            kind="consent.changed",
            actor=actor,
            payload={
                "customer": subject,
                "before": before.as_document(),
                "after": consent.as_document(),
            },
        )
        session.commit()
        return True
