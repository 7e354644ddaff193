"""The outbox: replies waiting to reach a customer on their channel, and who is sending them.

A row moves `pending` → `sending` (claimed by one dispatcher, with a lease) →
`delivered`; after a failure it goes back to `pending` with a later
`next_attempt_at`, and after the last allowed attempt (or a permanent failure) to
`dead`, keeping the last error for the review UI (`list_dead_letters`).

Claims are safe with any number of dispatchers: on PostgreSQL the due rows are
selected `FOR UPDATE SKIP LOCKED`, so two dispatchers never wait on or take the
same row; on SQLite every transaction begins `IMMEDIATE` (`store.db`), so the
select-and-mark runs under the database's single write lock. A dispatcher that
dies while sending leaves its rows in `sending`; once their lease runs out they
are due again. That is the one case in which a message can go out twice, which is
why every sender passes the message id on (an email's Message-ID, a webhook's
delivery id) for the receiving side to recognise a repeat.

A sealed text (a one-time code's email, `store.sealed`) is dropped from its row once
delivered, as is anything on channel `mail`: nothing needs it after, and a row that holds
nothing leaks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from store.audit import append_event
from store.models import OutboxRow, utcnow
from store.sealed import PREFIX as SEALED_PREFIX
from store.sealed import is_sealed

#: What the review UI shows of a sealed text instead of its ciphertext.
SEALED_SHOWN = "(a sealed email to the address on file; its text is not shown here)"

PENDING = "pending"
SENDING = "sending"
DELIVERED = "delivered"
DEAD = "dead"

MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class OutboxMessage:
    """A claimed row, as a sender sees it."""

    message_id: str
    case_id: str
    channel: str
    thread_id: str
    role: str
    text: str
    reason: str | None
    attempt: int  # 1 for the first try
    row_id: int = 0  # the outbox row's own number, which names nothing personal (for traces)


class DeadLetter(BaseModel):
    """A message Trustdesk gave up delivering, for the review UI."""

    message_id: str
    case_id: str
    channel: str
    thread_id: str
    role: str
    text: str
    attempts: int
    last_error: str | None
    created_at: datetime


def _due(channel: str, now: datetime):  # type: ignore[no-untyped-def]
    return and_(
        OutboxRow.channel == channel,
        or_(
            and_(
                OutboxRow.status == PENDING,
                or_(OutboxRow.next_attempt_at.is_(None), OutboxRow.next_attempt_at <= now),
            ),
            and_(OutboxRow.status == SENDING, OutboxRow.claimed_until < now),
        ),
    )


def claim_due(
    sessions: sessionmaker[Session],
    channel: str,
    worker_id: str,
    *,
    lease: timedelta,
    max_attempts: int,
    limit: int = 10,
    now: datetime | None = None,
) -> list[OutboxMessage]:
    """Claim up to `limit` due rows of `channel` for `worker_id`, oldest first.

    A row whose sender died mid-send after its last allowed attempt is not tried
    again: it goes to `dead`.
    """
    now = now or utcnow()
    claimed: list[OutboxMessage] = []
    with sessions.begin() as session:
        rows = session.scalars(
            select(OutboxRow)
            .where(_due(channel, now))
            .order_by(OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            if row.status == SENDING and row.attempts >= max_attempts:
                row.status = DEAD
                row.last_error = (
                    f"gave up after {row.attempts} attempts; the last one never reported back "
                    f"(previous error: {row.last_error or 'none'})"
                )[:MAX_ERROR_CHARS]
                row.claimed_by = row.claimed_until = None
                continue
            row.status = SENDING
            row.attempts += 1
            row.claimed_by = worker_id
            row.claimed_until = now + lease
            claimed.append(
                OutboxMessage(
                    message_id=row.message_id,
                    case_id=row.case_id,
                    channel=row.channel,
                    thread_id=row.thread_id,
                    role=row.role,
                    text=row.text,
                    reason=row.reason,
                    attempt=row.attempts,
                    row_id=row.id,
                )
            )
    return claimed


def _finish(
    sessions: sessionmaker[Session], message_id: str, worker_id: str, **values: object
) -> bool:
    """Apply `values` to a row this worker still holds; False if it lost the claim."""
    with sessions.begin() as session:
        result = session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.message_id == message_id,
                OutboxRow.status == SENDING,
                OutboxRow.claimed_by == worker_id,
            )
            .values(claimed_by=None, claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        changed: int = result.rowcount  # type: ignore[attr-defined]
        return changed == 1


def mark_delivered(
    sessions: sessionmaker[Session], message_id: str, worker_id: str, *, now: datetime | None = None
) -> bool:
    # A code email queued before sealing existed is emptied too: channel `mail` carries
    # nothing else (store/one_time_codes.py).
    emptied = or_(
        OutboxRow.text.startswith(SEALED_PREFIX, autoescape=True), OutboxRow.channel == "mail"
    )
    return _finish(
        sessions, message_id, worker_id, status=DELIVERED, delivered_at=now or utcnow(),
        last_error=None, text=case((emptied, ""), else_=OutboxRow.text),
    )  # fmt: skip


def mark_failed(
    sessions: sessionmaker[Session],
    message_id: str,
    worker_id: str,
    error: str,
    *,
    retry_at: datetime | None,
) -> bool:
    """Record a failed attempt: due again at `retry_at`, or `dead` when it is None."""
    if retry_at is None:
        return _finish(
            sessions, message_id, worker_id, status=DEAD, last_error=error[:MAX_ERROR_CHARS]
        )
    return _finish(
        sessions, message_id, worker_id, status=PENDING, next_attempt_at=retry_at,
        last_error=error[:MAX_ERROR_CHARS],
    )  # fmt: skip


def mark_bounced(sessions: sessionmaker[Session], message_id: str, error: str) -> bool:
    """A delivered message came back (an email bounce): list it with the dead letters."""
    with sessions.begin() as session:
        row = session.scalars(select(OutboxRow).where(OutboxRow.message_id == message_id)).first()
        if row is None:
            return False
        row.status = DEAD
        row.last_error = f"bounced: {error}"[:MAX_ERROR_CHARS]
        return True


def list_dead_letters(
    sessions: sessionmaker[Session], *, channel: str | None = None, limit: int = 100
) -> list[DeadLetter]:
    """Messages Trustdesk gave up delivering, newest first (for the review UI)."""
    query = (
        select(OutboxRow)
        .where(OutboxRow.status == DEAD)
        .order_by(OutboxRow.created_at.desc(), OutboxRow.id.desc())
        .limit(limit)
    )
    if channel is not None:
        query = query.where(OutboxRow.channel == channel)
    with sessions() as session:
        return [
            DeadLetter(
                message_id=row.message_id,
                case_id=row.case_id,
                channel=row.channel,
                thread_id=row.thread_id,
                role=row.role,
                text=SEALED_SHOWN if is_sealed(row.text) else row.text,
                attempts=row.attempts,
                last_error=row.last_error,
                created_at=row.created_at,
            )
            for row in session.scalars(query)
        ]


def requeue_dead_letter(
    sessions: sessionmaker[Session],
    message_id: str,
    *,
    now: datetime | None = None,
    actor: str | None = None,
) -> bool:
    """Give a dead letter a fresh set of attempts (after someone fixed the cause).

    False if `message_id` is not a dead letter (any more). With an `actor`, the
    case's audit trail records who asked for the retry, in the same transaction.
    """
    with sessions.begin() as session:
        row = session.scalars(
            select(OutboxRow)
            .where(OutboxRow.message_id == message_id, OutboxRow.status == DEAD)
            .with_for_update()
        ).first()
        if row is None:
            return False
        row.status = PENDING
        row.attempts = 0
        row.next_attempt_at = now or utcnow()
        if actor is not None:
            append_event(
                session,
                kind="outbox.requeued",
                actor=actor,
                case_id=row.case_id,
                payload={
                    "message_id": message_id,
                    "channel": row.channel,
                    "summary": f"delivery on {row.channel} retried",
                    "last_error": row.last_error,
                },
            )
        return True


def outbox_status(sessions: sessionmaker[Session], message_id: str) -> str | None:
    with sessions() as session:
        return session.scalar(select(OutboxRow.status).where(OutboxRow.message_id == message_id))
