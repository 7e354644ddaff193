"""Whoever reaches Temporal cannot approve: the case refuses decisions without the web
process's signature, and a signed decision only for the case, approval and approver it names."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError

from store.models import OrderRow, TransactionRow
from tests.waiting import wait_until
from tests.workflows.conftest import TEST_SIGNER, CaseHarness, signed_decision
from trustdesk.approval_keys import ApprovalSigner
from workflows.contracts import Approver, PendingApproval, PostMessageInput, Role
from workflows.gateway import CaseGateway, refusal_type

PAT = Approver(username="pat", role=Role.APPROVER, approval_limit=Decimal("1000"))
SENIOR = Approver(username="sam", role=Role.SENIOR_APPROVER, approval_limit=Decimal("5000"))


async def _pending_return(h: CaseHarness) -> tuple[CaseGateway, str, PendingApproval]:
    gw, thread = CaseGateway(h.client, h.task_queue), uuid.uuid4().hex
    for text in ("I'd like to return order #W0000003, my email is ada@example.com", "yes"):
        await gw.post_message(PostMessageInput(channel="webchat", thread_id=thread, text=text))
    case_id = f"case-webchat-{thread}"
    pending = await gw.get_pending_approval(case_id)
    assert pending is not None and pending.amount == Decimal("899.00")
    return gw, case_id, pending


def _refunds(h: CaseHarness) -> list[Decimal]:
    with h.sessions() as s:
        return list(
            s.scalars(
                select(TransactionRow.amount).where(
                    TransactionRow.order_id == "#W0000003", TransactionRow.kind == "refund"
                )
            )
        )


def _status(h: CaseHarness) -> str:
    with h.sessions() as s:
        return s.get(OrderRow, "#W0000003").status  # type: ignore[union-attr]


async def _refused(gw: CaseGateway, case_id: str, decision: object) -> str | None:
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await gw.submit_approval(case_id, decision)  # type: ignore[arg-type]
    return refusal_type(err.value)


async def test_unsigned_forged_misbound_and_expired_decisions_are_refused(
    harness: CaseHarness,
) -> None:
    gw, case_id, pending = await _pending_return(harness)
    aid = pending.approval_id
    unsigned = signed_decision(case_id, aid, PAT).model_copy(update={"proof": None})
    forger = ApprovalSigner(Ed25519PrivateKey.generate())
    forged = signed_decision(case_id, aid, SENIOR, signer=forger)
    # A genuine proof for pat, with the approver swapped for a made-up senior one.
    swapped = signed_decision(case_id, aid, PAT).model_copy(update={"approver": SENIOR})
    other_case = signed_decision("case-webchat-elsewhere", aid, PAT).model_copy(
        update={"approval_id": aid}
    )
    raised_amount = signed_decision(case_id, aid, PAT, amount=Decimal("500")).model_copy(
        update={"amount": Decimal("899.00")}
    )
    stale_proof = TEST_SIGNER.sign(
        username="pat",
        role="approver",
        approval_limit=Decimal("1000"),
        case_id=case_id,
        approval_id=aid,
        decision="approve",
        amount=None,
        now=datetime.now(UTC) - timedelta(hours=1),
    )
    expired = signed_decision(case_id, aid, PAT).model_copy(update={"proof": stale_proof})
    garbage = signed_decision(case_id, aid, PAT).model_copy(update={"proof": "not.a.proof"})
    for decision in (unsigned, forged, swapped, other_case, raised_amount, expired, garbage):
        assert await _refused(gw, case_id, decision) == "Unauthenticated"

    assert _refunds(harness) == [] and _status(harness) == "delivered"
    still = await gw.get_pending_approval(case_id)
    assert still is not None and still.approval_id == aid and still.approvals == []


async def test_a_signed_decision_cannot_be_replayed(harness: CaseHarness) -> None:
    gw, case_id, pending = await _pending_return(harness)
    decision = signed_decision(case_id, pending.approval_id, PAT)
    assert (await gw.submit_approval(case_id, decision)).status == "approved"
    assert await _refused(gw, case_id, decision) == "NothingPending"

    async def executed() -> bool:
        return bool((await gw.get_case(case_id)).actions)

    await wait_until(executed, what="the approved return executed")
    case = await gw.get_case(case_id)
    assert [a.status for a in case.actions] == ["executed"]
    assert _status(harness) == "return requested"
    assert case.decided_approvals[-1]["decided_by"] == ["pat"]
