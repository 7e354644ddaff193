"""Who may decide a pending approval, and for how much.

One pure check, run twice: by the web layer before anything reaches the workflow,
and by the workflow's update validator against its own state (a decision that
raced with another one is refused there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import TrustdeskError
from domain.money import ZERO, format_money

APPROVER_ROLES = frozenset({"approver", "senior_approver"})
SENIOR_ROLE = "senior_approver"

#: Actions whose amount an approver may lower: a return refund can be partial; a
#: cancellation refunds what was paid and a price difference is what it is.
REDUCIBLE_ACTIONS = frozenset({"return_items"})


class ApprovalRefused(TrustdeskError):
    """A decision that may not be taken; `kind` names why, for status codes and history."""

    code = "approval_refused"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class PendingFacts:
    approval_id: str
    action: str
    amount: Decimal
    tier: str
    approvals: Sequence[str] = ()


@dataclass(frozen=True)
class Decider:
    username: str
    role: str
    approval_limit: Decimal | None = None


def check_decision(
    pending: PendingFacts | None,
    decider: Decider,
    decision: str,
    *,
    approval_id: str | None = None,
    amount: Decimal | None = None,
) -> Decimal | None:
    """Refuse a decision that may not be taken; return the amount an approval allows."""
    if pending is None:
        raise ApprovalRefused("NothingPending", "nothing is waiting for approval on this case")
    if approval_id is not None and approval_id != pending.approval_id:
        raise ApprovalRefused("StaleApproval", "that approval is no longer the pending one")
    if decider.role not in APPROVER_ROLES:
        raise ApprovalRefused("Forbidden", f"a {decider.role} cannot decide approvals")
    if pending.tier == SENIOR_ROLE and decider.role != SENIOR_ROLE:
        raise ApprovalRefused("Forbidden", "this amount needs a senior approver")
    if decider.username in pending.approvals:
        raise ApprovalRefused("AlreadyDecided", "you have already approved this request")
    if decision != "approve":
        return None
    approved = pending.amount if amount is None else amount
    if approved > pending.amount:
        raise ApprovalRefused(
            "UnsupportedAmount",
            f"{format_money(approved)} is more than the {format_money(pending.amount)} requested",
        )
    if approved < pending.amount:
        if pending.action not in REDUCIBLE_ACTIONS:
            raise ApprovalRefused(
                "UnsupportedAmount",
                "a smaller amount can be approved only for return refunds; "
                "reject with a note instead",
            )
        if approved <= ZERO:
            raise ApprovalRefused(
                "UnsupportedAmount", "approve a positive amount, or reject the request"
            )
    if decider.approval_limit is not None and approved > decider.approval_limit:
        raise ApprovalRefused(
            "OverLimit",
            f"{format_money(approved)} is above your approval limit of "
            f"{format_money(decider.approval_limit)}",
        )
    return approved
