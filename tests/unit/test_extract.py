"""Rule-based extraction, one table per reader."""

from __future__ import annotations

import pytest

from brain.extract import (
    NO_LONGER_NEEDED,
    ORDERED_BY_MISTAKE,
    OrderLine,
    extract,
    find_affirmation,
    find_cancel_reason,
    find_card_last_four,
    find_emails,
    find_name,
    find_order_ids,
    find_payment,
    find_product_words,
    find_zip,
    match_items,
    wants_person,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cancel order #W0000001 please", ["#W0000001"]),
        ("it's W1234567", ["#W1234567"]),
        ("#w 7654321 and W-1234567", ["#W7654321", "#W1234567"]),
        ("order 2056942 hasn't come", ["#W2056942"]),
        ("order no. 2056942", ["#W2056942"]),
        ("my order number is 1234567", ["#W1234567"]),
        ("order #1234567", ["#W1234567"]),
        ("#W1234567, again #W1234567", ["#W1234567"]),
        ("call me on 0612345678", []),
        ("item 9000000101", []),
        ("#W123456 is too short", []),
        ("W12345678 is too long", []),
        ("AW1234567", []),
    ],
)
def test_order_ids(text: str, expected: list[str]) -> None:
    assert find_order_ids(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my email is Ada@Example.com.", ["ada@example.com"]),
        ("noah.li7327@example.com here", ["noah.li7327@example.com"]),
        ("a+b@mail.co.uk, c_d@x.io", ["a+b@mail.co.uk", "c_d@x.io"]),
        ("no email @ all", []),
        ("user@localhost", []),
    ],
)
def test_emails(text: str, expected: list[str]) -> None:
    assert find_emails(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm Ada Lovelace", ("Ada", "Lovelace")),
        ("Hi, my name is chloe nguyen and my zip is 98101", ("Chloe", "Nguyen")),
        ("im ben okafor, zip 94110", ("Ben", "Okafor")),
        ("This is Ben Okafor speaking", ("Ben", "Okafor")),
        ("it's Maria Rossi", ("Maria", "Rossi")),
        ("Ada Lovelace here, order #W1000002", ("Ada", "Lovelace")),
        ("name: Diego Alvarez", ("Diego", "Alvarez")),
        # The literal answer to "your full name and zip code", in any order and case.
        ("Ada Lovelace, 10001", ("Ada", "Lovelace")),
        ("Liam Santos 78762", ("Liam", "Santos")),
        ("farah haddad 02139", ("Farah", "Haddad")),
        ("10001 Ada Lovelace", ("Ada", "Lovelace")),
        ("Mary Ann Smith, zip 02139.", ("Mary", "Smith")),
        ("Ada Lovelace and my zip is 10001", ("Ada", "Lovelace")),
        ("it's chloe nguyen, zip 98101", ("Chloe", "Nguyen")),
        ("sure, chloe nguyen 98101", ("Chloe", "Nguyen")),
        ("my name's chloe nguyen, 98101", ("Chloe", "Nguyen")),
        ("Ada Lovelace (10001)", ("Ada", "Lovelace")),
        ("ada lovelace / 10001", ("Ada", "Lovelace")),
        ("Dr. Ada Lovelace 10001", ("Ada", "Lovelace")),
        ("Lovelace, Ada 10001", ("Ada", "Lovelace")),
        ("Ada Lovelace, 10001-1234", ("Ada", "Lovelace")),
        ("ada lovelace from 10001", ("Ada", "Lovelace")),
        ("Ben Okafor from San Francisco, zip 94110", ("Ben", "Okafor")),
        ("diego alvarez, austin tx 78701", ("Diego", "Alvarez")),
        ("full name Ada Lovelace, zip 10001", ("Ada", "Lovelace")),
        ("return headphones 10001", None),
        ("ok thanks 98101", None),
        ("it is what it is 98101", None),
        ("cancel order 10001", None),
        ("Ada Lovelace", None),
        ("I'm very angry about this", None),
        ("I am writing to complain", None),
        ("im gonna cancel my order", None),
        ("i am trying again", None),
        ("this is ridiculous service", None),
        ("I'm Not Happy", None),
        ("I'm noah.li7327@example.com", None),
    ],
)
def test_names(text: str, expected: tuple[str, str] | None) -> None:
    assert find_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zip 10001", "10001"),
        ("my zip code is 94110, thanks", "94110"),
        ("Boston MA 02110", "02110"),
        ("Ada Lovelace 10001", "10001"),
        ("#W1000001 please", None),
        ("refund 12000 dollars", None),
        ("$12345", None),
        ("12345.50", None),
        ("phone 555-12345", None),
        ("123456", None),
        # The zip of a street address is where something goes, not who is asking.
        ("change the address to 77 Burnside Street, Portland, OR 97209", None),
        ("new address: 300 Spring St, Atlanta, GA 30308 please", None),
        ("I moved from 12 Elm Road; my zip is 02139", "02139"),
        ("to my mum's: 245 Prospect Park West, Apt 2, Brooklyn, NY 11215", None),  # no kind
    ],
)
def test_zip(text: str, expected: str | None) -> None:
    assert find_zip(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("please refund to my Visa", "credit_card"),
        ("use my credit card", "credit_card"),
        ("Mastercard ending 2478", "credit_card"),
        ("pay with PayPal", "paypal"),
        ("put it on my gift card", "gift_card"),
        ("store credit please", "gift_card"),
        ("switch from card to paypal", "paypal"),
        ("charge my Visa instead of my PayPal", "credit_card"),
        ("use paypal, not my card", "paypal"),
        ("move it off my gift card and onto PayPal? I'll save the gift card for later",
         "paypal"),  # where it should go, though the gift card is named last
        ("over to my Visa please, I don't want PayPal", "credit_card"),
        ("no payment words here", None),
    ],
)
def test_payment(text: str, expected: str | None) -> None:
    assert find_payment(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the card ending 4242", "4242"),
        ("last four 8812", "8812"),
        ("card 4242", None),
        ("amex 0005", "0005"),
        ("my Visa-4242 please", "4242"),
        ("the mastercard **** 1234", "1234"),
        ("xx9876", "9876"),
        ("visa 4111 1111 1111 1111", None),  # a whole number names no last four
        ("visa 42", None),
    ],
)
def test_card_last_four(text: str, expected: str | None) -> None:
    assert find_card_last_four(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I ordered it by mistake", ORDERED_BY_MISTAKE),
        ("accidentally bought two", ORDERED_BY_MISTAKE),
        ("I clicked buy twice", ORDERED_BY_MISTAKE),
        ("it was a duplicate order", ORDERED_BY_MISTAKE),
        ("didn't mean to order this", ORDERED_BY_MISTAKE),
        ("no longer needed", NO_LONGER_NEEDED),
        ("I don't need it anymore", NO_LONGER_NEEDED),
        ("I won't be needing it after all", NO_LONGER_NEEDED),
        ("changed my mind", NO_LONGER_NEEDED),
        ("found it cheaper elsewhere", NO_LONGER_NEEDED),
        ("I don't want to wait", None),
        ("where is my order", None),
    ],
)
def test_cancel_reason(text: str, expected: str | None) -> None:
    assert find_cancel_reason(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", True),
        ("Yes please", True),
        ("y", True),
        ("yep, go ahead", True),
        ("go ahead please", True),
        ("ok", True),
        ("sure thing", True),
        ("yes yes yes, I confirm", True),
        ("sounds good, do it", True),
        ("No problem, go ahead", True),
        ("no", False),
        ("nope", False),
        ("No, thanks", False),
        ("don't", False),
        ("no, actually I'll keep it", False),
        ("wait, not yet", False),
        ("hmm", None),
        ("no longer needed", None),
        ("ok so where is my refund?", None),
        ("yes but actually no wait", None),
        ("I don't want to cancel my order because it is late and the courier was rude", None),
    ],
)
def test_affirmation(text: str, expected: bool | None) -> None:
    assert find_affirmation(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want to talk to a real person please", True),
        ("human please", True),
        ("agent", True),
        ("can I speak to a representative", True),
        ("get me your manager", True),
        ("put me through to a live agent", True),
        ("Is there an actual human I can chat with?", True),
        ("no need for a human, thanks", False),
        ("I don't need a person", False),
        ("where is my order", False),
    ],
)
def test_wants_person(text: str, expected: bool) -> None:
    assert wants_person(text) is expected


LINES = [
    OrderLine("9000000101", "T-Shirt", {"color": "blue", "size": "M"}),
    OrderLine("9000000103", "T-Shirt", {"color": "red", "size": "M"}),
    OrderLine("9000000501", "Office Chair", {"material": "mesh", "color": "black"}),
    OrderLine("9000000401", "Laptop", {"screen": "13-inch", "ram": "16GB"}),
]


@pytest.mark.parametrize(
    ("text", "item_ids", "options"),
    [
        ("return the red tshirt", ("9000000103",), {"color": "red"}),
        ("the chair please", ("9000000501",), {}),
        ("both t-shirts", ("9000000101", "9000000103"), {}),
        ("item 9000000401", ("9000000401",), {}),
        ("exchange the blue tee for size L", ("9000000101",), {"color": "blue", "size": "L"}),
        ("swap my laptop for the 15-inch screen", ("9000000401",), {"screen": "15-inch"}),
        ("the office chair and the laptop", ("9000000501", "9000000401"), {}),
        ("I want it in green", (), {"color": "green"}),
        ("the blue tee, one size up", ("9000000101",), {"color": "blue"}),
        ("where is my order", (), {}),
    ],
)
def test_items_match_the_customers_own_lines(
    text: str, item_ids: tuple[str, ...], options: dict[str, str]
) -> None:
    match = match_items(text, LINES)
    assert match.item_ids == item_ids
    assert match.options == options


# τ²-retail product names that share words: each message names one line only.
NEIGHBOURS = [
    OrderLine("1000000001", "Notebook", {"size": "A5"}),
    OrderLine("1000000002", "Laptop", {"color": "silver"}),
    OrderLine("1000000003", "Action Camera", {"color": "black"}),
    OrderLine("1000000004", "Digital Camera", {"color": "black"}),
    OrderLine("4422467033", "Dumbbell Set", {"material": "urethane"}),
]


@pytest.mark.parametrize(
    ("text", "item_ids"),
    [
        ("return the notebook", ("1000000001",)),
        ("my new computer", ("1000000002",)),
        ("the action camera", ("1000000003",)),
        ("the dumbbells please", ("4422467033",)),
        ("that's all set then, the laptop", ("1000000002",)),
    ],
)
def test_a_word_another_line_owns_names_that_line(text: str, item_ids: tuple[str, ...]) -> None:
    assert match_items(text, NEIGHBOURS).item_ids == item_ids


def test_items_without_order_lines_are_named_generically() -> None:
    assert find_product_words("my office chair and the air fryer") == ["office chair", "air fryer"]
    assert extract("return the pet bed").product_words == ["pet bed"]


def test_extract_reads_everything_at_once() -> None:
    found = extract(
        "Hi, I'm Ada Lovelace (ada@example.com), zip 10001: cancel #W1000002, ordered by mistake,"
        " refund to my PayPal",
        [OrderLine("9000000601", "Desk Lamp", {"color": "white"})],
    )
    assert found.order_ids == ["#W1000002"]
    assert found.emails == ["ada@example.com"]
    assert found.name == ("Ada", "Lovelace")
    assert found.zip == "10001"
    assert found.payment == "paypal"
    assert found.cancel_reason == ORDERED_BY_MISTAKE
    assert found.affirm is None and not found.wants_person
    assert found.items.item_ids == ()
