"""The return window: enforced from the policy when the order's delivery date is known."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import ReturnWindowClosed
from domain.retail import (
    Address,
    Order,
    OrderLine,
    PaymentKind,
    PaymentMethod,
    ReturnWindow,
    Transaction,
    TransactionKind,
    Variant,
    plan_exchange,
    plan_return,
)

CARD = "credit_card_1"
METHODS = {
    CARD: PaymentMethod(id=CARD, kind=PaymentKind.CREDIT_CARD, brand="visa", last_four="4242")
}
ADDRESS = Address(
    address1="1 Main St", address2="", city="Boston", state="MA", country="USA", zip="02139"
)
DELIVERED = date(2026, 11, 1)
CATALOGUE = {
    "i2": Variant(
        item_id="i2", product_id="p", options={"size": "9"}, price=Decimal("80.00"), available=True
    )
}


def order(delivered_on: date | None) -> Order:
    return Order(
        id="#W0000001",
        customer_id="c1",
        status="delivered",
        address=ADDRESS,
        lines=(
            OrderLine(
                product_id="p", item_id="i1", name="Shoes", price=Decimal("80.00"), options={}
            ),
        ),
        transactions=(
            Transaction(
                kind=TransactionKind.PAYMENT, amount=Decimal("80.00"), payment_method_id=CARD
            ),
        ),
        delivered_on=delivered_on,
    )


@pytest.mark.parametrize(
    "delivered_on, window, today, allowed",
    [
        (DELIVERED, 30, date(2026, 12, 1), True),  # day 30: still inside
        (DELIVERED, 30, date(2026, 12, 2), False),  # day 31: closed
        (
            None,
            30,
            date(2027, 6, 1),
            True,
        ),  # no delivery date known (τ²-retail): nothing to enforce
        (DELIVERED, None, date(2027, 6, 1), True),  # a policy without a window
    ],
)
def test_returns_and_exchanges_within_the_window_only(
    delivered_on: date | None, window: int | None, today: date, allowed: bool
) -> None:
    rule = ReturnWindow(window, today)
    plans = [
        lambda: plan_return(order(delivered_on), ["i1"], CARD, METHODS, window=rule),
        lambda: plan_exchange(
            order(delivered_on), ["i1"], ["i2"], CARD, METHODS, CATALOGUE, window=rule
        ),
    ]
    for plan in plans:
        if allowed:
            assert plan().order_id == "#W0000001"
        else:
            with pytest.raises(ReturnWindowClosed, match="within 30 days of delivery"):
                plan()


def test_the_return_amount_is_unchanged_inside_the_window() -> None:
    change = plan_return(
        order(DELIVERED), ["i1"], CARD, METHODS, window=ReturnWindow(30, date(2026, 11, 5))
    )
    assert change.amount == Decimal("80.00")
