"""Who a customer is, from a name and a zip (graph.identity.verify_identity): the name
is read in either order, and both the name and the zip must fit one customer."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import NotFound
from domain.retail import Address, Customer
from graph.deps import AgentDeps
from graph.identity import verify_identity
from trustdesk.config import Settings

ADA = Customer(
    id="ada_1",
    first_name="Ada",
    last_name="Lovelace",
    email="ada@example.com",
    address=Address(
        address1="1 Main St", address2="", city="New York", state="NY", country="USA",
        zip="10001",
    ),
)  # fmt: skip


class OneCustomer:
    """The shop's customer lookups, over Ada alone."""

    def find_customer_by_name_zip(self, first_name: str, last_name: str, zip_code: str) -> Any:
        if (first_name, last_name, zip_code) == ("Ada", "Lovelace", "10001"):
            return ADA
        raise NotFound("no such customer")

    def find_customer_by_email(self, email: str) -> Any:
        if email == ADA.email:
            return ADA
        raise NotFound("no such customer")


def deps() -> AgentDeps:
    return AgentDeps(
        codes=None,  # type: ignore[arg-type]  # the read level needs no code
        shop=OneCustomer(),  # type: ignore[arg-type]
        brain=None,  # type: ignore[arg-type]
        policy=Settings().policy,
        autonomous_categories=frozenset(),
    )


@pytest.mark.parametrize(
    ("first", "last", "zip_code", "found"),
    [
        ("Ada", "Lovelace", "10001", True),
        ("Lovelace", "Ada", "10001", True),  # the surname first
        ("Lovelace", "Ada", "10002", False),  # either order, the zip must fit
        ("Ada", "Byron", "10001", False),
    ],
)
def test_a_name_and_zip_find_the_customer_in_either_order(
    first: str, last: str, zip_code: str, found: bool
) -> None:
    state: Any = {
        "category": "order_status",
        "captured": {"first_name": first, "last_name": last, "zip": zip_code},
    }
    update = verify_identity(deps(), state)
    assert (update.get("customer_id") == ADA.id) is found


def test_a_name_given_with_the_email_may_be_in_either_order() -> None:
    state: Any = {
        "category": "order_status",
        "captured": {"email": "ada@example.com", "first_name": "Lovelace", "last_name": "Ada"},
    }
    update = verify_identity(deps(), state)
    assert update["identity_level"] == "email+factor"  # the name is a second factor, as given


def test_a_zip_alone_is_no_failed_attempt_to_say_who_one_is() -> None:
    """A zip with no name or email to match it to (a delivery address's, say) is not
    answered "I couldn't confirm those details"; a name and zip that fit no one are."""
    alone: Any = {"category": "change_address", "captured": {"zip": "11215"}}
    assert verify_identity(deps(), alone)["identity_failed"] is False
    wrong: Any = {
        "category": "order_status",
        "captured": {"first_name": "Ada", "last_name": "Byron", "zip": "10001"},
    }
    assert verify_identity(deps(), wrong)["identity_failed"] is True
