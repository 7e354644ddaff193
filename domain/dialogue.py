"""What the agent does next in a conversation, as a pure function of what it knows.

`decide` is the policy of the dialogue: verify identity before disclosing or acting,
ask for one missing field at a time, summarise an action and wait for an explicit
yes before any write, answer only from store facts, and hand off to a human when
asked, when the category is not cleared for autonomy, or when nothing else fits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from domain.matching import (
    choose_variant,
    lines_named,
    parse_address,
    same_version_wanted,
    sold_out_asked,
)
from domain.money import ZERO
from domain.policy import ActionType
from domain.retail import (
    NO_LONGER_NEEDED,
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    TransactionKind,
    Variant,
)


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

# Categories the agent can finish on its own; the accuracy gate narrows this further.
HANDLED = frozenset(
    {
        Category.ORDER_STATUS,
        Category.CANCEL_ORDER,
        Category.RETURN,
        Category.EXCHANGE,
        Category.CHANGE_ITEMS,
        Category.CHANGE_ADDRESS,
        Category.CHANGE_PAYMENT,
        Category.ACCOUNT_ADDRESS,
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
    # What the customer wrote this turn, and the variants of the order's products by
    # product id: enough to read "the red one in size 10" against the shop's catalogue.
    message: str = ""
    variants: Mapping[str, Sequence[Variant]] = field(default_factory=dict)
    # The next identity factor the request needs when `verified` is false
    # (domain/identity.py::next_factor: identity, identity_factor, one_time_code).
    identity_ask: str | None = None


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
    if d.proposal is not None and d.affirm is not None and d.verified:
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
    if d.category is Category.OTHER and not d.captured.get("issue"):
        # "hello?": nothing to disclose or act on yet, so no identity is asked for either.
        return Decision(Step.ASK, ("the customer has not said what they need yet",), ask_for="need")
    if not d.verified:
        return Decision(
            Step.ASK,
            ("identity must be verified before disclosing anything or acting",),
            ask_for=d.identity_ask or "identity",
        )
    if d.category is Category.COMPLAINT:
        return _partial_assistance(d)
    if not d.confident:
        return Decision(
            Step.ESCALATE if d.category is Category.OTHER else Step.ASK,
            ("the request was not understood with enough confidence",),
            ask_for="request",
        )
    if d.category not in HANDLED or not d.autonomous:
        return _partial_assistance(d)
    if d.category is Category.POLICY_QUESTION:
        return Decision(
            Step.ANSWER, ("policy questions are answered from the shop's policy",), answer="policy"
        )
    if d.category is Category.ACCOUNT_ADDRESS:
        return _account_address(d)
    if d.order is None:
        return Decision(Step.ASK, ("the request needs an order number",), ask_for="order_id")
    if d.customer is not None and d.order.customer_id != d.customer.id:
        return Decision(
            Step.REFUSE,
            ("the order belongs to another customer",),
            answer="not_your_order",
        )
    if d.category in (Category.ORDER_STATUS, Category.REFUND_STATUS):
        return Decision(
            Step.ANSWER, ("status questions are answered from the store",), answer="order_status"
        )
    if d.category is Category.CANCEL_ORDER:
        return _cancel(d, d.order)
    if d.category is Category.EXCHANGE:
        return _swap_item(d, d.order, exchange=True)
    if d.category is Category.CHANGE_ITEMS:
        return _swap_item(d, d.order, exchange=False)
    if d.category is Category.CHANGE_ADDRESS:
        return _order_address(d, d.order)
    if d.category is Category.CHANGE_PAYMENT:
        return _order_payment(d, d.order)
    return _return(d, d.order)


# Requests about no order: a person takes them over without being asked "which order?".
_NO_ORDER = frozenset(
    {Category.PRODUCT_QUESTION, Category.OTHER, Category.ACCOUNT_ADDRESS, Category.POLICY_QUESTION}
)


# The words of a complaint that says only that something is wrong ("there's a problem
# with my order", "something's wrong with my purchase"): nothing a person could act on.
# fmt: off
_VAGUE_WORDS = frozenset({
    "a", "an", "the", "my", "i", "i'm", "im", "ive", "i've", "me", "we", "our", "there",
    "there's", "theres", "is", "was", "it", "it's", "its", "have", "has", "had", "got", "get",
    "with", "about", "of", "on", "in", "for", "to", "and", "please", "hi", "hello", "hey",
    "help", "need", "problem", "problems", "issue", "issues", "trouble", "wrong", "something",
    "something's", "order", "orders", "purchase", "purchases", "parcel", "package",
    "delivery", "item", "items", "thing", "stuff", "recent", "last", "latest", "one", "just",
    "bit", "little", "some", "kind", "quick", "question", "bought", "ordered", "came", "up",
    "from", "you", "your", "guys", "at", "can", "could", "someone", "sort", "out", "went",
    "gone", "happened",
})
# fmt: on
_ORDER_NUMBER = re.compile(r"#?\bw?\d{5,}\b", re.IGNORECASE)
# What makes a vague message about an order, or about something wrong with one.
_ABOUT_A_PURCHASE = frozenset(
    {"order", "orders", "purchase", "purchases", "parcel", "package", "delivery", "item",
     "items", "bought", "ordered"}
)  # fmt: skip
_PROBLEM = frozenset({"problem", "problems", "issue", "issues", "trouble", "wrong"})


def _vague_words(said: str) -> list[str] | None:
    words = re.findall(r"[a-z']+", _ORDER_NUMBER.sub(" ", said.lower()))
    return words if words and all(w in _VAGUE_WORDS for w in words) else None


def vague_issue(said: str) -> bool:
    """Whether a complaint names nothing but that something is wrong with an order."""
    return _vague_words(said) is not None


def vague_opening(said: str) -> str | None:
    """What a message naming nothing but an order or a purchase is: "problem" when it says
    something is wrong ("there's an issue with something I bought"), "need" when it does
    not say what ("something came up with a purchase"); None for anything more specific,
    or a message about no purchase ("hi", "quick question")."""
    words = _vague_words(said)
    if words is None:
        return None
    if _PROBLEM.intersection(words):
        return "problem"
    return "need" if _ABOUT_A_PURCHASE.intersection(words) else None


def _partial_assistance(d: DialogueInput) -> Decision:
    """Gather the order, the issue and the preferred resolution, then hand off.

    Each is asked for once: a customer who has no order number, or no wish to state,
    is handed over with what they said rather than asked again."""
    asked = d.captured.get("asked") or {}
    if (
        d.category is Category.COMPLAINT
        and not asked.get("issue")
        and vague_issue(str(d.captured.get("issue") or d.message))
    ):
        return Decision(
            Step.ASK,
            ("the customer said something went wrong, but not what",),
            ask_for="issue",
        )
    if d.order is None and d.category not in _NO_ORDER and not asked.get("order_id"):
        return Decision(
            Step.ASK,
            ("a person will handle this; the order number lets them start at once",),
            ask_for="order_id",
        )
    if (
        d.category is Category.COMPLAINT
        and not d.captured.get("preferred_resolution")
        and not asked.get("preferred_resolution")
    ):
        return Decision(
            Step.ASK, ("the preferred resolution helps the person",), ask_for="preferred_resolution"
        )
    if d.category is Category.COMPLAINT:
        return Decision(Step.ESCALATE, ("a complaint deserves a person's attention",))
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
    if not reason and (d.captured.get("asked") or {}).get("cancel_reason") and d.message.strip():
        # Asked once and answered in the customer's own words ("it won't fit up my stairs"):
        # not a mistake they named, so a reason the order is no longer needed for.
        reason = NO_LONGER_NEEDED
    if not reason:
        return Decision(Step.ASK, ("a cancellation needs its reason",), ask_for="cancel_reason")
    return Decision(
        Step.CONFIRM,
        ("the order has not shipped yet, so it can be cancelled with a full refund",),
        command={"kind": "cancel_order", "order_id": order.id, "reason": reason},
        extra=_refund_note(d),
    )


# "… to my friend's bank account", "refund it to a new Visa": somewhere the shop's refunds
# cannot go (a payment method on the customer's own account, named, is read as that one).
_ELSEWHERE = re.compile(
    r"\b(?:bank account|bank transfer|(?:a |an )?(?:new|different|another|other person'?s?|"
    r"someone else'?s|friend'?s|(?:my )?(?:mum|mom|dad|wife|husband|partner|sister|brother)'?s)\s+"
    r"(?:\w+\s+)?(?:card|account|visa|mastercard|paypal|amex)|cash|venmo|zelle|crypto\w*)\b",
    re.IGNORECASE,
)
#: The proposal's note when the customer asked for the refund to go somewhere it cannot.
REFUND_ELSEWHERE = "refund_elsewhere"


def _refund_note(d: DialogueInput) -> dict[str, Any]:
    """The refund note for a proposal whose customer asked for the money to go somewhere no
    refund can, and named none of their own methods: the proposal says where it goes."""
    if _method_named(d) is not None or not _ELSEWHERE.search(_conversation_text(d)):
        return {}
    return {"note": REFUND_ELSEWHERE}


def _return(d: DialogueInput, order: Order) -> Decision:
    if order.status != OrderStatus.DELIVERED:
        return Decision(
            Step.REFUSE,
            (f"only delivered orders can be returned and {order.id} is {order.status}",),
            answer="cannot_return",
        )
    named = _lines_meant(d, order)
    if not named and (elsewhere := _named_elsewhere(d, order)):
        return elsewhere
    item_ids = (
        list(dict.fromkeys(line.item_id for line in named))
        if named
        else list(d.captured.get("item_ids") or [line.item_id for line in order.lines])
    )
    method = _method_named(d) or d.captured.get("payment_method_id") or _paid_with(order)
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
        extra=_refund_note(d),
    )


def _paid_with(order: Order) -> str | None:
    """The method that still holds the order's money (after a payment change, the new
    one), else the first that paid: where a refund goes when the customer names none."""
    held = order.net_paid_by_method()
    payers = [t.payment_method_id for t in order.transactions if t.kind is TransactionKind.PAYMENT]
    return next((m for m in payers if held.get(m, ZERO) > ZERO), payers[0] if payers else None)


def _conversation_text(d: DialogueInput) -> str:
    """What the customer asked for so far: the first request and this turn's message."""
    return " ".join(t for t in (str(d.captured.get("issue") or ""), d.message) if t)


def _lines_meant(d: DialogueInput, order: Order) -> list[OrderLine]:
    """The lines of the order the customer named: the items the brain matched, else the
    items the conversation names, read against the order's lines.

    The brain can match items only against an order it has already seen, so on the turn
    that names the order and the item together ("return the water bottle from order
    #W…") the item is read here, once the order is loaded.
    """
    wanted = set(d.captured.get("item_ids") or ())
    named = [line for line in order.lines if line.item_id in wanted]
    return named or lines_named(_conversation_text(d), order.lines)


def _named_elsewhere(d: DialogueInput, order: Order) -> Decision | None:
    """A question when the customer named products and none of them is on the order.

    Without it the request would fall back to the whole order (a return) or to its only
    line (an exchange): "return the laptop from #W…" must not become a return of the
    chair that order holds.
    """
    names = [str(n) for n in d.captured.get("item_names") or () if str(n).strip()]
    if not names or _lines_meant(d, order):
        return None
    return Decision(
        Step.ASK,
        (f"order {order.id} holds no {' or '.join(names)}, so the item must be one of its own",),
        ask_for="item",
    )


def _the_line(d: DialogueInput, order: Order) -> OrderLine | None:
    """The one order line the customer means: the one they named, or the order's only
    line; None when they named several different items or none of several."""
    named = _lines_meant(d, order) or order.lines
    return named[0] if len({line.item_id for line in named}) == 1 else None


def _original_method(d: DialogueInput, order: Order) -> str | None:
    chosen = _method_named(d)
    if chosen is not None:
        return chosen
    return order.transactions[0].payment_method_id if order.transactions else None


def _method_named(d: DialogueInput) -> str | None:
    """The customer's own payment method they named (by kind, or a card by its last four)."""
    if d.customer is None:
        return None
    kind = d.captured.get("payment")
    last_four = d.captured.get("card_last_four")
    matches = [
        m
        for m in d.customer.payment_methods
        if (kind is None or m.kind.value == kind)
        and (last_four is None or m.last_four == last_four)
    ]
    if (kind or last_four) and len(matches) == 1:
        return matches[0].id
    return None


def swap_for_status(category: Category, status: str) -> Category:
    """A swap of an item for another version is an exchange once its order was delivered
    and a change before it ships, whatever the customer (or the brain) called it."""
    if category is Category.CHANGE_ITEMS and status == OrderStatus.DELIVERED:
        return Category.EXCHANGE
    if category is Category.EXCHANGE and status == OrderStatus.PENDING:
        return Category.CHANGE_ITEMS
    return category


def _swap_item(d: DialogueInput, order: Order, *, exchange: bool) -> Decision:
    """An exchange of a delivered item, or a change of a pending one, for another variant."""
    status = OrderStatus.DELIVERED if exchange else OrderStatus.PENDING
    if order.status != status:
        verb = "exchanged" if exchange else "changed before they ship"
        return Decision(
            Step.REFUSE,
            (f"items of {status} orders can be {verb}, and {order.id} is {order.status}",),
            answer="cannot_change",
        )
    if (elsewhere := _named_elsewhere(d, order)) is not None:
        return elsewhere
    line = _the_line(d, order)
    if line is None:
        swaps = _several_swaps(d, order)
        if swaps is None:
            return Decision(
                Step.ASK, ("the order has several items; one must be named",), ask_for="item"
            )
        return _confirm_swaps(d, order, swaps, exchange=exchange)
    text = _conversation_text(d)
    variants = d.variants.get(line.product_id, ())
    variant = None
    if (d.captured.get("asked") or {}).get("new_option"):
        # The answer to "which version instead?" is the wish now: "red in M then", after
        # "red and a size bigger" landed on a sold-out one, is red in M.
        variant = choose_variant(line, variants, d.message)
    variant = variant or choose_variant(line, variants, text)
    if variant is None and exchange and same_version_wanted(line, variants, text):
        # A replacement: the delivered item for a new one of the very same version.
        variant = next((v for v in variants if v.item_id == line.item_id and v.available), None)
    if variant is None:
        available = tuple(v.item_id for v in variants if v.available and v.item_id != line.item_id)
        sold_out = sold_out_asked(line, variants, text)
        extra: dict[str, Any] = {"item": line.name, "choices": available}
        if sold_out is not None:
            extra["sold_out"] = sold_out.item_id
        return Decision(
            Step.ASK,
            (
                f"the {line.name} can change only to another available version of it"
                + (", and the one asked for is sold out" if sold_out is not None else ""),
            ),
            ask_for="new_option",
            extra=extra,
        )
    # "Both of the blue T-shirts … for size M": each identical line the customer meant.
    meant = list(d.captured.get("item_ids") or ()).count(line.item_id)
    return _confirm_swaps(d, order, [(line, variant)] * max(1, meant), exchange=exchange)


# Where a message asking for several swaps moves on to the next: "…, and could the
# bottle be…", "…; the bottle…", "… Also the bottle…".
_NEXT_SWAP = re.compile(r"[.;!?]\s+|,?\s+(?:and|also|plus)\s+", re.IGNORECASE)


def _several_swaps(d: DialogueInput, order: Order) -> list[tuple[OrderLine, Variant]] | None:
    """Each named line with the version its own part of the message asks for ("could the
    blue T-shirt be the red one, and the small bottle the 1 litre one?"); None unless
    every named line is one line of its own, named in its own part, and that part picks
    exactly one available version of it."""
    lines = _lines_meant(d, order)
    if len(lines) < 2 or len({line.item_id for line in lines}) != len(lines):
        return None
    said: dict[str, list[str]] = {line.item_id: [] for line in lines}
    current: str | None = None
    for part in _NEXT_SWAP.split(_conversation_text(d)):
        named = lines_named(part, lines)
        if len(named) == 1:
            current = named[0].item_id
        elif named:
            return None  # two lines in one part: whose version is whose is unclear
        if current is not None:
            said[current].append(part)  # a part naming no line belongs to the one before
    swaps = []
    for line in lines:
        wanted = " ".join(said[line.item_id])
        variant = choose_variant(line, d.variants.get(line.product_id, ()), wanted)
        if variant is None:
            return None
        swaps.append((line, variant))
    return swaps


def _confirm_swaps(
    d: DialogueInput, order: Order, swaps: Sequence[tuple[OrderLine, Variant]], *, exchange: bool
) -> Decision:
    """The proposal to swap each line for its new version, paid or refunded the difference
    with the order's own payment method (or the one the customer named)."""
    method = _original_method(d, order)
    if method is None:
        return Decision(
            Step.ASK, ("a price difference needs a payment method",), ask_for="payment_method"
        )
    reason = (
        "the order was delivered, so an item can be exchanged for another version of it"
        if exchange
        else "the order has not shipped yet, so its items can still be changed"
    )
    detail = " and ".join(
        f"the {line.name} ({', '.join(line.options.values())}) for the "
        f"{', '.join(variant.options.values())} one"
        for line, variant in swaps
    )
    return Decision(
        Step.CONFIRM,
        (reason,),
        command={
            "kind": "exchange_items" if exchange else "modify_items",
            "order_id": order.id,
            "item_ids": [line.item_id for line, _ in swaps],
            "new_item_ids": [variant.item_id for _, variant in swaps],
            "payment_method_id": method,
        },
        extra={"detail": detail},
    )


def _not_pending(order: Order, what: str) -> Decision | None:
    """A refusal when `order` has left the pending state and `what` can no longer change.

    An order whose items were already changed ("pending (item modified)") has not shipped:
    the store still moves its address and payment, so the dialogue does too."""
    if order.status in (OrderStatus.PENDING, OrderStatus.PENDING_ITEM_MODIFIED):
        return None
    return Decision(
        Step.REFUSE,
        (f"only a pending order's {what} can change, and {order.id} is {order.status}",),
        answer="cannot_change",
    )


def _new_address(d: DialogueInput, reason: str, command: dict[str, Any]) -> Decision:
    """Confirm moving to the address the customer gave, or ask for one."""
    address = parse_address(_conversation_text(d))
    if address is None:
        return Decision(
            Step.ASK, ("a new address needs street, city, state and zip",), ask_for="address"
        )
    return Decision(
        Step.CONFIRM,
        (reason,),
        command={**command, "address": address.model_dump()},
        extra={"detail": address.one_line()},
    )


def _order_address(d: DialogueInput, order: Order) -> Decision:
    return _not_pending(order, "address") or _new_address(
        d,
        "the order has not shipped yet, so it can still go to another address",
        {"kind": "modify_order_address", "order_id": order.id},
    )


def _order_payment(d: DialogueInput, order: Order) -> Decision:
    if refused := _not_pending(order, "payment"):
        return refused
    method = _method_named(d)
    if method is None:
        return Decision(
            Step.ASK,
            ("the new payment method must be one of the customer's own",),
            ask_for="new_payment",
        )
    return Decision(
        Step.CONFIRM,
        ("the order has not shipped yet, so it can still be paid another way",),
        command={"kind": "modify_order_payment", "order_id": order.id, "payment_method_id": method},
    )


def _account_address(d: DialogueInput) -> Decision:
    if d.customer is None:
        return Decision(
            Step.ASK,
            ("identity must be verified before disclosing anything or acting",),
            ask_for="identity",
        )
    return _new_address(
        d,
        "a verified customer may change the default address on their account",
        {"kind": "modify_user_address", "customer_id": d.customer.id},
    )
