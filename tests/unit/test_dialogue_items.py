"""The items a conversation names, read once the order is known (domain.dialogue).

The brain can match item names only against an order it has already seen, so on the
turn whose message names both the order and the item ("return the water bottle from
order #W…") the dialogue reads the item against the order just loaded.
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from domain.dialogue import Category, Decision, Step
from domain.retail import Order, OrderLine, OrderStatus, Transaction, TransactionKind
from tests.unit.test_dialogue_changes import HOME, ask
from tests.unit.test_matching import BOTTLES, line_of


def line(item_id: str, name: str, **options: str) -> OrderLine:
    return OrderLine(product_id=name, item_id=item_id, name=name, price=D("40"), options=options)


BOTTLE = line_of(BOTTLES[1], "Water Bottle")  # 750ml, red
BOOKSHELF = line("4900661478", "Bookshelf", material="glass", height="5 ft")
KETTLE = line("9624127908", "Electric Kettle", capacity="1.5L")
TEE_BLUE = line("1000000005", "T-Shirt", color="blue", size="M")
TEE_RED = line("1000000006", "T-Shirt", color="red", size="M")


def several(status: str, *lines: OrderLine) -> Order:
    return Order(
        id="#W4817420",
        customer_id="ada",
        status=status,
        address=HOME,
        lines=lines or (BOTTLE, BOOKSHELF, KETTLE),
        transactions=(
            Transaction(
                kind=TransactionKind.PAYMENT, amount=D("120.00"), payment_method_id="credit_card_1"
            ),
        ),
    )


def first_turn(category: Category, message: str, o: Order, **captured: Any) -> Decision:
    """The turn that names the order: the brain had no order lines to match against."""
    return ask(
        category, message, o, variants={"bottle": BOTTLES}, order_id=o.id, issue=message, **captured
    )


@pytest.mark.parametrize(
    ("message", "captured", "item_ids"),
    [
        ("return the water bottle from order #W4817420", {}, ["w-750"]),
        ("I want to send back my kettle and the bookshelf", {}, ["4900661478", "9624127908"]),
        ("return item 9624127908 from #W4817420", {}, ["9624127908"]),
        # What the brain matched on a turn that knew the order wins over the words.
        ("return the water bottle", {"item_ids": ["9624127908"]}, ["9624127908"]),
        # Nothing named: the whole order, as before.
        ("return order #W4817420 please", {}, ["w-750", "4900661478", "9624127908"]),
    ],
)
def test_a_return_takes_the_items_the_first_message_names(
    message: str, captured: dict[str, Any], item_ids: list[str]
) -> None:
    d = first_turn(Category.RETURN, message, several(OrderStatus.DELIVERED), **captured)
    assert d.step is Step.CONFIRM
    assert d.command is not None and d.command["item_ids"] == item_ids


@pytest.mark.parametrize(
    ("message", "lines", "step", "ask_for", "new_item_ids"),
    [
        (
            "exchange the water bottle from order #W4817420 for the larger capacity one",
            (),
            Step.CONFIRM,
            None,
            ["w-1000"],
        ),
        (
            "exchange the water bottle from #W4817420 for a lighter one",
            (),
            Step.ASK,
            "new_option",
            None,
        ),
        # Two items named, or none of several: which one is asked, never guessed.
        (
            "exchange the bottle and the kettle from #W4817420 for bigger ones",
            (),
            Step.ASK,
            "item",
            None,
        ),
        ("exchange something from #W4817420 for a bigger one", (), Step.ASK, "item", None),
        (
            "swap the t-shirt from #W4817420 for a size up",
            (TEE_BLUE, TEE_RED),
            Step.ASK,
            "item",
            None,
        ),
    ],
)
def test_an_exchange_reads_the_item_named_with_the_order(
    message: str,
    lines: tuple[OrderLine, ...],
    step: Step,
    ask_for: str | None,
    new_item_ids: list[str] | None,
) -> None:
    d = first_turn(Category.EXCHANGE, message, several(OrderStatus.DELIVERED, *lines))
    assert (d.step, d.ask_for) == (step, ask_for)
    if new_item_ids is None:
        assert d.command is None
    else:
        assert d.command is not None
        assert d.command["item_ids"] == ["w-750"] and d.command["new_item_ids"] == new_item_ids


@pytest.mark.parametrize(
    ("category", "message", "status"),
    [
        (Category.RETURN, "return the laptop from order #W4817420", OrderStatus.DELIVERED),
        (Category.EXCHANGE, "exchange the laptop in #W4817420 for a bigger one",
         OrderStatus.DELIVERED),
        (Category.CHANGE_ITEMS, "change the laptop in #W4817420 to the grey one",
         OrderStatus.PENDING),
    ],
)  # fmt: skip
def test_a_product_the_order_does_not_hold_gets_a_question_not_the_whole_order(
    category: Category, message: str, status: str
) -> None:
    # One line only: without the check the return would take it, and an exchange too.
    decision = first_turn(category, message, several(status, KETTLE), item_names=["laptop"])
    assert decision.step is Step.ASK and decision.ask_for == "item"
    assert decision.reasons == (
        "order #W4817420 holds no laptop, so the item must be one of its own",
    )
    assert decision.command is None


def test_naming_one_of_the_orders_items_afterwards_goes_on() -> None:
    o = several(OrderStatus.DELIVERED, KETTLE, BOOKSHELF)
    decision = ask(
        Category.RETURN,
        "sorry, I meant the kettle",
        o,
        order_id=o.id,
        issue="return the laptop from order #W4817420",
        item_names=["kettle"],
    )
    assert decision.step is Step.CONFIRM
    assert decision.command is not None and decision.command["item_ids"] == [KETTLE.item_id]
