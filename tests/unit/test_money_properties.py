"""Property tests: no sequence of retail actions refunds more than was paid.

Hypothesis builds a customer with a card, a PayPal account and two gift cards, and
one or two small orders paid with one or two of those methods. It then runs a random
sequence of actions through the pure rules: each plan that succeeds is applied with
`apply_change` (the pure twin of the store's write), each plan refused with a
`TrustdeskError` is skipped. After every step:

* per order, total refunds never exceed total payments;
* per order and per card or PayPal account, refunds never exceed what that method
  paid (a gift card may also receive store credit for a return or a cheaper item, as
  the shop's policy allows, but only within the order's total);
* every amount is whole cents and not negative;
* no gift card balance is negative, and every balance equals its opening balance
  plus the refunds to it minus the payments from it: the deltas and the payment
  history never disagree.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import TrustdeskError
from domain.retail import (
    Address,
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
    plan_modify_order_payment,
    plan_receive_return,
    plan_return,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HOME = Address(address1="1 Main St", address2="", city="Springfield", state="IL",
               country="USA", zip="62701")

CATALOGUE: dict[str, Variant] = {
    v.item_id: v
    for v in [
        Variant(item_id="s1", product_id="shirt", options={"c": "red"}, price=Decimal("9.99"),
                available=True),
        Variant(item_id="s2", product_id="shirt", options={"c": "blue"}, price=Decimal("14.50"),
                available=True),
        Variant(item_id="s3", product_id="shirt", options={"c": "green"}, price=Decimal("0.01"),
                available=True),
        Variant(item_id="s4", product_id="shirt", options={"c": "black"}, price=Decimal("12.00"),
                available=False),
        Variant(item_id="l1", product_id="lamp", options={"s": "small"}, price=Decimal("120.00"),
                available=True),
        Variant(item_id="l2", product_id="lamp", options={"s": "big"}, price=Decimal("310.25"),
                available=True),
        Variant(item_id="b1", product_id="bag", options={"m": "canvas"}, price=Decimal("45.00"),
                available=True),
        Variant(item_id="b2", product_id="bag", options={"m": "leather"},
                price=Decimal("199.99"), available=True),
    ]
}
ITEM_IDS = sorted(CATALOGUE)
ORDERABLE = [i for i in ITEM_IDS if CATALOGUE[i].available]
METHOD_IDS = ["credit_card_1", "paypal_1", "gift_card_1", "gift_card_2"]
ANY_METHOD = st.sampled_from([*METHOD_IDS, "credit_card_999"])  # one is not the customer's
REASONS = st.sampled_from(["no longer needed", "ordered by mistake", "too expensive"])

money = st.decimals(min_value=0, max_value=600, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def shops(draw: st.DrawFn) -> tuple[list[Order], dict[str, PaymentMethod]]:
    methods = {
        "credit_card_1": PaymentMethod(id="credit_card_1", kind=PaymentKind.CREDIT_CARD,
                                       brand="visa", last_four="4242"),
        "paypal_1": PaymentMethod(id="paypal_1", kind=PaymentKind.PAYPAL),
        "gift_card_1": PaymentMethod(id="gift_card_1", kind=PaymentKind.GIFT_CARD,
                                     balance=draw(money)),
        "gift_card_2": PaymentMethod(id="gift_card_2", kind=PaymentKind.GIFT_CARD,
                                     balance=draw(money)),
    }
    orders = []
    for n in range(draw(st.integers(1, 2))):
        items = draw(st.lists(st.sampled_from(ORDERABLE), min_size=1, max_size=3))
        lines = tuple(
            OrderLine(product_id=CATALOGUE[i].product_id, item_id=i, name=CATALOGUE[i].product_id,
                      price=CATALOGUE[i].price, options=CATALOGUE[i].options)
            for i in items
        )
        total = sum((ln.price for ln in lines), ZERO)
        payers = draw(st.lists(st.sampled_from(METHOD_IDS), min_size=1, max_size=2, unique=True))
        if len(payers) == 1:
            parts = [total]
        else:
            first = draw(st.decimals(min_value=0, max_value=total, places=2))
            parts = [first, total - first]
        transactions = tuple(
            Transaction(kind=TransactionKind.PAYMENT, amount=amount, payment_method_id=m)
            for m, amount in zip(payers, parts, strict=True)
            if amount > 0
        )
        status = draw(st.sampled_from(
            [OrderStatus.PENDING, OrderStatus.PENDING, OrderStatus.DELIVERED]
        ))
        orders.append(
            Order(id=f"#W000000{n}", customer_id="c1", status=status, address=HOME, lines=lines,
                  transactions=transactions)
        )
    return orders, methods


_FITTING = {
    OrderStatus.PENDING: ["cancel", "modify_items", "modify_items", "modify_items",
                          "modify_payment", "modify_payment", "deliver"],
    OrderStatus.PENDING_ITEM_MODIFIED: ["modify_payment", "deliver"],
    OrderStatus.DELIVERED: ["return", "exchange"],
    OrderStatus.RETURN_REQUESTED: ["receive"],
    OrderStatus.EXCHANGE_REQUESTED: ["receive"],
}
_ALL_KINDS = ["cancel", "modify_items", "modify_payment", "return", "exchange", "receive",
              "deliver"]


def _items(draw: st.DrawFn, order: Order) -> list[str]:
    """Mostly items of the order (duplicates included), sometimes one that is not."""
    pool = [ln.item_id for ln in order.lines]
    if draw(st.integers(0, 9)) == 0:
        pool.append("s4")  # never orderable, so never in an order
    return draw(st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool)))


def _replacements(draw: st.DrawFn, old: list[str]) -> list[str]:
    """Mostly other variants of the same product; sometimes anything, or a count mismatch."""
    new = []
    for item_id in old:
        product = CATALOGUE[item_id].product_id
        same_product = [i for i in ITEM_IDS if CATALOGUE[i].product_id == product]
        others = [i for i in same_product if i != item_id]
        roll = draw(st.integers(0, 9))
        pool = others if roll >= 3 and others else same_product if roll else ITEM_IDS
        new.append(draw(st.sampled_from(pool)))
    if draw(st.integers(0, 19)) == 0:
        new.append(draw(st.sampled_from(ITEM_IDS)))
    return new


def _plan(
    draw: st.DrawFn, order: Order, methods: dict[str, PaymentMethod]
) -> OrderChange | None:
    """Draw one action and plan it; None for the outside event "the order was delivered".

    Mostly actions that fit the order's status, sometimes any action at all.
    """
    fitting = _FITTING.get(OrderStatus(order.status))
    kinds = fitting if fitting and draw(st.integers(0, 9)) else _ALL_KINDS
    kind = draw(st.sampled_from(kinds))
    if kind == "cancel":
        return plan_cancel(order, draw(REASONS), methods)
    if kind == "modify_items":
        old = _items(draw, order)
        new = _replacements(draw, old)
        return plan_modify_items(order, old, new, draw(ANY_METHOD), methods, CATALOGUE)
    if kind == "modify_payment":
        return plan_modify_order_payment(order, draw(ANY_METHOD), methods)
    if kind == "return":
        return plan_return(order, _items(draw, order), draw(ANY_METHOD), methods)
    if kind == "exchange":
        old = _items(draw, order)
        new = _replacements(draw, old)
        return plan_exchange(order, old, new, draw(ANY_METHOD), methods, CATALOGUE)
    if kind == "receive":
        return plan_receive_return(order, methods, CATALOGUE)
    return None


def _deliver(order: Order) -> Order:
    if order.status in (OrderStatus.PENDING, OrderStatus.PENDING_ITEM_MODIFIED,
                        OrderStatus.PROCESSED):
        return order.model_copy(update={"status": OrderStatus.DELIVERED})
    return order


def _check(orders: list[Order], methods: dict[str, PaymentMethod],
           opening: dict[str, Decimal], initial: list[int]) -> None:
    """The invariants; `initial` counts each order's opening payments (already taken from
    the opening gift card balances)."""
    gift_flow = {m: ZERO for m in methods}
    for order in orders:
        # Refunds may go to any of the customer's methods, never beyond what the order was paid.
        assert order.total_refunded() <= order.total_paid(), order
        for t in order.transactions:
            assert t.amount >= 0 and t.amount == t.amount.quantize(CENT), t
    for order, opening_entries in zip(orders, initial, strict=True):
        for t in order.transactions[opening_entries:]:
            sign = 1 if t.kind is TransactionKind.REFUND else -1
            gift_flow[t.payment_method_id] += sign * t.amount
    for method_id, method in methods.items():
        if method.is_gift_card:
            assert method.balance is not None and method.balance >= 0, method
            assert method.balance == opening[method_id] + gift_flow[method_id], method


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(shop=shops(), data=st.data())
def test_no_sequence_of_actions_refunds_more_than_was_paid(
    shop: tuple[list[Order], dict[str, PaymentMethod]], data: st.DataObject
) -> None:
    orders, methods = list(shop[0]), shop[1]
    opening = {m: (methods[m].balance or ZERO) for m in methods}
    initial = [len(o.transactions) for o in orders]
    for _ in range(data.draw(st.integers(1, 12), label="steps")):
        # Mostly act on an order that can still change; once none can, try one last action.
        open_orders = [i for i, o in enumerate(orders) if o.status in _FITTING]
        index = data.draw(st.sampled_from(open_orders or list(range(len(orders)))), label="order")
        try:
            change = _plan(data.draw, orders[index], methods)
        except TrustdeskError:
            continue
        if change is None:
            orders[index] = _deliver(orders[index])
            continue
        assert change.amount >= 0
        orders[index], methods = apply_change(orders[index], methods, change)
        _check(orders, methods, opening, initial)
        if not open_orders:
            break
