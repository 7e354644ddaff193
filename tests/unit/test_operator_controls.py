"""Operator controls over autonomy (`domain.controls`): kill switch, canary, policy version."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.commands import CancelOrder
from domain.controls import (
    SHADOW_REASON,
    OperatorControls,
    canary_bucket,
    effective_autonomy,
    held_for_shadow,
    in_canary,
    policy_version,
)
from domain.policy import ActionType, RiskLevel, Tier
from domain.turn import (
    Ask,
    AwaitApproval,
    Escalate,
    Execute,
    Outcome,
    PlannedAction,
    Propose,
    Rating,
)

GATED = frozenset({"order_status", "cancel_order", "return"})
CASES = [f"case-webchat-thread-{n:04d}" for n in range(2000)]


def test_without_controls_the_gate_decides() -> None:
    assert effective_autonomy(GATED, OperatorControls(), "case-1") == GATED


def test_a_killed_category_is_never_autonomous() -> None:
    controls = OperatorControls(killed=frozenset({"return", "exchange"}))
    for case_id in CASES[:50]:
        assert effective_autonomy(GATED, controls, case_id) == {"order_status", "cancel_order"}


def test_controls_never_add_what_the_gate_did_not_clear() -> None:
    controls = OperatorControls(canary={"exchange": Decimal(1)})
    assert "exchange" not in effective_autonomy(GATED, controls, "case-1")


@pytest.mark.parametrize("share", ["0", "0.1", "0.25", "0.5", "1"])
def test_a_canary_lets_about_its_share_of_cases_through_the_same_way_each_time(
    share: str,
) -> None:
    controls = OperatorControls(canary={"return": Decimal(share)})
    chosen = [c for c in CASES if "return" in effective_autonomy(GATED, controls, c)]
    assert len(chosen) / len(CASES) == pytest.approx(float(share), abs=0.03)
    again = [c for c in CASES if "return" in effective_autonomy(GATED, controls, c)]
    assert chosen == again
    # the rest of the gate's list is untouched by another category's canary
    assert all("order_status" in effective_autonomy(GATED, controls, c) for c in CASES[:50])


def test_a_wider_canary_keeps_every_case_the_narrower_one_had() -> None:
    narrow = {c for c in CASES if in_canary(c, Decimal("0.1"))}
    wide = {c for c in CASES if in_canary(c, Decimal("0.3"))}
    assert narrow < wide


def test_the_bucket_is_a_stable_hash_not_pythons_salted_one() -> None:
    # A fixed value: the same case lands in the same bucket in every process and release.
    assert canary_bucket("case-webchat-abc") == canary_bucket("case-webchat-abc")
    assert 0 <= canary_bucket("case-webchat-abc") < 10_000
    assert canary_bucket("case-webchat-abc") == 9455


def test_a_share_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        OperatorControls(canary={"return": Decimal("1.5")})


def test_the_policy_version_changes_with_each_input_and_only_then() -> None:
    base = policy_version(b"[limits]\n", ["return"], OperatorControls())
    assert base == policy_version(b"[limits]\n", ["return"], OperatorControls())
    assert base.startswith("p-") and len(base) == 14
    others = {
        policy_version(b"[limits] \n", ["return"], OperatorControls()),
        policy_version(b"[limits]\n", ["return", "exchange"], OperatorControls()),
        policy_version(b"[limits]\n", ["return"], OperatorControls(killed=frozenset({"return"}))),
        policy_version(
            b"[limits]\n", ["return"], OperatorControls(canary={"return": Decimal("0.2")})
        ),
    }
    assert base not in others and len(others) == 4


# --- shadow mode ------------------------------------------------------------------------

_CANCEL = PlannedAction(
    command=CancelOrder(order_id="#W0000001", reason="ordered by mistake"),
    action=ActionType.CANCEL_ORDER,
    order_id="#W0000001",
    amount=Decimal("149.99"),
    payment_method_id="credit_card_1",
    summary="cancel order #W0000001",
)
_AUTO = Rating(
    tier=Tier.AUTO, risk=RiskLevel.LOW, rules=("cancel.auto",), reasons=(), amount=Decimal("149.99")
)


def test_in_shadow_an_action_the_agent_would_run_alone_waits_for_a_person() -> None:
    held = held_for_shadow(
        Execute(reasons=("the customer said yes",), confidence=0.9, action=_CANCEL, rating=_AUTO)
    )
    assert isinstance(held, AwaitApproval)
    assert held.action == _CANCEL and held.confidence == 0.9
    assert held.rating.tier is Tier.APPROVER and held.rating.needs_approval
    assert SHADOW_REASON in held.rating.reasons and SHADOW_REASON in held.reasons


@pytest.mark.parametrize(
    "outcome",
    [
        Ask(reasons=("identity",), ask_for="identity"),
        Propose(reasons=("confirm",), action=_CANCEL, rating=_AUTO),
        Escalate(reasons=("a person",), handoff_reason="a person"),
    ],
)
def test_in_shadow_outcomes_that_run_nothing_are_unchanged(outcome: Outcome) -> None:
    assert held_for_shadow(outcome) is outcome


def test_a_killed_category_is_not_drafted_for() -> None:
    controls = OperatorControls(
        killed=frozenset({"return"}), shadow=frozenset({"return", "exchange"})
    )
    assert controls.in_shadow("exchange")
    assert not controls.in_shadow("return") and not controls.in_shadow(None)
    assert not controls.in_shadow("order_status")


def test_shadow_mode_is_part_of_the_policy_version_and_absent_leaves_old_versions_alone() -> None:
    plain = policy_version(b"[limits]\n", ["return"], OperatorControls())
    # The version named before shadow mode existed (no "shadow" key in the document).
    assert OperatorControls().as_document() == {"killed": [], "canary": {}}
    shadowed = policy_version(
        b"[limits]\n", ["return"], OperatorControls(shadow=frozenset({"return"}))
    )
    assert shadowed != plain
