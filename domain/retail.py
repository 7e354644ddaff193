"""The shop's retail rules as pure functions.

Each `plan_*` function takes plain snapshots of the order, the customer's payment
methods and the catalogue, checks every precondition, and returns an `OrderChange`
that says exactly what to write. Nothing here touches a database: the store applies
the change inside one transaction (see `store.actions`).

The semantics follow the public τ²-bench retail domain, with two deliberate
corrections: a modified line takes its *own* new variant's price and options, and
refunds never exceed what was paid on the order per payment method.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.errors import (
    InsufficientGiftCardBalance,
    InvalidMoney,
    InvalidReason,
    ItemCountMismatch,
    ItemNotInOrder,
    PaymentHistoryConflict,
    PaymentMethodNotAllowed,
    PaymentMethodNotFound,
    RefundExceedsPaid,
    ReturnWindowClosed,
    SameItem,
    VariantNotFound,
    VariantUnavailable,
    WrongOrderStatus,
)
from domain.money import ZERO, format_money, to_money


class OrderStatus(StrEnum):
    PENDING = "pending"
    PENDING_ITEM_MODIFIED = "pending (item modified)"
    PROCESSED = "processed"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURN_REQUESTED = "return requested"
    EXCHANGE_REQUESTED = "exchange requested"
    RETURNED = "returned"
    EXCHANGED = "exchanged"


class PaymentKind(StrEnum):
    CREDIT_CARD = "credit_card"
    PAYPAL = "paypal"
    GIFT_CARD = "gift_card"


class TransactionKind(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"


NO_LONGER_NEEDED = "no longer needed"
ORDERED_BY_MISTAKE = "ordered by mistake"
CANCEL_REASONS = frozenset({NO_LONGER_NEEDED, ORDERED_BY_MISTAKE})


class _Value(BaseModel):
    """An immutable snapshot: safe to pass between layers and across Temporal."""

    model_config = ConfigDict(frozen=True)


class Address(_Value):
    address1: str
    address2: str
    city: str
    state: str
    country: str
    zip: str

    def one_line(self) -> str:
        parts = [self.address1, self.address2, self.city, f"{self.state} {self.zip}", self.country]
        return ", ".join(p for p in parts if p)


class PaymentMethod(_Value):
    id: str
    kind: PaymentKind
    brand: str | None = None
    last_four: str | None = None
    balance: Decimal | None = None

    @property
    def is_gift_card(self) -> bool:
        return self.kind is PaymentKind.GIFT_CARD

    def describe(self) -> str:
        """How the method is named to a customer: "Mastercard ending 2478"."""
        if self.kind is PaymentKind.CREDIT_CARD:
            brand = (self.brand or "card").title()
            return f"{brand} ending {self.last_four}" if self.last_four else brand
        if self.kind is PaymentKind.PAYPAL:
            return "PayPal account"
        return "gift card"


class Customer(_Value):
    id: str
    first_name: str
    last_name: str
    email: str
    address: Address
    payment_methods: tuple[PaymentMethod, ...] = ()
    order_ids: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def methods_by_id(self) -> dict[str, PaymentMethod]:
        return {m.id: m for m in self.payment_methods}


class Variant(_Value):
    item_id: str
    product_id: str
    options: dict[str, str]
    price: Decimal
    available: bool


class Product(_Value):
    id: str
    name: str
    variants: tuple[Variant, ...] = ()


class OrderLine(_Value):
    product_id: str
    item_id: str
    name: str
    price: Decimal
    options: dict[str, str]


class Transaction(_Value):
    kind: TransactionKind
    amount: Decimal
    payment_method_id: str


class Fulfillment(_Value):
    tracking_ids: tuple[str, ...]
    item_ids: tuple[str, ...]


class Order(_Value):
    id: str
    customer_id: str
    status: str
    address: Address
    lines: tuple[OrderLine, ...]
    transactions: tuple[Transaction, ...]
    return_items: tuple[str, ...] | None = None
    return_payment_method_id: str | None = None
    # Set when an approver allowed less than the returned items' price.
    return_refund_limit: Decimal | None = None
    exchange_items: tuple[str, ...] | None = None
    exchange_new_items: tuple[str, ...] | None = None
    exchange_payment_method_id: str | None = None
    exchange_price_difference: Decimal | None = None
    cancel_reason: str | None = None
    fulfillments: tuple[Fulfillment, ...] = ()
    #: When the order reached the customer; unknown (None) for data sets without it.
    delivered_on: date | None = None

    def total_paid(self) -> Decimal:
        return sum(
            (t.amount for t in self.transactions if t.kind is TransactionKind.PAYMENT), ZERO
        )

    def total_refunded(self) -> Decimal:
        return sum(
            (t.amount for t in self.transactions if t.kind is TransactionKind.REFUND), ZERO
        )

    def net_paid_by_method(self) -> dict[str, Decimal]:
        """What is still held per payment method: payments minus refunds."""
        held: dict[str, Decimal] = {}
        for t in self.transactions:
            sign = 1 if t.kind is TransactionKind.PAYMENT else -1
            held[t.payment_method_id] = held.get(t.payment_method_id, ZERO) + sign * t.amount
        return held


@dataclass(frozen=True)
class LineUpdate:
    """Line `index` of the order becomes `variant`."""

    index: int
    variant: Variant


@dataclass(frozen=True)
class OrderChange:
    """Everything one action writes to one order, decided before anything is written."""

    order_id: str
    action: str
    amount: Decimal
    summary: str
    status: str | None = None
    transactions: tuple[Transaction, ...] = ()
    gift_card_deltas: tuple[tuple[str, Decimal], ...] = ()
    line_updates: tuple[LineUpdate, ...] = ()
    address: Address | None = None
    fields: Mapping[str, object] = field(default_factory=dict)


def _require_status(order: Order, allowed: Sequence[str], verb: str) -> None:
    if order.status not in allowed:
        wanted = " or ".join(repr(s) for s in allowed)
        raise WrongOrderStatus(
            f"order {order.id} is {order.status!r}; only a {wanted} order can be {verb}"
        )


def _is_pending(order: Order) -> bool:
    return order.status in (OrderStatus.PENDING, OrderStatus.PENDING_ITEM_MODIFIED)


@dataclass(frozen=True)
class ReturnWindow:
    """The shop's return window and the day it is judged on (the store's today)."""

    days: int | None
    today: date


def check_return_window(order: Order, window: ReturnWindow | None, verb: str) -> None:
    """Refuse when the order was delivered more than the window's days before today.

    No window, or no known delivery date, means nothing to enforce.
    """
    if window is None or window.days is None or order.delivered_on is None:
        return
    elapsed = (window.today - order.delivered_on).days
    if elapsed > window.days:
        raise ReturnWindowClosed(
            f"order {order.id} was delivered on {order.delivered_on.isoformat()}, "
            f"{elapsed} days ago; items can be {verb} within {window.days} days of delivery"
        )


def _method(methods: Mapping[str, PaymentMethod], method_id: str) -> PaymentMethod:
    try:
        return methods[method_id]
    except KeyError:
        raise PaymentMethodNotFound(
            f"payment method {method_id} does not belong to this customer"
        ) from None


def _pick_lines(order: Order, item_ids: Sequence[str]) -> list[int]:
    """Indexes of the order lines named by `item_ids`, duplicates taking successive lines."""
    wanted = Counter(item_ids)
    have = Counter(line.item_id for line in order.lines)
    for item_id, count in wanted.items():
        if count > have[item_id]:
            raise ItemNotInOrder(f"item {item_id} is not in order {order.id} {count} time(s)")
    taken: set[int] = set()
    picked: list[int] = []
    for item_id in item_ids:
        index = next(
            i for i, line in enumerate(order.lines) if line.item_id == item_id and i not in taken
        )
        taken.add(index)
        picked.append(index)
    return picked


def _replacement_variants(
    order: Order,
    indexes: Sequence[int],
    new_item_ids: Sequence[str],
    catalogue: Mapping[str, Variant],
    *,
    allow_same: bool,
) -> list[Variant]:
    variants: list[Variant] = []
    for index, new_item_id in zip(indexes, new_item_ids, strict=True):
        line = order.lines[index]
        if not allow_same and line.item_id == new_item_id:
            raise SameItem(f"item {new_item_id} is already in the order; choose another option")
        variant = catalogue.get(new_item_id)
        if variant is None or variant.product_id != line.product_id:
            raise VariantNotFound(
                f"item {new_item_id} is not a variant of {line.name} (product {line.product_id})"
            )
        if not variant.available:
            raise VariantUnavailable(f"item {new_item_id} ({line.name}) is not available")
        variants.append(variant)
    return variants


def _check_counts(item_ids: Sequence[str], new_item_ids: Sequence[str]) -> None:
    if len(item_ids) != len(new_item_ids):
        raise ItemCountMismatch(
            f"{len(item_ids)} item(s) to replace but {len(new_item_ids)} replacement(s) given"
        )
    if not item_ids:
        raise ItemCountMismatch("no items given")


def _check_gift_card_covers(method: PaymentMethod, amount: Decimal, what: str) -> None:
    if method.is_gift_card and (method.balance or ZERO) < amount:
        raise InsufficientGiftCardBalance(
            f"the gift card's balance {format_money(method.balance or ZERO)} does not cover "
            f"{what} of {format_money(amount)}"
        )


def _gift_card_credits(
    methods: Mapping[str, PaymentMethod], refunds: Sequence[Transaction]
) -> tuple[tuple[str, Decimal], ...]:
    return tuple(
        (t.payment_method_id, t.amount)
        for t in refunds
        if t.payment_method_id in methods and methods[t.payment_method_id].is_gift_card
    )


def _check_refundable(order: Order, amount: Decimal) -> None:
    """A refund may go to any of the customer's own methods (the caller checks that the
    method is theirs), but all refunds together never exceed what the order was paid."""
    if amount <= ZERO:
        return
    held = order.total_paid() - order.total_refunded()
    if amount > held:
        raise RefundExceedsPaid(
            f"order {order.id} still holds {format_money(max(held, ZERO))}; "
            f"a refund of {format_money(amount)} would return more than was paid"
        )


def _check_return_refund(order: Order, method: PaymentMethod, amount: Decimal) -> None:
    """A return refund goes to a gift card, or to a card or PayPal account for at most what
    it still holds on the order: returned goods never turn into money on another account."""
    _check_refundable(order, amount)
    if method.is_gift_card:
        return
    held = order.net_paid_by_method().get(method.id, ZERO)
    if amount > held:
        raise PaymentMethodNotAllowed(
            f"the {method.describe()} holds {format_money(max(held, ZERO))} of order "
            f"{order.id}; a return refund of {format_money(amount)} goes to a method that "
            "paid for it or to a gift card"
        )


def _original_method_id(order: Order) -> str | None:
    """The method the order is paid with: the first payer that still holds money on it
    (after a payment change that is the new method), else the first payer."""
    held = order.net_paid_by_method()
    payers = [t.payment_method_id for t in order.transactions if t.kind is TransactionKind.PAYMENT]
    return next((m for m in payers if held.get(m, ZERO) > ZERO), payers[0] if payers else None)


def plan_cancel(order: Order, reason: str, methods: Mapping[str, PaymentMethod]) -> OrderChange:
    """Cancel a pending order and refund every payment to its source."""
    _require_status(order, [OrderStatus.PENDING], "cancelled")
    if reason not in CANCEL_REASONS:
        raise InvalidReason(
            f"cancellation reason must be one of {sorted(CANCEL_REASONS)}, not {reason!r}"
        )
    held = order.net_paid_by_method()
    refunds: list[Transaction] = []
    for t in order.transactions:
        if t.kind is not TransactionKind.PAYMENT:
            continue
        amount = min(t.amount, held.get(t.payment_method_id, ZERO))
        if amount <= ZERO:
            continue
        held[t.payment_method_id] -= amount
        refunds.append(
            Transaction(
                kind=TransactionKind.REFUND, amount=amount, payment_method_id=t.payment_method_id
            )
        )
    total = sum((r.amount for r in refunds), ZERO)
    return OrderChange(
        order_id=order.id,
        action="cancel_order",
        amount=total,
        summary=f"cancel order {order.id} ({reason}) and refund {format_money(total)}",
        status=OrderStatus.CANCELLED,
        transactions=tuple(refunds),
        gift_card_deltas=_gift_card_credits(methods, refunds),
        fields={"cancel_reason": reason},
    )


@dataclass(frozen=True)
class _Swap:
    """Lines of an order priced against the variants that replace them."""

    indexes: list[int]
    variants: list[Variant]
    difference: Decimal  # positive: the customer owes it; negative: they are owed it
    method: PaymentMethod


def _price_swap(
    order: Order,
    item_ids: Sequence[str],
    new_item_ids: Sequence[str],
    method_id: str,
    methods: Mapping[str, PaymentMethod],
    catalogue: Mapping[str, Variant],
    *,
    allow_same: bool,
) -> _Swap:
    """Pick the lines, their replacements and the price difference, and check that the
    method can settle it: the checks an item change and an exchange share, in one order."""
    indexes = _pick_lines(order, item_ids)
    _check_counts(item_ids, new_item_ids)
    variants = _replacement_variants(order, indexes, new_item_ids, catalogue, allow_same=allow_same)
    difference = sum(
        (v.price - order.lines[i].price for i, v in zip(indexes, variants, strict=True)), ZERO
    )
    method = _method(methods, method_id)
    _check_gift_card_covers(method, difference, "the price difference")
    _check_refundable(order, -difference)
    return _Swap(indexes, variants, difference, method)


def plan_modify_items(
    order: Order,
    item_ids: Sequence[str],
    new_item_ids: Sequence[str],
    method_id: str,
    methods: Mapping[str, PaymentMethod],
    catalogue: Mapping[str, Variant],
) -> OrderChange:
    """Swap items of a pending order for other variants of the same products (once)."""
    _require_status(order, [OrderStatus.PENDING], "modified item by item")
    swap = _price_swap(
        order, item_ids, new_item_ids, method_id, methods, catalogue, allow_same=False
    )
    indexes, variants = swap.indexes, swap.variants
    difference, method = swap.difference, swap.method
    kind = TransactionKind.PAYMENT if difference > ZERO else TransactionKind.REFUND
    deltas = ((method_id, -difference),) if method.is_gift_card else ()
    verb = "charge" if difference > ZERO else "refund"
    return OrderChange(
        order_id=order.id,
        action="modify_items",
        amount=abs(difference),
        summary=(
            f"change {len(indexes)} item(s) of order {order.id} and {verb} "
            f"{format_money(abs(difference))} to the {method.describe()}"
        ),
        status=OrderStatus.PENDING_ITEM_MODIFIED,
        transactions=(Transaction(kind=kind, amount=abs(difference), payment_method_id=method_id),),
        gift_card_deltas=deltas,
        line_updates=tuple(LineUpdate(i, v) for i, v in zip(indexes, variants, strict=True)),
    )


def plan_modify_order_address(order: Order, address: Address) -> OrderChange:
    """Change where a pending order ships."""
    if not _is_pending(order):
        raise WrongOrderStatus(
            f"order {order.id} is {order.status!r}; only a pending order ships elsewhere"
        )
    return OrderChange(
        order_id=order.id,
        action="modify_order_address",
        amount=ZERO,
        summary=f"ship order {order.id} to {address.one_line()}",
        address=address,
    )


def plan_modify_order_payment(
    order: Order, method_id: str, methods: Mapping[str, PaymentMethod]
) -> OrderChange:
    """Pay a pending order with another of the customer's methods; refund the old one."""
    if not _is_pending(order):
        raise WrongOrderStatus(
            f"order {order.id} is {order.status!r}; only a pending order can change payment"
        )
    method = _method(methods, method_id)
    if len(order.transactions) != 1 or order.transactions[0].kind is not TransactionKind.PAYMENT:
        raise PaymentHistoryConflict(
            f"order {order.id} must have exactly one payment to change its payment method"
        )
    original = order.transactions[0]
    if original.payment_method_id == method_id:
        raise PaymentMethodNotAllowed("the new payment method must differ from the current one")
    _check_gift_card_covers(method, original.amount, "the order total")
    deltas: list[tuple[str, Decimal]] = []
    if method.is_gift_card:
        deltas.append((method_id, -original.amount))
    old = methods.get(original.payment_method_id)
    if old is not None and old.is_gift_card:
        deltas.append((old.id, original.amount))
    return OrderChange(
        order_id=order.id,
        action="modify_order_payment",
        amount=original.amount,
        summary=(
            f"pay order {order.id} ({format_money(original.amount)}) with the "
            f"{method.describe()} instead"
        ),
        transactions=(
            Transaction(
                kind=TransactionKind.PAYMENT, amount=original.amount, payment_method_id=method_id
            ),
            Transaction(
                kind=TransactionKind.REFUND,
                amount=original.amount,
                payment_method_id=original.payment_method_id,
            ),
        ),
        gift_card_deltas=tuple(deltas),
    )


def plan_return(
    order: Order,
    item_ids: Sequence[str],
    method_id: str,
    methods: Mapping[str, PaymentMethod],
    refund_limit: Decimal | None = None,
    window: ReturnWindow | None = None,
) -> OrderChange:
    """Request the return of delivered items; the money moves when they arrive.

    `refund_limit` caps the refund below the items' price (an approver allowed less);
    `window` refuses items delivered longer ago than the shop's return window.
    """
    _require_status(order, [OrderStatus.DELIVERED], "returned")
    check_return_window(order, window, "returned")
    method = _method(methods, method_id)
    if not method.is_gift_card and method_id != _original_method_id(order):
        raise PaymentMethodNotAllowed(
            "a return is refunded to the original payment method or to a gift card"
        )
    indexes = _pick_lines(order, item_ids)
    if not indexes:
        raise ItemCountMismatch("no items given to return")
    amount = sum((order.lines[i].price for i in indexes), ZERO)
    amount = min(amount, order.total_paid() - order.total_refunded())
    fields: dict[str, object] = {
        "return_items": tuple(sorted(item_ids)),
        "return_payment_method_id": method_id,
    }
    if refund_limit is not None:
        if refund_limit <= ZERO:
            raise InvalidMoney("a refund limit must be positive")
        amount = min(amount, to_money(refund_limit))
        fields["return_refund_limit"] = amount
    _check_return_refund(order, method, amount)
    return OrderChange(
        order_id=order.id,
        action="return_items",
        amount=amount,
        summary=(
            f"return {len(indexes)} item(s) of order {order.id} for a refund of "
            f"{format_money(amount)} to the {method.describe()}"
        ),
        status=OrderStatus.RETURN_REQUESTED,
        fields=fields,
    )


def plan_exchange(
    order: Order,
    item_ids: Sequence[str],
    new_item_ids: Sequence[str],
    method_id: str,
    methods: Mapping[str, PaymentMethod],
    catalogue: Mapping[str, Variant],
    window: ReturnWindow | None = None,
) -> OrderChange:
    """Request the exchange of delivered items for other variants of the same products."""
    _require_status(order, [OrderStatus.DELIVERED], "exchanged")
    check_return_window(order, window, "exchanged")
    swap = _price_swap(
        order, item_ids, new_item_ids, method_id, methods, catalogue, allow_same=True
    )
    difference, method = swap.difference, swap.method
    return OrderChange(
        order_id=order.id,
        action="exchange_items",
        amount=abs(difference),
        summary=(
            f"exchange {len(swap.indexes)} item(s) of order {order.id}; price difference "
            f"{format_money(difference)} settled with the {method.describe()}"
        ),
        status=OrderStatus.EXCHANGE_REQUESTED,
        fields={
            "exchange_items": tuple(sorted(item_ids)),
            "exchange_new_items": tuple(sorted(new_item_ids)),
            "exchange_payment_method_id": method_id,
            "exchange_price_difference": difference,
        },
    )


def plan_receive_return(
    order: Order, methods: Mapping[str, PaymentMethod], catalogue: Mapping[str, Variant]
) -> OrderChange:
    """The returned or exchanged items arrived: move the money and close the request."""
    _require_status(
        order, [OrderStatus.RETURN_REQUESTED, OrderStatus.EXCHANGE_REQUESTED], "received back"
    )
    if order.status == OrderStatus.RETURN_REQUESTED:
        method_id = order.return_payment_method_id or ""
        method = _method(methods, method_id)
        indexes = _pick_lines(order, order.return_items or ())
        amount = sum((order.lines[i].price for i in indexes), ZERO)
        amount = min(amount, order.total_paid() - order.total_refunded())
        if order.return_refund_limit is not None:
            amount = min(amount, order.return_refund_limit)
        _check_return_refund(order, method, amount)
        refund = Transaction(
            kind=TransactionKind.REFUND, amount=amount, payment_method_id=method_id
        )
        return OrderChange(
            order_id=order.id,
            action="receive_return",
            amount=amount,
            summary=(
                f"returned items of order {order.id} received; refund {format_money(amount)} "
                f"to the {method.describe()}"
            ),
            status=OrderStatus.RETURNED,
            transactions=(refund,),
            gift_card_deltas=_gift_card_credits(methods, [refund]),
        )
    method_id = order.exchange_payment_method_id or ""
    method = _method(methods, method_id)
    old_ids = order.exchange_items or ()
    new_ids = order.exchange_new_items or ()
    indexes = _pick_lines(order, old_ids)
    variants = [catalogue[i] for i in new_ids if i in catalogue]
    if len(variants) != len(indexes):
        raise VariantNotFound(f"the exchange of order {order.id} names unknown items")
    # The recorded lists are sorted independently; pair each old line with the new
    # variant of the same product.
    pool = list(variants)
    updates: list[LineUpdate] = []
    for index in indexes:
        product = order.lines[index].product_id
        match = next((v for v in pool if v.product_id == product), None)
        if match is None:
            raise VariantNotFound(f"no replacement recorded for line {index} of {order.id}")
        pool.remove(match)
        updates.append(LineUpdate(index, match))
    difference = order.exchange_price_difference or ZERO
    transactions: tuple[Transaction, ...] = ()
    deltas: tuple[tuple[str, Decimal], ...] = ()
    if difference > ZERO:
        _check_gift_card_covers(method, difference, "the price difference")
        transactions = (
            Transaction(
                kind=TransactionKind.PAYMENT, amount=difference, payment_method_id=method_id
            ),
        )
        deltas = ((method_id, -difference),) if method.is_gift_card else ()
    elif difference < ZERO:
        _check_refundable(order, -difference)
        refund = Transaction(
            kind=TransactionKind.REFUND, amount=-difference, payment_method_id=method_id
        )
        transactions = (refund,)
        deltas = _gift_card_credits(methods, [refund])
    return OrderChange(
        order_id=order.id,
        action="receive_return",
        amount=abs(difference),
        summary=f"exchanged items of order {order.id} received; replacements ship",
        status=OrderStatus.EXCHANGED,
        transactions=transactions,
        gift_card_deltas=deltas,
        line_updates=tuple(updates),
    )


def apply_change(
    order: Order, methods: Mapping[str, PaymentMethod], change: OrderChange
) -> tuple[Order, dict[str, PaymentMethod]]:
    """Apply a change to snapshots: the pure twin of what the store writes.

    Property tests run sequences of actions through this to check the money
    invariants without a database.
    """
    lines = list(order.lines)
    for update in change.line_updates:
        v = update.variant
        old = lines[update.index]
        lines[update.index] = OrderLine(
            product_id=v.product_id,
            item_id=v.item_id,
            name=old.name,
            price=v.price,
            options=dict(v.options),
        )
    fields = {
        k: (tuple(v) if isinstance(v, list) else v)
        for k, v in change.fields.items()
    }
    new_order = order.model_copy(
        update={
            "status": change.status or order.status,
            "address": change.address or order.address,
            "lines": tuple(lines),
            "transactions": order.transactions + change.transactions,
            **fields,
        }
    )
    new_methods = dict(methods)
    for method_id, delta in change.gift_card_deltas:
        m = new_methods[method_id]
        balance = to_money((m.balance or ZERO) + delta)
        new_methods[method_id] = m.model_copy(update={"balance": balance})
    return new_order, new_methods
