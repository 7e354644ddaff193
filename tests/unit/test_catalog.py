"""Stock, version and price questions answered from the catalog (domain.catalog), and
their wording (brain.templates.catalog_reply)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from brain.base import ReplyRequest
from brain.templates import compose_from_template
from domain.catalog import asks_about_stock_or_price, catalog_answer
from domain.dialogue import Category
from domain.policy import Policy
from domain.retail import Product, Variant
from domain.turn import Answer, AnswerSource, TurnFacts, TurnRead, decide_turn


def _watch(item: str, size: str, colour: str, price: str, available: bool) -> Variant:
    return Variant(
        item_id=item,
        product_id="watch",
        options={"size": size, "color": colour},
        price=D(price),
        available=available,
    )


WATCH = Product(
    id="watch",
    name="Smart Watch",
    variants=(
        _watch("w1", "41mm", "black", "249.00", True),
        _watch("w2", "45mm", "silver", "299.00", True),
        _watch("w3", "45mm", "black", "289.00", False),
    ),
)
MUG = Product(
    id="mug",
    name="Coffee Mug",
    variants=(
        Variant(
            item_id="m1", product_id="mug", options={"color": "white"}, price=D("12.00"),
            available=True,
        ),
    ),
)  # fmt: skip
CATALOG = (WATCH, MUG)


@pytest.mark.parametrize(
    ("message", "asked", "matching", "instead"),
    [
        ("Do you have the 45mm smart watch in silver?", {"size": "45mm", "color": "silver"},
         ["w2"], []),
        ("is the smart watch in black in stock?", {"color": "black"}, ["w1", "w3"], []),
        ("how much is the smartwatch", {}, ["w1", "w2", "w3"], []),
        ("do you sell the smart watch in gold?", {}, ["w1", "w2", "w3"], []),
        ("which colours does the mug come in?", {}, ["m1"], []),
    ],
)  # fmt: skip
def test_the_catalog_answers_what_it_holds(
    message: str, asked: dict[str, str], matching: list[str], instead: list[str]
) -> None:
    found = catalog_answer(message, CATALOG)
    assert found is not None
    assert found.asked == asked
    prices = {v.item_id: v.price for p in CATALOG for v in p.variants}
    assert sorted(o.price for o in found.matching) == sorted(prices[i] for i in matching)


def test_a_version_that_does_not_exist_lists_those_that_do() -> None:
    found = catalog_answer("do you have the 41mm smart watch in silver?", CATALOG)
    assert found is not None and found.asked == {"size": "41mm", "color": "silver"}
    assert found.matching == ()
    assert [o.price for o in found.instead] == [D("249.00"), D("299.00"), D("289.00")]


@pytest.mark.parametrize(
    "message",
    [
        "is the smart watch waterproof?",  # not a stock, version or price question
        "do you have a blender?",  # no product of the shop
        "how much are the smart watch and the mug together?",  # two products
    ],
)
def test_what_the_catalog_does_not_answer(message: str) -> None:
    assert catalog_answer(message, CATALOG) is None


def test_one_name_listed_twice_is_one_product() -> None:
    again = Product(id="watch2", name="Smart Watch", variants=(
        _watch("w9", "45mm", "gold", "399.00", True),
    ))  # fmt: skip
    found = catalog_answer("do you have the smart watch in gold?", (*CATALOG, again))
    assert found is not None and [o.price for o in found.matching] == [D("399.00")]


def test_stock_and_price_cues() -> None:
    assert asks_about_stock_or_price("Do you have it in blue?")
    assert asks_about_stock_or_price("what sizes does it come in")
    assert not asks_about_stock_or_price("what is your return window?")
    # a claim about a price is not a question the catalog answers
    assert asks_about_stock_or_price("how much is the kettle?")
    assert not asks_about_stock_or_price("the kettle is cheaper at another shop, price match?")
    assert not asks_about_stock_or_price("it went down in price, can you refund the difference")


def _facts(message: str, *, searched: bool = True, autonomous: bool = False) -> TurnFacts:
    return TurnFacts(
        read=TurnRead(
            category=Category.PRODUCT_QUESTION, confidence=0.9, autonomous=autonomous
        ),
        message=message,
        captured={},
        verified=False,
        customer=None,
        order=None,
        policy=Policy(actions={}),
        knowledge=() if searched else None,
        catalog=CATALOG,
    )


def test_the_turn_answers_from_the_catalog_without_identity() -> None:
    outcome = decide_turn(_facts("Do you have the 45mm smart watch in silver?"))
    assert isinstance(outcome, Answer) and outcome.source is AnswerSource.CATALOG
    assert outcome.catalog is not None and outcome.partial  # product questions not cleared
    cleared = decide_turn(_facts("is the mug in stock?", autonomous=True))
    assert isinstance(cleared, Answer) and not cleared.partial
    # Not a question for the shop (the articles were not searched): no catalog answer.
    assert decide_turn(_facts("is the mug in stock?", searched=False)).kind != "answer"


def test_the_catalog_answer_is_worded_with_every_version_and_price() -> None:
    found = catalog_answer("Do you have the 45mm smart watch in silver?", CATALOG)
    assert found is not None
    facts = {"catalog": found.model_dump(mode="json") | {"partial": True}}
    text = compose_from_template(ReplyRequest(step="answer", answer="catalog", facts=facts)).text
    assert text.startswith("Yes, we sell the Smart Watch in 45mm, silver")
    assert "299.00" in text and "in stock" in text and "a person" in text
    gone = catalog_answer("is the 45mm smart watch in black available?", CATALOG)
    assert gone is not None
    facts = {"catalog": gone.model_dump(mode="json")}
    text = compose_from_template(ReplyRequest(step="answer", answer="catalog", facts=facts)).text
    assert "sold out at the moment" in text and "289.00" in text
    missing = catalog_answer("do you have the 41mm smart watch in silver?", CATALOG)
    assert missing is not None
    facts = {"catalog": missing.model_dump(mode="json")}
    text = compose_from_template(ReplyRequest(step="answer", answer="catalog", facts=facts)).text
    assert text.startswith("We don't sell the Smart Watch in 41mm, silver. It comes in:")
