"""Who may decide a pending approval, and for how much.

One pure check, run twice: by the web layer before anything reaches the workflow,
and by the workflow's update validator against its own state (a decision that
raced with another one is refused there).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

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


# --- proof of an approval ------------------------------------------------------------------
#
# The web process signs each decision it lets through (Ed25519, a compact JWS); the case
# workflow's validator accepts a decision only with a valid signature from a key the worker
# trusts, bound to that case and approval, unexpired at `workflow.now()`. Whoever reaches
# Temporal without the web process's private key cannot approve anything.

PROOF_ALGORITHM = "EdDSA"


@dataclass(frozen=True)
class ApprovalClaims:
    """What a proof vouches for: who decided what, on which approval, until when."""

    username: str
    role: str
    approval_limit: Decimal | None
    case_id: str
    approval_id: str
    decision: str
    amount: Decimal | None
    expires_at: int  # seconds since the epoch
    issued_at: int
    proof_id: str

    def as_json(self) -> dict[str, object]:
        return {
            "sub": self.username,
            "role": self.role,
            "limit": None if self.approval_limit is None else str(self.approval_limit),
            "case": self.case_id,
            "aid": self.approval_id,
            "decision": self.decision,
            "amount": None if self.amount is None else str(self.amount),
            "exp": self.expires_at,
            "iat": self.issued_at,
            "jti": self.proof_id,
        }

    @property
    def decider(self) -> Decider:
        return Decider(self.username, self.role, self.approval_limit)


def _money_claim(value: object) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("an amount claim is a string")
    return Decimal(value)


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _verified_payload(proof: str, trusted_keys: Sequence[bytes]) -> bytes | None:
    """The payload of a compact JWS (`EdDSA`, Ed25519) signed by one of `trusted_keys`.

    Verified with libsodium (PyNaCl): the workflow sandbox runs it safely, where the
    `cryptography` package's native module aborted the worker."""
    parts = proof.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(_b64decode(parts[0]))
        payload, signature = _b64decode(parts[1]), _b64decode(parts[2])
    except (ValueError, binascii.Error):
        return None
    if not isinstance(header, dict) or header.get("alg") != PROOF_ALGORITHM:
        return None
    signed = f"{parts[0]}.{parts[1]}".encode()
    for raw in trusted_keys:
        try:
            VerifyKey(raw).verify(signed, signature)
        except (BadSignatureError, ValueError, TypeError):
            continue
        return payload
    return None


def read_approval_proof(
    proof: str | None, trusted_keys: Sequence[bytes], *, now: float
) -> ApprovalClaims:
    """The claims of a proof signed by one of `trusted_keys` (raw Ed25519 public keys) and
    unexpired at `now`; `ApprovalRefused("Unauthenticated")` for anything else.

    Pure: the caller passes the clock (a workflow passes `workflow.now()`)."""
    if not proof:
        raise ApprovalRefused("Unauthenticated", "the decision carries no proof of its approver")
    if not trusted_keys:
        raise ApprovalRefused("Unauthenticated", "this worker trusts no approval key")
    payload = _verified_payload(proof, trusted_keys)
    if payload is None:
        raise ApprovalRefused("Unauthenticated", "the decision's proof is not validly signed")
    try:
        body = json.loads(payload)
        claims = ApprovalClaims(
            username=str(body["sub"]),
            role=str(body["role"]),
            approval_limit=_money_claim(body.get("limit")),
            case_id=str(body["case"]),
            approval_id=str(body["aid"]),
            decision=str(body["decision"]),
            amount=_money_claim(body.get("amount")),
            expires_at=int(body["exp"]),
            issued_at=int(body["iat"]),
            proof_id=str(body["jti"]),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError):
        raise ApprovalRefused("Unauthenticated", "the decision's proof is malformed") from None
    if claims.expires_at <= now:
        raise ApprovalRefused("Unauthenticated", "the decision's proof has expired")
    return claims


def check_proven_decision(
    pending: PendingFacts | None,
    claims: ApprovalClaims,
    *,
    case_id: str,
    username: str,
    role: str,
    approval_limit: Decimal | None,
    decision: str,
    approval_id: str,
    amount: Decimal | None,
) -> Decimal | None:
    """`check_decision` for a decision whose every field must match its verified proof."""
    submitted = (username, role, approval_limit, case_id, approval_id, decision, amount)
    proven = (
        claims.username,
        claims.role,
        claims.approval_limit,
        claims.case_id,
        claims.approval_id,
        claims.decision,
        claims.amount,
    )
    if submitted != proven:
        raise ApprovalRefused(
            "Unauthenticated", "the decision does not match what its proof vouches for"
        )
    return check_decision(
        pending, claims.decider, decision, approval_id=approval_id, amount=amount
    )


class SubmittedDecision(Protocol):
    """The shape of `workflows.contracts.SubmitApprovalInput` this module reads."""

    @property
    def approval_id(self) -> str: ...
    @property
    def decision(self) -> str: ...
    @property
    def amount(self) -> Decimal | None: ...
    @property
    def proof(self) -> str | None: ...
    @property
    def approver(self) -> SubmittedApprover: ...


class SubmittedApprover(Protocol):
    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def approval_limit(self) -> Decimal | None: ...


def check_submitted_approval(
    pending: PendingFacts | None,
    submitted: SubmittedDecision,
    *,
    case_id: str,
    trusted_keys: Sequence[bytes],
    now: float,
) -> Decimal | None:
    """The case workflow's validator: a decision with a valid proof, matching it, that
    `check_decision` allows. Returns the amount approved (None for a rejection)."""
    claims = read_approval_proof(submitted.proof, trusted_keys, now=now)
    approver = submitted.approver
    return check_proven_decision(
        pending,
        claims,
        case_id=case_id,
        username=approver.username,
        role=str(approver.role),
        approval_limit=approver.approval_limit,
        decision=submitted.decision,
        approval_id=submitted.approval_id,
        amount=submitted.amount,
    )
