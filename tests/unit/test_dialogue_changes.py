"""The dialogue for changes: exchanges, item and address and payment changes (domain.dialogue)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal as D
from typing import Any

import pytest

from domain.dialogue import Category, DialogueInput, Step, decide
from domain.retail import (
    Address,
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    PaymentKind,
    PaymentMethod,
    Transaction,
    TransactionKind,
    Variant,
)
from tests.unit.test_matching import shoe

HOME = Address(
    address1="1 Main St", address2="", city="Springfield", state="IL", country="USA", zip="62701"
)
CARD = PaymentMethod(
    id="credit_card_1", kind=PaymentKind.CREDIT_CARD, brand="visa", last_four="4242"
)
OTHER_CARD = PaymentMethod(
    id="credit_card_2", kind=PaymentKind.CREDIT_CARD, brand="visa", last_four="1111"
)
PAYPAL = PaymentMethod(id="paypal_1", kind=PaymentKind.PAYPAL)
ADA = Customer(
    id="ada",
    first_name="Ada",
    last_name="L",
    email="ada@example.com",
    address=HOME,
    payment_methods=(CARD, OTHER_CARD, PAYPAL),
)


SHOES = [
    shoe("s-black-9", "black", "9"),
    shoe("s-black-10", "black", "10"),
    shoe("s-red-9", "red", "9"),
]
LAMP = OrderLine(product_id="lamp", item_id="l-1", name="Lamp", price=D("30"), options={"w": "60"})


def order(status: str, *lines: OrderLine) -> Order:
    lines = lines or (
        OrderLine(
            product_id="shoe",
            item_id="s-black-9",
            name="Running Shoes",
            price=D("80.00"),
            options={"color": "black", "size": "9"},
        ),
    )
    return Order(
        id="#W0000001",
        customer_id="ada",
        status=status,
        address=HOME,
        lines=tuple(lines),
        transactions=(
            Transaction(
                kind=TransactionKind.PAYMENT, amount=D("80.00"), payment_method_id="credit_card_1"
            ),
        ),
    )


def ask(
    category: Category,
    message: str,
    o: Order | None,
    *,
    variants: Mapping[str, Sequence[Variant]] | None = None,
    **captured: Any,
) -> Any:
    """The decision on a verified customer's `message` (the shoes' variants by default)."""
    return decide(
        DialogueInput(
            category=category,
            wants_human=False,
            confident=True,
            autonomous=True,
            verified=True,
            affirm=None,
            captured=captured,
            customer=ADA,
            order=o,
            proposal=None,
            message=message,
            variants={"shoe": SHOES} if variants is None else variants,
        )
    )


def test_an_exchange_for_a_named_version_is_proposed_with_the_original_card() -> None:
    d = ask(Category.EXCHANGE, "I'd like them in size 10", order(OrderStatus.DELIVERED))
    assert d.step is Step.CONFIRM
    assert d.command == {
        "kind": "exchange_items",
        "order_id": "#W0000001",
        "item_ids": ["s-black-9"],
        "new_item_ids": ["s-black-10"],
        "payment_method_id": "credit_card_1",
    }
    assert "Running Shoes" in d.extra["detail"] and "10" in d.extra["detail"]


@pytest.mark.parametrize(
    "message", ["the strap snapped, can I swap it for a new one", "the same one please"]
)
def test_a_replacement_exchanges_for_the_very_same_version(message: str) -> None:
    d = ask(Category.EXCHANGE, message, order(OrderStatus.DELIVERED))
    assert d.step is Step.CONFIRM
    assert (d.command["item_ids"], d.command["new_item_ids"]) == (["s-black-9"], ["s-black-9"])


def test_identical_items_are_no_wish_for_the_same_version_when_another_is_named() -> None:
    # "identical" says what the order holds; the size named is the wish. The size 11 is
    # not sold here, so there is nothing to propose: the customer is asked which version.
    message = "I got two identical pairs, could one be a size 11 instead?"
    d = ask(Category.EXCHANGE, message, order(OrderStatus.DELIVERED))
    assert (d.step, d.ask_for) == (Step.ASK, "new_option")
    d = ask(Category.EXCHANGE, "an identical pair in red please", order(OrderStatus.DELIVERED))
    assert d.command is not None and d.command["new_item_ids"] == ["s-red-9"]


def test_both_of_two_identical_lines_are_exchanged_when_both_are_meant() -> None:
    pair = OrderLine(
        product_id="shoe", item_id="s-black-9", name="Running Shoes", price=D("80.00"),
        options={"color": "black", "size": "9"},
    )  # fmt: skip
    two = order(OrderStatus.DELIVERED, pair, pair)
    both = ask(Category.EXCHANGE, "both pairs in size 10", two, item_ids=["s-black-9"] * 2)
    assert both.command["item_ids"] == ["s-black-9", "s-black-9"]
    assert both.command["new_item_ids"] == ["s-black-10", "s-black-10"]
    one = ask(Category.EXCHANGE, "one pair in size 10", two, item_ids=["s-black-9"])
    assert one.command["item_ids"] == ["s-black-9"]


def test_a_change_before_shipping_is_never_to_the_same_version() -> None:
    d = ask(Category.CHANGE_ITEMS, "the same one please", order(OrderStatus.PENDING))
    assert (d.step, d.ask_for) == (Step.ASK, "new_option")
    # The question offers the other versions in stock, never the line's own.
    assert d.extra["choices"] == ("s-black-10", "s-red-9")


def test_the_first_message_counts_too_and_a_named_method_is_used() -> None:
    d = ask(
        Category.CHANGE_ITEMS,
        "pay any difference with paypal",
        order(OrderStatus.PENDING),
        issue="can I switch my shoes to the red ones",
        payment="paypal",
    )
    assert d.step is Step.CONFIRM
    assert d.command["kind"] == "modify_items" and d.command["new_item_ids"] == ["s-red-9"]
    assert d.command["payment_method_id"] == "paypal_1"


@pytest.mark.parametrize(
    ("category", "message", "status", "captured", "step", "ask_for"),
    [
        (Category.EXCHANGE, "swap them", OrderStatus.DELIVERED, {}, Step.ASK, "new_option"),
        (Category.EXCHANGE, "size 10", OrderStatus.PENDING, {}, Step.REFUSE, None),
        (Category.CHANGE_ITEMS, "size 10", OrderStatus.DELIVERED, {}, Step.REFUSE, None),
        (Category.CHANGE_ADDRESS, "ship elsewhere", OrderStatus.PENDING, {}, Step.ASK, "address"),
        (
            Category.CHANGE_ADDRESS,
            "to 12 Elm Street, Boston, MA 02110",
            OrderStatus.DELIVERED,
            {},
            Step.REFUSE,
            None,
        ),
        (
            Category.CHANGE_PAYMENT,
            "use my card",
            OrderStatus.PENDING,
            {"payment": "credit_card"},
            Step.ASK,
            "new_payment",
        ),  # two cards: which one?
        (
            Category.CHANGE_PAYMENT,
            "paypal",
            OrderStatus.PROCESSED,
            {"payment": "paypal"},
            Step.REFUSE,
            None,
        ),
    ],
)
def test_what_is_missing_is_asked_and_what_is_against_policy_refused(
    category: Category,
    message: str,
    status: str,
    captured: dict[str, Any],
    step: Step,
    ask_for: str | None,
) -> None:
    d = ask(category, message, order(status), **captured)
    assert (d.step, d.ask_for) == (step, ask_for)
    assert d.command is None


def test_several_items_need_one_named() -> None:
    two = order(OrderStatus.DELIVERED, order(OrderStatus.DELIVERED).lines[0], LAMP)
    assert ask(Category.EXCHANGE, "size 10", two).ask_for == "item"
    named = ask(Category.EXCHANGE, "size 10", two, item_ids=["s-black-9"])
    assert named.step is Step.CONFIRM and named.command["new_item_ids"] == ["s-black-10"]


LED = OrderLine(
    product_id="lamp", item_id="l-1", name="Lamp", price=D("30"), options={"bulb": "LED"}
)
LAMPS = [
    Variant(
        product_id="lamp", item_id="l-1", options={"bulb": "LED"}, price=D("30"), available=True
    ),
    Variant(
        product_id="lamp", item_id="l-2", options={"bulb": "halogen"}, price=D("25"), available=True
    ),
]


@pytest.mark.parametrize(
    "message",
    [
        "could the shoes be size 10 and the lamp the halogen one?",
        "shoes: size 10 please; also the lamp -> halogen",
    ],
)
def test_several_items_each_with_its_own_version_are_changed_together(message: str) -> None:
    two = order(OrderStatus.PENDING, order(OrderStatus.PENDING).lines[0], LED)
    d = ask(Category.CHANGE_ITEMS, message, two, variants={"shoe": SHOES, "lamp": LAMPS})
    assert d.step is Step.CONFIRM
    assert (d.command["item_ids"], d.command["new_item_ids"]) == (
        ["s-black-9", "l-1"], ["s-black-10", "l-2"]
    )  # fmt: skip
    assert "Running Shoes" in d.extra["detail"] and "Lamp" in d.extra["detail"]


@pytest.mark.parametrize(
    "message",
    [
        "could the shoes be size 10 and the lamp something else?",  # the lamp's version unknown
        "the shoes and the lamp in halogen and size 10",  # whose version is whose is unclear
    ],
)
def test_several_items_without_a_version_each_ask_for_one_item(message: str) -> None:
    two = order(OrderStatus.PENDING, order(OrderStatus.PENDING).lines[0], LED)
    d = ask(Category.CHANGE_ITEMS, message, two, variants={"shoe": SHOES, "lamp": LAMPS})
    assert (d.step, d.ask_for, d.command) == (Step.ASK, "item", None)


def test_an_order_address_change_reads_the_new_address() -> None:
    d = ask(
        Category.CHANGE_ADDRESS,
        "please send it to 12 Elm Street, Boston, MA 02110",
        order(OrderStatus.PENDING),
    )
    assert d.step is Step.CONFIRM
    assert d.command["kind"] == "modify_order_address"
    assert d.command["address"]["zip"] == "02110" and d.command["address"]["city"] == "Boston"


def test_a_payment_change_to_a_card_named_by_its_last_four() -> None:
    d = ask(
        Category.CHANGE_PAYMENT,
        "the card ending 1111",
        order(OrderStatus.PENDING),
        payment="credit_card",
        card_last_four="1111",
    )
    assert d.command == {
        "kind": "modify_order_payment",
        "order_id": "#W0000001",
        "payment_method_id": "credit_card_2",
    }


def test_an_account_address_change_needs_no_order() -> None:
    d = ask(Category.ACCOUNT_ADDRESS, "I moved to 455 Oak Ave, San Diego, CA 92101", None)
    assert d.step is Step.CONFIRM
    assert d.command["kind"] == "modify_user_address" and d.command["customer_id"] == "ada"
    assert ask(Category.ACCOUNT_ADDRESS, "I moved", None).ask_for == "address"


@pytest.mark.parametrize(
    ("category", "status", "message", "new_item"),
    [
        (Category.EXCHANGE, OrderStatus.DELIVERED, "exchange them for a bigger size", "s-black-10"),
        (Category.EXCHANGE, OrderStatus.DELIVERED, "one size up please", "s-black-10"),
        (Category.CHANGE_ITEMS, OrderStatus.PENDING, "make it a size up", "s-black-10"),
        # Refusals: the black 8s and the red 10s are sold out (asked, never swapped for
        # another size or colour), and "lighter" is not an order of sizes.
        (Category.EXCHANGE, OrderStatus.DELIVERED, "one size smaller", None),
        (Category.EXCHANGE, OrderStatus.DELIVERED, "a lighter pair", None),
        (Category.EXCHANGE, OrderStatus.DELIVERED, "the red ones a size up", None),
    ],
)
def test_a_relative_wish_is_proposed_only_when_it_lands_on_one_available_version(
    category: Category, status: str, message: str, new_item: str | None
) -> None:
    catalogue = [
        *SHOES,
        shoe("s-black-8", "black", "8", available=False),
        shoe("s-red-10", "red", "10", available=False),
    ]
    d = ask(category, message, order(status), variants={"shoe": catalogue})
    if new_item is None:
        assert (d.step, d.ask_for, d.command) == (Step.ASK, "new_option", None)
    else:
        assert d.step is Step.CONFIRM and d.command is not None
        assert d.command["item_ids"] == ["s-black-9"] and d.command["new_item_ids"] == [new_item]


def test_a_cancellation_reason_in_the_customers_own_words_is_no_longer_needed() -> None:
    asked = ask(Category.CANCEL_ORDER, "cancel it please", order(OrderStatus.PENDING))
    assert (asked.step, asked.ask_for) == (Step.ASK, "cancel_reason")
    answered = ask(
        Category.CANCEL_ORDER,
        "it won't fit up my stairs",
        order(OrderStatus.PENDING),
        asked={"cancel_reason": 1},
    )
    assert answered.step is Step.CONFIRM
    assert answered.command["reason"] == "no longer needed"
    named = ask(
        Category.CANCEL_ORDER,
        "by mistake",
        order(OrderStatus.PENDING),
        asked={"cancel_reason": 1},
        cancel_reason="ordered by mistake",
    )
    assert named.command["reason"] == "ordered by mistake"


@pytest.mark.parametrize(
    ("message", "captured", "note"),
    [
        ("return the shoes, refund it to my friend's bank account", {}, "refund_elsewhere"),
        ("return the shoes and put the money on a new Visa card", {}, "refund_elsewhere"),
        ("return the shoes please", {}, None),
        # another card, but one of her own: the refund goes there, nothing to say
        ("return the shoes, refund it to a different card, the one ending 1111",
         {"payment": "credit_card", "card_last_four": "1111"}, None),
    ],
)  # fmt: skip
def test_a_refund_asked_to_go_somewhere_it_cannot_is_said_in_the_proposal(
    message: str, captured: dict[str, str], note: str | None
) -> None:
    d = ask(Category.RETURN, message, order(OrderStatus.DELIVERED), **captured)
    assert d.step is Step.CONFIRM
    assert d.extra.get("note") == note
