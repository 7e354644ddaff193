"""Who may decide a pending approval, and for how much (domain.approvals)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from domain.approvals import ApprovalRefused, Decider, PendingFacts, check_decision

RETURN = PendingFacts("case-x/approval-1", "return_items", D("899.00"), "approver")
SENIOR = PendingFacts("case-x/approval-1", "return_items", D("2400.00"), "senior_approver")
CANCEL = PendingFacts("case-x/approval-1", "cancel_order", D("1899.00"), "approver")
HALF_DONE = PendingFacts(
    "case-x/approval-1", "return_items", D("9000.00"), "senior_approver", ("sue",)
)

PAT = Decider("pat", "approver", D("1000"))
LOU = Decider("lou", "approver", D("500"))
SUE = Decider("sue", "senior_approver", None)
AL = Decider("al", "agent")
AD = Decider("ad", "admin")


@pytest.mark.parametrize(
    ("pending", "decider", "decision", "kwargs", "kind"),
    [
        pytest.param(None, PAT, "approve", {}, "NothingPending", id="nothing-pending"),
        pytest.param(
            RETURN, PAT, "approve", {"approval_id": "case-x/approval-0"}, "StaleApproval",
            id="stale",
        ),
        pytest.param(RETURN, AL, "approve", {}, "Forbidden", id="agent"),
        pytest.param(RETURN, AD, "reject", {}, "Forbidden", id="admin-rejects"),
        pytest.param(SENIOR, PAT, "approve", {}, "Forbidden", id="senior-tier"),
        pytest.param(SENIOR, PAT, "reject", {}, "Forbidden", id="senior-tier-reject"),
        pytest.param(HALF_DONE, SUE, "approve", {}, "AlreadyDecided", id="second-by-same"),
        pytest.param(RETURN, LOU, "approve", {}, "OverLimit", id="over-limit"),
        pytest.param(
            RETURN, PAT, "approve", {"amount": D("900.00")}, "UnsupportedAmount", id="more"
        ),
        pytest.param(
            RETURN, PAT, "approve", {"amount": D("0.00")}, "UnsupportedAmount", id="zero"
        ),
        pytest.param(
            CANCEL, SUE, "approve", {"amount": D("100.00")}, "UnsupportedAmount",
            id="smaller-cancel",
        ),
    ],
)
def test_refused(
    pending: PendingFacts | None, decider: Decider, decision: str, kwargs: dict, kind: str
) -> None:
    with pytest.raises(ApprovalRefused) as refused:
        check_decision(pending, decider, decision, **kwargs)
    assert refused.value.kind == kind
    assert str(refused.value)


@pytest.mark.parametrize(
    ("pending", "decider", "decision", "kwargs", "approved"),
    [
        pytest.param(RETURN, PAT, "approve", {}, D("899.00"), id="as-requested"),
        pytest.param(
            RETURN, PAT, "approve", {"approval_id": RETURN.approval_id}, D("899.00"),
            id="current-id",
        ),
        pytest.param(RETURN, PAT, "reject", {}, None, id="reject"),
        pytest.param(RETURN, LOU, "reject", {}, None, id="reject-over-own-limit"),
        pytest.param(
            RETURN, LOU, "approve", {"amount": D("450.00")}, D("450.00"),
            id="smaller-fits-the-limit",
        ),
        pytest.param(SENIOR, SUE, "approve", {}, D("2400.00"), id="senior"),
        pytest.param(
            HALF_DONE, Decider("tom", "senior_approver"), "approve", {}, D("9000.00"),
            id="second-of-four-eyes",
        ),
    ],
)
def test_allowed(
    pending: PendingFacts, decider: Decider, decision: str, kwargs: dict, approved: D | None
) -> None:
    assert check_decision(pending, decider, decision, **kwargs) == approved
