"""Write actions as data: what the agent proposes, an approver sees and the store executes."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.policy import ActionType, Actor, Tier
from domain.retail import Address, Transaction

_ORDER_ID = r"^#W\d{7}$"


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def fingerprint(self) -> str:
        """A stable hash of the arguments, to tell a retry from a different request."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


class _OrderCommand(_Command):
    order_id: str = Field(pattern=_ORDER_ID)


class _ItemIds(BaseModel):
    @field_validator("item_ids", "new_item_ids", check_fields=False)
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one item is needed")
        return value


class CancelOrder(_OrderCommand):
    kind: Literal["cancel_order"] = "cancel_order"
    reason: str


class ModifyItems(_OrderCommand, _ItemIds):
    kind: Literal["modify_items"] = "modify_items"
    item_ids: list[str]
    new_item_ids: list[str]
    payment_method_id: str


class ModifyOrderAddress(_OrderCommand):
    kind: Literal["modify_order_address"] = "modify_order_address"
    address: Address


class ModifyOrderPayment(_OrderCommand):
    kind: Literal["modify_order_payment"] = "modify_order_payment"
    payment_method_id: str


class ModifyUserAddress(_Command):
    kind: Literal["modify_user_address"] = "modify_user_address"
    customer_id: str
    address: Address


class ReturnItems(_OrderCommand, _ItemIds):
    kind: Literal["return_items"] = "return_items"
    item_ids: list[str]
    payment_method_id: str
    # An approver may allow a smaller refund than the items' price.
    refund_limit: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)] | None = None


class ExchangeItems(_OrderCommand, _ItemIds):
    kind: Literal["exchange_items"] = "exchange_items"
    item_ids: list[str]
    new_item_ids: list[str]
    payment_method_id: str


class ReceiveReturn(_OrderCommand):
    kind: Literal["receive_return"] = "receive_return"


ActionCommand = Annotated[
    CancelOrder
    | ModifyItems
    | ModifyOrderAddress
    | ModifyOrderPayment
    | ModifyUserAddress
    | ReturnItems
    | ExchangeItems
    | ReceiveReturn,
    Field(discriminator="kind"),
]


def action_type(command: _Command) -> ActionType:
    return ActionType(command.kind)  # type: ignore[attr-defined]


class Authorization(BaseModel):
    """What the caller vouches for when it asks the store to act.

    The store re-evaluates the policy itself: an action above the automatic limit
    runs only when `approved_tier` covers the tier the policy asks for.
    """

    model_config = ConfigDict(frozen=True)

    actor: Actor = Actor.CUSTOMER
    customer_id: str | None = None
    identity_verified: bool = False
    confirmed: bool = False
    approved_tier: Tier | None = None
    approved_by: tuple[str, ...] = ()


class ActionResult(BaseModel):
    """What an executed action did; returned again, unchanged, for a repeated key."""

    model_config = ConfigDict(frozen=True)

    action: ActionType
    idempotency_key: str
    target_id: str
    amount: Decimal
    summary: str
    status: str | None = None
    transactions: tuple[Transaction, ...] = ()
    policy_rules: tuple[str, ...] = ()
    replayed: bool = False
