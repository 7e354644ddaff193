"""Table-driven tests of every precondition and happy path of Trustdesk's retail rules.

The snapshots are built with the small factories below: one customer with a card,
a PayPal account and two gift cards; a shirt with four variants and a lamp with two.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

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
    SameItem,
    TrustdeskError,
    VariantNotFound,
    VariantUnavailable,
    WrongOrderStatus,
)
from domain.retail import (
    Address,
    LineUpdate,
    Order,
    OrderChange,
    OrderLine,
    OrderStatus,
    PaymentKind,
    PaymentMethod,
    Transaction,
    TransactionKind,
    Variant,
    apply_change,
    plan_cancel,
    plan_exchange,
    plan_modify_items,
    plan_modify_order_address,
    plan_modify_order_payment,
    plan_receive_return,
    plan_return,
)

D = Decimal

# --- factories ---------------------------------------------------------------------------

HOME = Address(
    address1="1 Main St", address2="", city="Springfield", state="IL", country="USA", zip="62701"
)
AWAY = Address(
    address1="9 Side Rd", address2="Apt 2", city="Shelbyville", state="IL", country="USA",
    zip="62565",
)

CARD = "credit_card_1"
PAYPAL = "paypal_1"
GIFT = "gift_card_1"
EMPTY_GIFT = "gift_card_0"


def card(method_id: str = CARD, last_four: str = "2478") -> PaymentMethod:
    return PaymentMethod(
        id=method_id, kind=PaymentKind.CREDIT_CARD, brand="mastercard", last_four=last_four
    )


def paypal(method_id: str = PAYPAL) -> PaymentMethod:
    return PaymentMethod(id=method_id, kind=PaymentKind.PAYPAL)


def gift(method_id: str = GIFT, balance: str = "50.00") -> PaymentMethod:
    return PaymentMethod(id=method_id, kind=PaymentKind.GIFT_CARD, balance=D(balance))


def methods(*extra: PaymentMethod, gift_balance: str = "50.00") -> dict[str, PaymentMethod]:
    """The customer's methods: card, PayPal, a gift card and an empty gift card."""
    ms = [card(), paypal(), gift(balance=gift_balance), gift(EMPTY_GIFT, "0.00"), *extra]
    return {m.id: m for m in ms}


def variant(
    item_id: str, price: str, product_id: str = "shirt", available: bool = True, **options: str
) -> Variant:
    return Variant(
        item_id=item_id, product_id=product_id, options=options or {"id": item_id},
        price=D(price), available=available,
    )


CATALOGUE: dict[str, Variant] = {
    v.item_id: v
    for v in (
        variant("s-red", "10.00", color="red"),
        variant("s-blue", "12.50", color="blue"),
        variant("s-green", "8.00", color="green"),
        variant("s-sold", "11.00", available=False, color="black"),
        variant("l-small", "100.00", product_id="lamp", size="small"),
        variant("l-big", "150.00", product_id="lamp", size="big"),
    )
}


def line(item_id: str) -> OrderLine:
    v = CATALOGUE[item_id]
    name = "Shirt" if v.product_id == "shirt" else "Lamp"
    return OrderLine(
        product_id=v.product_id, item_id=item_id, name=name, price=v.price, options=v.options
    )


def pay(amount: str, method_id: str = CARD) -> Transaction:
    return Transaction(kind=TransactionKind.PAYMENT, amount=D(amount), payment_method_id=method_id)


def refund(amount: str, method_id: str = CARD) -> Transaction:
    return Transaction(kind=TransactionKind.REFUND, amount=D(amount), payment_method_id=method_id)


def order(
    status: str = OrderStatus.PENDING,
    items: tuple[str, ...] = ("s-red", "s-red", "l-small"),
    transactions: tuple[Transaction, ...] | None = None,
    **fields: object,
) -> Order:
    """An order of the given items, paid in full by card unless told otherwise."""
    lines = tuple(line(i) for i in items)
    if transactions is None:
        transactions = (pay(str(sum((ln.price for ln in lines), D(0)))),)
    return Order(
        id="#W0000001",
        customer_id="cust_1",
        status=status,
        address=HOME,
        lines=lines,
        transactions=transactions,
        **fields,  # type: ignore[arg-type]
    )


def delivered(**kw: object) -> Order:
    return order(OrderStatus.DELIVERED, **kw)  # type: ignore[arg-type]


def return_requested(items: tuple[str, ...], method_id: str, **kw: object) -> Order:
    return order(
        OrderStatus.RETURN_REQUESTED,
        return_items=tuple(sorted(items)),
        return_payment_method_id=method_id,
        **kw,  # type: ignore[arg-type]
    )


def exchange_requested(
    old: tuple[str, ...], new: tuple[str, ...], method_id: str, difference: str, **kw: object
) -> Order:
    return order(
        OrderStatus.EXCHANGE_REQUESTED,
        exchange_items=tuple(sorted(old)),
        exchange_new_items=tuple(sorted(new)),
        exchange_payment_method_id=method_id,
        exchange_price_difference=D(difference),
        **kw,  # type: ignore[arg-type]
    )


ALL_STATUSES = [s.value for s in OrderStatus]


def _others(*allowed: str) -> list[str]:
    return [s for s in ALL_STATUSES if s not in allowed]


# --- preconditions -----------------------------------------------------------------------

Call = Callable[[], object]

REFUSALS: list = []


def refusal(id: str, error: type[TrustdeskError], call: Call) -> None:
    REFUSALS.append(pytest.param(call, error, id=id))


# cancel
for _s in _others(OrderStatus.PENDING):
    refusal(
        f"cancel/status={_s}", WrongOrderStatus,
        lambda s=_s: plan_cancel(order(s), "no longer needed", methods()),
    )
for _reason in ["changed my mind", "", "No longer needed", "ordered by mistake "]:
    refusal(
        f"cancel/reason={_reason!r}", InvalidReason,
        lambda r=_reason: plan_cancel(order(), r, methods()),
    )

# modify items
for _s in _others(OrderStatus.PENDING):
    refusal(
        f"modify_items/status={_s}", WrongOrderStatus,
        lambda s=_s: plan_modify_items(order(s), ["s-red"], ["s-blue"], CARD, methods(), CATALOGUE),
    )
for _id, _error, _old, _new, _method in [
    ("item-not-in-order", ItemNotInOrder, ["s-blue"], ["s-green"], CARD),
    ("unknown-item", ItemNotInOrder, ["nope"], ["s-green"], CARD),
    ("duplicate-beyond-count", ItemNotInOrder, ["s-red"] * 3, ["s-blue"] * 3, CARD),
    ("fewer-new-items", ItemCountMismatch, ["s-red", "s-red"], ["s-blue"], CARD),
    ("more-new-items", ItemCountMismatch, ["s-red"], ["s-blue", "s-green"], CARD),
    ("no-items", ItemCountMismatch, [], [], CARD),
    ("same-item", SameItem, ["s-red"], ["s-red"], CARD),
    ("same-item-second", SameItem, ["s-red", "l-small"], ["s-blue", "l-small"], CARD),
    ("variant-of-other-product", VariantNotFound, ["s-red"], ["l-big"], CARD),
    ("unknown-variant", VariantNotFound, ["s-red"], ["s-nope"], CARD),
    ("variant-unavailable", VariantUnavailable, ["s-red"], ["s-sold"], CARD),
    ("method-not-customers", PaymentMethodNotFound, ["s-red"], ["s-blue"], "credit_card_999"),
    ("gift-card-short", InsufficientGiftCardBalance, ["s-red"], ["s-blue"], EMPTY_GIFT),
    (
        "gift-card-short-total", InsufficientGiftCardBalance,
        ["l-small", "s-red"], ["l-big", "s-blue"], GIFT,  # 52.50 > 50.00
    ),
]:
    refusal(
        f"modify_items/{_id}", _error,
        lambda o=_old, n=_new, m=_method: plan_modify_items(order(), o, n, m, methods(), CATALOGUE),
    )

# modify address
for _s in _others(OrderStatus.PENDING, OrderStatus.PENDING_ITEM_MODIFIED):
    refusal(
        f"modify_address/status={_s}", WrongOrderStatus,
        lambda s=_s: plan_modify_order_address(order(s), AWAY),
    )

# modify payment
for _s in _others(OrderStatus.PENDING, OrderStatus.PENDING_ITEM_MODIFIED):
    refusal(
        f"modify_payment/status={_s}", WrongOrderStatus,
        lambda s=_s: plan_modify_order_payment(order(s), PAYPAL, methods()),
    )
for _id, _error, _txs, _method in [
    ("method-not-customers", PaymentMethodNotFound, None, "paypal_999"),
    ("no-payment", PaymentHistoryConflict, (), PAYPAL),
    ("two-payments", PaymentHistoryConflict, (pay("100.00"), pay("20.00", PAYPAL)), GIFT),
    ("payment-and-refund", PaymentHistoryConflict, (pay("120.00"), refund("2.00")), PAYPAL),
    ("only-a-refund", PaymentHistoryConflict, (refund("120.00"),), PAYPAL),
    ("same-method", PaymentMethodNotAllowed, None, CARD),
    ("gift-card-short-of-total", InsufficientGiftCardBalance, None, GIFT),  # 50 < 120
    ("empty-gift-card", InsufficientGiftCardBalance, None, EMPTY_GIFT),
]:
    refusal(
        f"modify_payment/{_id}", _error,
        lambda t=_txs, m=_method: plan_modify_order_payment(order(transactions=t), m, methods()),
    )
refusal(
    "modify_payment/status=pending-item-modified-has-two-transactions", PaymentHistoryConflict,
    lambda: plan_modify_order_payment(
        order(OrderStatus.PENDING_ITEM_MODIFIED, transactions=(pay("120.00"), pay("2.50"))),
        PAYPAL, methods(),
    ),
)

# return
for _s in _others(OrderStatus.DELIVERED):
    refusal(
        f"return/status={_s}", WrongOrderStatus,
        lambda s=_s: plan_return(order(s), ["s-red"], CARD, methods()),
    )
for _id, _error, _items, _method, _txs in [
    ("method-not-customers", PaymentMethodNotFound, ["s-red"], "credit_card_999", None),
    ("paypal-not-original", PaymentMethodNotAllowed, ["s-red"], PAYPAL, None),
    (
        "card-not-original", PaymentMethodNotAllowed, ["s-red"], "credit_card_2",
        None,
    ),
    (
        "card-not-original-paypal-paid", PaymentMethodNotAllowed, ["s-red"], CARD,
        (pay("120.00", PAYPAL),),
    ),
    ("item-not-in-order", ItemNotInOrder, ["s-blue"], CARD, None),
    ("duplicate-beyond-count", ItemNotInOrder, ["s-red", "s-red", "s-red"], CARD, None),
    ("duplicate-other-item", ItemNotInOrder, ["l-small", "l-small"], CARD, None),
    ("no-items", ItemCountMismatch, [], CARD, None),
    # after a payment change the order is paid with the new method, not the first one
    (
        "card-replaced-by-paypal", PaymentMethodNotAllowed, ["s-red"], CARD,
        (pay("120.00"), pay("120.00", PAYPAL), refund("120.00")),
    ),
    # the original card paid only part of the order: the rest is not its to receive
    (
        "more-than-the-card-paid", PaymentMethodNotAllowed, ["l-small", "s-red"], CARD,
        (pay("70.00"), pay("50.00", GIFT)),
    ),
]:
    refusal(
        f"return/{_id}", _error,
        lambda i=_items, m=_method, t=_txs: plan_return(
            delivered(transactions=t), i, m, methods(card("credit_card_2", "9999"))
        ),
    )

# exchange
for _s in _others(OrderStatus.DELIVERED):
    refusal(
        f"exchange/status={_s}", WrongOrderStatus,
        lambda s=_s: plan_exchange(order(s), ["s-red"], ["s-blue"], CARD, methods(), CATALOGUE),
    )
for _id, _error, _old, _new, _method in [
    ("item-not-in-order", ItemNotInOrder, ["s-blue"], ["s-green"], CARD),
    ("duplicate-beyond-count", ItemNotInOrder, ["s-red"] * 3, ["s-blue"] * 3, CARD),
    ("fewer-new-items", ItemCountMismatch, ["s-red", "s-red"], ["s-blue"], CARD),
    ("more-new-items", ItemCountMismatch, ["s-red"], ["s-blue", "s-green"], CARD),
    ("no-items", ItemCountMismatch, [], [], CARD),
    ("variant-of-other-product", VariantNotFound, ["l-small"], ["s-blue"], CARD),
    ("unknown-variant", VariantNotFound, ["s-red"], ["s-nope"], CARD),
    ("variant-unavailable", VariantUnavailable, ["s-red"], ["s-sold"], CARD),
    ("method-not-customers", PaymentMethodNotFound, ["s-red"], ["s-blue"], "gift_card_999"),
    ("gift-card-short", InsufficientGiftCardBalance, ["s-red"], ["s-blue"], EMPTY_GIFT),
    (
        "gift-card-short-total", InsufficientGiftCardBalance,
        ["l-small", "s-red"], ["l-big", "s-blue"], GIFT,  # 52.50 > 50.00
    ),
]:
    refusal(
        f"exchange/{_id}", _error,
        lambda o=_old, n=_new, m=_method: plan_exchange(
            delivered(), o, n, m, methods(), CATALOGUE
        ),
    )

# receive return
for _s in _others(OrderStatus.RETURN_REQUESTED, OrderStatus.EXCHANGE_REQUESTED):
    refusal(
        f"receive_return/status={_s}", WrongOrderStatus,
        lambda s=_s: plan_receive_return(order(s), methods(), CATALOGUE),
    )
refusal(
    "receive_return/return-method-gone", PaymentMethodNotFound,
    lambda: plan_receive_return(
        return_requested(("s-red",), "gift_card_999"), methods(), CATALOGUE
    ),
)
refusal(
    "receive_return/return-item-gone", ItemNotInOrder,
    lambda: plan_receive_return(return_requested(("s-blue",), CARD), methods(), CATALOGUE),
)
refusal(
    "receive_return/return-to-paypal-that-paid-nothing", PaymentMethodNotAllowed,
    lambda: plan_receive_return(return_requested(("s-red",), PAYPAL), methods(), CATALOGUE),
)
# A price difference may be refunded to any of the customer's methods, but never beyond
# what the order still holds (here 1.00 of 120.00, the rest refunded already).
_NEARLY_REFUNDED = (pay("120.00"), refund("119.00"))
refusal(
    "modify_items/refund-beyond-what-the-order-holds", RefundExceedsPaid,
    lambda: plan_modify_items(
        order(transactions=_NEARLY_REFUNDED), ["s-red"], ["s-green"], PAYPAL, methods(), CATALOGUE
    ),
)
refusal(
    "exchange/refund-beyond-what-the-order-holds", RefundExceedsPaid,
    lambda: plan_exchange(
        delivered(transactions=_NEARLY_REFUNDED), ["s-red"], ["s-green"], PAYPAL, methods(),
        CATALOGUE,
    ),
)
refusal(
    "receive_return/exchange-refund-beyond-what-the-order-holds", RefundExceedsPaid,
    lambda: plan_receive_return(
        exchange_requested(
            ("s-red",), ("s-green",), PAYPAL, "-2.00", transactions=_NEARLY_REFUNDED
        ),
        methods(), CATALOGUE,
    ),
)
refusal(
    "receive_return/exchange-method-gone", PaymentMethodNotFound,
    lambda: plan_receive_return(
        exchange_requested(("s-red",), ("s-blue",), "paypal_999", "2.50"), methods(), CATALOGUE
    ),
)
refusal(
    "receive_return/exchange-new-item-unknown", VariantNotFound,
    lambda: plan_receive_return(
        exchange_requested(("s-red",), ("s-nope",), CARD, "2.50"), methods(), CATALOGUE
    ),
)
refusal(
    "receive_return/exchange-new-item-other-product", VariantNotFound,
    lambda: plan_receive_return(
        exchange_requested(("s-red",), ("l-big",), CARD, "140.00"), methods(), CATALOGUE
    ),
)
refusal(
    "receive_return/exchange-gift-card-short-now", InsufficientGiftCardBalance,
    lambda: plan_receive_return(
        exchange_requested(("l-small",), ("l-big",), GIFT, "50.00"),
        methods(gift_balance="49.99"), CATALOGUE,
    ),
)


@pytest.mark.parametrize(("call", "error"), REFUSALS)
def test_refused(call: Call, error: type[TrustdeskError]) -> None:
    with pytest.raises(error) as info:
        call()
    # The exact class, not merely some TrustdeskError: callers branch on `code`.
    assert type(info.value) is error
    assert str(info.value)


# --- happy paths -------------------------------------------------------------------------


def _gift_deltas(change: OrderChange) -> dict[str, Decimal]:
    return dict(change.gift_card_deltas)


@pytest.mark.parametrize(
    ("txs", "expected_refunds", "expected_deltas"),
    [
        pytest.param((pay("120.00"),), [refund("120.00")], {}, id="one-card-payment"),
        pytest.param(
            (pay("70.00"), pay("50.00", GIFT)),
            [refund("70.00"), refund("50.00", GIFT)],
            {GIFT: D("50.00")},
            id="card-and-gift-card",
        ),
        pytest.param(
            (pay("120.00"), pay("120.00", PAYPAL), refund("120.00")),
            [refund("120.00", PAYPAL)],
            {},
            id="after-payment-change-only-new-method",
        ),
        pytest.param(
            (pay("120.00", GIFT), pay("120.00", PAYPAL), refund("120.00", GIFT)),
            [refund("120.00", PAYPAL)],
            {},
            id="after-change-away-from-gift-card",
        ),
        pytest.param((), [], {}, id="nothing-paid"),
    ],
)
@pytest.mark.parametrize("reason", ["no longer needed", "ordered by mistake"])
def test_cancel(
    txs: tuple[Transaction, ...], expected_refunds: list[Transaction],
    expected_deltas: dict[str, Decimal], reason: str,
) -> None:
    change = plan_cancel(order(transactions=txs), reason, methods())
    assert change.action == "cancel_order"
    assert change.status == OrderStatus.CANCELLED
    assert list(change.transactions) == expected_refunds
    assert change.amount == sum((t.amount for t in expected_refunds), D(0))
    assert _gift_deltas(change) == expected_deltas
    assert change.fields == {"cancel_reason": reason}
    assert change.line_updates == ()
    assert change.address is None


@pytest.mark.parametrize(
    ("old", "new", "method_id", "kind", "amount", "indexes", "deltas"),
    [
        pytest.param(
            ["s-red"], ["s-blue"], CARD, TransactionKind.PAYMENT, "2.50", [0], {},
            id="dearer-by-card",
        ),
        pytest.param(
            ["s-red"], ["s-green"], CARD, TransactionKind.REFUND, "2.00", [0], {},
            id="cheaper-to-card",
        ),
        pytest.param(
            ["s-red"], ["s-blue"], PAYPAL, TransactionKind.PAYMENT, "2.50", [0], {},
            id="dearer-by-paypal",
        ),
        pytest.param(
            ["s-red"], ["s-green"], PAYPAL, TransactionKind.REFUND, "2.00", [0], {},
            id="cheaper-to-paypal-that-paid-nothing",
        ),
        pytest.param(
            ["s-red", "s-red"], ["s-blue", "s-green"], CARD, TransactionKind.PAYMENT, "0.50",
            [0, 1], {}, id="duplicates-take-successive-lines",
        ),
        pytest.param(
            ["l-small", "s-red"], ["l-big", "s-green"], GIFT, TransactionKind.PAYMENT, "48.00",
            [2, 0], {GIFT: D("-48.00")}, id="dearer-by-gift-card",
        ),
        pytest.param(
            ["l-small"], ["l-big"], GIFT, TransactionKind.PAYMENT, "50.00", [2],
            {GIFT: D("-50.00")}, id="gift-card-exactly-covers",
        ),
        pytest.param(
            ["s-red"], ["s-green"], GIFT, TransactionKind.REFUND, "2.00", [0],
            {GIFT: D("2.00")}, id="cheaper-to-gift-card",
        ),
        pytest.param(
            ["s-red"], ["s-green"], EMPTY_GIFT, TransactionKind.REFUND, "2.00", [0],
            {EMPTY_GIFT: D("2.00")}, id="cheaper-to-empty-gift-card",
        ),
    ],
)
def test_modify_items(
    old: list[str], new: list[str], method_id: str, kind: TransactionKind, amount: str,
    indexes: list[int], deltas: dict[str, Decimal],
) -> None:
    before = order()
    change = plan_modify_items(before, old, new, method_id, methods(), CATALOGUE)
    assert change.action == "modify_items"
    assert change.status == OrderStatus.PENDING_ITEM_MODIFIED
    assert change.amount == D(amount)
    assert change.transactions == (
        Transaction(kind=kind, amount=D(amount), payment_method_id=method_id),
    )
    assert _gift_deltas(change) == deltas
    assert change.line_updates == tuple(
        LineUpdate(i, CATALOGUE[n]) for i, n in zip(indexes, new, strict=True)
    )
    after, _ = apply_change(before, methods(), change)
    # A modified line takes its own new variant's price and options.
    for i, n in zip(indexes, new, strict=True):
        assert after.lines[i].item_id == n
        assert after.lines[i].price == CATALOGUE[n].price
        assert after.lines[i].options == CATALOGUE[n].options
    assert after.total_paid() - after.total_refunded() == sum(
        (ln.price for ln in after.lines), D(0)
    )


@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.PENDING_ITEM_MODIFIED])
def test_modify_order_address(status: str) -> None:
    change = plan_modify_order_address(order(status), AWAY)
    assert change.action == "modify_order_address"
    assert change.address == AWAY
    assert change.amount == D("0.00")
    assert change.status is None
    assert change.transactions == ()
    assert change.gift_card_deltas == ()
    after, _ = apply_change(order(status), methods(), change)
    assert after.address == AWAY
    assert after.status == status


@pytest.mark.parametrize(
    ("paid_with", "new_method", "gift_balance", "deltas"),
    [
        pytest.param(CARD, PAYPAL, "50.00", {}, id="card-to-paypal"),
        pytest.param(PAYPAL, CARD, "50.00", {}, id="paypal-to-card"),
        pytest.param(CARD, GIFT, "120.00", {GIFT: D("-120.00")}, id="card-to-gift-exact"),
        pytest.param(CARD, GIFT, "500.00", {GIFT: D("-120.00")}, id="card-to-gift"),
        pytest.param(GIFT, CARD, "0.00", {GIFT: D("120.00")}, id="gift-to-card"),
        pytest.param(
            GIFT, EMPTY_GIFT, "0.00", None, id="gift-to-empty-gift-refused",
        ),
    ],
)
@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.PENDING_ITEM_MODIFIED])
def test_modify_order_payment(
    paid_with: str, new_method: str, gift_balance: str, deltas: dict[str, Decimal] | None,
    status: str,
) -> None:
    before = order(status, transactions=(pay("120.00", paid_with),))
    ms = methods(gift_balance=gift_balance)
    if deltas is None:
        with pytest.raises(InsufficientGiftCardBalance):
            plan_modify_order_payment(before, new_method, ms)
        return
    change = plan_modify_order_payment(before, new_method, ms)
    assert change.action == "modify_order_payment"
    assert change.amount == D("120.00")
    assert change.status is None
    assert change.transactions == (pay("120.00", new_method), refund("120.00", paid_with))
    assert _gift_deltas(change) == deltas
    after, after_methods = apply_change(before, ms, change)
    assert after.net_paid_by_method() == {paid_with: D("0.00"), new_method: D("120.00")}
    assert all((m.balance or 0) >= 0 for m in after_methods.values())


@pytest.mark.parametrize(
    ("items", "method_id", "txs", "amount"),
    [
        pytest.param(["s-red"], CARD, None, "10.00", id="one-to-card"),
        pytest.param(["s-red", "s-red"], CARD, None, "20.00", id="duplicates"),
        pytest.param(["l-small", "s-red"], GIFT, None, "110.00", id="to-gift-card"),
        pytest.param(["l-small", "s-red"], EMPTY_GIFT, None, "110.00", id="to-empty-gift-card"),
        pytest.param(
            ["s-red", "s-red", "l-small"], PAYPAL, (pay("120.00", PAYPAL),), "120.00",
            id="all-to-paypal-original",
        ),
        pytest.param(
            ["s-red"], CARD, (pay("120.00"), refund("115.00")), "5.00",
            id="capped-by-what-is-still-held",
        ),
        pytest.param(
            ["s-red", "l-small"], PAYPAL, (pay("120.00"), pay("120.00", PAYPAL), refund("120.00")),
            "110.00", id="to-the-method-that-replaced-the-first",
        ),
        pytest.param(
            ["s-red", "s-red"], CARD, (pay("70.00"), pay("50.00", GIFT)), "20.00",
            id="split-payment-card-covers-its-share",
        ),
        pytest.param(
            ["l-small", "s-red"], GIFT, (pay("70.00"), pay("50.00", GIFT)), "110.00",
            id="split-payment-rest-as-store-credit",
        ),
    ],
)
def test_return(
    items: list[str], method_id: str, txs: tuple[Transaction, ...] | None, amount: str
) -> None:
    change = plan_return(delivered(transactions=txs), items, method_id, methods())
    assert change.action == "return_items"
    assert change.status == OrderStatus.RETURN_REQUESTED
    assert change.amount == D(amount)
    assert change.transactions == ()
    assert change.gift_card_deltas == ()
    assert change.fields == {
        "return_items": tuple(sorted(items)),
        "return_payment_method_id": method_id,
    }


@pytest.mark.parametrize(
    ("old", "new", "method_id", "difference"),
    [
        pytest.param(["s-red"], ["s-blue"], CARD, "2.50", id="dearer"),
        pytest.param(["s-red"], ["s-green"], CARD, "-2.00", id="cheaper"),
        pytest.param(["s-red"], ["s-red"], CARD, "0.00", id="same-item-allowed"),
        pytest.param(["l-small"], ["l-big"], GIFT, "50.00", id="gift-card-exactly-covers"),
        pytest.param(["s-red"], ["s-green"], EMPTY_GIFT, "-2.00", id="refund-to-empty-gift"),
        pytest.param(
            ["s-red", "s-red", "l-small"], ["s-green", "s-blue", "l-big"], PAYPAL, "50.50",
            id="several-by-paypal",
        ),
    ],
)
def test_exchange(old: list[str], new: list[str], method_id: str, difference: str) -> None:
    change = plan_exchange(delivered(), old, new, method_id, methods(), CATALOGUE)
    assert change.action == "exchange_items"
    assert change.status == OrderStatus.EXCHANGE_REQUESTED
    assert change.amount == abs(D(difference))
    assert change.transactions == ()
    assert change.gift_card_deltas == ()
    assert change.line_updates == ()
    assert change.fields == {
        "exchange_items": tuple(sorted(old)),
        "exchange_new_items": tuple(sorted(new)),
        "exchange_payment_method_id": method_id,
        "exchange_price_difference": D(difference),
    }


@pytest.mark.parametrize(
    ("items", "method_id", "txs", "refunded", "deltas"),
    [
        pytest.param(("s-red",), CARD, None, "10.00", {}, id="to-card"),
        pytest.param(("s-red", "l-small"), GIFT, None, "110.00", {GIFT: D("110.00")}, id="to-gift"),
        pytest.param(
            ("s-red", "s-red", "l-small"), PAYPAL, (pay("120.00", PAYPAL),), "120.00", {},
            id="everything-to-paypal",
        ),
        pytest.param(
            ("l-small",), CARD, (pay("120.00"), refund("30.00")), "90.00", {},
            id="capped-by-what-is-still-held",
        ),
    ],
)
def test_receive_return_of_a_return(
    items: tuple[str, ...], method_id: str, txs: tuple[Transaction, ...] | None, refunded: str,
    deltas: dict[str, Decimal],
) -> None:
    before = return_requested(items, method_id, transactions=txs)
    change = plan_receive_return(before, methods(), CATALOGUE)
    assert change.action == "receive_return"
    assert change.status == OrderStatus.RETURNED
    assert change.amount == D(refunded)
    assert change.transactions == (refund(refunded, method_id),)
    assert _gift_deltas(change) == deltas
    assert change.line_updates == ()
    after, after_methods = apply_change(before, methods(), change)
    assert after.total_refunded() <= after.total_paid()
    if method_id == GIFT:
        assert after_methods[GIFT].balance == D("50.00") + D(refunded)


@pytest.mark.parametrize(
    ("old", "new", "method_id", "difference", "expected", "deltas"),
    [
        pytest.param(
            ("s-red",), ("s-blue",), CARD, "2.50", [pay("2.50")], {}, id="dearer-card-pays",
        ),
        pytest.param(
            ("s-red",), ("s-green",), CARD, "-2.00", [refund("2.00")], {},
            id="cheaper-card-refunded",
        ),
        pytest.param(("s-red",), ("s-red",), CARD, "0.00", [], {}, id="no-difference"),
        pytest.param(
            ("l-small",), ("l-big",), GIFT, "50.00", [pay("50.00", GIFT)], {GIFT: D("-50.00")},
            id="dearer-gift-card-pays-exactly",
        ),
        pytest.param(
            ("s-red",), ("s-green",), GIFT, "-2.00", [refund("2.00", GIFT)], {GIFT: D("2.00")},
            id="cheaper-gift-card-credited",
        ),
        pytest.param(
            ("s-red", "l-small", "s-red"), ("l-big", "s-blue", "s-green"), PAYPAL, "50.50",
            [pay("50.50", PAYPAL)], {}, id="several-paired-by-product",
        ),
    ],
)
def test_receive_return_of_an_exchange(
    old: tuple[str, ...], new: tuple[str, ...], method_id: str, difference: str,
    expected: list[Transaction], deltas: dict[str, Decimal],
) -> None:
    before = exchange_requested(old, new, method_id, difference)
    change = plan_receive_return(before, methods(), CATALOGUE)
    assert change.action == "receive_return"
    assert change.status == OrderStatus.EXCHANGED
    assert change.amount == abs(D(difference))
    assert list(change.transactions) == expected
    assert _gift_deltas(change) == deltas
    after, after_methods = apply_change(before, methods(), change)
    assert sorted(ln.item_id for ln in after.lines) == sorted(
        _after_exchange(("s-red", "s-red", "l-small"), old, new)
    )
    for ln in after.lines:
        # every line carries its own variant's price and options, and stays in its product
        assert ln.price == CATALOGUE[ln.item_id].price
        assert ln.options == CATALOGUE[ln.item_id].options
        assert ln.product_id == CATALOGUE[ln.item_id].product_id
    assert after.total_paid() - after.total_refunded() == sum(
        (ln.price for ln in after.lines), D(0)
    )
    assert all((m.balance or 0) >= 0 for m in after_methods.values())


def _after_exchange(
    items: tuple[str, ...], old: tuple[str, ...], new: tuple[str, ...]
) -> list[str]:
    remaining = list(items)
    for i in old:
        remaining.remove(i)
    return remaining + list(new)


def test_apply_change_keeps_other_state() -> None:
    before = order()
    change = plan_cancel(before, "ordered by mistake", methods())
    after, ms = apply_change(before, methods(), change)
    assert after.status == OrderStatus.CANCELLED
    assert after.cancel_reason == "ordered by mistake"
    assert after.lines == before.lines
    assert after.address == before.address
    assert after.transactions == (pay("120.00"), refund("120.00"))
    assert ms == methods()
    # snapshots are values: the input is untouched
    assert before.status == OrderStatus.PENDING


# --- a return approved for less ----------------------------------------------------------


def test_a_refund_limit_caps_the_return_and_is_recorded() -> None:
    change = plan_return(delivered(), ["l-small"], CARD, methods(), refund_limit=D("60.00"))
    assert change.amount == D("60.00")
    assert change.fields["return_refund_limit"] == D("60.00")
    assert "60.00" in change.summary


def test_a_refund_limit_above_the_price_changes_nothing() -> None:
    change = plan_return(delivered(), ["s-red"], CARD, methods(), refund_limit=D("60.00"))
    assert change.amount == D("10.00")


def test_receiving_a_return_approved_for_less_refunds_the_limit() -> None:
    requested = return_requested(("l-small",), CARD, return_refund_limit=D("60.00"))
    change = plan_receive_return(requested, methods(), CATALOGUE)
    assert [t.amount for t in change.transactions] == [D("60.00")]


@pytest.mark.parametrize("limit", ["0.00", "-5.00"])
def test_a_refund_limit_must_be_positive(limit: str) -> None:
    with pytest.raises(InvalidMoney):
        plan_return(delivered(), ["l-small"], CARD, methods(), refund_limit=D(limit))
