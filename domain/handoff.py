"""What a person reads first when a case is handed to them: the record's fields, from
what the conversation captured. Pure.

The category is the topic the customer asked about (never "talk to human": asking for a
person is a route, not a topic), the issue one line in the agent's words rather than the
raw first message, and the preferred resolution the customer gave, or the one their
request itself states ("a return" wants a refund).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.dialogue import Category

# Categories that are routes or unknowns rather than topics.
NOT_A_TOPIC = frozenset({Category.TALK_TO_HUMAN.value, Category.OTHER.value})

_TOPIC_LINE = {
    "order_status": "Asks where their order is",
    "cancel_order": "Wants to cancel an order",
    "change_items": "Wants to change items of an order before it ships",
    "change_address": "Wants to change the delivery address of an order",
    "change_payment": "Wants to change how an order is paid",
    "return": "Wants to return items",
    "exchange": "Wants to exchange items for another version",
    "refund_status": "Asks about a refund",
    "policy_question": "Asks about the shop's policies",
    "product_question": "Asks about a product",
    "account_address": "Wants to change the address on their account",
    "complaint": "Has a complaint",
    "out_of_scope": "Asks for something the shop's tools do not do",
    "other": "Needs help with something else",
}
# The topic of a request the shop's tools cannot serve (`captured["out_of_scope"]`).
OUT_OF_SCOPE = "out_of_scope"
# How much of the customer's own words a topicless record's one line quotes.
_SAID_KEPT = 120
# What the record says when the agent asked for the preferred resolution and got none.
NOT_GIVEN = "asked, not given"
# The resolution a request states by itself.
_WANTS = {
    "order_status": "to know where the order is and when it arrives",
    "cancel_order": "the order cancelled and refunded",
    "change_items": "the items changed before shipping",
    "change_address": "the order delivered to the new address",
    "change_payment": "the order paid another way",
    "return": "a refund for the returned items",
    "exchange": "an exchange for another version",
    "refund_status": "to know when the refund arrives",
    "policy_question": "an answer to the question",
    "product_question": "an answer to the question",
    "account_address": "the account address updated",
}
_LANGUAGE_NAMES = {
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "sv": "Swedish",
    "da": "Danish",
    "tr": "Turkish",
}


# Topics whose record quotes the customer: the topic line alone does not say what they need.
_THEIR_WORDS = frozenset(
    {
        Category.OTHER.value,
        OUT_OF_SCOPE,
        Category.COMPLAINT.value,
        Category.POLICY_QUESTION.value,
        Category.PRODUCT_QUESTION.value,
    }
)


@dataclass(frozen=True)
class HandoffFields:
    category: str
    issue: str
    preferred_resolution: str | None
    language: str
    tried: tuple[str, ...] = ()


def handoff_fields(category: str | None, captured: Mapping[str, Any]) -> HandoffFields:
    """The record's topic, one-line issue, preferred resolution, language, and what the
    agent tried before handing over."""
    topic = captured.get("topic") or (category if category not in NOT_A_TOPIC else None)
    if not topic:  # asked for a person at once: the brain's likeliest other reading
        readings = [str(r) for r in captured.get("readings") or () if r not in NOT_A_TOPIC]
        topic = readings[0] if readings else None
    if not topic and captured.get("out_of_scope"):
        topic = OUT_OF_SCOPE
    topic = str(topic or Category.OTHER.value)
    line = _TOPIC_LINE.get(topic, _TOPIC_LINE["other"])
    order_id = captured.get("order_id")
    if order_id:
        line += f" (order {order_id})"
    said = " ".join(str(captured.get("issue") or "").split())
    # No topic says it, or the words say what went wrong or what was asked: their words.
    if topic in _THEIR_WORDS and said:
        line += f': "{said if len(said) <= _SAID_KEPT else said[: _SAID_KEPT - 1] + "…"}"'
    items = [str(n) for n in captured.get("item_names") or () if str(n).strip()]
    if items:
        line += f": {', '.join(items[:3])}"
    waiting = captured.get("next_topic")
    if waiting and captured.get("next_request"):  # a second request, not taken up yet
        then = _TOPIC_LINE.get(str(waiting), _TOPIC_LINE["other"])
        line += f"; next: {then[:1].lower()}{then[1:]}"
    language = str(captured.get("language") or "en")
    if language != "en":
        line += f"; writes in {_LANGUAGE_NAMES.get(language, language)}"
    preferred = captured.get("preferred_resolution") or _WANTS.get(topic)
    if not preferred and (captured.get("asked") or {}).get("preferred_resolution"):
        preferred = NOT_GIVEN
    return HandoffFields(
        category=topic,
        issue=line + ".",
        preferred_resolution=str(preferred) if preferred else None,
        language=language,
        tried=tuple(str(t) for t in captured.get("tried") or ()),
    )
