"""A no that says the proposal got the request wrong: nothing is done, the customer is
asked what should differ, and their answer is read afresh (domain.turn.CORRECTION)."""

from __future__ import annotations

from tests.e2e.conftest import Web
from tests.e2e.test_api import order_statuses, refunds


async def test_a_wrong_proposal_is_corrected_not_closed(web: Web) -> None:
    thread = web.new_thread()
    await web.say(thread, "I'd like to return something I bought, ada@example.com")
    proposal = (await web.say(thread, "the one with the coffee mug"))["replies"][-1]["text"]
    assert "Coffee Mug" in proposal

    wrong = await web.say(thread, "no, that's not what I asked")
    assert wrong["status"] != "resolved"
    assert "What should be different?" in wrong["replies"][-1]["text"]
    assert refunds(web) == [] and order_statuses(web)["#W0000002"] == "delivered"
    case = await web.case(wrong["case_id"])
    assert case["actions"] == []

    again = await web.say(thread, "I meant: return the coffee mug from #W0000002, it is chipped")
    text = again["replies"][-1]["text"]
    assert "Coffee Mug" in text and "120.00" in text and "Shall I go ahead?" in text
