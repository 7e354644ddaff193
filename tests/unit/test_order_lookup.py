"""Finding the order a request is about among the customer's own (domain.order_lookup)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from domain.dialogue import Category
from domain.order_lookup import find_order, pick_listed
from domain.retail import Address, Order, OrderLine, OrderStatus

HOME = Address(
    address1="1 Main St", address2="", city="Boston", state="MA", country="USA", zip="02110"
)


def line(name: str, item_id: str, price: str = "20.00") -> OrderLine:
    return OrderLine(
        product_id=name.lower().replace(" ", "-"),
        item_id=item_id,
        name=name,
        price=D(price),
        options={"color": "black"},
    )


def order(number: int, status: OrderStatus, *lines: OrderLine) -> Order:
    return Order(
        id=f"#W000000{number}",
        customer_id="ada",
        status=status,
        address=HOME,
        lines=lines,
        transactions=(),
    )


EARBUDS = order(1, OrderStatus.DELIVERED, line("Wireless Earbuds", "e-1", "89.00"))
LAMP_AND_MUG = order(2, OrderStatus.DELIVERED, line("Desk Lamp", "l-1"), line("Coffee Mug", "m-1"))
PENDING_SHOES = order(3, OrderStatus.PENDING, line("Running Shoes", "s-1", "80.00"))
ON_THE_WAY = order(4, OrderStatus.PROCESSED, line("Office Chair", "c-1", "449.00"))
CANCELLED = order(5, OrderStatus.CANCELLED, line("Water Bottle", "w-1"))
ORDERS = (EARBUDS, LAMP_AND_MUG, PENDING_SHOES, ON_THE_WAY, CANCELLED)


@pytest.mark.parametrize(
    "category, text, found",
    [
        # The only order the request can apply to.
        (Category.CANCEL_ORDER, "cancel my order please", PENDING_SHOES),
        (Category.CHANGE_ADDRESS, "ship it to my new flat instead", PENDING_SHOES),
        (Category.REFUND_STATUS, "where is my refund", CANCELLED),
        # Of several it could apply to, the one holding the product named.
        (Category.RETURN, "the earbuds crackle, I want my money back", EARBUDS),
        (Category.EXCHANGE, "swap the lamp for a white one", LAMP_AND_MUG),
        # Not yet delivered, for "where is it".
        (Category.ORDER_STATUS, "where's my stuff? ordered ages ago", None),
        (Category.ORDER_STATUS, "when does the chair arrive", ON_THE_WAY),
        # A question is about the order named, whatever its status.
        (Category.ORDER_STATUS, "where are my earbuds", EARBUDS),
        # A product on an order the request cannot apply to: that order, to hear why not.
        (Category.CANCEL_ORDER, "cancel the office chair", ON_THE_WAY),
    ],
)
def test_the_order_a_request_is_about(category: Category, text: str, found: Order | None) -> None:
    assert find_order(category, text, ORDERS).found == found


def test_a_product_named_in_full_beats_one_sharing_a_word() -> None:
    tea = order(6, OrderStatus.DELIVERED, line("Tea Kettle", "t-1"))
    electric = order(7, OrderStatus.PROCESSED, line("Electric Kettle", "k-1"))
    assert find_order(Category.ORDER_STATUS, "where is my tea kettle", (tea, electric)).found == tea
    lookup = find_order(Category.ORDER_STATUS, "where is my kettle", (tea, electric))
    assert lookup.candidates == (electric, tea)


def test_a_name_for_several_lines_of_one_order_names_that_order() -> None:
    kettles = order(
        8, OrderStatus.PENDING, line("Tea Kettle", "t-1"), line("Electric Kettle", "k-1")
    )
    others = (EARBUDS, LAMP_AND_MUG, kettles)
    assert find_order(Category.OTHER, "I put two kettles in my basket", others).found == kettles


def test_an_order_said_not_to_have_shipped_is_a_pending_one() -> None:
    text = "read me back everything on my order that hasn't shipped"
    assert find_order(Category.OTHER, text, ORDERS).found == PENDING_SHOES
    # None pending: the words pick nothing, and every order stays a candidate.
    assert len(find_order(Category.OTHER, text, (EARBUDS, LAMP_AND_MUG)).candidates) == 2


def test_several_orders_are_candidates_newest_first() -> None:
    lookup = find_order(Category.RETURN, "I want to return something", ORDERS)
    assert lookup.found is None
    assert lookup.candidates == (LAMP_AND_MUG, EARBUDS)
    status = find_order(Category.ORDER_STATUS, "where is my order", ORDERS)
    assert status.candidates == (ON_THE_WAY, PENDING_SHOES)


def test_a_question_about_an_order_looks_at_all_when_none_fits() -> None:
    delivered_only = (EARBUDS, LAMP_AND_MUG)
    assert find_order(Category.ORDER_STATUS, "status?", delivered_only).candidates == (
        LAMP_AND_MUG,
        EARBUDS,
    )
    # A change cannot apply to any of them, and none is named: nothing to propose.
    assert find_order(Category.CANCEL_ORDER, "cancel it", delivered_only).candidates == ()


def test_no_orders_no_candidates() -> None:
    assert find_order(Category.RETURN, "return the earbuds", ()).candidates == ()


@pytest.mark.parametrize(
    "answer, picked",
    [
        ("the one with the lamp", LAMP_AND_MUG),
        ("the earbuds one", EARBUDS),
        ("the first one", LAMP_AND_MUG),
        ("2nd", EARBUDS),
        ("the last", EARBUDS),
        ("the third one", None),  # only two were listed
        ("I don't know", None),
    ],
)
def test_an_answer_picks_from_the_orders_listed(answer: str, picked: Order | None) -> None:
    assert pick_listed(answer, (LAMP_AND_MUG, EARBUDS)) == picked
