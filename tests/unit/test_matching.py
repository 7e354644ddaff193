"""Reading the variant and the address a customer asks for (domain.matching)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from domain.matching import choose_variant, parse_address, requested_options
from domain.retail import Address, OrderLine, Variant


def shoe(item_id: str, color: str, size: str, available: bool = True) -> Variant:
    return Variant(
        item_id=item_id,
        product_id="shoe",
        options={"color": color, "size": size},
        price=D("80.00"),
        available=available,
    )


SHOES = [
    shoe("s-black-9", "black", "9"),
    shoe("s-black-10", "black", "10"),
    shoe("s-red-9", "red", "9"),
    shoe("s-red-10", "red", "10", available=False),
    shoe("s-rose-9", "rose gold", "9"),
    shoe("s-gold-9", "gold", "9"),
]
LINE = OrderLine(
    product_id="shoe",
    item_id="s-black-9",
    name="Running Shoes",
    price=D("80.00"),
    options={"color": "black", "size": "9"},
)


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        pytest.param("can I get them in size 10 instead", "s-black-10", id="size-keeps-colour"),
        pytest.param("I'd like the red ones", "s-red-9", id="colour-keeps-size"),
        pytest.param("exchange for rose gold please", "s-rose-9", id="longest-mention-wins"),
        pytest.param("the gold pair", "s-gold-9", id="gold"),
        pytest.param("red in size 10", None, id="unavailable"),
        pytest.param("a bigger size", None, id="relative-size-is-not-a-choice"),
        pytest.param("just exchange them", None, id="nothing-named"),
        pytest.param("black size 9 again", None, id="same-as-the-line"),
        pytest.param("in purple", None, id="no-such-option"),
        pytest.param("I have 10 toes", None, id="a-number-without-its-option"),
    ],
)
def test_choose_variant(text: str, chosen: str | None) -> None:
    variant = choose_variant(LINE, SHOES, text)
    assert (variant.item_id if variant else None) == chosen


def test_size_words_stand_for_letter_sizes() -> None:
    shirts = [
        Variant(
            item_id=f"t-{s}", product_id="tee", options={"size": s}, price=D("20"), available=True
        )
        for s in ("S", "M", "L", "XL")
    ]
    line = OrderLine(
        product_id="tee", item_id="t-M", name="T-Shirt", price=D("20"), options={"size": "M"}
    )
    assert requested_options("swap it for a large", shirts) == {"size": "L"}
    assert choose_variant(line, shirts, "swap it for a large").item_id == "t-L"  # type: ignore[union-attr]
    assert choose_variant(line, shirts, "size xl please").item_id == "t-XL"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        pytest.param(
            "please ship it to 12 Elm Street, Boston, MA 02110 instead",
            Address(
                address1="12 Elm Street",
                address2="",
                city="Boston",
                state="MA",
                country="USA",
                zip="02110",
            ),
            id="street-city-state-zip",
        ),
        pytest.param(
            "new address: 455 oak ave apt 3b, san diego ca 92101",
            Address(
                address1="455 Oak Ave",
                address2="Apt 3B",
                city="San Diego",
                state="CA",
                country="USA",
                zip="92101",
            ),
            id="lower-case-with-apartment",
        ),
        pytest.param(
            "I moved to 9 Martin Luther King Jr Blvd, Suite 200, Austin, TX 78701-1234.",
            Address(
                address1="9 Martin Luther King Jr Blvd",
                address2="Suite 200",
                city="Austin",
                state="TX",
                country="USA",
                zip="78701",
            ),
            id="long-street-and-zip-plus-four",
        ),
        pytest.param("send it to my office", None, id="no-address"),
        pytest.param("12 Elm Street please", None, id="no-city-or-zip"),
        pytest.param("order #W1234567 for 2 items", None, id="numbers-are-not-an-address"),
    ],
)
def test_parse_address(text: str, address: Address | None) -> None:
    assert parse_address(text) == address
