"""Table-driven tests of Trustdesk's money policy (every branch of `evaluate_policy`), the
shipped default limits, `parse_policy` refusing bad documents, and `domain.money`."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from domain.errors import ConfigError, InvalidMoney
from domain.money import format_money, to_money
from domain.policy import (
    ActionRequest,
    ActionType,
    Actor,
    Policy,
    RiskLevel,
    Tier,
    evaluate_policy,
    load_policy,
    parse_policy,
)

D = Decimal
A = ActionType

# A policy with one action type per branch of `evaluate_policy`.
BRANCHES = parse_policy(
    """
name = "branches"

[actions.cancel_order]          # every limit set
auto_max = "100"
approver_max = "500"
senior_max = "1000"
four_eyes_above = "300"

[actions.return_items]          # no auto_max: automatic at any amount

[actions.exchange_items]
forbidden = true

[actions.receive_return]
operator_only = true
requires_confirmation = false

[actions.modify_items]          # no approver_max: an approver decides any amount above auto
auto_max = "10"

[actions.modify_order_address]
requires_verified_identity = false
requires_confirmation = false

# modify_order_payment and modify_user_address have no rule at all
""",
    "branches",
)


def request(
    action: ActionType,
    amount: str,
    *,
    verified: bool = True,
    confirmed: bool = True,
    actor: Actor = Actor.CUSTOMER,
) -> ActionRequest:
    return ActionRequest(
        action=action, amount=D(amount), identity_verified=verified, confirmed=confirmed,
        actor=actor,
    )


@pytest.mark.parametrize(
    ("req", "tier", "rules", "four_eyes"),
    [
        pytest.param(request(A.MODIFY_USER_ADDRESS, "0"), Tier.FORBIDDEN,
                     ["modify_user_address.missing"], False, id="missing-action"),
        pytest.param(request(A.MODIFY_ORDER_PAYMENT, "5"), Tier.FORBIDDEN,
                     ["modify_order_payment.missing"], False, id="missing-action-payment"),
        pytest.param(request(A.EXCHANGE_ITEMS, "0"), Tier.FORBIDDEN,
                     ["exchange_items.forbidden"], False, id="forbidden"),
        pytest.param(request(A.EXCHANGE_ITEMS, "0", actor=Actor.OPERATOR), Tier.FORBIDDEN,
                     ["exchange_items.forbidden"], False, id="forbidden-even-for-staff"),
        pytest.param(request(A.RECEIVE_RETURN, "5"), Tier.FORBIDDEN,
                     ["receive_return.operator_only"], False, id="operator-only-customer"),
        pytest.param(request(A.RECEIVE_RETURN, "5", actor=Actor.OPERATOR, confirmed=False),
                     Tier.AUTO, ["receive_return.auto"], False,
                     id="operator-only-operator-needs-no-confirmation"),
        pytest.param(request(A.CANCEL_ORDER, "5", verified=False), Tier.FORBIDDEN,
                     ["cancel_order.requires_verified_identity"], False, id="unverified"),
        pytest.param(request(A.CANCEL_ORDER, "5", verified=False, confirmed=False),
                     Tier.FORBIDDEN, ["cancel_order.requires_verified_identity"], False,
                     id="unverified-reported-before-unconfirmed"),
        pytest.param(request(A.CANCEL_ORDER, "5", confirmed=False), Tier.FORBIDDEN,
                     ["cancel_order.requires_confirmation"], False, id="unconfirmed"),
        pytest.param(request(A.MODIFY_ORDER_ADDRESS, "0", verified=False, confirmed=False),
                     Tier.AUTO, ["modify_order_address.auto"], False,
                     id="neither-required"),
        pytest.param(request(A.CANCEL_ORDER, "-0.01"), Tier.FORBIDDEN,
                     ["cancel_order.negative_amount"], False, id="negative"),
        pytest.param(request(A.RETURN_ITEMS, "-5"), Tier.FORBIDDEN,
                     ["return_items.negative_amount"], False, id="negative-without-limits"),
        pytest.param(request(A.RETURN_ITEMS, "0"), Tier.AUTO, ["return_items.auto"], False,
                     id="auto-none-zero"),
        pytest.param(request(A.RETURN_ITEMS, "99999999.99"), Tier.AUTO, ["return_items.auto"],
                     False, id="auto-none-huge"),
        pytest.param(request(A.CANCEL_ORDER, "0"), Tier.AUTO, ["cancel_order.auto_max"], False,
                     id="zero"),
        pytest.param(request(A.CANCEL_ORDER, "100.00"), Tier.AUTO, ["cancel_order.auto_max"],
                     False, id="auto-max-exactly"),
        pytest.param(request(A.CANCEL_ORDER, "100.01"), Tier.APPROVER,
                     ["cancel_order.auto_max", "cancel_order.approver_max"], False,
                     id="auto-max-one-cent-over"),
        pytest.param(request(A.CANCEL_ORDER, "300.00"), Tier.APPROVER,
                     ["cancel_order.auto_max", "cancel_order.approver_max"], False,
                     id="four-eyes-exactly"),
        pytest.param(request(A.CANCEL_ORDER, "300.01"), Tier.APPROVER,
                     ["cancel_order.auto_max", "cancel_order.approver_max",
                      "cancel_order.four_eyes_above"], True, id="four-eyes-one-cent-over"),
        pytest.param(request(A.CANCEL_ORDER, "500.00"), Tier.APPROVER,
                     ["cancel_order.auto_max", "cancel_order.approver_max",
                      "cancel_order.four_eyes_above"], True, id="approver-max-exactly"),
        pytest.param(request(A.CANCEL_ORDER, "500.01"), Tier.SENIOR_APPROVER,
                     ["cancel_order.approver_max", "cancel_order.senior_max",
                      "cancel_order.four_eyes_above"], True, id="approver-max-one-cent-over"),
        pytest.param(request(A.CANCEL_ORDER, "1000.00"), Tier.SENIOR_APPROVER,
                     ["cancel_order.approver_max", "cancel_order.senior_max",
                      "cancel_order.four_eyes_above"], True, id="senior-max-exactly"),
        pytest.param(request(A.CANCEL_ORDER, "1000.01"), Tier.FORBIDDEN,
                     ["cancel_order.senior_max"], False, id="senior-max-one-cent-over"),
        pytest.param(request(A.MODIFY_ITEMS, "10.01"), Tier.APPROVER,
                     ["modify_items.auto_max", "modify_items.approver_max"], False,
                     id="no-approver-max-approver-any-amount"),
        pytest.param(request(A.MODIFY_ITEMS, "99999999.99"), Tier.APPROVER,
                     ["modify_items.auto_max", "modify_items.approver_max"], False,
                     id="no-approver-max-huge"),
    ],
)
def test_evaluate_policy_branches(
    req: ActionRequest, tier: Tier, rules: list[str], four_eyes: bool
) -> None:
    decision = evaluate_policy(BRANCHES, req)
    assert decision.tier is tier
    assert list(decision.rules) == rules
    assert decision.four_eyes is four_eyes
    assert decision.reasons and all(r.strip() for r in decision.reasons)
    said_two = any("two different approvers" in r for r in decision.reasons)
    assert said_two is four_eyes
    assert decision.allowed is (tier is not Tier.FORBIDDEN)
    assert decision.needs_approval is (tier in (Tier.APPROVER, Tier.SENIOR_APPROVER))
    expected_risk = {
        Tier.AUTO: RiskLevel.LOW,
        Tier.APPROVER: RiskLevel.MEDIUM,
        Tier.SENIOR_APPROVER: RiskLevel.HIGH,
        Tier.FORBIDDEN: RiskLevel.HIGH,
    }[tier]
    assert decision.risk is expected_risk


def test_reasons_name_the_amount_and_the_limit() -> None:
    decision = evaluate_policy(BRANCHES, request(A.CANCEL_ORDER, "1234.50"))
    assert "1,234.50" in decision.reasons[0]
    assert "1,000.00" in decision.reasons[0]
    decision = evaluate_policy(BRANCHES, request(A.CANCEL_ORDER, "100.01"))
    assert "100.01" in decision.reasons[0] and "100.00" in decision.reasons[0]


# --- the shipped defaults: the numbers from the product spec ----------------------------

DEFAULT = load_policy()


@pytest.mark.parametrize(
    ("action", "amount", "tier"),
    [
        # cancel: automatic up to 1000
        (A.CANCEL_ORDER, "0.00", Tier.AUTO),
        (A.CANCEL_ORDER, "1000.00", Tier.AUTO),
        (A.CANCEL_ORDER, "1000.01", Tier.APPROVER),
        (A.CANCEL_ORDER, "5000.00", Tier.APPROVER),
        (A.CANCEL_ORDER, "5000.01", Tier.SENIOR_APPROVER),
        # returns: automatic up to 250, an approver up to 2000, a senior approver above
        (A.RETURN_ITEMS, "250.00", Tier.AUTO),
        (A.RETURN_ITEMS, "250.01", Tier.APPROVER),
        (A.RETURN_ITEMS, "2000.00", Tier.APPROVER),
        (A.RETURN_ITEMS, "2000.01", Tier.SENIOR_APPROVER),
        (A.RETURN_ITEMS, "1000000.00", Tier.SENIOR_APPROVER),
        # exchanges and item modifications: automatic when the price difference ≤ 100
        (A.EXCHANGE_ITEMS, "100.00", Tier.AUTO),
        (A.EXCHANGE_ITEMS, "100.01", Tier.APPROVER),
        (A.EXCHANGE_ITEMS, "2000.01", Tier.SENIOR_APPROVER),
        (A.MODIFY_ITEMS, "0.00", Tier.AUTO),
        (A.MODIFY_ITEMS, "100.00", Tier.AUTO),
        (A.MODIFY_ITEMS, "100.01", Tier.APPROVER),
        (A.MODIFY_ITEMS, "2000.01", Tier.SENIOR_APPROVER),
        # address and payment changes: automatic once verified, whatever the order's total
        (A.MODIFY_ORDER_ADDRESS, "0.00", Tier.AUTO),
        (A.MODIFY_ORDER_PAYMENT, "0.00", Tier.AUTO),
        (A.MODIFY_ORDER_PAYMENT, "25000.00", Tier.AUTO),
        (A.MODIFY_USER_ADDRESS, "0.00", Tier.AUTO),
    ],
    ids=lambda v: str(v),
)
def test_default_policy_numbers(action: ActionType, amount: str, tier: Tier) -> None:
    assert evaluate_policy(DEFAULT, request(action, amount)).tier is tier


@pytest.mark.parametrize("action", [a for a in ActionType if a is not A.RECEIVE_RETURN])
def test_default_policy_needs_verified_identity_and_a_yes(action: ActionType) -> None:
    assert DEFAULT.limits(action) is not None, f"the default policy has no rule for {action}"
    unverified = evaluate_policy(DEFAULT, request(action, "1", verified=False))
    assert unverified.tier is Tier.FORBIDDEN
    assert unverified.rules == (f"{action}.requires_verified_identity",)
    unconfirmed = evaluate_policy(DEFAULT, request(action, "1", confirmed=False))
    assert unconfirmed.tier is Tier.FORBIDDEN
    assert unconfirmed.rules == (f"{action}.requires_confirmation",)


def test_default_policy_receiving_returns_is_for_staff() -> None:
    staff = request(A.RECEIVE_RETURN, "2000.00", actor=Actor.OPERATOR, confirmed=False)
    assert evaluate_policy(DEFAULT, staff).tier is Tier.AUTO
    customer = request(A.RECEIVE_RETURN, "1.00")
    assert evaluate_policy(DEFAULT, customer).rules == ("receive_return.operator_only",)


@pytest.mark.parametrize(
    ("amount", "four_eyes"), [("5000.00", False), ("5000.01", True)], ids=["at", "over"]
)
def test_default_policy_four_eyes_on_big_refunds(amount: str, four_eyes: bool) -> None:
    assert evaluate_policy(DEFAULT, request(A.RETURN_ITEMS, amount)).four_eyes is four_eyes


# --- parse_policy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('[actions.cancel_order]\nauto_max = "500"\napprover_max = "100"\n',
                     id="auto-above-approver"),
        pytest.param('[actions.cancel_order]\napprover_max = "500"\nsenior_max = "100"\n',
                     id="approver-above-senior"),
        pytest.param('[actions.cancel_order]\nauto_max = "500"\nsenior_max = "100"\n',
                     id="auto-above-senior"),
        pytest.param('[actions.cancel_order]\nauto_max = "100.01"\napprover_max = "100"\n',
                     id="one-cent-out-of-order"),
        pytest.param('surprise = 1\n[actions.cancel_order]\n', id="unknown-top-level-key"),
        pytest.param('[actions.cancel_order]\nauto_limit = "5"\n', id="unknown-limit-key"),
        pytest.param('[actions.refund_everything]\nauto_max = "5"\n', id="unknown-action"),
        pytest.param('[actions.cancel_order]\nauto_max = "-1"\n', id="negative-auto"),
        pytest.param('[actions.cancel_order]\nauto_max = "-10"\napprover_max = "-5"\n',
                     id="negative-ascending"),
        pytest.param('[actions.cancel_order]\nsenior_max = "-0.01"\n', id="negative-senior"),
        pytest.param('[actions.cancel_order]\nfour_eyes_above = "-1"\n',
                     id="negative-four-eyes"),
        pytest.param('[actions.cancel_order]\nauto_max = "lots"\n', id="amount-not-a-number"),
        pytest.param('[actions.cancel_order]\nauto_max = true\n', id="amount-a-boolean"),
        pytest.param('[actions.cancel_order]\nauto_max = "NaN"\n', id="amount-nan"),
        pytest.param('[actions.cancel_order]\nauto_max = "inf"\n', id="amount-infinite"),
        pytest.param('[actions.cancel_order]\nforbidden = "maybe"\n', id="flag-not-a-bool"),
        pytest.param('approval_sla_minutes = 0\n[actions.cancel_order]\n', id="sla-zero"),
        pytest.param('name = "no actions"\n', id="actions-missing"),
        pytest.param('actions = 5\n', id="actions-not-a-table"),
        pytest.param('[actions.cancel_order\nauto_max = "5"\n', id="bad-toml-header"),
        pytest.param('[actions.cancel_order]\nauto_max = \n', id="bad-toml-value"),
        pytest.param('[actions.cancel_order]\nauto_max = "1"\nauto_max = "2"\n',
                     id="bad-toml-duplicate-key"),
    ],
)
def test_parse_policy_rejects(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_policy(text, "shop.toml")
    assert "shop.toml" in str(info.value)


def test_parse_policy_accepts_equal_limits_and_converts_money() -> None:
    policy = parse_policy(
        '[actions.cancel_order]\nauto_max = 100.1\napprover_max = "100.10"\n'
        'senior_max = 101\nfour_eyes_above = "0"\n'
    )
    limits = policy.limits(A.CANCEL_ORDER)
    assert limits is not None
    assert limits.auto_max == D("100.10") and limits.approver_max == D("100.10")
    assert limits.senior_max == D("101.00")
    assert isinstance(limits.auto_max, Decimal)
    assert policy.limits(A.RETURN_ITEMS) is None


def test_default_policy_is_the_shipped_file() -> None:
    assert isinstance(DEFAULT, Policy)
    assert DEFAULT.name == "default"
    assert set(DEFAULT.actions) == set(ActionType)


def test_load_policy_names_the_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[actions.cancel_order]\nauto_max = "2"\napprover_max = "1"\n')
    with pytest.raises(ConfigError, match="policy.toml"):
        load_policy(path)


# --- money -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1819.92", "1819.92"),
        (D("1819.92"), "1819.92"),
        (5, "5.00"),
        ("0", "0.00"),
        ("0.005", "0.01"),  # half up
        ("0.004", "0.00"),
        ("2.675", "2.68"),
        (2.675, "2.68"),  # a float goes through str: no binary surprise
        (0.1 + 0.2, "0.30"),
        (50.88, "50.88"),
        ("-0.005", "-0.01"),  # half away from zero
        ("-2.345", "-2.35"),
        (D("1.004999"), "1.00"),
        ("1e2", "100.00"),
        ("92233720368547758.07", "92233720368547758.07"),
    ],
    ids=lambda v: repr(v),
)
def test_to_money_rounds_to_cents_half_up(value: object, expected: str) -> None:
    amount = to_money(value)  # type: ignore[arg-type]
    assert isinstance(amount, Decimal)
    assert amount == D(expected)
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "value",
    ["NaN", "nan", "sNaN", float("nan"), D("NaN"), "Infinity", "-inf", float("inf"),
     D("-Infinity"), True, False, "abc", "", "1,000.00", "12.5.3", None, [], {}, object(),
     "1e40", 2**120],
    ids=lambda v: repr(v)[:30],
)
def test_to_money_rejects(value: object) -> None:
    with pytest.raises(InvalidMoney):
        to_money(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (D("1819.92"), "1,819.92"),
        (D("0"), "0.00"),
        (D("0.01"), "0.01"),
        (D("5"), "5.00"),
        (D("999.9"), "999.90"),
        (D("1000"), "1,000.00"),
        (D("1234567.5"), "1,234,567.50"),
        (D("-1234.5"), "-1,234.50"),
    ],
    ids=lambda v: str(v),
)
def test_format_money(amount: Decimal, shown: str) -> None:
    assert format_money(amount) == shown
