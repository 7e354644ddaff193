"""What the `understand` node makes of the brain's reading (graph.nodes.understand): the
topic of a message in another language, complaints, answers to the agent's own questions,
and two requests in one message. The brain is a fake that reads by a table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from brain.base import Entities, Reply, ReplyRequest, TurnContext, Understanding
from domain.dialogue import Category
from graph import nodes
from graph.deps import AgentDeps
from trustdesk.config import Settings


class TableBrain:
    """Reads each text as its table says; anything else as `other`, unsure."""

    name = "table"

    def __init__(self, table: dict[str, Understanding]) -> None:
        self.table = table
        self.read: list[str] = []

    async def understand(self, turn: TurnContext) -> Understanding:
        self.read.append(turn.text)
        return self.table.get(turn.text, Understanding(category=Category.OTHER, confidence=0.2))

    async def compose(self, request: ReplyRequest) -> Reply:
        raise AssertionError("understand never composes")


class Install:
    """Builds the node's dependencies around a brain reading by `table`."""

    deps: AgentDeps

    def __call__(self, table: dict[str, Understanding]) -> TableBrain:
        brain = TableBrain(table)
        self.deps = AgentDeps(
            codes=None,  # type: ignore[arg-type]  # understand needs only the brain
            shop=None,  # type: ignore[arg-type]
            brain=brain,
            policy=Settings().policy,
            autonomous_categories=frozenset(),
        )
        return brain


@pytest.fixture
def install() -> Iterator[Install]:
    yield Install()


async def test_a_message_in_another_language_is_filed_under_the_topic_its_words_name(
    install: Any,
) -> None:
    text = "Olá, preciso mudar o endereço de entrega do pedido W1000002"
    # The English reading of Portuguese says "cancel": the words say "address".
    install({text: Understanding(category=Category.CANCEL_ORDER, confidence=0.72,
                                 wants_human=True, language="pt",
                                 entities=Entities(order_ids=["#W1000002"]))})  # fmt: skip
    update = await nodes.understand(install.deps, {"message": text})
    assert update["captured"]["topic"] == "change_address"
    assert update["captured"]["order_id"] == "#W1000002"


async def test_a_complaint_read_as_a_status_is_a_complaint(install: Any) -> None:
    text = "My order arrived but the water bottle was missing from the box"
    install({text: Understanding(category=Category.ORDER_STATUS, confidence=0.47)})
    update = await nodes.understand(install.deps, {"message": text})
    assert update["category"] == "complaint" and update["captured"]["topic"] == "complaint"


async def test_an_unsure_reading_of_an_answer_keeps_the_request_it_answers(install: Any) -> None:
    text = "300 Spring Street, Atlanta, GA 30308"
    install({text: Understanding(category=Category.CHANGE_ADDRESS, confidence=0.45)})
    state = {"message": text, "category": "account_address", "awaiting": "address"}
    update = await nodes.understand(install.deps, state)  # type: ignore[arg-type]
    assert update["category"] == "account_address" and update["confidence"] >= 0.5


@pytest.mark.parametrize(("before", "after"), [(0.4, 0.4), (0.95, 0.95)])
async def test_saying_who_they_are_leaves_the_request_as_sure_as_it_was(
    install: Any, before: float, after: float
) -> None:
    text = "ada@example.com"  # the brain reads it as carrying the request on, sure
    install({text: Understanding(category=Category.REFUND_STATUS, confidence=0.9)})
    state = {"message": text, "category": "refund_status", "confidence": before,
             "awaiting": "identity"}  # fmt: skip
    update = await nodes.understand(install.deps, state)  # type: ignore[arg-type]
    assert update["category"] == "refund_status"
    assert update["confidence"] == min(0.9, after)
    # A new request made with the identity is read as itself.
    install({text: Understanding(category=Category.RETURN, confidence=0.9)})
    update = await nodes.understand(install.deps, state)  # type: ignore[arg-type]
    assert (update["category"], update["confidence"]) == ("return", 0.9)


@pytest.mark.parametrize(
    ("answer", "category"),
    [("the return please", "return"), ("what it holds", "order_status"), ("hmm", "other")],
)
async def test_a_reading_picked_from_those_offered_is_the_request(
    install: Any, answer: str, category: str
) -> None:
    install({})  # the brain reads every answer as `other`, unsure
    state = {"message": answer, "category": "refund_status", "awaiting": "clarify",
             "captured": {"readings": ["order_contents", "return"]}}  # fmt: skip
    update = await nodes.understand(install.deps, state)  # type: ignore[arg-type]
    assert update["category"] == category
    assert (update["confidence"] >= 0.5) is (category != "other")


async def test_picking_the_request_kept_for_later_makes_the_two_parts_one(
    install: Any,
) -> None:
    install({})
    state = {"message": "it's about exchanging something", "category": "return",
             "awaiting": "clarify",
             "captured": {"readings": ["return", "order_status"],
                          "issue": "The navy jacket's zip catches",
                          "next_request": "can I exchange it for the half zip?",
                          "next_topic": "exchange"}}  # fmt: skip
    update = await nodes.understand(install.deps, state)  # type: ignore[arg-type]
    assert update["category"] == "exchange"
    captured = update["captured"]
    assert "next_request" not in captured and "next_topic" not in captured
    assert captured["issue"] == "The navy jacket's zip catches can I exchange it for the half zip?"


async def test_the_same_words_again_after_a_clarifying_question_are_no_surer(
    install: Any,
) -> None:
    text = "Can W1000018 come on a Saturday?"
    # The brain reads a repeated message as carrying the request on, sure of it.
    install({text: Understanding(category=Category.ORDER_STATUS, confidence=0.9)})
    state = {"message": text, "category": "order_status", "confidence": 0.45,
             "awaiting": "clarify",
             "captured": {"issue": "can W1000018 come on a saturday"}}  # fmt: skip
    update = await nodes.understand(install.deps, state)  # type: ignore[arg-type]
    assert update["confidence"] == 0.45
    state["message"] = "where my order is"  # an answer in other words is read as it is
    install({"where my order is": Understanding(category=Category.ORDER_STATUS, confidence=0.9)})
    update = await nodes.understand(install.deps, state)  # type: ignore[arg-type]
    assert update["confidence"] == 0.9


async def test_what_went_wrong_answered_becomes_the_issue(install: Any) -> None:
    text = "the earbuds don't sit right, I want to send them back"
    install({text: Understanding(category=Category.RETURN, confidence=0.93)})
    state = {"message": text, "category": "complaint", "awaiting": "issue",
             "captured": {"issue": "problem with my order"}}  # fmt: skip
    update = await nodes.understand(install.deps, state)  # type: ignore[arg-type]
    assert update["category"] == "return"  # a request to act, not a complaint any more
    assert update["captured"]["issue"] == text


async def test_the_wish_asked_for_is_an_answer_not_a_new_request(install: Any) -> None:
    text = "I'd like a replacement chair"
    install({text: Understanding(category=Category.EXCHANGE, confidence=0.8)})
    state = {"message": text, "category": "complaint", "awaiting": "preferred_resolution"}
    update = await nodes.understand(install.deps, state)  # type: ignore[arg-type]
    assert update["category"] == "complaint"
    assert update["captured"]["preferred_resolution"] == text


async def test_two_requests_are_read_part_by_part_and_the_second_is_kept(install: Any) -> None:
    first, second = "return the lamp from #W1000019", "change my address to 1 Elm St"
    text = f"{first} and {second}"
    brain = install({
        text: Understanding(category=Category.CHANGE_ADDRESS, confidence=0.6,
                            entities=Entities(emails=["ada@example.com"])),
        first: Understanding(category=Category.RETURN, confidence=0.9,
                             entities=Entities(order_ids=["#W1000019"])),
        second: Understanding(category=Category.ACCOUNT_ADDRESS, confidence=0.8),
    })  # fmt: skip
    update = await nodes.understand(install.deps, {"message": text})
    assert brain.read == [text, first, second]
    assert update["category"] == "return" and update["message"] == first
    captured = update["captured"]
    assert captured["next_request"] == second and captured["next_topic"] == "account_address"
    # Who the customer said they are counts wherever in the message they said it.
    assert captured["email"] == "ada@example.com" and captured["order_id"] == "#W1000019"
    assert captured["issue"] == first


async def test_one_request_said_in_two_parts_is_not_split(install: Any) -> None:
    first, second = "return the lamp from #W1000019", "return the mug too please"
    text = f"{first} and {second}"
    install({
        text: Understanding(category=Category.RETURN, confidence=0.9),
        first: Understanding(category=Category.RETURN, confidence=0.9),
        second: Understanding(category=Category.RETURN, confidence=0.9),
    })  # fmt: skip
    update = await nodes.understand(install.deps, {"message": text})
    assert "next_request" not in update["captured"] and "message" not in update


@pytest.mark.parametrize(
    ("identity_ask", "brain_reads", "checked", "kept"),
    [
        # awaited: only the identity check gets the code; the brain and the state do not
        ("one_time_code", "the code is [one-time code]", "the code is 482 913", True),
        ("identity_factor", "the code is 482 913", None, False),
    ],
)
async def test_a_code_typed_while_awaited_reaches_the_identity_check_alone(
    install: Any,
    monkeypatch: pytest.MonkeyPatch,
    identity_ask: str,
    brain_reads: str,
    checked: str | None,
    kept: bool,
) -> None:
    brain = install({})
    seen: list[tuple[str, str | None]] = []

    def read_store(deps: AgentDeps, state: Any, code_message: str | None = None) -> dict[str, Any]:
        seen.append((state.get("message"), code_message))
        return {}

    monkeypatch.setattr(nodes, "_read_store", read_store)
    state: Any = {
        "message": "the code is 482 913",
        "identity_ask": identity_ask,
        "category": "cancel_order",
        "captured": {},
    }
    update = await nodes.read_message(install.deps, state)
    assert brain.read == [brain_reads]
    assert seen == [(brain_reads, checked)]
    assert update.get("message") == ("the code is [one-time code]" if kept else None)
    assert "482" not in str(update.get("captured"))


async def test_a_read_only_question_read_as_nothing_is_kept_as_the_request(
    install: Any,
) -> None:
    """"contents of W…?" reads as `other`, unsure, yet it is a request: the agent asks who
    the customer is and answers it, instead of "How can I help?"."""
    install({})
    update = await nodes.understand(install.deps, {"message": "contents of W1000009?"})
    assert update["captured"]["issue"] == "contents of W1000009?"
    update = await nodes.understand(install.deps, {"message": "hello?"})
    assert "issue" not in update["captured"]


async def test_a_status_reading_of_a_message_that_asks_to_act_is_unsure(install: Any) -> None:
    text = "Return the earbuds from W1000007 and put the refund on my gift card"
    install({text: Understanding(category=Category.REFUND_STATUS, confidence=0.8)})
    update = await nodes.understand(install.deps, {"message": text})
    assert update["category"] == "refund_status" and update["confidence"] < 0.5
    assert update["captured"]["readings"] == ["return", "refund_status"]
    asked = "Returned the earbuds last week, where's my refund?"
    install({asked: Understanding(category=Category.REFUND_STATUS, confidence=0.8)})
    update = await nodes.understand(install.deps, {"message": asked})
    assert update["confidence"] == 0.8
