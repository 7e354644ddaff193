"""Level 0: the reference data survives a trip through Trustdesk's store bit for bit."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.conformance import check_round_trip, dict_hash, reference_hash
from domain.commands import Authorization, CancelOrder
from domain.policy import Actor, Policy, Tier
from store.actions import RetailActions
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
from store.tau2 import export_retail_db, import_retail_db

REFERENCE_COUNTS = {
    "products": 50,
    "variants": 591,
    "customers": 500,
    "payment_methods": 695,
    "orders": 1000,
    "order_lines": 2978,
    "transactions": 1102,
    "fulfillments": 577,
}
TABLES = {
    "products": ProductRow,
    "variants": VariantRow,
    "customers": CustomerRow,
    "payment_methods": PaymentMethodRow,
    "orders": OrderRow,
    "order_lines": OrderLineRow,
    "transactions": TransactionRow,
    "fulfillments": FulfillmentRow,
}


def row_counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in TABLES.items()
        }


def test_import_then_export_has_the_reference_hash(
    sessions: sessionmaker[Session], reference_data: dict[str, Any]
) -> None:
    counts = import_retail_db(sessions, reference_data)

    assert counts == REFERENCE_COUNTS
    assert row_counts(sessions) == REFERENCE_COUNTS
    round_trip = check_round_trip(sessions, reference_data)
    assert round_trip.ok, (round_trip.trustdesk_hash, round_trip.reference_hash)


def test_export_is_exactly_what_the_reference_model_dumps(
    sqlite_sessions: sessionmaker[Session], reference_data: dict[str, Any]
) -> None:
    from tau2.domains.retail.data_model import RetailDB

    import_retail_db(sqlite_sessions, reference_data)
    exported = export_retail_db(sqlite_sessions)

    dumped = RetailDB.model_validate(exported).model_dump()
    assert exported == dumped
    assert list(exported["users"]) == list(reference_data["users"])
    assert list(exported["products"]) == list(reference_data["products"])
    some_user = next(iter(reference_data["users"].values()))
    assert exported["users"][some_user["user_id"]]["orders"] == some_user["orders"]


def test_a_changed_document_changes_the_hash(
    sqlite_sessions: sessionmaker[Session], reference_data: dict[str, Any]
) -> None:
    """The round trip is sensitive: one cent or one reordered list shows."""
    changed = copy.deepcopy(reference_data)
    order = next(o for o in changed["orders"].values() if len(o["items"]) >= 2)
    order["items"].reverse()
    import_retail_db(sqlite_sessions, changed)

    assert dict_hash(export_retail_db(sqlite_sessions)) == reference_hash(changed)
    assert dict_hash(export_retail_db(sqlite_sessions)) != reference_hash(reference_data)


def test_reimport_replaces_instead_of_duplicating(
    sessions: sessionmaker[Session], reference_data: dict[str, Any], policy: Policy
) -> None:
    import_retail_db(sessions, reference_data)
    order = next(o for o in reference_data["orders"].values() if o["status"] == "pending")
    RetailActions(sessions, policy).execute(
        CancelOrder(order_id=order["order_id"], reason="no longer needed"),
        idempotency_key="level0-cancel",
        authorization=Authorization(
            actor=Actor.CUSTOMER,
            customer_id=order["user_id"],
            identity_verified=True,
            confirmed=True,
            approved_tier=Tier.SENIOR_APPROVER,
            approved_by=("a", "b"),
        ),
    )
    assert not check_round_trip(sessions, reference_data).ok

    assert import_retail_db(sessions, reference_data) == REFERENCE_COUNTS

    assert row_counts(sessions) == REFERENCE_COUNTS
    assert check_round_trip(sessions, reference_data).ok
