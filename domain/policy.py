"""The shop's money limits and identity rules as data, and the pure function that applies them.

The policy file (TOML, validated here) says per action type up to which amount
Trustdesk acts on its own, up to which an approver may decide, above which only a
senior approver may, and what is never allowed. `evaluate_policy` turns an action
request into a decision with the rules it hit and reasons a person can read. The
model proposes; this function decides.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from domain.errors import ConfigError, InvalidMoney
from domain.identity import IdentityRules
from domain.money import format_money, to_money


class ActionType(StrEnum):
    CANCEL_ORDER = "cancel_order"
    MODIFY_ITEMS = "modify_items"
    MODIFY_ORDER_ADDRESS = "modify_order_address"
    MODIFY_ORDER_PAYMENT = "modify_order_payment"
    MODIFY_USER_ADDRESS = "modify_user_address"
    RETURN_ITEMS = "return_items"
    EXCHANGE_ITEMS = "exchange_items"
    RECEIVE_RETURN = "receive_return"


class Tier(StrEnum):
    """Who may let an action run, from least to most scrutiny."""

    AUTO = "auto"
    APPROVER = "approver"
    SENIOR_APPROVER = "senior_approver"
    FORBIDDEN = "forbidden"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Actor(StrEnum):
    CUSTOMER = "customer"
    OPERATOR = "operator"


def _money(value: object) -> Decimal:
    try:
        return to_money(value)  # type: ignore[arg-type]
    except InvalidMoney as exc:  # as a ValueError pydantic reports it with the field's name
        raise ValueError(str(exc)) from exc


Money = Annotated[Decimal, BeforeValidator(_money)]

_ACTION_WORDS = {
    ActionType.CANCEL_ORDER: "cancelling an order",
    ActionType.MODIFY_ITEMS: "changing items of an order",
    ActionType.MODIFY_ORDER_ADDRESS: "changing an order's shipping address",
    ActionType.MODIFY_ORDER_PAYMENT: "changing an order's payment method",
    ActionType.MODIFY_USER_ADDRESS: "changing an account's address",
    ActionType.RETURN_ITEMS: "a refund for returned items",
    ActionType.EXCHANGE_ITEMS: "an exchange",
    ActionType.RECEIVE_RETURN: "receiving returned items",
}


class ActionLimits(BaseModel):
    """Limits for one action type; an amount is the money the action moves."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    auto_max: Money | None = Field(
        default=None, description="Runs without a human up to this amount; unset: any amount."
    )
    approver_max: Money | None = Field(
        default=None, description="An approver may decide up to this amount; above it a senior."
    )
    senior_max: Money | None = Field(
        default=None, description="Above this amount the action is never allowed."
    )
    four_eyes_above: Money | None = Field(
        default=None, description="Above this amount two different approvers must approve."
    )
    requires_verified_identity: bool = True
    requires_confirmation: bool = True
    operator_only: bool = False
    forbidden: bool = False

    @model_validator(mode="after")
    def _limits_ascend(self) -> ActionLimits:
        bounds = [b for b in (self.auto_max, self.approver_max, self.senior_max) if b is not None]
        if bounds != sorted(bounds):
            raise ValueError("limits must ascend: auto_max ≤ approver_max ≤ senior_max")
        if any(b < 0 for b in [*bounds, self.four_eyes_above] if b is not None):
            raise ValueError("limits cannot be negative")
        return self


class ShopTerms(BaseModel):
    """The numbers customers are told and the rules enforce: one place for both.

    The knowledge base's articles name them as placeholders (`{{ return_window_days }}`),
    filled from here when they are indexed, and `domain.retail` enforces the return window.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    return_window_days: int | None = Field(
        default=None,
        gt=0,
        description="Days after delivery within which items may be returned or exchanged; "
        "unset: no window.",
    )
    refund_card_business_days: int = Field(
        default=7, gt=0, description="Business days a refund to a card takes to show."
    )
    refund_paypal_business_days: int = Field(
        default=3, gt=0, description="Business days a refund to PayPal takes to show."
    )
    free_shipping_over: Money | None = Field(
        default=None, description="Orders above this amount ship free (standard shipping)."
    )


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "default"
    approval_sla_minutes: int = Field(default=240, gt=0)
    terms: ShopTerms = Field(default_factory=ShopTerms)
    actions: dict[ActionType, ActionLimits]
    # The identity each kind of request needs (domain/identity.py); strict when unset.
    identity: IdentityRules = Field(default_factory=IdentityRules)

    def limits(self, action: ActionType) -> ActionLimits | None:
        return self.actions.get(action)


@dataclass(frozen=True)
class ActionRequest:
    action: ActionType
    amount: Decimal
    identity_verified: bool
    confirmed: bool = True
    actor: Actor = Actor.CUSTOMER


@dataclass(frozen=True)
class PolicyDecision:
    tier: Tier
    risk: RiskLevel
    rules: tuple[str, ...]
    reasons: tuple[str, ...]
    four_eyes: bool = False

    @property
    def needs_approval(self) -> bool:
        return self.tier in (Tier.APPROVER, Tier.SENIOR_APPROVER)

    @property
    def allowed(self) -> bool:
        return self.tier is not Tier.FORBIDDEN


_RISK = {
    Tier.AUTO: RiskLevel.LOW,
    Tier.APPROVER: RiskLevel.MEDIUM,
    Tier.SENIOR_APPROVER: RiskLevel.HIGH,
    Tier.FORBIDDEN: RiskLevel.HIGH,
}


def _decision(
    tier: Tier, rules: list[str], reasons: list[str], four_eyes: bool = False
) -> PolicyDecision:
    return PolicyDecision(tier, _RISK[tier], tuple(rules), tuple(reasons), four_eyes)


def evaluate_policy(policy: Policy, request: ActionRequest) -> PolicyDecision:
    """Decide who may let `request` run, and say why."""
    action = request.action
    words = _ACTION_WORDS[action]
    amount = format_money(request.amount)
    limits = policy.limits(action)
    if limits is None:
        return _decision(
            Tier.FORBIDDEN, [f"{action}.missing"], [f"the policy has no rule for {words}"]
        )
    if limits.forbidden:
        return _decision(
            Tier.FORBIDDEN, [f"{action}.forbidden"], [f"the shop does not allow {words}"]
        )
    if limits.operator_only and request.actor is not Actor.OPERATOR:
        return _decision(
            Tier.FORBIDDEN,
            [f"{action}.operator_only"],
            [f"only shop staff may record {words}"],
        )
    if limits.requires_verified_identity and not request.identity_verified:
        return _decision(
            Tier.FORBIDDEN,
            [f"{action}.requires_verified_identity"],
            [f"{words} needs the customer's identity verified first"],
        )
    if limits.requires_confirmation and not request.confirmed:
        return _decision(
            Tier.FORBIDDEN,
            [f"{action}.requires_confirmation"],
            [f"{words} needs the customer's explicit yes first"],
        )
    if request.amount < 0:
        return _decision(
            Tier.FORBIDDEN, [f"{action}.negative_amount"], ["a negative amount is not an action"]
        )
    four_eyes = limits.four_eyes_above is not None and request.amount > limits.four_eyes_above
    # Rules and reasons an approval above the four-eyes limit adds, for the reviewers.
    eyes_rules = [f"{action}.four_eyes_above"] if four_eyes else []
    eyes_reasons = (
        [f"above {format_money(limits.four_eyes_above)}, two different approvers must approve"]
        if four_eyes and limits.four_eyes_above is not None
        else []
    )
    if limits.auto_max is None:
        return _decision(
            Tier.AUTO,
            [f"{action}.auto"],
            [f"{words} runs automatically once the customer is verified and has confirmed"],
        )
    if request.amount <= limits.auto_max:
        return _decision(
            Tier.AUTO,
            [f"{action}.auto_max"],
            [
                f"{words} of {amount} is within the limit of "
                f"{format_money(limits.auto_max)} for automatic handling"
            ],
        )
    if limits.approver_max is None or request.amount <= limits.approver_max:
        return _decision(
            Tier.APPROVER,
            [f"{action}.auto_max", f"{action}.approver_max", *eyes_rules],
            [
                f"{words} of {amount} is above the automatic limit of "
                f"{format_money(limits.auto_max)}, so an approver decides",
                *eyes_reasons,
            ],
            four_eyes,
        )
    if limits.senior_max is None or request.amount <= limits.senior_max:
        return _decision(
            Tier.SENIOR_APPROVER,
            [f"{action}.approver_max", f"{action}.senior_max", *eyes_rules],
            [
                f"{words} of {amount} is above the approver limit of "
                f"{format_money(limits.approver_max)}, so a senior approver decides",
                *eyes_reasons,
            ],
            four_eyes,
        )
    return _decision(
        Tier.FORBIDDEN,
        [f"{action}.senior_max"],
        [f"{words} of {amount} is above the highest limit of {format_money(limits.senior_max)}"],
    )


def policy_placeholders(policy: Policy) -> dict[str, str]:
    """The policy's numbers by the names articles use for them, as customers read them."""
    terms = policy.terms
    values: dict[str, str] = {
        "approval_sla_minutes": str(policy.approval_sla_minutes),
        "refund_card_business_days": str(terms.refund_card_business_days),
        "refund_paypal_business_days": str(terms.refund_paypal_business_days),
        "return_window_days": (
            str(terms.return_window_days) if terms.return_window_days is not None else "unlimited"
        ),
        "free_shipping_over": (
            f"${format_money(terms.free_shipping_over)}"
            if terms.free_shipping_over is not None
            else "any amount"
        ),
    }
    for action, limits in policy.actions.items():
        if limits.auto_max is not None:
            values[f"{action.value}_auto_max"] = format_money(limits.auto_max)
    return values


DEFAULT_POLICY_PATH = Path(__file__).with_name("default_policy.toml")


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Parse and validate a TOML policy document."""
    try:
        return Policy.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ConfigError(f"invalid policy {source}: {exc}") from exc


def load_policy(path: Path | None = None) -> Policy:
    """Read a policy file; the shipped defaults when `path` is None."""
    path = path or DEFAULT_POLICY_PATH
    return parse_policy(path.read_text(encoding="utf-8"), str(path))
