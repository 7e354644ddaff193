"""`POST /api/cases/{case_id}/approval`: an approver decides the case's pending approval.

Checked twice. Here first, against the pending approval read by query: who may
decide (role, senior tier, personal limit), whether anything is pending and
whether it is the one the reviewer saw; a refusal here never reaches the
workflow. Then the workflow's update validator checks again against its own
state, so a decision that raced with another one is refused there, and mapped to
the same status codes.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from temporalio.client import WorkflowUpdateFailedError

from domain.approvals import ApprovalRefused, Decider, check_decision
from web.deps import Context, CurrentUser, Gateway
from web.routers.cases import check_case_id
from workflows.contracts import (
    Approver,
    CaseStatus,
    SubmitApprovalInput,
    SubmitApprovalResult,
)
from workflows.gateway import CaseGateway, refusal_type

router = APIRouter(prefix="/api/cases", tags=["approvals"])

#: How long a decision's answer waits to say what became of the approved action.
OUTCOME_WAIT = 10.0

#: The HTTP status for each type a workflow validator refuses a decision with.
REFUSAL_STATUS = {
    "NothingPending": status.HTTP_409_CONFLICT,
    "StaleApproval": status.HTTP_409_CONFLICT,
    "AlreadyDecided": status.HTTP_409_CONFLICT,
    "CaseClosed": status.HTTP_409_CONFLICT,
    "Forbidden": status.HTTP_403_FORBIDDEN,
    "OverLimit": status.HTTP_403_FORBIDDEN,
    "UnsupportedAmount": status.HTTP_422_UNPROCESSABLE_CONTENT,
}


class ApprovalDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] | None = Field(
        default=None,
        description="The amount approved: the pending amount when omitted; less than it "
        "only for return refunds (the customer is refunded that much).",
    )
    note: str | None = Field(default=None, max_length=2000)
    approval_id: str | None = Field(
        default=None,
        max_length=250,
        description="The approval the reviewer looked at; refused with 409 if another is "
        "pending now. Omit to decide whichever approval is pending.",
    )


def _refuse(code: int, detail: str) -> HTTPException:
    return HTTPException(code, detail)


@router.post(
    "/{case_id}/approval",
    response_model=SubmitApprovalResult,
    summary="Approve or reject the case's pending approval",
    responses={
        401: {"description": "No or invalid bearer token."},
        403: {"description": "Your role, tier or approval limit does not allow this decision."},
        404: {"description": "No such case."},
        409: {"description": "Nothing pending, a different approval pending, or already decided."},
        422: {"description": "Malformed input, or an amount that cannot be approved."},
    },
)
async def decide(
    case_id: str, body: ApprovalDecision, user: CurrentUser, gateway: Gateway, ctx: Context
) -> SubmitApprovalResult:
    if not user.can_approve:
        raise _refuse(status.HTTP_403_FORBIDDEN, f"{user.roles_text}: cannot decide approvals")
    pending = await gateway.get_pending_approval(check_case_id(case_id))
    try:
        check_decision(
            pending.facts() if pending else None,
            Decider(user.username, user.acting_role.value, user.approval_limit),
            body.decision,
            approval_id=body.approval_id,
            amount=body.amount,
        )
    except ApprovalRefused as refused:
        raise _refuse(REFUSAL_STATUS[refused.kind], str(refused)) from None
    assert pending is not None  # check_decision refuses when nothing is pending
    if ctx.approval_signer is None:
        raise _refuse(status.HTTP_503_SERVICE_UNAVAILABLE, "approvals cannot be signed here")
    proof = ctx.approval_signer.sign(
        username=user.username,
        role=user.acting_role.value,  # the role the decision was checked under
        approval_limit=user.approval_limit,
        case_id=case_id,
        approval_id=pending.approval_id,
        decision=body.decision,
        amount=body.amount,
    )
    decision = SubmitApprovalInput(
        approval_id=pending.approval_id,
        decision=body.decision,
        approver=Approver(
            username=user.username, role=user.acting_role, approval_limit=user.approval_limit
        ),
        amount=body.amount,
        note=body.note,
        proof=proof,
    )
    before = await gateway.get_case(case_id)
    try:
        result = await gateway.submit_approval(case_id, decision)
    except WorkflowUpdateFailedError as err:
        kind = refusal_type(err)
        message = getattr(err.cause, "message", None) or "the case refused this decision"
        raise _refuse(REFUSAL_STATUS.get(kind or "", status.HTTP_409_CONFLICT), message) from err
    if result.status == "needs_second_approval":
        return result.model_copy(update={"action": "awaiting_second_approval"})
    if result.status == "rejected":
        return result.model_copy(update={"action": "not_taken"})
    return await _outcome(gateway, case_id, result, len(before.actions))


async def _outcome(
    gateway: CaseGateway, case_id: str, result: SubmitApprovalResult, actions_before: int
) -> SubmitApprovalResult:
    """The approved action's fate: the case resumes after the update returns, so read the
    case until the action is recorded (or the case escalated), for up to `OUTCOME_WAIT`."""
    deadline = time.monotonic() + OUTCOME_WAIT
    pause = 0.05
    while True:
        view = await gateway.get_case(case_id)
        if len(view.actions) > actions_before:
            action = view.actions[-1]
            return result.model_copy(
                update={"action": action.status, "detail": action.error or action.summary}
            )
        if view.status is CaseStatus.ESCALATED:
            reason = view.handoff.reason if view.handoff else None
            return result.model_copy(update={"action": "escalated", "detail": reason})
        if time.monotonic() >= deadline:
            return result
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.5)
