"""What `GET /metrics` reads from the store: counts of cases, approvals, handoffs, outbox rows
and executed actions, all in one read-only transaction so they agree with each other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from store.db import read_only
from store.models import ActionRecordRow, ApprovalRow, CaseRow, OutboxRow
from web.review.queries import count_waiting


@dataclass(frozen=True)
class StoreCounts:
    cases: dict[tuple[str, str], int]  # by (channel, status)
    approvals_waiting: int
    approvals_overdue: int  # waiting longer than the SLA
    oldest_approval_wait: timedelta | None  # None when nothing waits
    handoffs_waiting: int  # escalated cases
    outbox: dict[tuple[str, str], int]  # by (channel, status)
    actions_executed: dict[str, int]  # by action type


def read_store_counts(
    sessions: sessionmaker[Session], *, now: datetime, sla: timedelta
) -> StoreCounts:
    """The store's counts as of one snapshot; an approval is overdue once `sla` has passed."""
    with read_only(sessions) as session:
        waiting = count_waiting(session)
        cases = session.execute(
            select(CaseRow.channel, CaseRow.status, func.count()).group_by(
                CaseRow.channel, CaseRow.status
            )
        ).all()
        oldest, overdue = session.execute(
            select(
                func.min(ApprovalRow.requested_at),
                func.count().filter(ApprovalRow.requested_at < now - sla),
            ).where(ApprovalRow.status == "pending")
        ).one()
        outbox = session.execute(
            select(OutboxRow.channel, OutboxRow.status, func.count()).group_by(
                OutboxRow.channel, OutboxRow.status
            )
        ).all()
        actions = session.execute(
            select(ActionRecordRow.action, func.count()).group_by(ActionRecordRow.action)
        ).all()
    return StoreCounts(
        cases={(channel, status): int(n) for channel, status, n in cases},
        approvals_waiting=waiting["approvals"],
        approvals_overdue=int(overdue or 0),
        oldest_approval_wait=max(now - oldest, timedelta(0)) if oldest is not None else None,
        handoffs_waiting=waiting["handoffs"],
        outbox={(channel, status): int(n) for channel, status, n in outbox},
        actions_executed={str(action): int(n) for action, n in actions},
    )
