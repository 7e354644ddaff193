"""Reads and writes of shop rows, converting between ORM rows and domain snapshots."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from domain.errors import CustomerNotFound, OrderNotFound, ProductNotFound
from domain.retail import (
    Address,
    Customer,
    Fulfillment,
    Order,
    OrderLine,
    PaymentKind,
    PaymentMethod,
    Product,
    Transaction,
    TransactionKind,
    Variant,
)
from store.models import (
    CustomerRow,
    OrderRow,
    PaymentMethodRow,
    ProductRow,
    VariantRow,
    _AddressColumns,
)


def address_of(row: _AddressColumns) -> Address:
    return Address(
        address1=row.address1,
        address2=row.address2,
        city=row.city,
        state=row.state,
        country=row.country,
        zip=row.zip,
    )


def set_address(row: _AddressColumns, address: Address) -> None:
    row.address1 = address.address1
    row.address2 = address.address2
    row.city = address.city
    row.state = address.state
    row.country = address.country
    row.zip = address.zip


def method_of(row: PaymentMethodRow) -> PaymentMethod:
    return PaymentMethod(
        id=row.id,
        kind=PaymentKind(row.kind),
        brand=row.brand,
        last_four=row.last_four,
        balance=row.balance,
    )


def variant_of(row: VariantRow) -> Variant:
    return Variant(
        item_id=row.item_id,
        product_id=row.product_id,
        options=dict(row.options),
        price=row.price,
        available=row.available,
    )


def customer_of(row: CustomerRow) -> Customer:
    return Customer(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        address=address_of(row),
        payment_methods=tuple(method_of(m) for m in row.payment_methods),
        order_ids=tuple(o.id for o in row.orders),
    )


def order_of(row: OrderRow) -> Order:
    def _ids(value: list[str] | None) -> tuple[str, ...] | None:
        return None if value is None else tuple(value)

    return Order(
        id=row.id,
        customer_id=row.customer_id,
        status=row.status,
        address=address_of(row),
        lines=tuple(
            OrderLine(
                product_id=line.product_id,
                item_id=line.item_id,
                name=line.name,
                price=line.price,
                options=dict(line.options),
            )
            for line in row.lines
        ),
        transactions=tuple(
            Transaction(
                kind=TransactionKind(t.kind), amount=t.amount, payment_method_id=t.payment_method_id
            )
            for t in row.transactions
        ),
        fulfillments=tuple(
            Fulfillment(tracking_ids=tuple(f.tracking_ids), item_ids=tuple(f.item_ids))
            for f in row.fulfillments
        ),
        cancel_reason=row.cancel_reason,
        return_items=_ids(row.return_items),
        return_payment_method_id=row.return_payment_method_id,
        return_refund_limit=row.return_refund_limit,
        exchange_items=_ids(row.exchange_items),
        exchange_new_items=_ids(row.exchange_new_items),
        exchange_payment_method_id=row.exchange_payment_method_id,
        exchange_price_difference=row.exchange_price_difference,
        delivered_on=row.delivered_on,
    )


def product_of(row: ProductRow) -> Product:
    return Product(id=row.id, name=row.name, variants=tuple(variant_of(v) for v in row.variants))


class ShopRepository:
    """Queries over the shop tables of one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def customer_row(self, customer_id: str, *, for_update: bool = False) -> CustomerRow:
        stmt = (
            select(CustomerRow)
            .where(CustomerRow.id == customer_id)
            .options(selectinload(CustomerRow.payment_methods), selectinload(CustomerRow.orders))
        )
        if for_update:
            stmt = stmt.with_for_update()
        row = self.session.scalars(stmt).one_or_none()
        if row is None:
            raise CustomerNotFound(f"no customer {customer_id}")
        return row

    def order_row(self, order_id: str, *, for_update: bool = False) -> OrderRow:
        stmt = (
            select(OrderRow)
            .where(OrderRow.id == order_id)
            .options(
                selectinload(OrderRow.lines),
                selectinload(OrderRow.transactions),
                selectinload(OrderRow.fulfillments),
            )
        )
        if for_update:
            stmt = stmt.with_for_update()
        row = self.session.scalars(stmt).one_or_none()
        if row is None:
            raise OrderNotFound(f"no order {order_id}")
        return row

    def payment_method_rows(
        self, customer_id: str, *, for_update: bool = False
    ) -> list[PaymentMethodRow]:
        stmt = (
            select(PaymentMethodRow)
            .where(PaymentMethodRow.customer_id == customer_id)
            .order_by(PaymentMethodRow.position)
        )
        if for_update:
            stmt = stmt.with_for_update()
        return list(self.session.scalars(stmt))

    def variants(self, item_ids: Iterable[str]) -> dict[str, Variant]:
        ids = set(item_ids)
        if not ids:
            return {}
        rows = self.session.scalars(select(VariantRow).where(VariantRow.item_id.in_(ids)))
        return {row.item_id: variant_of(row) for row in rows}

    def customer(self, customer_id: str) -> Customer:
        return customer_of(self.customer_row(customer_id))

    def order(self, order_id: str) -> Order:
        return order_of(self.order_row(order_id))

    def product(self, product_id: str) -> Product:
        row = self.session.scalars(
            select(ProductRow)
            .where(ProductRow.id == product_id)
            .options(selectinload(ProductRow.variants))
        ).one_or_none()
        if row is None:
            raise ProductNotFound(f"no product {product_id}")
        return product_of(row)

    def products(self) -> list[Product]:
        rows = self.session.scalars(
            select(ProductRow).order_by(ProductRow.position).options(selectinload(ProductRow.variants))
        )
        return [product_of(r) for r in rows]

    def find_customer_id_by_email(self, email: str) -> str:
        found = self.session.scalars(
            select(CustomerRow.id)
            .where(func.lower(CustomerRow.email) == email.strip().lower())
            .order_by(CustomerRow.position)
        ).first()
        if found is None:
            raise CustomerNotFound("no customer with that email")
        return found

    def find_customer_id_by_name_zip(self, first_name: str, last_name: str, zip_code: str) -> str:
        found = self.session.scalars(
            select(CustomerRow.id)
            .where(
                func.lower(CustomerRow.first_name) == first_name.strip().lower(),
                func.lower(CustomerRow.last_name) == last_name.strip().lower(),
                CustomerRow.zip == zip_code.strip(),
            )
            .order_by(CustomerRow.position)
        ).first()
        if found is None:
            raise CustomerNotFound("no customer with that name and zip code")
        return found

    def orders_of(self, customer_id: str) -> Sequence[Order]:
        rows = self.session.scalars(
            select(OrderRow)
            .where(OrderRow.customer_id == customer_id)
            .order_by(OrderRow.customer_position)
            .options(
                selectinload(OrderRow.lines),
                selectinload(OrderRow.transactions),
                selectinload(OrderRow.fulfillments),
            )
        )
        return [order_of(r) for r in rows]
