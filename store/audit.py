"""The tamper-evident audit log: every row's hash covers its content and its predecessor."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from store.models import AuditEventRow, utcnow

GENESIS = "0" * 64
_LOCK_KEY = 7_114_772  # PostgreSQL advisory lock that serialises appends


def _digest(
    prev_hash: str,
    kind: str,
    actor: str,
    case_id: str | None,
    payload: dict[str, Any],
    created_at: datetime,
) -> str:
    body = json.dumps(
        {
            "prev": prev_hash,
            "kind": kind,
            "actor": actor,
            "case": case_id,
            "payload": payload,
            "at": created_at.isoformat(),
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def append_event(
    session: Session,
    *,
    kind: str,
    actor: str,
    payload: dict[str, Any],
    case_id: str | None = None,
    event_id: str | None = None,
) -> AuditEventRow:
    """Add an event to the chain inside the caller's transaction.

    With an `event_id`, appending the same event twice (a retried activity) is a no-op.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    if event_id is not None:
        existing = session.scalars(
            select(AuditEventRow).where(AuditEventRow.event_id == event_id)
        ).first()
        if existing is not None:
            return existing
    prev = session.scalars(
        select(AuditEventRow.hash).order_by(AuditEventRow.seq.desc()).limit(1)
    ).first()
    prev_hash = prev or GENESIS
    payload = json.loads(json.dumps(payload, default=str))
    created_at = utcnow()
    row = AuditEventRow(
        event_id=event_id,
        case_id=case_id,
        kind=kind,
        actor=actor,
        payload=payload,
        prev_hash=prev_hash,
        hash=_digest(prev_hash, kind, actor, case_id, payload, created_at),
        created_at=created_at,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_bad_seq: int | None = None


def verify_chain(session: Session) -> ChainCheck:
    """Recompute every hash; report the first row that was altered, removed or reordered."""
    prev_hash = GENESIS
    count = 0
    for row in session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq)):
        expected = _digest(prev_hash, row.kind, row.actor, row.case_id, row.payload, row.created_at)
        if row.prev_hash != prev_hash or row.hash != expected:
            return ChainCheck(False, count, row.seq)
        prev_hash = row.hash
        count += 1
    return ChainCheck(True, count)
