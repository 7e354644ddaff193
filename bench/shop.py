"""The bench shop: a generated, deterministic store for `trustdesk bench latency`.

Every bench customer owns two orders, one per scripted conversation:

* a pending order worth 149.99 — cancelling it stays under the default policy's
  automatic limit (1,000), so the agent cancels and refunds on its own;
* a delivered order worth 899.00 — its return refund is above the automatic
  limit (250) and within an approver's (2,000), so the case waits for a person.

The shop is a document in τ²'s retail shape, loaded with
`store.tau2.import_retail_db` like the demo and τ²-retail data sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from store.tau2 import import_retail_db

CANCEL_PRICE = Decimal("149.99")
RETURN_PRICE = Decimal("899.00")
#: Enough for one bench customer per conversation pair, with room to spare.
MAX_CUSTOMERS = 999_999

_LAMP = ("8100000001", "Desk Lamp", "9100000101", {"bulb": "LED", "color": "black"}, CANCEL_PRICE)
_CHAIR = ("8100000002", "Office Chair", "9100000201", {"material": "mesh"}, RETURN_PRICE)
_ADDRESS = {
    "address1": "1 Benchmark Road",
    "address2": "",
    "city": "Springfield",
    "country": "USA",
    "state": "IL",
    "zip": "62701",
}


@dataclass(frozen=True)
class BenchCustomer:
    """A bench customer and the two orders its conversations are about."""

    number: int

    @property
    def id(self) -> str:
        return f"bench_customer_{self.number:06d}"

    @property
    def email(self) -> str:
        return f"bench.customer{self.number:06d}@example.com"

    @property
    def pending_order(self) -> str:
        """Pending, 149.99: a cancel the agent carries out on its own."""
        return f"#W5{self.number:06d}"

    @property
    def delivered_order(self) -> str:
        """Delivered, 899.00: a return whose refund needs an approver."""
        return f"#W6{self.number:06d}"


def bench_customers(count: int) -> list[BenchCustomer]:
    """Customers 0 … count-1 (the bench keeps customer 0 for its warm-up)."""
    if not 0 < count <= MAX_CUSTOMERS:
        raise ValueError(f"the bench shop holds 1 to {MAX_CUSTOMERS} customers, not {count}")
    return [BenchCustomer(n) for n in range(count)]


def _line(product: tuple[str, str, str, dict[str, str], Decimal]) -> dict[str, Any]:
    product_id, name, item_id, options, price = product
    return {
        "name": name,
        "product_id": product_id,
        "item_id": item_id,
        "price": price,
        "options": dict(options),
    }


def _order(
    order_id: str, customer: BenchCustomer, status: str, line: dict[str, Any], card: str
) -> dict[str, Any]:
    shipped = status != "pending"
    return {
        "order_id": order_id,
        "user_id": customer.id,
        "address": dict(_ADDRESS),
        "items": [line],
        "status": status,
        "fulfillments": (
            [{"tracking_id": [f"{order_id[2:]}00001"], "item_ids": [line["item_id"]]}]
            if shipped
            else []
        ),
        "payment_history": [
            {"transaction_type": "payment", "amount": line["price"], "payment_method_id": card}
        ],
        "cancel_reason": None,
        "exchange_items": None,
        "exchange_new_items": None,
        "exchange_payment_method_id": None,
        "exchange_price_difference": None,
        "return_items": None,
        "return_payment_method_id": None,
    }


def bench_shop(customers: list[BenchCustomer]) -> dict[str, Any]:
    """The shop for these customers as a τ² retail document (money as `Decimal`)."""
    products = {
        product_id: {
            "name": name,
            "product_id": product_id,
            "variants": {
                item_id: {
                    "item_id": item_id,
                    "options": dict(options),
                    "available": True,
                    "price": price,
                }
            },
        }
        for product_id, name, item_id, options, price in (_LAMP, _CHAIR)
    }
    users: dict[str, Any] = {}
    orders: dict[str, Any] = {}
    for customer in customers:
        card = f"credit_card_{customer.number:06d}"
        users[customer.id] = {
            "user_id": customer.id,
            "name": {"first_name": "Bench", "last_name": f"Customer{customer.number:06d}"},
            "address": dict(_ADDRESS),
            "email": customer.email,
            "payment_methods": {
                card: {"source": "credit_card", "id": card, "brand": "visa", "last_four": "4242"}
            },
            "orders": [customer.pending_order, customer.delivered_order],
        }
        orders[customer.pending_order] = _order(
            customer.pending_order, customer, "pending", _line(_LAMP), card
        )
        orders[customer.delivered_order] = _order(
            customer.delivered_order, customer, "delivered", _line(_CHAIR), card
        )
    return {"products": products, "users": users, "orders": orders}


def load_bench_shop(sessions: sessionmaker[Session], count: int) -> list[BenchCustomer]:
    """Fill a migrated store with `count` bench customers; returns them."""
    customers = bench_customers(count)
    import_retail_db(sessions, bench_shop(customers))
    return customers
