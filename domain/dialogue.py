"""What the agent does next in a conversation, as a pure function of what it knows.

`decide` is the policy of the dialogue: verify identity before disclosing or acting,
ask for one missing field at a time, summarise an action and wait for an explicit
yes before any write, answer only from store facts, and hand off to a human when
asked, when the category is not cleared for autonomy, or when nothing else fits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from domain.policy import ActionType
from domain.retail import Customer, Order, OrderStatus


class Category(StrEnum):
    ORDER_STATUS = "order_status"
    CANCEL_ORDER = "cancel_order"
    CHANGE_ITEMS = "change_items"
    CHANGE_ADDRESS = "change_address"
    CHANGE_PAYMENT = "change_payment"
    RETURN = "return"
    EXCHANGE = "exchange"
    REFUND_STATUS = "refund_status"
    POLICY_QUESTION = "policy_question"
    PRODUCT_QUESTION = "product_question"
    ACCOUNT_ADDRESS = "account_address"
    TALK_TO_HUMAN = "talk_to_human"
    COMPLAINT = "complaint"
    OTHER = "other"


ACTION_OF_CATEGORY: dict[Category, ActionType] = {
    Category.CANCEL_ORDER: ActionType.CANCEL_ORDER,
    Category.RETURN: ActionType.RETURN_ITEMS,
    Category.EXCHANGE: ActionType.EXCHANGE_ITEMS,
    Category.CHANGE_ITEMS: ActionType.MODIFY_ITEMS,
    Category.CHANGE_ADDRESS: ActionType.MODIFY_ORDER_ADDRESS,
    Category.CHANGE_PAYMENT: ActionType.MODIFY_ORDER_PAYMENT,
    Category.ACCOUNT_ADDRESS: ActionType.MODIFY_USER_ADDRESS,
}

# Categories the agent can finish on its own today; the accuracy gate narrows this further.
HANDLED = frozenset(
    {
        Category.ORDER_STATUS,
        Category.CANCEL_ORDER,
        Category.RETURN,
        Category.REFUND_STATUS,
        Category.POLICY_QUESTION,
    }
)


class Step(StrEnum):
    ASK = "ask"  # one clarifying question
    ANSWER = "answer"  # a grounded answer, no write
    CONFIRM = "confirm"  # summarise a proposed action and ask for a yes
    EXECUTE = "execute"  # the customer said yes to the proposal
    ESCALATE = "escalate"  # warm handoff to a human
    REFUSE = "refuse"  # the request is against policy; explain why


@dataclass(frozen=True)
class DialogueInput:
    category: Category
    wants_human: bool
    confident: bool
    autonomous: bool
    verified: bool
    affirm: bool | None
    captured: Mapping[str, Any]
    customer: Customer | None
    order: Order | None
    proposal: Mapping[str, Any] | None


@dataclass(frozen=True)
class Decision:
    step: Step
    reasons: tuple[str, ...]
    ask_for: str | None = None
    command: dict[str, Any] | None = None
    answer: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def decide(d: DialogueInput) -> Decision:
    """The next step of the conversation."""
    if d.wants_human or d.category is Category.TALK_TO_HUMAN:
        return Decision(Step.ESCALATE, ("the customer asked for a person",))
    if d.proposal is not None and d.affirm is not None:
        if d.affirm:
            return Decision(
                Step.EXECUTE,
                ("the customer confirmed the proposed action",),
                command=dict(d.proposal["command"]),
            )
        return Decision(
            Step.ANSWER,
            ("the customer declined the proposed action",),
            answer="declined",
        )
    if not d.verified:
        return Decision(
            Step.ASK,
            ("identity must be verified before disclosing anything or acting",),
            ask_for="identity",
        )
    if d.category is Category.COMPLAINT:
        return Decision(Step.ESCALATE, ("a complaint deserves a person's attention",))
    if not d.confident:
        return Decision(
            Step.ESCALATE if d.category is Category.OTHER else Step.ASK,
            ("the request was not understood with enough confidence",),
            ask_for="request",
        )
    if d.category not in HANDLED or not d.autonomous:
        return _partial_assistance(d)
    if d.category is Category.POLICY_QUESTION:
        return Decision(Step.ANSWER, ("policy questions are answered from the shop's policy",), answer="policy")
    if d.order is None:
        return Decision(Step.ASK, ("the request needs an order number",), ask_for="order_id")
    if d.customer is not None and d.order.customer_id != d.customer.id:
        return Decision(
            Step.REFUSE,
            ("the order belongs to another customer",),
            answer="not_your_order",
        )
    if d.category in (Category.ORDER_STATUS, Category.REFUND_STATUS):
        return Decision(Step.ANSWER, ("status questions are answered from the store",), answer="order_status")
    if d.category is Category.CANCEL_ORDER:
        return _cancel(d, d.order)
    return _return(d, d.order)


def _partial_assistance(d: DialogueInput) -> Decision:
    """Gather the order, the issue and the preferred resolution, then hand off."""
    if d.order is None and d.category not in (Category.PRODUCT_QUESTION, Category.OTHER):
        return Decision(
            Step.ASK,
            ("a person will handle this; the order number lets them start at once",),
            ask_for="order_id",
        )
    if not d.captured.get("preferred_resolution") and d.category is Category.COMPLAINT:
        return Decision(Step.ASK, ("the preferred resolution helps the person",), ask_for="preferred_resolution")
    return Decision(
        Step.ESCALATE,
        (f"{d.category.value.replace('_', ' ')} requests are handled by a person",),
    )


def _cancel(d: DialogueInput, order: Order) -> Decision:
    if order.status != OrderStatus.PENDING:
        return Decision(
            Step.REFUSE,
            (f"only pending orders can be cancelled and {order.id} is {order.status}",),
            answer="cannot_cancel",
        )
    reason = d.captured.get("cancel_reason")
    if not reason:
        return Decision(Step.ASK, ("a cancellation needs its reason",), ask_for="cancel_reason")
    return Decision(
        Step.CONFIRM,
        ("the order has not shipped yet, so it can be cancelled with a full refund",),
        command={"kind": "cancel_order", "order_id": order.id, "reason": reason},
    )


def _return(d: DialogueInput, order: Order) -> Decision:
    if order.status != OrderStatus.DELIVERED:
        return Decision(
            Step.REFUSE,
            (f"only delivered orders can be returned and {order.id} is {order.status}",),
            answer="cannot_return",
        )
    item_ids = list(d.captured.get("item_ids") or [line.item_id for line in order.lines])
    original = order.transactions[0].payment_method_id if order.transactions else None
    method = d.captured.get("payment_method_id") or original
    if method is None:
        return Decision(Step.ASK, ("a refund needs a payment method",), ask_for="payment_method")
    return Decision(
        Step.CONFIRM,
        ("the order was delivered, so its items can be returned for a refund",),
        command={
            "kind": "return_items",
            "order_id": order.id,
            "item_ids": item_ids,
            "payment_method_id": method,
        },
    )
