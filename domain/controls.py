"""Operator controls over autonomy: a per-category kill switch, a canary share and shadow mode.

The accuracy gate says which categories the agent may handle alone; operators narrow
that further. A killed category is never autonomous. A category on a canary share is
autonomous for that share of cases only, chosen by hashing the case id, so the same
case always lands on the same side (a replayed or resumed turn decides the same way)
and no randomness enters a workflow. A category in shadow mode is read and decided as
usual, but its replies are drafts a person sends or edits, and an action it would take
on its own waits for a person's approval instead (`in_shadow`).

`policy_version` names the rules a decision was taken under: a short hash of the
policy file's contents, the gate's autonomy list and the operator controls, so an
audit row can say which version it used.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.policy import Tier
from domain.turn import AwaitApproval, Execute, Outcome

#: Shares are held to whole hundredths of a percent so the hash bucket compares exactly.
_BUCKETS = 10_000


@dataclass(frozen=True)
class OperatorControls:
    """What operators have switched off (`killed`), put on a canary share (0 to 1), or
    put in shadow mode (`shadow`)."""

    killed: frozenset[str] = frozenset()
    canary: Mapping[str, Decimal] = field(default_factory=dict)
    shadow: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for category, share in self.canary.items():
            if not Decimal(0) <= share <= Decimal(1):
                raise ValueError(f"canary share of {category} must be between 0 and 1, got {share}")

    def as_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "killed": sorted(self.killed),
            "canary": {k: str(v) for k, v in sorted(self.canary.items())},
        }
        if self.shadow:  # absent when empty: versions named before shadow mode stay the same
            document["shadow"] = sorted(self.shadow)
        return document

    def in_shadow(self, category: str | None) -> bool:
        """Whether the agent only drafts for this category (a killed one is not drafted for:
        it is a person's alone)."""
        return category is not None and category in self.shadow and category not in self.killed


def canary_bucket(case_id: str) -> int:
    """A stable number in [0, 10000) for a case id (SHA-256, not Python's salted hash)."""
    digest = hashlib.sha256(case_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % _BUCKETS


def in_canary(case_id: str, share: Decimal) -> bool:
    """Whether this case falls inside a canary of `share` (0 none, 1 every case)."""
    return canary_bucket(case_id) < int(share * _BUCKETS)


def effective_autonomy(
    gated: frozenset[str], controls: OperatorControls, case_id: str
) -> frozenset[str]:
    """The categories the agent may handle alone in this case.

    Starts from what the gate cleared (`gated`), drops killed categories, and keeps a
    canaried category only when the case id hashes into its share.
    """
    allowed = set()
    for category in gated:
        if category in controls.killed:
            continue
        share = controls.canary.get(category)
        if share is not None and not in_canary(case_id, share):
            continue
        allowed.add(category)
    return frozenset(allowed)


def policy_version(
    policy_text: bytes, autonomous: Iterable[str], controls: OperatorControls
) -> str:
    """A short, stable name for one policy file + autonomy list + operator controls."""
    body = json.dumps(
        {
            "policy": hashlib.sha256(policy_text).hexdigest(),
            "autonomous": sorted(autonomous),
            "controls": controls.as_document(),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return "p-" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]


#: Why an action a shadowed category would take alone waits for a person instead.
SHADOW_REASON = "shadow mode: a person approves every action in this category"


def held_for_shadow(outcome: Outcome) -> Outcome:
    """The turn's outcome as shadow mode lets it stand: an action the agent would run on
    its own (`Execute`) waits for a person's approval; every other outcome is unchanged
    (its reply becomes a draft in the workflow)."""
    if not isinstance(outcome, Execute):
        return outcome
    rating = outcome.rating.model_copy(
        update={"tier": Tier.APPROVER, "reasons": (*outcome.rating.reasons, SHADOW_REASON)}
    )
    return AwaitApproval(
        reasons=(*outcome.reasons, SHADOW_REASON),
        confidence=outcome.confidence,
        action=outcome.action,
        rating=rating,
    )
