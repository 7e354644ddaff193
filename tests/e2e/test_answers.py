"""Questions about the shop answered from its help articles, without identity; other
languages and unanswered questions handed to a person with the record, through the API."""

from __future__ import annotations

from tests.e2e.conftest import Web
from tests.e2e.test_api import refunds

IDENTITY_PROMPT = "confirm who you are"


async def test_a_return_window_question_is_answered_not_proposed(web: Web) -> None:
    thread = web.new_thread()
    first = await web.say(thread, "how many days do I have to return shoes?")
    reply = first["replies"][-1]
    assert IDENTITY_PROMPT not in reply["text"]
    assert "30 days" in reply["text"] and "Returns" in reply["text"]
    assert "help article" in reply["reason"]
    assert first["status"] != "escalated"

    after = await web.say(thread, "no, I only asked")
    assert after["status"] != "resolved"
    case = await web.case(first["case_id"])
    assert case["actions"] == [] and case["pending_approval"] is None
    assert refunds(web, "#W0000002") == []


async def test_a_prospect_asks_about_shipping_without_an_account(web: Web) -> None:
    thread = web.new_thread()
    first = await web.say(thread, "Hello! Do you ship to Canada?")
    reply = first["replies"][-1]
    assert IDENTITY_PROMPT not in reply["text"]
    assert "Canada" in reply["text"] and "Shipping" in reply["text"]


async def test_a_question_no_article_answers_goes_to_a_person_with_the_record(web: Web) -> None:
    thread = web.new_thread()
    first = await web.say(thread, "do you have a loyalty programme?")
    reply = first["replies"][-1]
    assert "couldn't find" in reply["text"] and "colleague" in reply["text"]
    assert first["status"] == "escalated"
    case = await web.case(first["case_id"])
    handoff = case["handoff"]
    assert handoff["category"] not in (None, "talk_to_human")
    assert handoff["preferred_resolution"] == "an answer to the question"


async def test_another_language_is_answered_in_it_and_handed_off(web: Web) -> None:
    thread = web.new_thread()
    first = await web.say(thread, "Hola, quiero devolver los zapatos que compré la semana pasada")
    reply = first["replies"][-1]
    assert "español" in reply["text"] and "persona" in reply["text"]
    assert "asked for a person" not in (reply["reason"] or "")
    assert first["status"] == "escalated"
    case = await web.case(first["case_id"])
    assert case["handoff"]["language"] == "es"


async def test_what_the_customer_adds_after_the_handoff_reaches_the_record(web: Web) -> None:
    thread = web.new_thread()
    first = await web.say(thread, "I want to talk to a person about returning the earbuds")
    assert first["status"] == "escalated"
    await web.say(thread, "they stopped charging after a week")
    case = await web.case(first["case_id"])
    handoff = case["handoff"]
    assert handoff["added"] == ["they stopped charging after a week"]
    assert handoff["category"] == "return"
    assert handoff["issue"] != "I want to talk to a person about returning the earbuds"
    assert handoff["preferred_resolution"]
