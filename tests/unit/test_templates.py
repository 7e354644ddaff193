"""Template replies: what the customer reads, worded from the decision's facts alone."""

from __future__ import annotations

import pytest

from brain.base import ReplyRequest
from brain.templates import compose_from_template


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        (
            "a refund of 899.00 is above the automatic limit of 250.00, so an approver decides",
            "Thank you. A refund of 899.00 is above the automatic limit of 250.00, so an "
            "approver will review this.",
        ),
        (
            "a refund of 2,400.00 is above 2,000.00, so a senior approver decides",
            "Thank you. A refund of 2,400.00 is above 2,000.00, so a senior approver will "
            "review this.",
        ),
        (
            "the customer was refunded twice this month",
            "Thank you. Because the customer was refunded twice this month, an approver will "
            "review this.",
        ),
    ],
)
def test_the_customer_is_told_who_reviews_and_why(reason: str, said: str) -> None:
    reply = compose_from_template(
        ReplyRequest(
            step="awaiting_approval",
            facts={"proposal": {"approval_reason": reason}, "sla": "within 4 hours"},
        )
    )
    assert reply.text == said + " You can expect an answer within 4 hours; I'll write to you here."


@pytest.mark.parametrize(
    ("because", "said"),
    [
        (
            "the order has not shipped yet, so it can be cancelled with a full refund",
            "Because the order has not shipped yet, I can cancel order #W0000001 and refund "
            "the full 149.99 to your Visa ending 4242.",
        ),
        (
            "the order was delivered less than 30 days ago",
            "Because the order was delivered less than 30 days ago, I can cancel order "
            "#W0000001 and refund the full 149.99 to your Visa ending 4242.",
        ),
    ],
)
def test_a_proposal_says_why_in_one_plain_sentence(because: str, said: str) -> None:
    summary = "cancel order #W0000001 and refund the full 149.99 to your Visa ending 4242"
    reply = compose_from_template(
        ReplyRequest(step="confirm", facts={"proposal": {"summary": summary, "because": because}})
    )
    assert reply.text == said + " Shall I go ahead? Please answer yes or no."


def test_a_refund_asked_to_go_elsewhere_is_told_where_it_can_go() -> None:
    summary = "return the Kettle for 50.00 from order #W0000001: refund 50.00 to your PayPal"
    proposal = {"summary": summary, "because": None, "note": "refund_elsewhere"}
    reply = compose_from_template(ReplyRequest(step="confirm", facts={"proposal": proposal}))
    assert "only go back to a payment method on your account" in reply.text
    assert reply.text.endswith("Shall I go ahead? Please answer yes or no.")


def test_a_smaller_approved_refund_is_told_to_the_customer() -> None:
    summary = "start a return of order #W0000003 for a refund of 300.00 to your PayPal account"
    facts = {
        "result": {"summary": summary, "refund_note": None},
        "approval": {"decision": "approve", "note": "scuffed", "amount": "300.00"},
    }
    reply = compose_from_template(ReplyRequest(step="executed", facts=facts))
    assert reply.text == (
        f"Done: I've carried out your request to {summary}. "
        "An approver approved a refund of 300.00, less than the full price of the items."
    )
    assert "scuffed" not in reply.text  # the approver's note is for the record only


def test_asking_which_item_names_the_orders_items() -> None:
    order = {"items": [{"name": "Electric Kettle"}, {"name": "Bookshelf"}]}
    reply = compose_from_template(ReplyRequest(step="ask", ask_for="item", facts={"order": order}))
    assert reply.text == (
        "Which item of the order is this about? It holds: Electric Kettle, Bookshelf."
    )


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        (240, "within 4 hours"),
        (60, "within 1 hour"),
        (90, "within 90 minutes"),
        (1, "within 1 minute"),
    ],
)
def test_the_service_time_is_the_policys_own(minutes: int, said: str) -> None:
    """The approval SLA the customer is promised is the one the case's timer runs."""
    from brain.templates import within

    assert within(minutes) == said
    reply = compose_from_template(
        ReplyRequest(
            step="awaiting_approval",
            facts={"proposal": {"approval_reason": "a refund"}, "sla": within(minutes)},
        )
    )
    assert f"You can expect an answer {said};" in reply.text


def test_a_refusal_says_why_and_offers_a_person() -> None:
    facts = {"refusal": "only pending orders can be cancelled and #W1 is delivered"}
    reply = compose_from_template(ReplyRequest(step="refuse", facts=facts))
    assert reply.text.startswith(
        "I'm sorry, I can't do that: only pending orders can be cancelled and #W1 is delivered."
    )
    assert reply.text.endswith("just ask for a person.")


def test_asking_for_a_new_payment_method_lists_the_customers_own() -> None:
    customer = {
        "payment_methods": [
            {
                "id": "credit_card_1",
                "kind": "credit_card",
                "brand": "mastercard",
                "last_four": "5454",
            },
            {"id": "gift_card_1", "kind": "gift_card", "balance": "5.00"},
        ]
    }
    asked = compose_from_template(
        ReplyRequest(step="ask", ask_for="new_payment", facts={"customer": customer})
    ).text
    assert asked.endswith("Yours: Mastercard ending 5454; gift card.")
    assert "can't find" not in asked
    missing = compose_from_template(
        ReplyRequest(
            step="ask",
            ask_for="new_payment",
            facts={"customer": customer, "payment_missing": "paypal"},
        )
    ).text
    assert missing.startswith("I can't find a PayPal account among your payment methods.")


def test_asking_which_order_lists_them_by_status_and_items() -> None:
    choices = [
        {"id": "#W0000004", "status": "delivered", "items": ["Road Bike"]},
        {"id": "#W0000002", "status": "delivered", "items": ["Coffee Mug", "Desk Lamp"]},
    ]
    asked = compose_from_template(
        ReplyRequest(step="ask", ask_for="order_id", facts={"order_choices": choices})
    ).text
    assert "#W0000004 (delivered: Road Bike); #W0000002 (delivered: Coffee Mug, Desk Lamp)" in asked
    plain = compose_from_template(ReplyRequest(step="ask", ask_for="order_id", facts={})).text
    assert plain == "Which order is this about? The order number starts with #W."


def test_which_version_names_those_in_stock() -> None:
    facts = {"version_question": {"what": "Running Shoes", "choices": ["size 9, color black"]}}
    reply = compose_from_template(ReplyRequest(step="ask", ask_for="new_option", facts=facts))
    assert reply.text == (
        "Which version of the Running Shoes would you like instead? In stock: size 9, color black."
    )
    plain = compose_from_template(ReplyRequest(step="ask", ask_for="new_option", facts={}))
    assert plain.text.startswith("Which version would you like instead?")


def test_a_sold_out_version_asked_for_is_said_to_be_sold_out() -> None:
    asked = {"what": "T-Shirt", "sold_out": "color red, size L", "choices": ["color red, size M"]}
    reply = compose_from_template(
        ReplyRequest(step="ask", ask_for="new_option", facts={"version_question": asked})
    )
    assert reply.text == (
        "The T-Shirt in color red, size L is sold out at the moment. Which version of the "
        "T-Shirt would you like instead? In stock: color red, size M."
    )
    none_left = {"what": "Office Chair", "sold_out": "material mesh, color grey", "choices": []}
    reply = compose_from_template(
        ReplyRequest(step="ask", ask_for="new_option", facts={"version_question": none_left})
    )
    assert reply.text.endswith(
        "sold out at the moment. No other version of the Office Chair is in stock."
    )
