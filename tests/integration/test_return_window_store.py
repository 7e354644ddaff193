"""The store enforces the policy's return window on orders whose delivery date it knows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from domain.commands import Authorization, ReturnItems
from domain.errors import ReturnWindowClosed
from domain.policy import load_policy
from store.actions import RetailActions
from store.models import OrderRow, utcnow
from tests.shop import ADA, create_shop

ADA_VERIFIED = Authorization(customer_id=ADA, identity_verified=True, confirmed=True)


def delivered_days_ago(sessions: sessionmaker[Session], order_id: str, days: int) -> None:
    with sessions() as s:
        row = s.get(OrderRow, order_id)
        assert row is not None
        row.delivered_on = utcnow().date() - timedelta(days=days)
        s.commit()


def return_mug(shop: RetailActions, key: str) -> None:
    shop.execute(
        ReturnItems(order_id="#W0000002", item_ids=["mug-1"], payment_method_id="credit_card_ada"),
        idempotency_key=key,
        authorization=ADA_VERIFIED,
    )


def test_a_return_after_the_window_is_refused_inside_it_allowed(
    sessions: sessionmaker[Session],
) -> None:
    create_shop(sessions)
    policy = load_policy()
    assert policy.terms.return_window_days == 30
    shop = RetailActions(sessions, policy)
    delivered_days_ago(sessions, "#W0000002", 31)
    with pytest.raises(ReturnWindowClosed, match="within 30 days of delivery"):
        return_mug(shop, "k-late")
    assert shop.get_order("#W0000002").status == "delivered"

    delivered_days_ago(sessions, "#W0000002", 30)
    return_mug(shop, "k-in-time")
    assert shop.get_order("#W0000002").status == "return requested"


def test_without_a_window_in_the_policy_nothing_is_enforced(
    sessions: sessionmaker[Session],
) -> None:
    create_shop(sessions)
    policy = load_policy()
    open_policy = policy.model_copy(
        update={"terms": policy.terms.model_copy(update={"return_window_days": None})}
    )
    delivered_days_ago(sessions, "#W0000002", 400)
    return_mug(RetailActions(sessions, open_policy), "k-old")
