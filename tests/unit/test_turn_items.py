"""Items resolved one by one in the turn's decision (domain.turn.items_of_turn, pick_items):
the lines a return, an exchange or an item change is for, or the question first."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal as D

import pytest

from domain.commands import ReturnItems
from domain.dialogue import Category
from domain.retail import Order, OrderLine, OrderStatus
from domain.turn import (
    Ask,
    Captured,
    Escalate,
    OutcomeKind,
    Propose,
    TurnFacts,
    TurnRead,
    decide_turn,
    pick_items,
)
from tests.unit.test_dialogue_changes import ADA, SHOES, order
from tests.unit.test_turn import POLICY


def speaker(item_id: str, color: str, price: str) -> OrderLine:
    return OrderLine(
        product_id="speaker",
        item_id=item_id,
        name="Bluetooth Speaker",
        price=D(price),
        options={"color": color},
    )


BLUE = speaker("sp-blue", "blue", "20.00")
BLACK = speaker("sp-black", "black", "25.00")
BOTTLE = OrderLine(
    product_id="bottle", item_id="b-1", name="Water Bottle", price=D("9.00"), options={}
)
SPEAKERS = order(OrderStatus.DELIVERED, BLUE, BLACK, BOTTLE)
TWINS = order(OrderStatus.DELIVERED, BLUE, BLUE, BOTTLE)


@dataclass(frozen=True)
class Row:
    name: str
    message: str
    the_order: Order = SPEAKERS
    category: Category = Category.RETURN
    captured: Captured = field(default_factory=lambda: Captured())
    kind: OutcomeKind = OutcomeKind.ASK
    ask_for: str | None = None
    items: tuple[str, ...] = ()  # the item ids a proposal returns, in order
    choices: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


def facts(row: Row) -> TurnFacts:
    return TurnFacts(
        read=TurnRead(category=row.category, confidence=0.9, autonomous=True),
        message=row.message,
        captured=row.captured,
        verified=True,
        customer=ADA,
        order=row.the_order,
        policy=POLICY,
        variants={"shoe": SHOES},
    )


ROWS = [
    Row("one named item of several is returned alone", "please return the water bottle",
        kind=OutcomeKind.PROPOSE, items=("b-1",)),
    Row("a line told apart by its option is the one returned", "return the black speaker",
        kind=OutcomeKind.PROPOSE, items=("sp-black",)),
    Row("a name that fits two lines is a question listing both", "return the speaker",
        ask_for="item_choice", choices=("sp-blue", "sp-black")),
    Row("the picked id settles the question", "return the speaker",
        captured={"picked_item_ids": ["sp-blue"]}, kind=OutcomeKind.PROPOSE, items=("sp-blue",)),
    Row("two identical lines: 'both' returns both", "return both speakers", the_order=TWINS,
        kind=OutcomeKind.PROPOSE, items=("sp-blue", "sp-blue")),
    Row("a product the order does not hold is said so, never the whole order",
        "return the laptop", ask_for="item", missing=("laptop",),
        captured={"item_names": ["laptop"]}),
    Row("nothing named on a multi-line order asks which item", "I want to return my order",
        ask_for="item"),
    Row("the only line of a single-line order may be taken", "I want to return my order",
        the_order=order(OrderStatus.DELIVERED), kind=OutcomeKind.PROPOSE, items=("s-black-9",)),
    Row("the answer to 'which item?' is kept with the request", "the bottle",
        captured={"issue": "I want to return something", "item_request": "the bottle"},
        kind=OutcomeKind.PROPOSE, items=("b-1",)),
    Row("an exchange of one of two lines asks which", "exchange the speaker",
        category=Category.EXCHANGE, ask_for="item_choice", choices=("sp-blue", "sp-black")),
    Row("after asking twice, a person takes over", "return the speaker",
        captured={"item_asks": 2}, kind=OutcomeKind.ESCALATE),
    Row("an undelivered order's return is still refused by the rule", "return the speaker",
        the_order=order(OrderStatus.PENDING, BLUE, BLACK), kind=OutcomeKind.REFUSE),
]  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_items_of_the_turn(row: Row) -> None:
    outcome = decide_turn(facts(row))
    assert outcome.kind is row.kind, outcome
    if isinstance(outcome, Ask):
        assert outcome.ask_for == row.ask_for
        assert outcome.choices == row.choices
        assert outcome.missing == row.missing
    if isinstance(outcome, Propose):
        assert [i.item_id for i in outcome.action.items] == list(row.items)
        if isinstance(outcome.action.command, ReturnItems):
            assert outcome.action.command.item_ids == list(row.items)
            total = sum((i.price for i in outcome.action.items), D("0"))
            assert outcome.action.amount == total
    if isinstance(outcome, Escalate):
        assert "still open" in outcome.handoff_reason


def test_a_proposal_lists_each_item_with_its_options_amount_method_and_total() -> None:
    outcome = decide_turn(facts(Row("", "return the black speaker and the water bottle")))
    assert isinstance(outcome, Propose)
    assert outcome.action.described == (
        "I will return the Bluetooth Speaker (color black) for 25.00 and the Water Bottle for "
        "9.00 from order #W0000001: refund 34.00 to your Visa ending 4242."
    )


@pytest.mark.parametrize(
    ("answer", "picked"),
    [
        ("the black one", ["sp-black"]),
        ("the first one", ["sp-blue"]),
        ("both", ["sp-blue", "sp-black"]),
    ],
)
def test_an_answer_to_which_of_these_is_read_against_the_lines_offered(
    answer: str, picked: list[str]
) -> None:
    asked = Captured(item_candidates=["sp-blue", "sp-black"], item_asks=1)
    captured = pick_items(asked, SPEAKERS, answer)
    assert captured.get("picked_item_ids") == picked
    assert "item_candidates" not in captured
    then = decide_turn(facts(Row("", answer, captured={**captured, "issue": "return the speaker"})))
    assert isinstance(then, Propose)
    assert sorted(i.item_id for i in then.action.items) == sorted(picked)


def test_an_answer_that_picks_nothing_leaves_the_question_open() -> None:
    asked = Captured(item_candidates=["sp-blue", "sp-black"], item_asks=1)
    assert pick_items(asked, SPEAKERS, "hmm not sure") == asked
