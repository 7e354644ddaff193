"""Trustdesk's store actions end to end, on SQLite and PostgreSQL alike.

A small shop is written row by row; every write action then runs through
`RetailActions.execute` and the database is read back: statuses, the payment history,
gift card balances, the idempotency records and the hash-chained audit log.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from domain.commands import (
    ActionResult,
    Authorization,
    CancelOrder,
    ExchangeItems,
    ModifyItems,
    ModifyOrderAddress,
    ModifyOrderPayment,
    ModifyUserAddress,
    ReceiveReturn,
    ReturnItems,
)
from domain.errors import (
    ApprovalRequired,
    IdempotencyConflict,
    NotYourOrder,
    PolicyViolation,
    WrongOrderStatus,
)
from domain.policy import Actor, Tier
from domain.retail import Address, OrderStatus, TransactionKind
from store.actions import RetailActions
from store.audit import verify_chain
from store.db import make_engine, migrate
from store.models import (
    ActionRecordRow,
    AuditEventRow,
    Base,
    CustomerRow,
    OrderLineRow,
    OrderRow,
    PaymentMethodRow,
    ProductRow,
    TransactionRow,
    VariantRow,
)
from store.repository import ShopRepository
from tests.conftest import PG_ADMIN_URL, _pg_admin_connection, postgres_available

D = Decimal


# --- one migrated database per backend for the whole module, emptied before each test ----
# (creating and migrating a PostgreSQL database per test would cost most of the runtime)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def migrated_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("store") / "store.db"
        url = f"sqlite:///{path}"
        migrate(url)
        yield url
        return
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    name = f"trustdesk_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    migrate(url)
    yield url
    with _pg_admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def store_url(migrated_url: str) -> str:
    """Overrides the shared fixture: the module's migrated database, with every row deleted."""
    engine = make_engine(migrated_url)
    try:
        with engine.begin() as conn:
            tables = MetaData()
            # The full-text index's own tables are the search engine's, kept by triggers.
            tables.reflect(conn, only=lambda name, _: not is_search_engine_table(name))
            for table in reversed(tables.sorted_tables):
                if table.name != "alembic_version":
                    conn.execute(table.delete())
    finally:
        engine.dispose()
    return migrated_url

# --- the shop ----------------------------------------------------------------------------

ANN, BOB = "ann_lee_1001", "bob_ray_2002"
ANN_CARD, ANN_PAYPAL, ANN_GIFT = "credit_card_1001", "paypal_1001", "gift_card_1001"
BOB_CARD = "credit_card_2002"

RED, BLUE, GREEN = "1000000001", "1000000002", "1000000003"
SMALL, BIG = "2000000001", "2000000002"
WATCH, GOLD_WATCH = "3000000001", "3000000002"

PENDING = "#W0000001"  # Ann: red, red, small lamp = 120.00 by card
DELIVERED = "#W0000002"  # Ann: red, small lamp = 110.00 by gift card
DELIVERED_WATCH = "#W0000003"  # Ann: watch 1819.92 by card
DELIVERED_GOLD = "#W0000004"  # Ann: gold watch 7500.00 by PayPal
PENDING_GIFT = "#W0000005"  # Ann: small lamp, red = 110.00 by gift card
BOBS = "#W0000006"  # Bob: red = 10.00 by card

GIFT_OPENING = D("300.00")

HOME = {"address1": "1 Main St", "address2": "", "city": "Springfield", "state": "IL",
        "country": "USA", "zip": "62701"}
AWAY = Address(address1="9 Side Rd", address2="Apt 2", city="Shelbyville", state="IL",
               country="USA", zip="62565")

CATALOGUE = {
    "shirt": ("T-Shirt", {RED: ("10.00", {"color": "red"}), BLUE: ("12.50", {"color": "blue"}),
                          GREEN: ("8.00", {"color": "green"})}),
    "lamp": ("Desk Lamp", {SMALL: ("100.00", {"size": "small"}),
                           BIG: ("150.00", {"size": "big"})}),
    "watch": ("Watch", {WATCH: ("1819.92", {"metal": "steel"}),
                        GOLD_WATCH: ("7500.00", {"metal": "gold"})}),
}
PRODUCT_OF = {item: pid for pid, (_, vs) in CATALOGUE.items() for item in vs}
PRICE_OF = {item: D(price) for _, vs in CATALOGUE.values() for item, (price, _) in vs.items()}


def seed_shop(sessions: sessionmaker[Session]) -> None:
    """Write the shop's rows directly, the way an import would."""
    with sessions() as s:
        s.add_all([
            CustomerRow(id=ANN, first_name="Ann", last_name="Lee", email="ann@example.com",
                        position=0, **HOME),
            CustomerRow(id=BOB, first_name="Bob", last_name="Ray", email="bob@example.com",
                        position=1, **HOME),
        ])
        s.flush()
        s.add_all([
            PaymentMethodRow(id=ANN_CARD, customer_id=ANN, position=0, kind="credit_card",
                             brand="visa", last_four="4242"),
            PaymentMethodRow(id=ANN_PAYPAL, customer_id=ANN, position=1, kind="paypal"),
            PaymentMethodRow(id=ANN_GIFT, customer_id=ANN, position=2, kind="gift_card",
                             balance=GIFT_OPENING),
            PaymentMethodRow(id=BOB_CARD, customer_id=BOB, position=0, kind="credit_card",
                             brand="amex", last_four="0005"),
        ])
        for position, (pid, (name, variants)) in enumerate(CATALOGUE.items()):
            s.add(ProductRow(id=pid, name=name, position=position))
            s.flush()
            for vpos, (item_id, (price, options)) in enumerate(variants.items()):
                s.add(VariantRow(item_id=item_id, product_id=pid, position=vpos,
                                 options=options, price=D(price), available=True))
        s.flush()
        orders = [
            (PENDING, ANN, "pending", [RED, RED, SMALL], ANN_CARD),
            (DELIVERED, ANN, "delivered", [RED, SMALL], ANN_GIFT),
            (DELIVERED_WATCH, ANN, "delivered", [WATCH], ANN_CARD),
            (DELIVERED_GOLD, ANN, "delivered", [GOLD_WATCH], ANN_PAYPAL),
            (PENDING_GIFT, ANN, "pending", [SMALL, RED], ANN_GIFT),
            (BOBS, BOB, "pending", [RED], BOB_CARD),
        ]
        for position, (order_id, customer, status, items, method) in enumerate(orders):
            s.add(OrderRow(id=order_id, customer_id=customer, customer_position=position,
                           status=status, **HOME))
            s.flush()
            for lpos, item in enumerate(items):
                pid = PRODUCT_OF[item]
                s.add(OrderLineRow(order_id=order_id, position=lpos, product_id=pid,
                                   item_id=item, name=CATALOGUE[pid][0], price=PRICE_OF[item],
                                   options=CATALOGUE[pid][1][item][1]))
            s.add(TransactionRow(order_id=order_id, position=0, kind="payment",
                                 amount=sum((PRICE_OF[i] for i in items), D(0)),
                                 payment_method_id=method))
        s.commit()


@pytest.fixture
def shop(actions: RetailActions, sessions: sessionmaker[Session]) -> RetailActions:
    seed_shop(sessions)
    return actions


def as_ann(**kw: Any) -> Authorization:
    return Authorization(**{"customer_id": ANN, "identity_verified": True, "confirmed": True, **kw})


def as_bob(**kw: Any) -> Authorization:
    return Authorization(**{"customer_id": BOB, "identity_verified": True, "confirmed": True, **kw})


def as_staff(**kw: Any) -> Authorization:
    return Authorization(
        **{"actor": Actor.OPERATOR, "identity_verified": True, "confirmed": True, **kw}
    )


# --- reading the database back ----------------------------------------------------------


def balance(sessions: sessionmaker[Session], method_id: str) -> Decimal | None:
    with sessions() as s:
        return s.get(PaymentMethodRow, method_id).balance  # type: ignore[union-attr]


def transaction_rows(sessions: sessionmaker[Session], order_id: str) -> list[tuple]:
    with sessions() as s:
        rows = s.scalars(
            select(TransactionRow).where(TransactionRow.order_id == order_id)
            .order_by(TransactionRow.position)
        )
        return [(r.position, r.kind, r.amount, r.payment_method_id, r.idempotency_key)
                for r in rows]


def snapshot(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """Everything an action could change, as plain comparable data."""
    with sessions() as s:
        repo = ShopRepository(s)
        order_ids = s.scalars(select(OrderRow.id).order_by(OrderRow.id)).all()
        return {
            "orders": {oid: repo.order(oid).model_dump() for oid in order_ids},
            "customers": {c.id: repo.customer(c.id).model_dump()
                          for c in s.scalars(select(CustomerRow))},
            "balances": {m.id: m.balance for m in s.scalars(select(PaymentMethodRow))},
            "transactions": s.scalars(select(func.count()).select_from(TransactionRow)).one(),
            "records": sorted(s.scalars(select(ActionRecordRow.idempotency_key)).all()),
            "events": s.scalars(select(func.count()).select_from(AuditEventRow)).one(),
        }


# --- every write action, end to end -----------------------------------------------------


def test_cancel_refunds_the_card(shop: RetailActions, sessions: sessionmaker[Session]) -> None:
    result = shop.execute(CancelOrder(order_id=PENDING, reason="no longer needed"),
                          idempotency_key="k-cancel", authorization=as_ann())
    assert result.status == OrderStatus.CANCELLED
    assert result.amount == D("120.00")
    assert not result.replayed
    assert result.policy_rules == ("cancel_order.auto_max",)
    order = shop.get_order(PENDING)
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == "no longer needed"
    assert transaction_rows(sessions, PENDING) == [
        (0, "payment", D("120.00"), ANN_CARD, None),
        (1, "refund", D("120.00"), ANN_CARD, "k-cancel"),
    ]
    assert balance(sessions, ANN_GIFT) == GIFT_OPENING


def test_cancel_refunds_a_gift_card_at_once(
    shop: RetailActions, sessions: sessionmaker[Session]
) -> None:
    shop.execute(CancelOrder(order_id=PENDING_GIFT, reason="ordered by mistake"),
                 idempotency_key="k", authorization=as_ann())
    assert balance(sessions, ANN_GIFT) == GIFT_OPENING + D("110.00")
    assert shop.get_order(PENDING_GIFT).total_refunded() == D("110.00")


def test_modify_items_charges_the_gift_card(
    shop: RetailActions, sessions: sessionmaker[Session]
) -> None:
    result = shop.execute(
        ModifyItems(order_id=PENDING, item_ids=[RED, SMALL], new_item_ids=[BLUE, BIG],
                    payment_method_id=ANN_GIFT),
        idempotency_key="k-mod", authorization=as_ann(),
    )
    assert result.amount == D("52.50")
    assert result.status == OrderStatus.PENDING_ITEM_MODIFIED
    order = shop.get_order(PENDING)
    assert order.status == OrderStatus.PENDING_ITEM_MODIFIED
    assert [(ln.item_id, ln.price, ln.options) for ln in order.lines] == [
        (BLUE, D("12.50"), {"color": "blue"}),
        (RED, D("10.00"), {"color": "red"}),
        (BIG, D("150.00"), {"size": "big"}),
    ]
    assert balance(sessions, ANN_GIFT) == GIFT_OPENING - D("52.50")
    assert transaction_rows(sessions, PENDING)[1:] == [
        (1, "payment", D("52.50"), ANN_GIFT, "k-mod")
    ]


def test_modify_items_refund_goes_back_to_the_card(
    shop: RetailActions, sessions: sessionmaker[Session]
) -> None:
    shop.execute(
        ModifyItems(order_id=PENDING, item_ids=[RED], new_item_ids=[GREEN],
                    payment_method_id=ANN_CARD),
        idempotency_key="k", authorization=as_ann(),
    )
    assert transaction_rows(sessions, PENDING)[1:] == [(1, "refund", D("2.00"), ANN_CARD, "k")]
    before = snapshot(sessions)
    # items are modified once: the order is now "pending (item modified)"
    with pytest.raises(WrongOrderStatus):
        shop.execute(
            ModifyItems(order_id=PENDING, item_ids=[RED], new_item_ids=[BLUE],
                        payment_method_id=ANN_CARD),
            idempotency_key="k2", authorization=as_ann(),
        )
    assert snapshot(sessions) == before


def test_modify_items_refund_may_go_to_another_of_the_customers_methods(
    shop: RetailActions, sessions: sessionmaker[Session]
) -> None:
    shop.execute(
        ModifyItems(order_id=PENDING, item_ids=[RED], new_item_ids=[GREEN],
                    payment_method_id=ANN_PAYPAL),
        idempotency_key="k", authorization=as_ann(),
    )
    assert transaction_rows(sessions, PENDING)[1:] == [(1, "refund", D("2.00"), ANN_PAYPAL, "k")]


def test_modify_order_address(shop: RetailActions, sessions: sessionmaker[Session]) -> None:
    result = shop.execute(ModifyOrderAddress(order_id=PENDING, address=AWAY),
                          idempotency_key="k", authorization=as_ann())
    assert result.amount == D("0.00")
    assert result.status == OrderStatus.PENDING
    order = shop.get_order(PENDING)
    assert order.address == AWAY
    assert len(order.transactions) == 1


def test_modify_order_payment_from_gift_card_to_card(
    shop: RetailActions, sessions: sessionmaker[Session]
) -> None:
    shop.execute(ModifyOrderPayment(order_id=PENDING_GIFT, payment_method_id=ANN_CARD),
                 idempotency_key="k-pay", authorization=as_ann())
    assert transaction_rows(sessions, PENDING_GIFT) == [
        (0, "payment", D("110.00"), ANN_GIFT, None),
        (1, "payment", D("110.00"), ANN_CARD, "k-pay"),
        (2, "refund", D("110.00"), ANN_GIFT, "k-pay"),
    ]
    assert balance(sessions, ANN_GIFT) == GIFT_OPENING + D("110.00")
    assert shop.get_order(PENDING_GIFT).status == OrderStatus.PENDING


def test_modify_order_payment_to_gift_card(
    shop: RetailActions, sessions: sessionmaker[Session]
) -> None:
    shop.execute(ModifyOrderPayment(order_id=PENDING, payment_method_id=ANN_GIFT),
                 idempotency_key="k", authorization=as_ann())
    assert balance(sessions, ANN_GIFT) == GIFT_OPENING - D("120.00")
    assert shop.get_order(PENDING).net_paid_by_method() == {
        ANN_CARD: D("0.00"), ANN_GIFT: D("120.00"),
    }


def test_modify_user_address(shop: RetailActions) -> None:
    result = shop.execute(ModifyUserAddress(customer_id=ANN, address=AWAY),
                          idempotency_key="k", authorization=as_ann())
    assert result.target_id == ANN
    assert shop.get_customer(ANN).address == AWAY
    assert shop.get_customer(BOB).address.address1 == HOME["address1"]


def test_return_then_receive_refunds_the_gift_card(
    shop: RetailActions, sessions: sessionmaker[Session]
) -> None:
    requested = shop.execute(
        ReturnItems(order_id=DELIVERED, item_ids=[SMALL, RED], payment_method_id=ANN_GIFT),
        idempotency_key="k-ret", authorization=as_ann(),
    )
    assert requested.status == OrderStatus.RETURN_REQUESTED
    assert requested.amount == D("110.00")
    assert requested.transactions == ()
    order = shop.get_order(DELIVERED)
    assert order.return_items == tuple(sorted([SMALL, RED]))
    assert order.return_payment_method_id == ANN_GIFT
    assert balance(sessions, ANN_GIFT) == GIFT_OPENING  # nothing moves before the items arrive

    # customers cannot record the arrival themselves
    with pytest.raises(PolicyViolation):
        shop.execute(ReceiveReturn(order_id=DELIVERED), idempotency_key="k-rcv-customer",
                     authorization=as_ann())
    received = shop.execute(ReceiveReturn(order_id=DELIVERED), idempotency_key="k-rcv",
                            authorization=as_staff(confirmed=False))
    assert received.status == OrderStatus.RETURNED
    assert shop.get_order(DELIVERED).status == OrderStatus.RETURNED
    assert balance(sessions, ANN_GIFT) == GIFT_OPENING + D("110.00")
    assert transaction_rows(sessions, DELIVERED)[1:] == [
        (1, "refund", D("110.00"), ANN_GIFT, "k-rcv")
    ]


def test_return_to_the_original_card(shop: RetailActions, sessions: sessionmaker[Session]) -> None:
    shop.execute(ReturnItems(order_id=DELIVERED_WATCH, item_ids=[WATCH],
                             payment_method_id=ANN_CARD),
                 idempotency_key="k-ret", authorization=as_ann(approved_tier=Tier.APPROVER,
                                                               approved_by=("carol",)))
    shop.execute(ReceiveReturn(order_id=DELIVERED_WATCH), idempotency_key="k-rcv",
                 authorization=as_staff())
    order = shop.get_order(DELIVERED_WATCH)
    assert order.status == OrderStatus.RETURNED
    assert order.total_refunded() == order.total_paid() == D("1819.92")


@pytest.mark.parametrize(
    ("old", "new", "method", "difference", "gift_after"),
    [
        pytest.param(SMALL, BIG, ANN_CARD, D("50.00"), GIFT_OPENING, id="dearer-card-pays"),
        pytest.param(SMALL, BIG, ANN_GIFT, D("50.00"), GIFT_OPENING - D("50.00"),
                     id="dearer-gift-card-pays"),
        pytest.param(RED, GREEN, ANN_GIFT, D("-2.00"), GIFT_OPENING + D("2.00"),
                     id="cheaper-gift-card-credited"),
    ],
)
def test_exchange_then_receive(
    shop: RetailActions, sessions: sessionmaker[Session],
    old: str, new: str, method: str, difference: Decimal, gift_after: Decimal,
) -> None:
    requested = shop.execute(
        ExchangeItems(order_id=DELIVERED, item_ids=[old], new_item_ids=[new],
                      payment_method_id=method),
        idempotency_key="k-exc", authorization=as_ann(),
    )
    assert requested.status == OrderStatus.EXCHANGE_REQUESTED
    assert requested.amount == abs(difference)
    assert shop.get_order(DELIVERED).exchange_price_difference == difference
    assert balance(sessions, ANN_GIFT) == GIFT_OPENING

    shop.execute(ReceiveReturn(order_id=DELIVERED), idempotency_key="k-rcv",
                 authorization=as_staff())
    order = shop.get_order(DELIVERED)
    assert order.status == OrderStatus.EXCHANGED
    assert sorted(ln.item_id for ln in order.lines) == sorted(
        [new, SMALL if old == RED else RED]
    )
    assert {ln.item_id: ln.price for ln in order.lines}[new] == PRICE_OF[new]
    kind = "payment" if difference > 0 else "refund"
    assert transaction_rows(sessions, DELIVERED)[1:] == [
        (1, kind, abs(difference), method, "k-rcv")
    ]
    assert balance(sessions, ANN_GIFT) == gift_after
    assert order.total_paid() - order.total_refunded() == sum(
        (ln.price for ln in order.lines), D(0)
    )


# --- exactly once -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(CancelOrder(order_id=PENDING_GIFT, reason="no longer needed"), id="cancel"),
        pytest.param(ModifyItems(order_id=PENDING, item_ids=[SMALL], new_item_ids=[BIG],
                                 payment_method_id=ANN_GIFT), id="modify-items"),
        pytest.param(ModifyOrderPayment(order_id=PENDING, payment_method_id=ANN_GIFT),
                     id="modify-payment"),
        pytest.param(ModifyUserAddress(customer_id=ANN, address=AWAY), id="user-address"),
    ],
)
def test_same_key_replays_the_first_result(
    shop: RetailActions, sessions: sessionmaker[Session], command: Any
) -> None:
    first = shop.execute(command, idempotency_key="key-1", authorization=as_ann())
    after_first = snapshot(sessions)
    again = shop.execute(command, idempotency_key="key-1", authorization=as_ann())
    assert again.replayed is True
    assert again.model_copy(update={"replayed": False}) == first
    assert snapshot(sessions) == after_first


def test_same_key_with_other_arguments_conflicts(
    shop: RetailActions, sessions: sessionmaker[Session]
) -> None:
    shop.execute(CancelOrder(order_id=PENDING, reason="no longer needed"),
                 idempotency_key="key-1", authorization=as_ann())
    before = snapshot(sessions)
    with pytest.raises(IdempotencyConflict):
        shop.execute(CancelOrder(order_id=PENDING, reason="ordered by mistake"),
                     idempotency_key="key-1", authorization=as_ann())
    with pytest.raises(IdempotencyConflict):
        shop.execute(ModifyOrderAddress(order_id=PENDING_GIFT, address=AWAY),
                     idempotency_key="key-1", authorization=as_ann())
    assert snapshot(sessions) == before


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(CancelOrder(order_id=PENDING_GIFT, reason="no longer needed"),
                     id="cancel-gift-card-refund"),
        pytest.param(ModifyOrderPayment(order_id=PENDING, payment_method_id=ANN_GIFT),
                     id="modify-payment-to-gift-card"),
        pytest.param(ReturnItems(order_id=DELIVERED, item_ids=[RED], payment_method_id=ANN_GIFT),
                     id="return"),
    ],
)
def test_concurrent_duplicates_act_once(
    shop: RetailActions, sessions: sessionmaker[Session], command: Any
) -> None:
    callers = 8
    barrier = threading.Barrier(callers, timeout=30)
    results: list[ActionResult] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def call() -> None:
        try:
            barrier.wait()
            result = shop.execute(command, idempotency_key="dup-key", authorization=as_ann())
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)
        else:
            with lock:
                results.append(result)

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert len(results) == callers
    assert sum(not r.replayed for r in results) == 1
    assert len({r.model_copy(update={"replayed": False}).model_dump_json() for r in results}) == 1

    state = snapshot(sessions)
    assert state["records"] == ["dup-key"]
    assert state["events"] == 1
    with sessions() as s:
        written = s.scalars(
            select(TransactionRow).where(TransactionRow.idempotency_key == "dup-key")
        ).all()
    assert len(written) == len(results[0].transactions)
    if isinstance(command, CancelOrder):
        assert [r.kind for r in written] == [TransactionKind.REFUND.value]
        assert balance(sessions, ANN_GIFT) == GIFT_OPENING + D("110.00")
    if isinstance(command, ModifyOrderPayment):
        assert balance(sessions, ANN_GIFT) == GIFT_OPENING - D("120.00")


# --- the policy, re-checked by the store ------------------------------------------------


RETURN_WATCH = ReturnItems(order_id=DELIVERED_WATCH, item_ids=[WATCH], payment_method_id=ANN_CARD)
RETURN_GOLD = ReturnItems(order_id=DELIVERED_GOLD, item_ids=[GOLD_WATCH],
                          payment_method_id=ANN_PAYPAL)


@pytest.mark.parametrize(
    ("command", "authorization", "error"),
    [
        pytest.param(RETURN_WATCH, as_ann(), ApprovalRequired, id="above-auto-no-approval"),
        pytest.param(RETURN_WATCH, as_ann(approved_tier=Tier.AUTO), ApprovalRequired,
                     id="above-auto-approved-as-auto"),
        pytest.param(RETURN_GOLD, as_ann(approved_tier=Tier.APPROVER, approved_by=("a", "b")),
                     ApprovalRequired, id="senior-needed-approver-given"),
        pytest.param(RETURN_GOLD, as_ann(approved_tier=Tier.SENIOR_APPROVER,
                                         approved_by=("alice",)),
                     ApprovalRequired, id="four-eyes-one-approver"),
        pytest.param(RETURN_GOLD, as_ann(approved_tier=Tier.SENIOR_APPROVER,
                                         approved_by=("alice", "alice")),
                     ApprovalRequired, id="four-eyes-same-approver-twice"),
        pytest.param(RETURN_WATCH, Authorization(customer_id=ANN, confirmed=True),
                     PolicyViolation, id="unverified"),
        pytest.param(RETURN_WATCH, Authorization(customer_id=ANN, identity_verified=True),
                     PolicyViolation, id="unconfirmed"),
        pytest.param(CancelOrder(order_id=BOBS, reason="no longer needed"), as_ann(),
                     NotYourOrder, id="not-your-order"),
        pytest.param(RETURN_WATCH, as_bob(approved_tier=Tier.SENIOR_APPROVER), NotYourOrder,
                     id="not-your-order-even-approved"),
        pytest.param(ModifyUserAddress(customer_id=BOB, address=AWAY), as_ann(), NotYourOrder,
                     id="not-your-account"),
        pytest.param(CancelOrder(order_id=PENDING, reason="no longer needed"),
                     Authorization(identity_verified=True, confirmed=True), NotYourOrder,
                     id="no-verified-customer"),
    ],
)
def test_refused_actions_write_nothing(
    shop: RetailActions, sessions: sessionmaker[Session],
    command: Any, authorization: Authorization, error: type[Exception],
) -> None:
    before = snapshot(sessions)
    with pytest.raises(error) as info:
        shop.execute(command, idempotency_key="k-refused", authorization=authorization)
    assert type(info.value) is error
    assert snapshot(sessions) == before
    # the key was not used up: the same request with the right authorization runs
    if error is ApprovalRequired:
        ok = as_ann(approved_tier=Tier.SENIOR_APPROVER, approved_by=("alice", "bob"))
        assert not shop.execute(command, idempotency_key="k-refused", authorization=ok).replayed


@pytest.mark.parametrize(
    ("command", "authorization", "rules"),
    [
        pytest.param(RETURN_WATCH, as_ann(approved_tier=Tier.APPROVER, approved_by=("carol",)),
                     ("return_items.auto_max", "return_items.approver_max"),
                     id="approver"),
        pytest.param(RETURN_WATCH, as_ann(approved_tier=Tier.SENIOR_APPROVER,
                                          approved_by=("carol",)),
                     ("return_items.auto_max", "return_items.approver_max"),
                     id="senior-covers-approver"),
        pytest.param(RETURN_GOLD, as_ann(approved_tier=Tier.SENIOR_APPROVER,
                                         approved_by=("alice", "bob")),
                     ("return_items.approver_max", "return_items.senior_max",
                      "return_items.four_eyes_above"),
                     id="four-eyes-two-approvers"),
        pytest.param(CancelOrder(order_id=PENDING, reason="no longer needed"), as_staff(),
                     ("cancel_order.auto_max",), id="staff-on-any-customers-order"),
    ],
)
def test_approved_actions_run(
    shop: RetailActions, sessions: sessionmaker[Session],
    command: Any, authorization: Authorization, rules: tuple[str, ...],
) -> None:
    result = shop.execute(command, idempotency_key="k-ok", authorization=authorization)
    assert result.policy_rules == rules
    assert shop.get_order(command.order_id).status in (
        OrderStatus.RETURN_REQUESTED, OrderStatus.CANCELLED
    )
    with sessions() as s:
        event = s.scalars(select(AuditEventRow)).one()
    assert event.actor == (",".join(authorization.approved_by) or authorization.actor.value)


# --- the audit chain ----------------------------------------------------------------------


def _run_a_day(shop: RetailActions) -> list[str]:
    keys = []
    for key, command, auth in [
        ("a1", ModifyOrderAddress(order_id=PENDING, address=AWAY), as_ann()),
        ("a2", CancelOrder(order_id=PENDING_GIFT, reason="no longer needed"), as_ann()),
        ("a3", ReturnItems(order_id=DELIVERED, item_ids=[RED], payment_method_id=ANN_GIFT),
         as_ann()),
        ("a4", ReceiveReturn(order_id=DELIVERED), as_staff()),
        ("a5", ModifyUserAddress(customer_id=BOB, address=AWAY), as_bob()),
    ]:
        shop.execute(command, idempotency_key=key, authorization=auth)
        keys.append(key)
    # a replay and a refusal add nothing to the log
    shop.execute(ModifyOrderAddress(order_id=PENDING, address=AWAY), idempotency_key="a1",
                 authorization=as_ann())
    with pytest.raises(ApprovalRequired):
        shop.execute(RETURN_WATCH, idempotency_key="a6", authorization=as_ann())
    return keys


def test_audit_chain_records_every_action(
    shop: RetailActions, sessions: sessionmaker[Session]
) -> None:
    keys = _run_a_day(shop)
    with sessions() as s:
        events = s.scalars(select(AuditEventRow).order_by(AuditEventRow.seq)).all()
        assert [e.payload["idempotency_key"] for e in events] == keys
        assert [e.payload["action"] for e in events] == [
            "modify_order_address", "cancel_order", "return_items", "receive_return",
            "modify_user_address",
        ]
        assert all(e.kind == "action.executed" for e in events)
        assert events[1].payload["amount"] == "110.00"
        assert events[0].prev_hash == "0" * 64
        assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
        check = verify_chain(s)
    assert check.ok and check.checked == len(keys) and check.first_bad_seq is None


@pytest.mark.parametrize("tamper", ["actor", "payload", "delete", "hash"])
def test_audit_chain_reveals_tampering(
    shop: RetailActions, sessions: sessionmaker[Session], tamper: str
) -> None:
    _run_a_day(shop)
    with sessions() as s:
        seqs = s.scalars(select(AuditEventRow.seq).order_by(AuditEventRow.seq)).all()
        victim = seqs[2]
        if tamper == "actor":
            s.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = :seq"),
                      {"seq": victim})
        elif tamper == "payload":
            row = s.get(AuditEventRow, victim)
            assert row is not None
            payload = {**row.payload, "amount": "0.01"}
            s.execute(update(AuditEventRow.__table__)
                      .where(AuditEventRow.__table__.c.seq == victim).values(payload=payload))
        elif tamper == "delete":
            s.execute(text("DELETE FROM audit_events WHERE seq = :seq"), {"seq": victim})
        else:
            s.execute(text("UPDATE audit_events SET hash = :h WHERE seq = :seq"),
                      {"h": "f" * 64, "seq": victim})
        s.commit()
    with sessions() as s:
        check = verify_chain(s)
    assert not check.ok
    assert check.checked == 2
    # a deleted row shows as its successor no longer following the chain
    assert check.first_bad_seq == (seqs[3] if tamper == "delete" else victim)


# --- schema and money ---------------------------------------------------------------------


def outside_search_engine(name: str | None, kind: str, parents: dict[str, str | None]) -> bool:
    """What the models describe: not the full-text index the knowledge migration adds
    by hand (SQLite's FTS5 tables, PostgreSQL's generated tsvector column and its index)."""
    if kind == "table":
        return not is_search_engine_table(name or "")
    if kind == "column" and parents.get("table_name") == "knowledge_passages":
        return name != "search"
    return not (kind == "index" and name == "ix_knowledge_passages_search")


def is_search_engine_table(name: str) -> bool:
    return name.startswith("knowledge_fts")


def test_migration_builds_exactly_the_models_schema(sessions: sessionmaker[Session]) -> None:
    engine = sessions.kw["bind"]
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": outside_search_engine}
        )
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == []


AMOUNTS = [
    D("1819.92"), D("0.01"), D("0.00"), D("0.10"), D("-5.25"), D("50.88"), D("99999.99"),
    D("1234567890.12"), D("92233720368547758.07"),  # the largest a BIGINT of cents holds
]


def test_money_round_trips_exactly(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        s.add(CustomerRow(id="c", first_name="M", last_name="R", email="m@example.com"))
        s.flush()
        for i, amount in enumerate(AMOUNTS):
            s.add(PaymentMethodRow(id=f"gift_card_{i}", customer_id="c", position=i,
                                   kind="gift_card", balance=amount))
        s.add(PaymentMethodRow(id="gift_card_half", customer_id="c", kind="gift_card",
                               balance=D("0.005")))
        s.add(PaymentMethodRow(id="paypal_none", customer_id="c", kind="paypal"))
        s.commit()
    with sessions() as s:
        for i, amount in enumerate(AMOUNTS):
            stored = s.get(PaymentMethodRow, f"gift_card_{i}").balance  # type: ignore[union-attr]
            assert isinstance(stored, Decimal)
            assert stored == amount and str(stored) == str(amount)
            cents = s.execute(text("SELECT balance FROM payment_methods WHERE id = :i"),
                              {"i": f"gift_card_{i}"}).scalar_one()
            assert cents == int(amount * 100)  # whole cents in the column, no float anywhere
        half = s.get(PaymentMethodRow, "gift_card_half")
        assert half is not None and half.balance == D("0.01")  # rounded once, half up
        none = s.get(PaymentMethodRow, "paypal_none")
        assert none is not None and none.balance is None


def test_money_round_trips_through_an_order(shop: RetailActions) -> None:
    order = shop.get_order(DELIVERED_WATCH)
    assert order.lines[0].price == D("1819.92")
    assert order.transactions[0].amount == D("1819.92")
    assert str(order.total_paid()) == "1819.92"
