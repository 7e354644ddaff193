"""A tiny deterministic shop for workflow and end-to-end tests.

Customer `ada_lovelace_1` (ada@example.com, zip 10001) owns:
- #W0000001 pending, 149.99 on her Visa ending 4242 (cancel: automatic)
- #W0000002 delivered, 120.00 (return below the 250 limit: automatic)
- #W0000003 delivered, 899.00 (return above the limit: an approver decides)
- #W0000004 delivered, 2,400.00 (return above 2,000: a senior approver decides)
Customer `bob_smith_2` (bob@example.com, zip 94110) owns #W0000005, delivered.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from store.models import (
    CustomerRow,
    OrderLineRow,
    OrderRow,
    PaymentMethodRow,
    ProductRow,
    TransactionRow,
    VariantRow,
)

ADA = "ada_lovelace_1"
BOB = "bob_smith_2"
ADDRESS = {
    "address1": "1 Analytical Way",
    "address2": "",
    "city": "New York",
    "state": "NY",
    "country": "USA",
    "zip": "10001",
}

_ORDERS = [
    ("#W0000001", ADA, "pending", "lamp-1", Decimal("149.99")),
    ("#W0000002", ADA, "delivered", "mug-1", Decimal("120.00")),
    ("#W0000003", ADA, "delivered", "chair-1", Decimal("899.00")),
    ("#W0000004", ADA, "delivered", "bike-1", Decimal("2400.00")),
    ("#W0000005", BOB, "delivered", "mug-1", Decimal("120.00")),
]
_PRODUCTS = {
    "lamp-1": ("Desk Lamp", "p-lamp"),
    "mug-1": ("Coffee Mug", "p-mug"),
    "chair-1": ("Office Chair", "p-chair"),
    "bike-1": ("Road Bike", "p-bike"),
}


def create_shop(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        s.add(
            CustomerRow(
                id=ADA, first_name="Ada", last_name="Lovelace", email="ada@example.com", **ADDRESS
            )
        )
        s.add(
            CustomerRow(
                id=BOB,
                first_name="Bob",
                last_name="Smith",
                email="bob@example.com",
                **{**ADDRESS, "zip": "94110", "city": "San Francisco", "state": "CA"},
            )
        )
        s.add(
            PaymentMethodRow(
                id="credit_card_ada",
                customer_id=ADA,
                kind="credit_card",
                brand="visa",
                last_four="4242",
            )
        )
        s.add(
            PaymentMethodRow(
                id="gift_card_ada",
                customer_id=ADA,
                kind="gift_card",
                balance=Decimal("50.00"),
                position=1,
            )
        )
        s.add(PaymentMethodRow(id="paypal_bob", customer_id=BOB, kind="paypal"))
        for name, product_id in _PRODUCTS.values():
            s.add(ProductRow(id=product_id, name=name))
        s.flush()
        for item_id, (_name, product_id) in _PRODUCTS.items():
            price = next(p for (_, _, _, i, p) in _ORDERS if i == item_id)
            s.add(
                VariantRow(
                    item_id=item_id, product_id=product_id, options={"color": "black"}, price=price
                )
            )
        for position, (order_id, owner, status, item_id, price) in enumerate(_ORDERS):
            method = "credit_card_ada" if owner == ADA else "paypal_bob"
            s.add(
                OrderRow(
                    id=order_id,
                    customer_id=owner,
                    customer_position=position,
                    status=status,
                    **ADDRESS,
                )
            )
            s.flush()
            s.add(
                OrderLineRow(
                    order_id=order_id,
                    position=0,
                    product_id=_PRODUCTS[item_id][1],
                    item_id=item_id,
                    name=_PRODUCTS[item_id][0],
                    price=price,
                    options={"color": "black"},
                )
            )
            s.add(
                TransactionRow(
                    order_id=order_id,
                    position=0,
                    kind="payment",
                    amount=price,
                    payment_method_id=method,
                )
            )
        s.commit()
