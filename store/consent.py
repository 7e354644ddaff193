"""Customers' consent flags in the store (`domain.consent`), each change on the audit chain.

Admins set them in the review UI (`set_consent`); a customer changes their own in a
conversation (`change_consent`, called by the agent's `change_consent` activity with an
idempotency key, so a retried activity changes and audits nothing twice)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.consent import Consent, ConsentChange, EarlierCase
from domain.errors import NotFound
from store.audit import append_event
from store.models import AuditEventRow, CustomerConsentRow, CustomerRow, utcnow


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
        _write(session, customer_id, row, before, consent, actor=actor, subject=subject)
        session.commit()
        return True


def change_consent(
    sessions: sessionmaker[Session],
    customer_id: str,
    changes: Mapping[str, bool],
    *,
    actor: str,
    subject: str,
    idempotency_key: str,
    case_id: str | None = None,
    channel: str | None = None,
) -> ConsentChange:
    """Apply `changes` to the customer's flags, as they asked in a conversation, once per
    `idempotency_key`: the key is the audit event's id, so a repeated call finds the change
    recorded and returns it (`replayed`), changing nothing. Flags `changes` does not name
    keep their value; a change to what already holds writes nothing."""
    with sessions() as session:
        done = session.scalars(
            select(AuditEventRow).where(AuditEventRow.event_id == idempotency_key)
        ).first()
        if done is not None:
            return ConsentChange(
                Consent(**done.payload["before"]), Consent(**done.payload["after"]), replayed=True
            )
        if session.get(CustomerRow, customer_id) is None:
            raise NotFound(f"no customer {customer_id}")
        row = session.get(CustomerConsentRow, customer_id)
        before = _consent(row)
        after = before.with_changes(changes)
        if after == before:
            return ConsentChange(before, after)
        _write(
            session,
            customer_id,
            row,
            before,
            after,
            actor=actor,
            subject=subject,
            event_id=idempotency_key,
            case_id=case_id,
            channel=channel,
        )
        # A concurrent call under the same key fails here on the event id; its retry
        # finds this one's event and returns it.
        session.commit()
        return ConsentChange(before, after)


def _write(
    session: Session,
    customer_id: str,
    row: CustomerConsentRow | None,
    before: Consent,
    after: Consent,
    *,
    actor: str,
    subject: str,
    event_id: str | None = None,
    case_id: str | None = None,
    channel: str | None = None,
) -> None:
    """Store `after` and append the audit event naming the customer by `subject`."""
    if row is None:
        row = CustomerConsentRow(customer_id=customer_id, updated_by=actor)
        session.add(row)
    row.personalisation = after.personalisation
    row.marketing = after.marketing
    row.past_cases = after.past_cases
    row.updated_by = actor
    row.updated_at = utcnow()
    payload: dict[str, object] = {
        "customer": subject,
        "before": before.as_document(),
        "after": after.as_document(),
    }
    if channel is not None:
        payload["channel"] = channel
    append_event(
        session,
        kind="consent.changed",
        actor=actor,
        payload=payload,
        case_id=case_id,
        event_id=event_id,
    )


class StoredCustomerRecords:
    """What the agent reads and changes of a customer beyond the shop's records, in the
    store: earlier cases (with `past_cases` consent) and consent changes they ask for."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def earlier_cases(self, customer_id: str, *, exclude: str) -> list[EarlierCase]:
        from store.earlier_cases import earlier_cases

        return earlier_cases(self.sessions, customer_id, exclude=exclude)

    def change_consent(
        self,
        customer_id: str,
        changes: Mapping[str, bool],
        *,
        actor: str,
        subject: str,
        idempotency_key: str,
        case_id: str | None = None,
        channel: str | None = None,
    ) -> ConsentChange:
        return change_consent(
            self.sessions,
            customer_id,
            changes,
            actor=actor,
            subject=subject,
            idempotency_key=idempotency_key,
            case_id=case_id,
            channel=channel,
        )
