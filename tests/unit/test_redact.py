"""Personal data becomes placeholders before a model sees it, and comes back after."""

from __future__ import annotations

import pytest

from brain.redact import Redactor

# (text, what the model is sent)
REDACTED = [
    pytest.param(
        "my email is ada.lovelace@example.com",
        "my email is [EMAIL_1]",
        id="email",
    ),
    pytest.param(
        "ada@example.com or Ada@Example.com, else ben.okafor+shop@mail.example.org",
        "[EMAIL_1] or [EMAIL_1], else [EMAIL_2]",
        id="one placeholder per address, whatever its case",
    ),
    pytest.param("call (555) 123-4567", "call [PHONE_1]", id="phone with area code in brackets"),
    pytest.param(
        "call 555-123-4567 or 555.123.4567", "call [PHONE_1] or [PHONE_1]", id="same phone"
    ),
    pytest.param("call +1 555 123 4567", "call [PHONE_1]", id="phone with country code"),
    pytest.param("ring +44 20 7946 0958 today", "ring [PHONE_1] today", id="international phone"),
    pytest.param("card 4242424242424242 please", "card [CARD_1] please", id="card digits"),
    pytest.param("card 4242 4242 4242 4242", "card [CARD_1]", id="card in groups"),
    pytest.param("card 4242-4242-4242-4242", "card [CARD_1]", id="card with dashes"),
    pytest.param("amex 3782 822463 10005", "amex [CARD_1]", id="amex grouping"),
    pytest.param(
        "ship to 12 Hudson Street, Apt 4B, New York",
        "ship to [ADDRESS_1], New York",
        id="street address with apartment",
    ),
    pytest.param("now at 480 Valencia St. in SF", "now at [ADDRESS_1] in SF", id="abbreviated"),
    pytest.param("deliver to 100 5th Avenue", "deliver to [ADDRESS_1]", id="numbered street"),
    pytest.param(
        "I'm ada@example.com, 12 Hudson Street, 555-123-4567, card 4242 4242 4242 4242",
        "I'm [EMAIL_1], [ADDRESS_1], [PHONE_1], card [CARD_1]",
        id="all at once",
    ),
]

# Needed to read a request, so sent as written.
KEPT = [
    pytest.param("cancel order #W1000002", id="order id"),
    pytest.param("order W1000002 and #W 1000003", id="order ids written loosely"),
    pytest.param("item 1008292230", id="item id (ten digits)"),
    pytest.param("items 1008292230 1008292231", id="two item ids"),
    pytest.param("item 1008292230 to zip 10001", id="item id then zip"),
    pytest.param("tracking 100000200001", id="tracking number (twelve digits)"),
    pytest.param("I'm Ada Lovelace, zip 10001", id="name and zip"),
    pytest.param("refund to my card ending 4242", id="last four digits"),
    pytest.param("it cost $1,819.92 on 2024-05-01", id="amount and date"),
    pytest.param("I bought 3 running shoes on the way home", id="numbers in a sentence"),
]


@pytest.mark.parametrize(("text", "sent"), REDACTED)
def test_personal_data_is_replaced(text: str, sent: str) -> None:
    redactor = Redactor()
    assert redactor.redact(text) == sent
    # Each placeholder stands for a value as the customer wrote it.
    assert redactor.originals
    assert all(original in text for original in redactor.originals.values())


@pytest.mark.parametrize("text", KEPT)
def test_what_a_request_needs_is_kept(text: str) -> None:
    redactor = Redactor()
    assert redactor.redact(text) == text
    assert redactor.originals == {}


def test_restoring_gives_back_the_original_text() -> None:
    redactor = Redactor()
    text = "I'm ada.lovelace@example.com at 12 Hudson Street, phone (555) 123-4567"
    assert redactor.restore(redactor.redact(text)) == text
    assert redactor.originals == {
        "[EMAIL_1]": "ada.lovelace@example.com",
        "[ADDRESS_1]": "12 Hudson Street",
        "[PHONE_1]": "(555) 123-4567",
    }


def test_numbering_is_shared_across_texts() -> None:
    redactor = Redactor()
    assert redactor.redact("a@example.com") == "[EMAIL_1]"
    assert redactor.redact("b@example.com and a@example.com") == "[EMAIL_2] and [EMAIL_1]"


def test_placeholders_it_did_not_issue_stay_as_they_are() -> None:
    redactor = Redactor()
    redactor.redact("a@example.com")
    assert redactor.restore("[EMAIL_1] [EMAIL_2] [PHONE_1]") == "a@example.com [EMAIL_2] [PHONE_1]"


def test_data_is_redacted_and_restored_in_every_string() -> None:
    redactor = Redactor()
    data = {
        "order": {"id": "#W1000002", "total": "54.04"},
        "notes": ["call 555-123-4567", 3, None],
        "email": "ada@example.com",
    }
    sent = redactor.redact_data(data)
    assert sent == {
        "order": {"id": "#W1000002", "total": "54.04"},
        "notes": ["call [PHONE_1]", 3, None],
        "email": "[EMAIL_1]",
    }
    assert redactor.restore_data(sent) == data
