"""Where a turn is decided: what the turn knows (`TurnFacts`) → what happens next (`Outcome`).

`decide_turn` is the one decision of a customer turn. It applies the dialogue's rules
(`domain.dialogue`: verify first, one question at a time, an explicit yes before any
write) and, when they lead to an action, plans that action with the shop's retail
rules (`domain.retail`'s `plan_*`, the same plan the store executes) and rates it
against the policy (`domain.policy.evaluate_policy`) in the same call. Its answer is one
of a closed set of typed outcomes; routing reads the kind, wording only words it.

Pure: no I/O, no clock. The caller loads the customer, the order and the variants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from domain.commands import (
    ActionCommand,
    CancelOrder,
    ExchangeItems,
    ModifyItems,
    ModifyOrderAddress,
    ModifyOrderPayment,
    ModifyUserAddress,
    ReceiveReturn,
    ReturnItems,
    action_type,
)
from domain.dialogue import Category, Decision, DialogueInput, Step, decide
from domain.errors import NotFound, TrustdeskError
from domain.identity import IdentityLevel
from domain.money import ZERO
from domain.policy import ActionRequest, ActionType, Actor, Policy, RiskLevel, Tier, evaluate_policy
from domain.retail import (
    Customer,
    Order,
    OrderChange,
    PaymentMethod,
    ReturnWindow,
    Variant,
    plan_cancel,
    plan_exchange,
    plan_modify_items,
    plan_modify_order_address,
    plan_modify_order_payment,
    plan_receive_return,
    plan_return,
)

# The read's confidence from which the agent acts on what it understood.
CONFIDENT = 0.5


class Captured(TypedDict, total=False):
    """What the conversation has told the agent so far, field by field (plain data)."""

    order_id: str
    email: str
    first_name: str
    last_name: str
    zip: str
    item_ids: list[str]
    item_names: list[str]
    payment: str  # "credit_card" | "paypal" | "gift_card"
    payment_method_id: str
    card_last_four: str
    cancel_reason: str
    issue: str  # the customer's first request, in their words
    preferred_resolution: str


class TurnRead(BaseModel):
    """What the brain read in this turn's message."""

    model_config = ConfigDict(frozen=True)

    category: Category
    confidence: float = Field(ge=0.0, le=1.0)
    autonomous: bool  # the accuracy gate cleared the category for the agent to finish alone
    wants_human: bool = False
    affirm: bool | None = None  # a yes or no to the proposal on the table


@dataclass(frozen=True)
class TurnFacts:
    """Everything one turn knows when it decides."""

    read: TurnRead
    message: str
    captured: Captured
    verified: bool
    customer: Customer | None
    order: Order | None
    policy: Policy
    # The action summarised to the customer last turn, awaiting their yes.
    proposal: ActionCommand | None = None
    # The variants of the order's products, by product id.
    variants: Mapping[str, Sequence[Variant]] = field(default_factory=dict)
    # The identity the conversation has reached (none / email / email+factor / code /
    # signed token) and, when `verified` is false, the next factor the request needs
    # (domain/identity.py::next_factor: identity, identity_factor, one_time_code).
    identity: IdentityLevel = IdentityLevel.NONE
    identity_ask: str | None = None

    @property
    def may_change(self) -> bool:
        """Whether the identity reached lets this customer change anything or move money."""
        return self.verified and self.identity.satisfies(self.policy.identity.change)


class OutcomeKind(StrEnum):
    ASK = "ask"  # one question
    ANSWER = "answer"  # from the store or the knowledge base; nothing changes
    PROPOSE = "propose"  # an action, summarised, awaiting the customer's yes
    EXECUTE = "execute"  # the confirmed action, within the automatic tier
    AWAIT_APPROVAL = "await_approval"  # the confirmed action, above the automatic tier
    REFUSE = "refuse"  # against a rule, said in plain words
    ESCALATE = "escalate"  # a person takes over


class AnswerSource(StrEnum):
    ORDER_STATUS = "order_status"
    REFUND_STATUS = "refund_status"
    ORDER_CONTENTS = "order_contents"
    POLICY = "policy"  # the shop's return and refund policy
    KNOWLEDGE = "knowledge"  # passages of the shop's knowledge base
    DECLINED = "declined"  # the customer said no to the proposal: nothing is done


class Rating(BaseModel):
    """The policy's verdict on an action of `amount`."""

    model_config = ConfigDict(frozen=True)

    tier: Tier
    risk: RiskLevel
    rules: tuple[str, ...]
    reasons: tuple[str, ...]
    four_eyes: bool = False
    amount: Decimal

    @property
    def needs_approval(self) -> bool:
        return self.tier in (Tier.APPROVER, Tier.SENIOR_APPROVER)


class PlannedItem(BaseModel):
    """One order line the action touches, and what it becomes."""

    model_config = ConfigDict(frozen=True)

    item_id: str
    name: str
    options: dict[str, str]
    price: Decimal
    new_item_id: str | None = None
    new_options: dict[str, str] | None = None


class PlannedAction(BaseModel):
    """An action as planned on today's order: what it does, to what, for how much."""

    model_config = ConfigDict(frozen=True)

    command: ActionCommand
    action: ActionType
    order_id: str | None
    items: tuple[PlannedItem, ...] = ()
    amount: Decimal  # the money it moves (refund, or price difference)
    payment_method_id: str | None  # where a refund goes or a difference is paid from
    summary: str  # the retail rules' own account of the change
    detail: str | None = None  # what the customer picked: "the chair (red) for the blue one"


class _Outcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    reasons: tuple[str, ...]
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)


class Ask(_Outcome):
    kind: Literal[OutcomeKind.ASK] = OutcomeKind.ASK
    ask_for: str  # identity, order_id, cancel_reason, item, new_option, address, ...
    item: str | None = None  # the item a question is about, when it is about one


class Answer(_Outcome):
    kind: Literal[OutcomeKind.ANSWER] = OutcomeKind.ANSWER
    source: AnswerSource


class Propose(_Outcome):
    kind: Literal[OutcomeKind.PROPOSE] = OutcomeKind.PROPOSE
    action: PlannedAction
    rating: Rating


class Execute(_Outcome):
    kind: Literal[OutcomeKind.EXECUTE] = OutcomeKind.EXECUTE
    action: PlannedAction
    rating: Rating


class AwaitApproval(_Outcome):
    kind: Literal[OutcomeKind.AWAIT_APPROVAL] = OutcomeKind.AWAIT_APPROVAL
    action: PlannedAction
    rating: Rating


class Refuse(_Outcome):
    kind: Literal[OutcomeKind.REFUSE] = OutcomeKind.REFUSE
    rule: str  # the rule, in plain words


class Escalate(_Outcome):
    kind: Literal[OutcomeKind.ESCALATE] = OutcomeKind.ESCALATE
    handoff_reason: str


Outcome = Annotated[
    Ask | Answer | Propose | Execute | AwaitApproval | Refuse | Escalate,
    Field(discriminator="kind"),
]
OUTCOME: TypeAdapter[Outcome] = TypeAdapter(Outcome)
_COMMAND: TypeAdapter[ActionCommand] = TypeAdapter(ActionCommand)


# --- the decision ---------------------------------------------------------------------


def decide_turn(facts: TurnFacts) -> Outcome:
    """The next step of the conversation, with any action it leads to planned and rated."""
    decision = decide(_dialogue_input(facts))
    confidence = facts.read.confidence
    reasons = decision.reasons
    match decision.step:
        case Step.ASK:
            item = decision.extra.get("item")
            return Ask(
                reasons=reasons,
                confidence=confidence,
                ask_for=decision.ask_for or "request",
                item=str(item) if item else None,
            )
        case Step.ANSWER:
            return Answer(reasons=reasons, confidence=confidence, source=_source(facts, decision))
        case Step.REFUSE:
            return Refuse(reasons=reasons, confidence=confidence, rule=reasons[0])
        case Step.ESCALATE:
            return Escalate(reasons=reasons, confidence=confidence, handoff_reason=reasons[0])
    return _act(facts, decision)


def _source(facts: TurnFacts, decision: Decision) -> AnswerSource:
    if decision.answer == "declined":
        return AnswerSource.DECLINED
    if decision.answer == "policy":
        return AnswerSource.POLICY
    if facts.read.category is Category.REFUND_STATUS:
        return AnswerSource.REFUND_STATUS
    return AnswerSource.ORDER_STATUS


def _act(facts: TurnFacts, decision: Decision) -> Outcome:
    """A proposed or confirmed action, planned on today's order and rated by the policy."""
    confidence = facts.read.confidence
    command = _COMMAND.validate_python(decision.command)
    detail = decision.extra.get("detail")
    try:
        action = plan_action(command, facts.order, facts.customer, facts.variants)
    except TrustdeskError as refused:
        return Refuse(reasons=(str(refused),), confidence=confidence, rule=str(refused))
    if detail:
        action = action.model_copy(update={"detail": str(detail)})
    rating = rate_action(facts.policy, action, verified=facts.may_change)
    if rating.tier is Tier.FORBIDDEN:
        return Refuse(reasons=rating.reasons, confidence=confidence, rule="; ".join(rating.reasons))
    reasons = (*decision.reasons, *rating.reasons)
    if decision.step is Step.CONFIRM:
        return Propose(reasons=reasons, confidence=confidence, action=action, rating=rating)
    if rating.tier is Tier.AUTO:
        return Execute(reasons=reasons, confidence=confidence, action=action, rating=rating)
    return AwaitApproval(reasons=reasons, confidence=confidence, action=action, rating=rating)


def _dialogue_input(facts: TurnFacts) -> DialogueInput:
    read = facts.read
    return DialogueInput(
        category=read.category,
        wants_human=read.wants_human,
        confident=read.confidence >= CONFIDENT,
        autonomous=read.autonomous,
        verified=facts.verified,
        affirm=read.affirm,
        captured=facts.captured,
        customer=facts.customer,
        order=facts.order,
        proposal=(
            {"command": facts.proposal.model_dump(mode="json")}
            if facts.proposal is not None
            else None
        ),
        message=facts.message,
        variants=facts.variants,
        identity_ask=facts.identity_ask,
    )


# --- planning and rating (shared with the store) -----------------------------------------


def plan_change(
    command: ActionCommand,
    order: Order,
    methods: Mapping[str, PaymentMethod],
    catalogue: Mapping[str, Variant],
    window: ReturnWindow | None = None,
) -> OrderChange:
    """The change `command` makes to `order`, by the retail rules; raises when it cannot.

    `window` is the shop's return window as of today; None when the caller has no clock
    (the store, which writes, always passes it)."""
    match command:
        case CancelOrder():
            return plan_cancel(order, command.reason, methods)
        case ModifyItems():
            return plan_modify_items(
                order, command.item_ids, command.new_item_ids, command.payment_method_id,
                methods, catalogue,
            )  # fmt: skip
        case ModifyOrderAddress():
            return plan_modify_order_address(order, command.address)
        case ModifyOrderPayment():
            return plan_modify_order_payment(order, command.payment_method_id, methods)
        case ReturnItems():
            return plan_return(
                order, command.item_ids, command.payment_method_id, methods,
                command.refund_limit, window,
            )  # fmt: skip
        case ExchangeItems():
            return plan_exchange(
                order, command.item_ids, command.new_item_ids, command.payment_method_id,
                methods, catalogue, window,
            )  # fmt: skip
        case ReceiveReturn():
            return plan_receive_return(order, methods, catalogue)
    raise TypeError(f"{command.kind} does not change an order")


def plan_action(
    command: ActionCommand,
    order: Order | None,
    customer: Customer | None,
    variants: Mapping[str, Sequence[Variant]],
) -> PlannedAction:
    """`command` planned on today's order, as the store would plan it before writing."""
    if isinstance(command, ModifyUserAddress):
        return PlannedAction(
            command=command,
            action=action_type(command),
            order_id=None,
            amount=ZERO,
            payment_method_id=None,
            summary=f"set the account address to {command.address.one_line()}",
        )
    if order is None or order.id != command.order_id:
        raise NotFound(f"order {command.order_id} was not found")
    methods = customer.methods_by_id() if customer is not None else {}
    catalogue = {v.item_id: v for found in variants.values() for v in found}
    change = plan_change(command, order, methods, catalogue)
    method_id = getattr(command, "payment_method_id", None)
    if method_id is None and change.transactions:
        method_id = change.transactions[0].payment_method_id
    return PlannedAction(
        command=command,
        action=action_type(command),
        order_id=order.id,
        items=_items(command, order, catalogue),
        amount=change.amount,
        payment_method_id=method_id,
        summary=change.summary,
    )


def _items(
    command: ActionCommand, order: Order, catalogue: Mapping[str, Variant]
) -> tuple[PlannedItem, ...]:
    wanted = list(getattr(command, "item_ids", None) or [line.item_id for line in order.lines])
    new_ids = list(getattr(command, "new_item_ids", None) or [])
    items: list[PlannedItem] = []
    for n, item_id in enumerate(wanted):
        line = next((ln for ln in order.lines if ln.item_id == item_id), None)
        if line is None:
            continue
        new_id = new_ids[n] if n < len(new_ids) else None
        new = catalogue.get(new_id) if new_id else None
        items.append(
            PlannedItem(
                item_id=line.item_id,
                name=line.name,
                options=dict(line.options),
                price=line.price,
                new_item_id=new_id,
                new_options=dict(new.options) if new else None,
            )
        )
    return tuple(items)


def rate_action(policy: Policy, action: PlannedAction, *, verified: bool) -> Rating:
    """The policy's tier for `action` once the customer has confirmed it."""
    verdict = evaluate_policy(
        policy,
        ActionRequest(
            action=action.action,
            amount=action.amount,
            identity_verified=verified,
            confirmed=True,
            actor=Actor.CUSTOMER,
        ),
    )
    return Rating(
        tier=verdict.tier,
        risk=verdict.risk,
        rules=verdict.rules,
        reasons=verdict.reasons,
        four_eyes=verdict.four_eyes,
        amount=action.amount,
    )
