"""Grounded replies: amounts, order ids and dates must come from the facts, whatever the brain."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import brain.grounding
from brain.base import Reply, ReplyRequest, TokenUsage, TurnContext, Understanding
from brain.grounding import SAFE_TEXT, claims, ground_reply, ungrounded
from brain.templates import compose_from_template
from domain.dialogue import Category
from graph import nodes
from graph.deps import AgentDeps
from trustdesk.config import Settings

PROPOSAL = {
    "summary": "cancel order #W1000002 and refund the full 1,819.92 to your Mastercard ending 2478",
    "amount": "1819.92",
    "because": "the order has not shipped yet",
    "needs_approval": False,
}
CONFIRM = ReplyRequest(
    step="confirm",
    category=Category.CANCEL_ORDER,
    reasons=["the order has not shipped yet, so it can be cancelled with a full refund"],
    facts={
        "proposal": PROPOSAL,
        "sla": "within 4 hours",
        "order": {"id": "#W1000002", "total": "1,819.92"},
    },
)


def test_claims_finds_ids_amounts_and_dates() -> None:
    found = claims(
        "Order #W1000002: refund of $1,819.92 and 5 000 by 2024-05-01, or Friday, March 3rd"
    )
    assert found.order_ids == {"#W1000002"}
    assert {str(a) for a in found.amounts} >= {"1819.92", "5"}
    assert found.dates == {"2024-05-01", "friday", "march 3rd"}


def test_the_offline_templates_are_grounded_by_construction() -> None:
    reply = compose_from_template(CONFIRM)
    assert "1,819.92" in reply.text and "#W1000002" in reply.text
    assert ungrounded(reply.text, CONFIRM) == []
    assert ground_reply(reply, CONFIRM) == (reply, [])


@pytest.mark.parametrize(
    ("invented", "problem"),
    [
        ("I can refund 5,000 to your card right away.", "amount 5000"),
        ("I have approved a refund of 5000.", "amount 5000"),
        ("Done: order #W9999999 is cancelled.", "order id #W9999999"),
        ("Your refund of 1,819.92 arrives on 2024-06-01.", "date '2024-06-01'"),
        ("It will be delivered by Friday.", "date 'friday'"),
        ("Cancelled; expect the refund by March 3.", "date 'march 3'"),
        ("Refunds take 3 days.", "amount 3"),
    ],
)
def test_an_invented_fact_falls_back_to_the_template(invented: str, problem: str) -> None:
    reply, problems = ground_reply(Reply(text=invented, usage=TokenUsage(output_tokens=7)), CONFIRM)
    assert problem in problems
    assert reply.text == compose_from_template(CONFIRM).text
    assert reply.usage == TokenUsage(output_tokens=7)  # the tokens were still spent


@pytest.mark.parametrize(
    "faithful",
    [
        "As it has not shipped yet, I can cancel #W1000002 and refund 1819.92. Go ahead?",
        "I can cancel order #w1000002 and refund $1,819.92 to the Mastercard ending 2478. Shall I?",
        "Shall I cancel it? You can expect a reply within 4 hours if you need a person.",
        "Shall I go ahead and cancel it for you?",
    ],
)
def test_a_reply_that_restates_the_facts_in_its_own_words_passes(faithful: str) -> None:
    assert ground_reply(Reply(text=faithful), CONFIRM) == (Reply(text=faithful), [])


def test_when_even_the_template_is_ungrounded_a_fixed_text_says_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        brain.grounding,
        "compose_from_template",
        lambda request: Reply(text="#W0000000", reason="r"),
    )
    reply, problems = ground_reply(Reply(text="refund 5000"), CONFIRM)
    assert problems == ["amount 5000"]
    assert reply == Reply(text=SAFE_TEXT, reason="r")
    assert claims(SAFE_TEXT) == claims("")


class InventingBrain:
    """A brain whose replies state whatever it likes."""

    name = "inventing"

    def __init__(self, text: str) -> None:
        self.text = text

    async def understand(self, turn: TurnContext) -> Understanding:
        return Understanding(category=Category.OTHER, confidence=1.0)

    async def compose(self, request: ReplyRequest) -> Reply:
        return Reply(text=self.text)


def _deps(brain: Any) -> AgentDeps:
    return AgentDeps(
        codes=None,  # type: ignore[arg-type]
        shop=None,  # type: ignore[arg-type]
        brain=brain,
        policy=Settings().policy,
        autonomous_categories=frozenset(),
    )


STATE: dict[str, Any] = {
    "case_id": "case-webchat-grounding",
    "turn": 2,
    "category": "cancel_order",
    "decision": {
        "step": "ask",
        "reasons": ["a cancellation needs its reason"],
        "ask_for": "cancel_reason",
    },
    "outcome": "ask",
    "facts": {"order": {"id": "#W1000002", "status": "pending", "total": "44.49"}},
}


async def test_compose_reply_falls_back_and_records_it(caplog: pytest.LogCaptureFixture) -> None:
    deps = _deps(InventingBrain("Sure! I've refunded 5,000 on order #W9999999 already."))
    with caplog.at_level(logging.WARNING, logger="graph.nodes"):
        update = await nodes.compose_reply(deps, STATE)  # type: ignore[arg-type]
    assert update["grounding_fallback"] is True
    assert update["reply"]["text"].startswith("May I ask why you'd like to cancel")
    assert "5,000" not in update["reply"]["text"]
    assert "#W9999999" in caplog.text and "inventing" in caplog.text


async def test_compose_reply_keeps_a_grounded_reply() -> None:
    deps = _deps(InventingBrain("Before I cancel #W1000002 (44.49), why are you cancelling?"))
    update = await nodes.compose_reply(deps, STATE)  # type: ignore[arg-type]
    assert update["grounding_fallback"] is False
    assert update["reply"]["text"] == "Before I cancel #W1000002 (44.49), why are you cancelling?"
