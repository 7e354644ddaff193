"""Seeding the store: the demo shop, the τ²-retail data set, and re-seeding."""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import store.seed
import store.tau2
from domain.commands import Authorization, CancelOrder, ExchangeItems, ModifyItems, ReturnItems
from domain.errors import InsufficientGiftCardBalance, WrongOrderStatus
from domain.policy import Actor, Policy, Tier
from domain.retail import OrderStatus
from store.actions import RetailActions
from store.models import CustomerRow, OrderLineRow, OrderRow, PaymentMethodRow, TransactionRow
from store.seed import DEMO_CUSTOMERS, demo_customer, demo_data, seed
from store.tau2 import ReferenceDataMissing, export_retail_db, load_reference_db

DEMO_COUNTS = {
    "products": 10,
    "variants": 32,
    "customers": 8,
    "payment_methods": 14,
    "orders": 20,
    "order_lines": 29,
    "transactions": 24,
    "fulfillments": 12,
}


def money_as_float(value: Any) -> Any:
    """The demo document as τ²'s JSON would hold it: money as float."""
    if isinstance(value, dict):
        return {k: money_as_float(v) for k, v in value.items()}
    if isinstance(value, list):
        return [money_as_float(v) for v in value]
    return float(value) if isinstance(value, Decimal) else value


def count(sessions: sessionmaker[Session], model: type[Any]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def verified(customer_id: str, tier: Tier | None = None) -> Authorization:
    return Authorization(
        actor=Actor.CUSTOMER,
        customer_id=customer_id,
        identity_verified=True,
        confirmed=True,
        approved_tier=tier,
        approved_by=("approver-1", "approver-2") if tier else (),
    )


def test_demo_seed_loads_the_documented_shop(sessions: sessionmaker[Session]) -> None:
    assert seed(sessions, "demo") == DEMO_COUNTS
    assert count(sessions, CustomerRow) == 8
    assert count(sessions, OrderRow) == 20


def test_demo_exports_as_it_was_generated(sessions: sessionmaker[Session]) -> None:
    seed(sessions, "demo")

    assert export_retail_db(sessions) == money_as_float(demo_data())


def test_reseeding_replaces_rows_instead_of_duplicating(
    sessions: sessionmaker[Session], policy: Policy
) -> None:
    seed(sessions, "demo")
    ada = demo_customer("ada.lovelace@example.com")
    RetailActions(sessions, policy).execute(
        CancelOrder(order_id="#W1000002", reason="no longer needed"),
        idempotency_key="seed-test-cancel",
        authorization=verified(ada.id),
    )
    assert count(sessions, TransactionRow) == DEMO_COUNTS["transactions"] + 1

    assert seed(sessions, "demo") == DEMO_COUNTS

    for model, key in (
        (CustomerRow, "customers"),
        (PaymentMethodRow, "payment_methods"),
        (OrderRow, "orders"),
        (OrderLineRow, "order_lines"),
        (TransactionRow, "transactions"),
    ):
        assert count(sessions, model) == DEMO_COUNTS[key]
    assert export_retail_db(sessions) == money_as_float(demo_data())


def test_demo_customers_are_findable_as_documented(
    sessions: sessionmaker[Session], policy: Policy
) -> None:
    seed(sessions, "demo")
    actions = RetailActions(sessions, policy)

    assert len({c.id for c in DEMO_CUSTOMERS}) == len({c.email for c in DEMO_CUSTOMERS}) == 8
    for demo in DEMO_CUSTOMERS:
        assert demo.email.endswith("@example.com")
        by_email = actions.find_customer_by_email(demo.email.upper())
        by_name = actions.find_customer_by_name_zip(demo.first_name, demo.last_name, demo.zip)
        assert by_email.id == by_name.id == demo.id
        assert by_email.order_ids == demo.order_ids
        assert {m.kind for m in by_email.payment_methods}
        for order_id in demo.order_ids:
            assert order_id in (store.seed.__doc__ or "")
        assert demo.email in (store.seed.__doc__ or "")
    kinds = {
        m.kind.value for c in DEMO_CUSTOMERS for m in actions.get_customer(c.id).payment_methods
    }
    assert kinds == {"credit_card", "paypal", "gift_card"}


def test_demo_orders_cover_every_status(sessions: sessionmaker[Session], policy: Policy) -> None:
    seed(sessions, "demo")
    actions = RetailActions(sessions, policy)
    orders = [actions.get_order(o) for c in DEMO_CUSTOMERS for o in c.order_ids]

    assert sorted(o.id for o in orders) == [f"#W{1000001 + i}" for i in range(20)]
    assert {o.status for o in orders} == {s.value for s in OrderStatus}
    for order in orders:
        net = order.total_paid() - order.total_refunded()
        lines = sum((line.price for line in order.lines), Decimal(0))
        refunded_in_full = order.status in (OrderStatus.CANCELLED, OrderStatus.RETURNED)
        assert net == (Decimal(0) if refunded_in_full else lines), order.id


@pytest.mark.parametrize(
    ("command", "customer", "tier"),
    [
        (
            CancelOrder(order_id="#W1000002", reason="ordered by mistake"),
            "ada_lovelace_1001",
            Tier.AUTO,
        ),
        (
            CancelOrder(order_id="#W1000004", reason="no longer needed"),
            "ben_okafor_1002",
            Tier.APPROVER,
        ),
        (
            CancelOrder(order_id="#W1000018", reason="no longer needed"),
            "george_park_1007",
            Tier.APPROVER,
        ),
        (
            ReturnItems(
                order_id="#W1000007",
                item_ids=["9000000703"],
                payment_method_id="credit_card_1003001",
            ),
            "chloe_nguyen_1003",
            Tier.AUTO,
        ),
        (
            ReturnItems(
                order_id="#W1000005", item_ids=["9000000501"], payment_method_id="paypal_1002001"
            ),
            "ben_okafor_1002",
            Tier.APPROVER,
        ),
        (
            ReturnItems(
                order_id="#W1000001",
                item_ids=["9000000403"],
                payment_method_id="credit_card_1001001",
            ),
            "ada_lovelace_1001",
            Tier.SENIOR_APPROVER,
        ),
    ],
)
def test_demo_orders_exercise_every_approval_tier(
    command: Any, customer: str, tier: Tier, sqlite_sessions: sessionmaker[Session], policy: Policy
) -> None:
    seed(sqlite_sessions, "demo")
    _, decision = RetailActions(sqlite_sessions, policy).preview(command, verified(customer))

    assert decision.tier is tier


@pytest.mark.parametrize(
    ("command", "customer", "error"),
    [
        (
            ExchangeItems(
                order_id="#W1000007",
                item_ids=["9000000703"],
                new_item_ids=["9000000701"],
                payment_method_id="gift_card_1003002",
            ),
            "chloe_nguyen_1003",
            InsufficientGiftCardBalance,
        ),
        (
            ModifyItems(
                order_id="#W1000008",
                item_ids=["9000000203"],
                new_item_ids=["9000000202"],
                payment_method_id="credit_card_1003001",
            ),
            "chloe_nguyen_1003",
            WrongOrderStatus,
        ),
        (
            CancelOrder(order_id="#W1000003", reason="no longer needed"),
            "ada_lovelace_1001",
            WrongOrderStatus,
        ),
    ],
)
def test_demo_orders_refuse_as_documented(
    command: Any,
    customer: str,
    error: type[Exception],
    sqlite_sessions: sessionmaker[Session],
    policy: Policy,
) -> None:
    seed(sqlite_sessions, "demo")
    with pytest.raises(error):
        RetailActions(sqlite_sessions, policy).preview(command, verified(customer))


def test_demo_two_line_modify_prices_each_line_on_its_own(
    sqlite_sessions: sessionmaker[Session], policy: Policy
) -> None:
    seed(sqlite_sessions, "demo")
    command = ModifyItems(
        order_id="#W1000020",
        item_ids=["9000000702", "9000001002"],
        new_item_ids=["9000000703", "9000001001"],
        payment_method_id="paypal_1008001",
    )
    change, _ = RetailActions(sqlite_sessions, policy).preview(command, verified("hana_sato_1008"))

    assert change is not None
    assert [(u.variant.item_id, u.variant.price) for u in change.line_updates] == [
        ("9000000703", Decimal("89.00")),
        ("9000001001", Decimal("279.00")),
    ]
    assert change.amount == Decimal("140.00")


def test_unknown_dataset_is_refused(sqlite_sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError, match="demo, tau2-retail"):
        seed(sqlite_sessions, "nope")


def test_missing_reference_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(package: str) -> Any:
        raise ModuleNotFoundError(f"No module named {package!r}")

    monkeypatch.setattr(store.tau2.resources, "files", missing)
    with pytest.raises(ReferenceDataMissing, match="`tau2` extra"):
        load_reference_db()


@pytest.mark.tau2
@pytest.mark.skipif(
    importlib.util.find_spec("tau2") is None,
    reason="the τ²-bench reference is not installed (the `tau2` extra)",
)
def test_tau2_retail_seeds_next_to_the_demo(sessions: sessionmaker[Session]) -> None:
    seed(sessions, "demo")
    counts = seed(sessions, "tau2-retail")

    assert (counts["customers"], counts["orders"], counts["products"]) == (500, 1000, 50)
    assert count(sessions, CustomerRow) == 508
    assert seed(sessions, "tau2-retail") == counts
    assert count(sessions, OrderRow) == 1020
