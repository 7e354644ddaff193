"""Side activities of a case workflow: recording the case and queueing its replies.

The workflow runs `record_case` as a local activity at the end of every step that
changed the case: the projection, the step's audit events and any messages to send
are one transaction, and cost one history event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from store.audit import append_event
from store.models import ApprovalRow, CaseRow, HandoffRow, MessageRow, OutboxRow
from workflows.contracts import DeliverMessageInput, RecordCaseInput


def _queue_message(session: Session, inp: DeliverMessageInput) -> None:
    """Add the message to the outbox unless its id is there already."""
    existing = session.scalars(
        select(OutboxRow).where(OutboxRow.message_id == inp.message_id)
    ).first()
    if existing is not None:
        return
    session.add(
        OutboxRow(
            message_id=inp.message_id,
            case_id=inp.case_id,
            channel=inp.channel,
            thread_id=inp.thread_id,
            role=inp.role,
            text=inp.text,
            reason=inp.reason,
            status="pending",
        )
    )


class CaseActivities:
    """Activities with injected dependencies; registered on the worker as bound methods."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    @activity.defn
    def record_case(self, inp: RecordCaseInput) -> int:
        """Upsert the case projection (for lists, the review UI, metrics), append audit
        events and queue outgoing messages, in one transaction; safe to repeat."""
        view = inp.view
        with self.sessions() as session:
            case = session.get(CaseRow, view.case_id)
            if case is None:
                case = CaseRow(id=view.case_id, channel=view.channel, thread_id=view.thread_id)
                session.add(case)
            pending = view.pending_approval
            case.customer_id = view.customer_id
            case.status = view.status.value
            case.category = view.category
            case.risk = pending.risk if pending else None
            case.amount = pending.amount if pending else None
            case.captured = dict(view.captured)
            session.flush()
            known = set(
                session.scalars(select(MessageRow.seq).where(MessageRow.case_id == view.case_id))
            )
            for entry in view.transcript:
                if entry.seq not in known:
                    session.add(
                        MessageRow(
                            case_id=view.case_id,
                            seq=entry.seq,
                            role=entry.role,
                            text=entry.text,
                            reason=entry.reason,
                            created_at=entry.at,
                        )
                    )
            approvals = [
                *([pending.model_dump(mode="json") | {"status": "pending"}] if pending else []),
                *view.decided_approvals,
            ]
            for a in approvals:
                row = session.get(ApprovalRow, a["approval_id"])
                if row is None:
                    row = ApprovalRow(
                        id=a["approval_id"],
                        case_id=view.case_id,
                        action=a["action"],
                        amount=a["amount"],
                        tier=a["tier"],
                        risk=a["risk"],
                        reasons=a["reasons"],
                        status=a["status"],
                        requested_at=datetime.fromisoformat(a["requested_at"]),
                    )
                    session.add(row)
                row.status = a["status"]
                row.decided_by = a.get("decided_by") or a.get("approvals") or []
                row.note = a.get("note")
                if a.get("decided_at"):  # the time to decision, for the metrics dashboard
                    row.decided_at = datetime.fromisoformat(a["decided_at"])
            if view.handoff is not None:
                open_handoff = session.scalars(
                    select(HandoffRow).where(HandoffRow.case_id == view.case_id)
                ).first()
                if open_handoff is None:
                    session.add(
                        HandoffRow(
                            case_id=view.case_id,
                            reason=view.handoff.reason,
                            record=view.handoff.model_dump(mode="json"),
                            status="open",
                        )
                    )
                elif view.status.value == "closed":
                    open_handoff.status = "closed"
            for event in inp.events:
                append_event(
                    session,
                    kind=event["kind"],
                    actor=event["actor"],
                    payload=event["payload"],
                    case_id=view.case_id,
                    event_id=event["event_id"],
                )
            for message in inp.outbox:
                _queue_message(session, message)
            # A concurrent duplicate (the same event or message id) fails the commit; the
            # retry finds it written and adds nothing twice.
            session.commit()
        return len(inp.events)
