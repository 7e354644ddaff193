"""A request without an order number: the agent finds the order among the verified
customer's own, or lists them to pick from, through the API (domain.order_lookup)."""

from __future__ import annotations

from decimal import Decimal

from tests.e2e.conftest import Web
from tests.e2e.test_api import order_statuses, refunds


async def test_the_only_order_a_cancellation_fits_is_proposed_by_name(web: Web) -> None:
    thread = web.new_thread()
    await web.say(thread, "I want to cancel my order, I ordered it by mistake")
    proposal = await web.say(thread, "ada@example.com")
    text = proposal["replies"][-1]["text"]
    assert "#W0000001" in text and "Desk Lamp" in text and "149.99" in text
    assert "Which order" not in text
    declined = await web.say(thread, "no")
    assert declined["status"] != "resolved"
    assert refunds(web) == []
    assert order_statuses(web)["#W0000001"] == "pending"


async def test_several_fitting_orders_are_listed_and_the_answer_picks_one(web: Web) -> None:
    thread = web.new_thread()
    first = await web.say(thread, "I'd like to return something I bought, ada@example.com")
    question = first["replies"][-1]["text"]
    assert "Which order" in question
    # Only delivered orders can be returned: the pending lamp is not offered.
    for listed in ("#W0000002 (delivered: Coffee Mug)", "#W0000003", "#W0000004"):
        assert listed in question
    assert "#W0000001" not in question and "Bob" not in question and "#W0000005" not in question

    proposal = (await web.say(thread, "the one with the coffee mug"))["replies"][-1]["text"]
    assert "#W0000002" in proposal and "Coffee Mug" in proposal and "120.00" in proposal
    done = await web.say(thread, "yes")
    assert done["status"] == "resolved", done["replies"][-1]["text"]
    statuses = order_statuses(web)
    assert statuses["#W0000002"] == "return requested"
    assert statuses["#W0000003"] == statuses["#W0000004"] == "delivered"
    assert refunds(web) == []  # a return's refund is booked when the items arrive
    case = await web.case(done["case_id"])
    [action] = case["actions"]
    assert action["type"] == "return_items" and Decimal(action["amount"]) == Decimal("120.00")


async def test_a_second_request_naming_another_orders_product_moves_to_that_order(
    web: Web,
) -> None:
    thread = web.new_thread()
    first = await web.say(
        thread, "return the coffee mug and cancel the desk lamp order, ada@example.com"
    )
    proposal = first["replies"][-1]["text"]
    assert "#W0000002" in proposal and "Coffee Mug" in proposal, proposal
    done = await web.say(thread, "yes")
    replies = [r["text"] for r in done["replies"]]
    assert any(r.startswith("Done") and "#W0000002" in r for r in replies), replies
    assert "why you'd like to cancel" in replies[-1]  # the second request, taken up
    second = (await web.say(thread, "ordered by mistake"))["replies"][-1]["text"]
    assert "#W0000001" in second and "Desk Lamp" in second and "149.99" in second, second
    assert "#W0000002" not in second
    assert order_statuses(web)["#W0000001"] == "pending"  # proposed, not yet confirmed
