"""Reading the variant and the address a customer asks for (domain.matching)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from domain.matching import (
    RelativeWish,
    choose_variant,
    lines_named,
    ordered_values,
    parse_address,
    relative_wish,
    requested_options,
    same_version_wanted,
    sold_out_asked,
)
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
        pytest.param("a bigger size", "s-black-10", id="a-size-up-keeps-colour"),
        pytest.param("just exchange them", None, id="nothing-named"),
        pytest.param("black size 9 again", None, id="same-as-the-line"),
        pytest.param("in purple", None, id="no-such-option"),
        pytest.param("I have 10 toes", None, id="a-number-without-its-option"),
        pytest.param(
            "the black ones pinch, the gold ones are fine: can I have black in size 10?",
            "s-black-10",
            id="a-kept-pair-asks-for-nothing",
        ),
    ],
)
def test_choose_variant(text: str, chosen: str | None) -> None:
    variant = choose_variant(LINE, SHOES, text)
    assert (variant.item_id if variant else None) == chosen


def test_a_sold_out_value_is_not_read_as_a_shorter_one() -> None:
    sold_out = [shoe("s-rose-9", "rose gold", "9", available=False), shoe("s-gold-9", "gold", "9")]
    assert choose_variant(LINE, sold_out, "in rose gold please") is None
    assert choose_variant(LINE, sold_out, "in gold please").item_id == "s-gold-9"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "sold_out"),
    [
        pytest.param("red in size 10", "s-red-10", id="named-outright"),
        pytest.param("red ones, a size up", "s-red-10", id="a-size-up"),
        pytest.param("can I get them in size 10 instead", None, id="in-stock"),
        pytest.param("in purple", None, id="no-such-version"),
        pytest.param("just exchange them", None, id="nothing-named"),
    ],
)
def test_the_sold_out_version_asked_for(text: str, sold_out: str | None) -> None:
    variant = sold_out_asked(LINE, SHOES, text)
    assert (variant.item_id if variant else None) == sold_out


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("could I have an M in the same blue?", "M"),
        ("swap it for an XL", "XL"),
        ("one in S please", "S"),
        ("I'm fine with it", None),  # "i'm" is no size M
        ("the blue is fine", None),
    ],
)
def test_a_letter_size_alone_after_an_article_or_preposition(text: str, size: str | None) -> None:
    shirts = [
        variant(f"t-{s}", "t", size=s, color="blue") for s in ("S", "M", "L", "XL")
    ]
    assert requested_options(text, shirts).get("size") == size


def test_a_replacement_is_the_same_version_only_when_no_other_value_is_named() -> None:
    assert same_version_wanted(LINE, SHOES, "the sole came off, can I get a replacement?")
    assert same_version_wanted(LINE, SHOES, "a replacement, black in size 9 like these")
    # red in 10 is sold out: still no wish for the black 9 again
    assert not same_version_wanted(LINE, SHOES, "a replacement but red in size 10")
    assert not same_version_wanted(LINE, SHOES, "I have two identical ones")


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
    ("text", "capacity"),
    [
        ("the 1 litre one", "1000ml"),
        ("1L please", "1000ml"),
        ("could it be the 1.5 liter one", "1.5 liters"),
        ("the 750 ml one", "750ml"),
        ("the 2 in the box", None),  # no length, no capacity
    ],
)
def test_a_quantity_is_read_in_any_unit_of_its_kind(text: str, capacity: str | None) -> None:
    bottles = [
        Variant(item_id=c, product_id="bottle", options={"capacity": c}, price=D("20"),
                available=True)
        for c in ("500ml", "750ml", "1000ml", "1.5 liters")
    ]  # fmt: skip
    assert requested_options(text, bottles).get("capacity") == capacity


def test_an_option_named_as_it_is_now_stays_so() -> None:
    helmets = [
        Variant(item_id=i, product_id="helmet", options={"size": s, "color": c, "vent": v},
                price=D("200"), available=True)
        for i, s, c, v in (("own", "L", "white", "medium"), ("s-black", "S", "black", "medium"),
                           ("l-black", "L", "black", "high"))
    ]  # fmt: skip
    line = OrderLine(product_id="helmet", item_id="own", name="Cycling Helmet", price=D("200"),
                     options={"size": "L", "color": "white", "vent": "medium"})  # fmt: skip
    # black alone fits both black ones equally well: a question, not a guess
    assert choose_variant(line, helmets, "could I have a black one?") is None
    chosen = choose_variant(line, helmets, "could I have a black one, same size L?")
    assert chosen is not None and chosen.item_id == "l-black"


def test_the_value_moved_away_from_is_not_the_one_wanted() -> None:
    bags = [
        Variant(item_id=f"b-{c}", product_id="bag", options={"size": "35L", "color": c},
                price=D("95"), available=True)
        for c in ("navy", "green")
    ]  # fmt: skip
    line = OrderLine(
        product_id="bag", item_id="b-green", name="Backpack", price=D("95"),
        options={"size": "35L", "color": "green"},
    )  # fmt: skip
    text = "can u make the backpack navy instead of green thx"
    assert choose_variant(line, bags, text).item_id == "b-navy"  # type: ignore[union-attr]
    # Naming only the colour it has is no change at all.
    assert choose_variant(line, bags, "the green one is fine") is None


# --- relative wishes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "ordered"),
    [
        pytest.param(["XL", "S", "XXL", "M", "L"], ["S", "M", "L", "XL", "XXL"], id="letters"),
        pytest.param(["large", "small", "medium"], ["small", "medium", "large"], id="words"),
        pytest.param(["10", "8", "9", "11"], ["8", "9", "10", "11"], id="numbers-not-text"),
        pytest.param(["1000ml", "500ml", "750ml"], ["500ml", "750ml", "1000ml"], id="millilitres"),
        pytest.param(["2L", "1.5L", "1L"], ["1L", "1.5L", "2L"], id="decimal-litres"),
        pytest.param(["750ml", "1L", "1.5 liters"], ["750ml", "1L", "1.5 liters"], id="ml-to-l"),
        pytest.param(["8 cups", "1 cup", "4 cups"], ["1 cup", "4 cups", "8 cups"], id="plurals"),
        pytest.param(["15-inch", "13-inch"], ["13-inch", "15-inch"], id="hyphenated-unit"),
        pytest.param(["1TB SSD", "256GB SSD"], ["256GB SSD", "1TB SSD"], id="gb-to-tb"),
        pytest.param(["A4", "A6", "A5"], ["A6", "A5", "A4"], id="paper"),
        pytest.param(["high", "low", "medium"], ["low", "medium", "high"], id="levels"),
        pytest.param(["large", "medium", "portable"], None, id="a-word-off-the-scale"),
        pytest.param(["1080p", "4K", "5K"], None, id="mixed-units"),
        pytest.param(["1L", "1000ml"], None, id="two-values-on-one-step"),
        pytest.param(["60%", "80%", "full size"], None, id="a-word-among-numbers"),
        pytest.param(["5-25 lbs", "30-50 lbs"], None, id="ranges"),
        pytest.param(["black", "red"], None, id="colours"),
    ],
)
def test_ordered_values(values: list[str], ordered: list[str] | None) -> None:
    assert ordered_values(values) == ordered


BOOT_OPTIONS = ["size", "material", "waterproof"]


@pytest.mark.parametrize(
    ("text", "options", "wish"),
    [
        ("exchange my hiking boots for a bigger size", BOOT_OPTIONS, RelativeWish("size", 1)),
        ("a size up please", BOOT_OPTIONS, RelativeWish("size", 1)),
        ("can you go up a size", BOOT_OPTIONS, RelativeWish("size", 1)),
        ("one size smaller", BOOT_OPTIONS, RelativeWish("size", -1)),
        ("they're too big, a size down", BOOT_OPTIONS, RelativeWish("size", -1)),
        ("I need bigger boots", BOOT_OPTIONS, RelativeWish("size", 1)),
        ("the larger capacity one", ["capacity", "color"], RelativeWish("capacity", 1)),
        ("a bigger one", ["capacity", "color"], RelativeWish("capacity", 1)),
        ("a bigger screen", ["screen size", "storage"], RelativeWish("screen size", 1)),
        ("a bigger size", ["screen size", "storage"], RelativeWish("screen size", 1)),
        ("more storage please", ["screen size", "storage"], RelativeWish("storage", 1)),
        ("a longer hose", ["length", "color"], RelativeWish("length", 1)),
        ("a taller one", ["height", "color"], RelativeWish("height", 1)),
        ("a bigger size", ["size", "capacity"], RelativeWish("size", 1)),
        # Refusals: two options could be meant, none fits, more than one step, negated,
        # or the words disagree.
        ("a bigger one", ["size", "capacity"], RelativeWish(None, 0)),
        ("a bigger one", ["color", "connectivity"], RelativeWish(None, 0)),
        ("two sizes up", BOOT_OPTIONS, RelativeWish(None, 0)),
        ("go up two sizes", BOOT_OPTIONS, RelativeWish(None, 0)),
        ("a much bigger size", BOOT_OPTIONS, RelativeWish(None, 0)),
        ("I don't want a bigger size", BOOT_OPTIONS, RelativeWish(None, 0)),
        ("bigger or smaller, whichever", BOOT_OPTIONS, RelativeWish(None, 0)),
        # Not a wish about the item at all.
        ("a lighter one", ["weight", "color"], None),
        ("I know the refund will be a smaller amount", BOOT_OPTIONS, None),
        ("tell me more about exchanges", BOOT_OPTIONS, None),
        ("in size 10", BOOT_OPTIONS, None),
    ],
)
def test_relative_wish(text: str, options: list[str], wish: RelativeWish | None) -> None:
    assert relative_wish(text, options, {"boots", "hiking boots", "hose"}) == wish


def boots(item_id: str, size: str, material: str = "leather", available: bool = True) -> Variant:
    return Variant(
        item_id=item_id,
        product_id="boots",
        options={"size": size, "material": material, "waterproof": "yes"},
        price=D("240.00"),
        available=available,
    )


# Shaped like τ²-retail's Hiking Boots: sizes 7 to 12, not every size in every material.
BOOTS = [
    boots("b-7", "7"),
    boots("b-8", "8", available=False),
    boots("b-9", "9"),
    boots("b-10", "10"),
    boots("b-11", "11", available=False),
    boots("b-12", "12"),
    boots("b-9-syn", "9", "synthetic"),
    boots("b-10-syn", "10", "synthetic"),
]


def boots_line(size: str, material: str = "leather") -> OrderLine:
    return OrderLine(
        product_id="boots",
        item_id=f"b-{size}" + ("" if material == "leather" else "-syn"),
        name="Hiking Boots",
        price=D("240.00"),
        options={"size": size, "material": material, "waterproof": "yes"},
    )


@pytest.mark.parametrize(
    ("size", "text", "chosen"),
    [
        pytest.param("9", "exchange my hiking boots for a bigger size", "b-10", id="bigger"),
        pytest.param("9", "one size up please", "b-10", id="a-size-up"),
        pytest.param("10", "one size smaller", "b-9", id="smaller"),
        pytest.param("9", "a size up in synthetic", "b-10-syn", id="with-a-named-option"),
        pytest.param("9", "size 10, one size up", "b-10", id="named-and-relative-agree"),
        pytest.param("9", "my size 9 is too small, a size up", "b-10", id="current-size-named"),
        pytest.param("7", "a size up", None, id="next-size-sold-out-is-not-skipped"),
        pytest.param("10", "a size up", None, id="next-size-sold-out"),
        pytest.param("12", "a bigger size", None, id="already-the-largest"),
        pytest.param("7", "a smaller size", None, id="already-the-smallest"),
        pytest.param("10", "a size up in synthetic", None, id="no-such-variant"),
        pytest.param("9", "size 8, one size up", None, id="named-and-relative-disagree"),
        pytest.param("9", "two sizes up", None, id="more-than-one-step"),
        pytest.param("9", "a lighter pair", None, id="lighter-is-not-a-size"),
    ],
)
def test_a_relative_wish_moves_one_step(size: str, text: str, chosen: str | None) -> None:
    variant = choose_variant(boots_line(size), BOOTS, text)
    assert (variant.item_id if variant else None) == chosen


def variant(item_id: str, product_id: str, available: bool = True, **options: str) -> Variant:
    return Variant(
        item_id=item_id,
        product_id=product_id,
        options={k.replace("_", " "): v for k, v in options.items()},
        price=D("50.00"),
        available=available,
    )


def line_of(v: Variant, name: str) -> OrderLine:
    return OrderLine(
        product_id=v.product_id, item_id=v.item_id, name=name, price=v.price, options=v.options
    )


BOTTLES = [
    variant("w-500", "bottle", capacity="500ml", color="red"),
    variant("w-750", "bottle", capacity="750ml", color="red"),
    variant("w-1000", "bottle", capacity="1000ml", color="red"),
    variant("w-1000-blue", "bottle", capacity="1000ml", color="blue"),
]
# τ²-retail's Pet Bed as it is: no medium fleece brown bed, a large fleece beige one sold out.
PET_BEDS = [
    variant("4537595158", "bed", size="small", material="fleece", color="brown"),
    variant("6857426243", "bed", size="medium", material="fleece", color="grey"),
    variant("8941974610", "bed", False, size="large", material="fleece", color="beige"),
    variant("3360679910", "bed", size="medium", material="memory foam", color="beige"),
    variant("6942241102", "bed", size="large", material="memory foam", color="beige"),
]
GRILLS = [
    variant("g-m", "grill", size="medium", type="gas"),
    variant("g-l", "grill", size="large", type="gas"),
    variant("g-p", "grill", size="portable", type="gas"),
]
COOLERS = [  # two options a "bigger" cooler could mean
    variant("c-s-20", "cooler", size="S", capacity="20L"),
    variant("c-m-20", "cooler", size="M", capacity="20L"),
    variant("c-s-30", "cooler", size="S", capacity="30L"),
]
LAPTOPS = [
    variant("p-13-256", "laptop", screen_size="13-inch", storage="256GB SSD"),
    variant("p-15-256", "laptop", screen_size="15-inch", storage="256GB SSD"),
    variant("p-13-512", "laptop", screen_size="13-inch", storage="512GB SSD"),
]


@pytest.mark.parametrize(
    ("catalogue", "own", "name", "text", "chosen"),
    [
        pytest.param(
            BOTTLES, 1, "Water Bottle", "the larger capacity one", "w-1000", id="capacity"
        ),
        pytest.param(BOTTLES, 0, "Water Bottle", "a bigger bottle", "w-750", id="bigger-bottle"),
        pytest.param(BOTTLES, 2, "Water Bottle", "a smaller one", "w-750", id="smaller-bottle"),
        pytest.param(BOTTLES, 0, "Water Bottle", "a lighter one", None, id="lighter"),
        pytest.param(PET_BEDS, 3, "Pet Bed", "a larger size", "6942241102", id="word-sizes"),
        pytest.param(PET_BEDS, 0, "Pet Bed", "a bigger size", None, id="no-medium-brown-fleece"),
        pytest.param(PET_BEDS, 1, "Pet Bed", "a size up", None, id="large-fleece-sold-out"),
        pytest.param(GRILLS, 0, "Grill", "a bigger grill", None, id="sizes-not-ordered"),
        pytest.param(GRILLS, 0, "Grill", "the large one", "g-l", id="named-needs-no-order"),
        pytest.param(COOLERS, 0, "Cooler", "a bigger one", None, id="size-or-capacity"),
        pytest.param(COOLERS, 0, "Cooler", "a bigger size", "c-m-20", id="size-named"),
        pytest.param(COOLERS, 0, "Cooler", "more capacity", "c-s-30", id="capacity-named"),
        pytest.param(LAPTOPS, 0, "Laptop", "a bigger laptop", "p-15-256", id="screen"),
        pytest.param(LAPTOPS, 0, "Laptop", "more storage", "p-13-512", id="storage"),
    ],
)
def test_relative_wishes_on_shop_like_catalogues(
    catalogue: list[Variant], own: int, name: str, text: str, chosen: str | None
) -> None:
    variant = choose_variant(line_of(catalogue[own], name), catalogue, text)
    assert (variant.item_id if variant else None) == chosen


# --- the order lines a message names --------------------------------------------------------


def order_line(item_id: str, name: str, **options: str) -> OrderLine:
    return OrderLine(product_id=name, item_id=item_id, name=name, price=D("10"), options=options)


# Shaped like τ²-retail orders with several items.
ORDER = [
    order_line("2206116040", "Cycling Helmet", size="L", color="blue"),
    order_line("4422467033", "Dumbbell Set", material="urethane"),
    order_line("6243148452", "Smart Thermostat", color="stainless steel"),
    order_line("4274709903", "Office Chair", material="mesh", color="red"),
    order_line("1000000001", "Notebook", size="A5"),
    order_line("1000000002", "Laptop", color="silver"),
    order_line("1000000003", "Action Camera", color="black"),
    order_line("1000000004", "Digital Camera", color="black"),
    order_line("1000000005", "T-Shirt", color="blue", size="M"),
    order_line("1000000006", "T-Shirt", color="red", size="M"),
    order_line("1000000007", "Running Shoes", size="9"),
    order_line("1000000008", "Sneakers", size="10"),
]


@pytest.mark.parametrize(
    ("text", "item_ids"),
    [
        ("return the water bottle", []),
        ("return the smart thermostat from order #W3113816", ["6243148452"]),
        ("the thermostat and the helmet", ["2206116040", "6243148452"]),
        ("exchange the dumbbells", ["4422467033"]),
        ("I'm all set with the chair", ["4274709903"]),
        ("the notebook", ["1000000001"]),
        ("the computer", ["1000000002"]),
        ("the action camera", ["1000000003"]),
        ("both cameras", ["1000000003", "1000000004"]),
        ("the red tee", ["1000000006"]),
        ("my t-shirts", ["1000000005", "1000000006"]),
        ("item 4274709903 please", ["4274709903"]),
        ("the shoes", ["1000000007"]),
        ("the sneakers", ["1000000008"]),
        ("the trainers", ["1000000007", "1000000008"]),
        ("the left shoe", ["1000000007"]),
        ("where is my order", []),
    ],
)
def test_lines_named(text: str, item_ids: list[str]) -> None:
    assert [line.item_id for line in lines_named(text, ORDER)] == item_ids


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
        pytest.param(
            "2315 Eastlake Avenue East, Seattle, WA 98102",
            Address(
                address1="2315 Eastlake Avenue East",
                address2="",
                city="Seattle",
                state="WA",
                country="USA",
                zip="98102",
            ),
            id="direction-after-the-street",
        ),
        pytest.param(
            "12 Main St NW, Washington, DC 20001",
            Address(
                address1="12 Main St NW",
                address2="",
                city="Washington",
                state="DC",
                country="USA",
                zip="20001",
            ),
            id="two-letter-direction",
        ),
        pytest.param(
            "The address is 245 Prospect Park West, Apt 2, Brooklyn, NY 11215.",
            Address(
                address1="245 Prospect Park West",
                address2="Apt 2",
                city="Brooklyn",
                state="NY",
                country="USA",
                zip="11215",
            ),
            id="a-street-with-no-kind",
        ),
        pytest.param("I bought 2 shirts, Seattle, WA 98101", None, id="no-street-name"),
        pytest.param("send it to my office", None, id="no-address"),
        pytest.param("12 Elm Street please", None, id="no-city-or-zip"),
        pytest.param("order #W1234567 for 2 items", None, id="numbers-are-not-an-address"),
    ],
)
def test_parse_address(text: str, address: Address | None) -> None:
    assert parse_address(text) == address


def test_the_readme_demo_names_its_earbuds() -> None:
    """The README's demo: #W1000007 holds in-ear Wireless Headphones, asked for as earbuds."""
    earbuds = OrderLine(
        product_id="8000000007",
        item_id="9000000703",
        name="Wireless Headphones",
        price=D("89.00"),
        options={"type": "in-ear", "color": "white"},
    )
    text = "I'd like to return the earbuds from order #W1000007"
    assert lines_named(text, [earbuds]) == [earbuds]
    assert lines_named("my airpods", [earbuds]) == [earbuds]
    assert lines_named("the vacuum", [earbuds]) == []


HELMETS = [
    variant("h-s-white-low", "helmet", size="S", color="white", ventilation="low"),
    variant("h-m-white-low", "helmet", size="M", color="white", ventilation="low"),
    variant("h-m-red-medium", "helmet", size="M", color="red", ventilation="medium"),
    variant("h-s-white-medium", "helmet", size="S", color="white", ventilation="medium"),
]
SMALL_WHITE_HELMET = line_of(HELMETS[0], "Cycling Helmet")


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        pytest.param("it's a small, too tight. the same white one in a medium?", "h-m-white-low",
                     id="medium-is-the-size-contrasted"),
        pytest.param("one with medium ventilation", "h-s-white-medium",
                     id="medium-named-beside-its-option"),
        pytest.param("a medium please", None, id="medium-unclear"),
    ],
)  # fmt: skip
def test_one_word_names_one_option(text: str, chosen: str | None) -> None:
    variant_ = choose_variant(SMALL_WHITE_HELMET, HELMETS, text)
    assert (variant_.item_id if variant_ else None) == chosen


def test_what_is_named_as_it_is_now_never_changes() -> None:
    # Only a red medium is in stock in M with medium ventilation: not "the same white".
    text = "the same white one, size M with medium ventilation"
    assert choose_variant(SMALL_WHITE_HELMET, HELMETS, text) is None
