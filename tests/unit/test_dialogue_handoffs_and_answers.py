"""Complaints, read-only answers, questions during a proposal, and the handoff record
(domain.turn.decide_turn, domain.handoff, domain.topic_words, brain.templates)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from typing import Any, cast

import pytest

from brain.base import ReplyRequest
from brain.grounding import ungrounded
from brain.templates import (
    POLICY_SUMMARY,
    READING_WORDS,
    compose_from_template,
    policy_summary,
    refund_note,
)
from domain.commands import ReturnItems
from domain.dialogue import Category, swap_for_status, vague_issue
from domain.handoff import NOT_GIVEN, OUT_OF_SCOPE, handoff_fields
from domain.identity import IdentityLevel
from domain.policy import ShopTerms
from domain.retail import Order, OrderStatus, Transaction, TransactionKind
from domain.topic_words import topic_in_words
from domain.turn import (
    RULE_READERS,
    Answer,
    AnswerSource,
    Ask,
    Captured,
    Escalate,
    OutcomeKind,
    Propose,
    Refuse,
    TurnFacts,
    TurnRead,
    action_asked,
    address_given_alone,
    asked_without_an_account,
    decide_turn,
    email_change_asked,
    is_general_question,
    next_request,
    read_only_question,
    reading_picked,
    reads_as_complaint,
    rule_key,
    split_requests,
    two_requests,
)
from tests.unit.test_dialogue_changes import ADA, order
from tests.unit.test_turn import POLICY

# As if the accuracy gate cleared every rule reader (`brain.validation.rule_scores`).
MEASURED_RULES = frozenset(rule_key(source) for source in RULE_READERS)


def turn(
    message: str,
    category: Category,
    *,
    confidence: float = 0.9,
    autonomous: bool = True,
    verified: bool = True,
    the_order: Order | None = None,
    captured: dict[str, Any] | None = None,
    proposal: ReturnItems | None = None,
    affirm: bool | None = None,
    awaiting: str | None = None,
    trusted_rules: frozenset[str] = MEASURED_RULES,
) -> TurnFacts:
    return TurnFacts(
        read=TurnRead(
            category=category, confidence=confidence, autonomous=autonomous, affirm=affirm
        ),
        message=message,
        captured=cast(Captured, captured or {}),
        verified=verified,
        identity=IdentityLevel.ONE_TIME_CODE if verified else IdentityLevel.NONE,
        customer=ADA if verified else None,
        order=the_order if verified else None,
        policy=POLICY,
        proposal=proposal,
        awaiting=awaiting,
        trusted_rules=trusted_rules,
    )


DELIVERED = order(OrderStatus.DELIVERED)
RETURNED = DELIVERED.model_copy(
    update={
        "status": "returned",
        "transactions": (
            *DELIVERED.transactions,
            Transaction(
                kind=TransactionKind.REFUND, amount=D("80.00"), payment_method_id="credit_card_1"
            ),
        ),
    }
)


# --- complaints ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "category", "the_order", "captured", "ask_for"),
    [
        # Nothing said but that something is wrong: what went wrong, asked once.
        ("there's a problem with my order", Category.ORDER_STATUS, None, {}, "issue"),
        ("Hi, something's wrong with order W0000001", Category.ORDER_STATUS, DELIVERED, {},
         "issue"),
        ("there's a problem with my order", Category.ORDER_STATUS, None,
         {"asked": {"issue": 1}}, "order_id"),
        ("My order arrived but the shoes were missing from the box", Category.ORDER_STATUS,
         DELIVERED, {}, "preferred_resolution"),
        ("Something is wrong with my last order", Category.POLICY_QUESTION, DELIVERED, {},
         "issue"),
        # Read as an action no word of it asks for: a complaint all the same.
        ("Something is wrong with my last order", Category.CANCEL_ORDER, DELIVERED, {},
         "issue"),
        ("the lamp arrived broken", Category.EXCHANGE, DELIVERED, {}, "preferred_resolution"),
        # The customer's answer to "which order?" continues the complaint said first.
        ("#W0000001", Category.ORDER_STATUS, DELIVERED,
         {"issue": "there's a problem with my order", "asked": {"order_id": 1, "issue": 1}},
         "preferred_resolution"),
    ],
)  # fmt: skip
def test_a_complaint_read_as_a_question_gathers_the_order_and_the_wish(
    message: str, category: Category, the_order: Order | None, captured: dict[str, Any],
    ask_for: str,
) -> None:  # fmt: skip
    outcome = decide_turn(turn(message, category, the_order=the_order, captured=captured))
    assert isinstance(outcome, Ask) and outcome.ask_for == ask_for


@pytest.mark.parametrize(
    ("said", "vague"),
    [
        ("problem with my order", True),
        ("Hi, there's something wrong with order #W0000001", True),
        ("I have an issue with my last purchase", True),
        ("the lid of the kettle is cracked", False),
        ("problem with my order, the blender won't turn on", False),
    ],
)
def test_a_complaint_that_says_only_that_something_is_wrong_is_vague(
    said: str, vague: bool
) -> None:
    assert vague_issue(said) is vague


def test_a_complaint_record_carries_the_customers_words() -> None:
    fields = handoff_fields("complaint", {"issue": "the lid is cracked", "order_id": "#W0000001"})
    assert fields.issue == 'Has a complaint (order #W0000001): "the lid is cracked".'


def test_a_question_no_article_answers_is_quoted_in_the_record() -> None:
    fields = handoff_fields("policy_question", {"issue": "Do you ship to Toronto?"})
    assert fields.issue.endswith(': "Do you ship to Toronto?".')


def test_a_complaint_with_its_order_and_wish_goes_to_a_person() -> None:
    captured = {"issue": "the shoes were broken", "preferred_resolution": "a new pair"}
    outcome = decide_turn(turn("a new pair", Category.ORDER_STATUS, the_order=DELIVERED,
                               captured=captured))  # fmt: skip
    assert isinstance(outcome, Escalate)
    assert outcome.handoff_reason == "a complaint deserves a person's attention"


def test_an_action_with_complaint_words_stays_the_action() -> None:
    outcome = decide_turn(turn("return the broken shoes", Category.RETURN, the_order=DELIVERED))
    assert isinstance(outcome, Propose)
    outcome = decide_turn(
        turn("the shoes are broken, I want my money back", Category.RETURN, the_order=DELIVERED)
    )
    assert isinstance(outcome, Propose)


def test_a_complaint_is_asked_for_its_wish_once_then_handed_over() -> None:
    captured = {"issue": "something is wrong", "asked": {"preferred_resolution": 1, "issue": 1}}
    outcome = decide_turn(turn("hmm", Category.COMPLAINT, the_order=DELIVERED,
                               captured=captured))  # fmt: skip
    assert isinstance(outcome, Escalate)


# --- read-only answers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "category", "source"),
    [
        ("What items are in order #W0000001?", Category.CHANGE_ITEMS,
         AnswerSource.ORDER_CONTENTS),
        ("What's in my order? I forgot what I bought", Category.CANCEL_ORDER,
         AnswerSource.ORDER_CONTENTS),
        ("what did i ordr in W0000001 ? cant remeber", Category.OTHER,
         AnswerSource.ORDER_CONTENTS),
        ("Could you tell me what’s in my order?", Category.ORDER_STATUS,
         AnswerSource.ORDER_CONTENTS),
        ("I can't remember what I bought, can you list the contents of my order?",
         Category.OTHER, AnswerSource.ORDER_CONTENTS),
        ("Can you read me back everything on my order that hasn't shipped?",
         Category.RETURN, AnswerSource.ORDER_CONTENTS),
        ("hi whre is my refnd for the shoes i sent back", Category.RETURN,
         AnswerSource.REFUND_STATUS),
        ("was the price difference refunded?", Category.EXCHANGE, AnswerSource.REFUND_STATUS),
        ("I swapped a shirt and was owed the difference back. Did that money ever land?",
         Category.EXCHANGE, AnswerSource.REFUND_STATUS),
    ],
)  # fmt: skip
def test_a_read_only_question_is_answered_whatever_it_was_read_as(
    message: str, category: Category, source: AnswerSource
) -> None:
    # The gate cleared none of these readings: the answer changes nothing and is theirs.
    outcome = decide_turn(turn(message, category, autonomous=False, the_order=RETURNED))
    assert isinstance(outcome, Answer) and outcome.source is source


def test_a_read_only_question_asked_before_verification_is_answered_after_it() -> None:
    first = "What's in my order #W0000001?"
    before = decide_turn(turn(first, Category.CHANGE_ITEMS, verified=False))
    assert isinstance(before, Ask) and before.ask_for == "identity"
    after = decide_turn(turn("ada@example.com", Category.CHANGE_ITEMS, the_order=DELIVERED,
                             captured={"issue": first}, awaiting="identity"))  # fmt: skip
    assert isinstance(after, Answer) and after.source is AnswerSource.ORDER_CONTENTS


def test_a_read_only_question_about_someone_elses_order_is_refused() -> None:
    theirs = DELIVERED.model_copy(update={"customer_id": "someone-else"})
    outcome = decide_turn(turn("what's in order #W0000001?", Category.OTHER, the_order=theirs))
    assert isinstance(outcome, Refuse)


def test_a_read_only_question_without_an_order_asks_for_it() -> None:
    outcome = decide_turn(turn("what did I order last time?", Category.OTHER))
    assert isinstance(outcome, Ask) and outcome.ask_for == "order_id"


@pytest.mark.parametrize(
    "message",
    [
        "This chair is a joke and I'm done with it. I want my money back for #W0000001.",
        "I want it gone and my money back",
    ],
)
def test_asking_for_money_back_is_a_request_not_a_refund_status(message: str) -> None:
    assert read_only_question(message, Category.RETURN) is None


def test_a_request_to_change_the_order_is_not_a_read_only_question() -> None:
    outcome = decide_turn(turn("what's in my order? I want to return the shoes",
                               Category.RETURN, the_order=DELIVERED))  # fmt: skip
    assert isinstance(outcome, Propose)


# --- questions while a proposal waits -------------------------------------------------------

RETURN_SHOES = ReturnItems(
    order_id="#W0000001", item_ids=["s-black-9"], payment_method_id="credit_card_1"
)


@pytest.mark.parametrize(
    ("message", "affirm", "source", "kind"),
    [
        ("how long will the refund take?", None, AnswerSource.REFUND_TIMING, "credit_card"),
        ("no wait, when will I get the money?", False, AnswerSource.REFUND_TIMING, "credit_card"),
        ("which card?", None, AnswerSource.PROPOSAL_METHOD, "credit_card"),
    ],
)  # fmt: skip
def test_a_question_during_a_proposal_is_answered_and_the_proposal_stays_open(
    message: str, affirm: bool | None, source: AnswerSource, kind: str
) -> None:
    facts = turn(message, Category.RETURN, the_order=DELIVERED, proposal=RETURN_SHOES,
                 affirm=affirm)  # fmt: skip
    outcome = decide_turn(facts)
    assert isinstance(outcome, Answer)
    assert outcome.source is source and outcome.proposal_open and outcome.method_kind == kind
    # The yes that follows still runs exactly the proposal.
    yes = decide_turn(replace(facts, message="yes", read=facts.read.model_copy(
        update={"affirm": True})))  # fmt: skip
    assert yes.kind in (OutcomeKind.EXECUTE, OutcomeKind.AWAIT_APPROVAL)


def test_a_question_is_never_answered_before_verification() -> None:
    facts = turn("how long will the refund take?", Category.RETURN, verified=False,
                 proposal=RETURN_SHOES)  # fmt: skip
    outcome = decide_turn(facts)
    assert isinstance(outcome, Ask) and outcome.ask_for == "identity"


# --- the handoff record --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("¿Hacen envíos a México? ¿Cuánto cuesta?", Category.POLICY_QUESTION),
        ("Olá, preciso mudar o endereço de entrega do pedido W1000002", Category.CHANGE_ADDRESS),
        ("Bonjour, je voudrais retourner la bouilloire de la commande W1630030",
         Category.RETURN),
        ("Bonjour, où en est ma commande W1000016 ? Elle n'est toujours pas arrivée.",
         Category.ORDER_STATUS),
        ("Je n'ai aucune nouvelle de la livraison. Pourriez-vous me dire où elle en est ?",
         Category.ORDER_STATUS),
        ("Ich möchte meine Bestellung stornieren", Category.CANCEL_ORDER),
        ("Vorrei cambiare la taglia delle scarpe", Category.EXCHANGE),
        ("Wo bleibt meine Rückerstattung?", Category.REFUND_STATUS),
        ("La lámpara llegó rota", Category.COMPLAINT),
        ("Quiero cambiar la dirección de mi cuenta", Category.ACCOUNT_ADDRESS),
        ("Ik wil de lamp uit bestelling W1000019 terugsturen", Category.RETURN),
        ("Waar blijft mijn terugbetaling?", Category.REFUND_STATUS),
        ("Chciałbym anulować zamówienie W1000018", Category.CANCEL_ORDER),
        ("Chcę zwrócić buty z zamówienia W1000011", Category.RETURN),
        ("Jag vill returnera skorna", Category.RETURN),
        ("Hvor er min pakke?", Category.ORDER_STATUS),
        ("Siparişimi iptal etmek istiyorum", Category.CANCEL_ORDER),
        ("Kulaklık bozuk geldi", Category.COMPLAINT),
        ("Bonjour", None),
    ],
)  # fmt: skip
def test_the_topic_of_a_message_in_another_language(message: str, topic: Category) -> None:
    assert topic_in_words(message) is topic


@pytest.mark.parametrize(
    ("captured", "topic", "preferred"),
    [
        # A request in another language: its topic states the resolution it wants.
        ({"topic": "return", "language": "fr", "order_id": "#W1"}, "return",
         "a refund for the returned items"),
        ({"topic": "policy_question", "language": "es"}, "policy_question",
         "an answer to the question"),
        # A request the shop's tools do not serve is filed as that, not as "other".
        ({"out_of_scope": True, "preferred_resolution": "an answer to the question"},
         OUT_OF_SCOPE, "an answer to the question"),
        # A complaint's wish, asked for and not given, says so.
        ({"topic": "complaint", "asked": {"preferred_resolution": 1}}, "complaint", NOT_GIVEN),
        ({"topic": "complaint"}, "complaint", None),
    ],
)  # fmt: skip
def test_the_handoff_record_files_a_topic_and_a_wish(
    captured: dict[str, Any], topic: str, preferred: str | None
) -> None:
    record = handoff_fields("talk_to_human", captured)
    assert record.category == topic
    assert record.preferred_resolution == preferred


def test_the_handoff_record_keeps_what_was_tried() -> None:
    tried = ["answered: order status", "proposed, and the customer said no: a return"]
    record = handoff_fields("return", {"topic": "return", "tried": tried, "order_id": "#W1"})
    assert record.tried == tuple(tried)
    assert "(order #W1)" in record.issue


def test_a_record_no_topic_names_quotes_the_customer() -> None:
    said = "I want to discuss a discount on the watch " + "please " * 30
    record = handoff_fields("other", {"issue": said, "order_id": "#W1"})
    assert record.category == "other"
    assert record.issue.startswith('Needs help with something else (order #W1): "I want to discuss')
    assert record.issue.endswith('…".') and len(record.issue) < 200
    topical = handoff_fields("return", {"topic": "return", "issue": said})
    assert "discount" not in topical.issue  # a topic's line says it in the shop's words


# --- wording: one refund timing, from the policy's terms -----------------------------------


def test_every_refund_timing_reads_the_policys_terms() -> None:
    terms = ShopTerms(refund_card_business_days=9, refund_paypal_business_days=4)
    for text in (policy_summary(terms), refund_note("cancel_order", terms) or ""):
        assert "up to 9 business days" in text and "up to 4" in text
    assert "5 to 7" not in POLICY_SUMMARY and "up to 7 business days" in POLICY_SUMMARY


def _facts(**more: Any) -> dict[str, Any]:
    return {
        "refund_terms": {"card_days": 7, "paypal_days": 3},
        "order": {
            "id": "#W0000001",
            "status": "returned",
            "items": [
                {"name": "Running Shoes", "price": "$80.00", "options": {"color": "black"}},
                {"name": "Desk Lamp", "price": "$34.50", "options": {}},
            ],
            "tracking": [],
            "refund_lines": [
                {"amount": "$34.50", "method": "Visa ending 4242", "kind": "credit_card"}
            ],
        },
        **more,
    }


@pytest.mark.parametrize(
    ("answer", "facts", "says"),
    [
        ("order_contents", _facts(), ["Running Shoes (black), $80.00", "Desk Lamp, $34.50"]),
        ("refund_status", _facts(),
         ["$34.50 to your Visa ending 4242", "up to 7 business days"]),
        ("refund_timing", _facts(method_kind="paypal"), ["within 3 business days"]),
        ("proposal_method",
         _facts(method_kind="gift_card", proposal_open=True,
                proposal={"summary": "start a return", "method": "gift card"}),
         ["your gift card", "available right away", "start a return still stands"]),
    ],
)  # fmt: skip
def test_read_only_answers_state_only_facts(
    answer: str, facts: dict[str, Any], says: list[str]
) -> None:
    request = ReplyRequest(step="answer", answer=answer, facts=facts)
    text = compose_from_template(request).text
    for words in says:
        assert words in text
    assert ungrounded(text, request) == []


def test_the_address_question_states_no_number_the_facts_lack() -> None:
    request = ReplyRequest(step="ask", ask_for="address", facts={})
    assert ungrounded(compose_from_template(request).text, request) == []


# --- two requests in one message ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        ("return the lamp and change my address", ("return the lamp", "change my address")),
        ("Cancel W1000018 please, I ordered by mistake. Also, do you ship to Canada?",
         ("Cancel W1000018 please, I ordered by mistake", "do you ship to Canada?")),
        ("Return the kettle from W1630030, and also what's the status of W4680753?",
         ("Return the kettle from W1630030", "what's the status of W4680753?")),
        ("please return the desk lamp and tell me when the chair arrives",
         ("please return the desk lamp", "tell me when the chair arrives")),
        ("exchange the mug for a blue one, and check whether my refund went through",
         ("exchange the mug for a blue one", "check whether my refund went through")),
        ("cancel #W2 and let me know where #W3 is",
         ("cancel #W2", "let me know where #W3 is")),
        ("Cancel #W1000020 please, I don't need it. Second, the other order: did it arrive?",
         ("Cancel #W1000020 please, I don't need it", "the other order: did it arrive?")),
        # more of the same question, not a second request
        ("Has the money been sent back, and where to?", None),
        ("Two things: cancel #W2, I ordered it by mistake. And separately, how long is the "
         "return window?",
         ("Two things: cancel #W2, I ordered it by mistake", "how long is the return window?")),
        # One request naming two items, or a request and a remark, is not split.
        ("I'd like to return the bookshelf and the pet bed from order #W7273336", None),
        ("Can I send back the headphones from order W1000001? Keep the laptop.", None),
    ],
)  # fmt: skip
def test_a_message_with_two_requests_is_split_in_two(
    message: str, parts: tuple[str, str] | None
) -> None:
    assert split_requests(message) == parts


@pytest.mark.parametrize(
    ("first", "second", "both"),
    [
        ((Category.RETURN, 0.9), (Category.CHANGE_ADDRESS, 0.8), True),
        ((Category.RETURN, 0.9), (Category.RETURN, 0.8), False),  # one request, said twice
        ((Category.RETURN, 0.9), (Category.OTHER, 0.8), False),  # a remark
        # One part unsure: its own request all the same, clarified when taken up.
        ((Category.RETURN, 0.9), (Category.ORDER_STATUS, 0.3), True),
        ((Category.RETURN, 0.4), (Category.ORDER_STATUS, 0.3), False),  # both unsure
    ],
)
def test_two_parts_are_two_requests_when_one_is_sure_and_they_differ(
    first: tuple[Category, float], second: tuple[Category, float], both: bool
) -> None:
    assert two_requests(*first, *second) is both


@pytest.mark.parametrize(
    ("first", "second", "parts", "both"),
    [
        (Category.RETURN, Category.CHANGE_PAYMENT,
         ("The watch on W1 is going back", "Rather than PayPal, could the refund go onto my "
          "gift card?"), False),
        (Category.CHANGE_PAYMENT, Category.CANCEL_ORDER,
         ("Put the refund on my Visa please", "cancel W2, I don't need it"), False),
        # A payment change of its own beside a return is still a second request.
        (Category.RETURN, Category.CHANGE_PAYMENT,
         ("return the lamp from W1", "and pay for W2 with my PayPal instead"), True),
    ],
)  # fmt: skip
def test_where_a_refund_should_go_is_part_of_the_request_that_refunds(
    first: Category, second: Category, parts: tuple[str, str], both: bool
) -> None:
    assert two_requests(first, 0.9, second, 0.9, parts=parts) is both


def test_a_complaint_beside_a_request_is_its_own_unless_it_is_why_an_item_goes_back() -> None:
    charged = ("pls cancel my tee order", "my bank app shows 2 charges, i got charged twice")
    assert two_requests(Category.CANCEL_ORDER, 0.9, Category.OTHER, 0.6, parts=charged)
    story = ("I'm really disappointed, the headphones pinch my head", "I'm sending them back")
    assert not two_requests(Category.COMPLAINT, 0.9, Category.RETURN, 0.9, parts=story)
    assert not two_requests(Category.COMPLAINT, 0.9, Category.EXCHANGE, 0.9)


def test_two_questions_for_the_articles_are_no_two_requests() -> None:
    parts = ("need it at my nan's by friday. how quick is express delivery", "what does it cost?")
    assert not two_requests(Category.ORDER_STATUS, 0.9, Category.POLICY_QUESTION, 0.9, parts=parts)


def test_the_second_request_is_taken_up_without_the_first_ones_details() -> None:
    captured: Any = {
        "email": "ada@example.com", "language": "en", "order_id": "#W1",
        "item_ids": ["s-black-9"], "item_names": ["shoes"], "topic": "return",
        "issue": "return the shoes", "asked": {"item": 1},
        "next_request": "change the address of #W2 to 1 Elm St, Springfield, IL 62701",
        "next_topic": "change_address",
    }  # fmt: skip
    kept, text = next_request(captured) or ({}, "")
    assert text.startswith("change the address")
    assert kept == {"email": "ada@example.com", "language": "en", "order_id": "#W1"}
    assert next_request(kept) is None


def test_a_handoff_with_a_second_request_waiting_names_both() -> None:
    captured = {"topic": "return", "next_request": "change my address",
                "next_topic": "change_address"}  # fmt: skip
    record = handoff_fields("return", captured)
    assert record.category == "return"
    assert "next: wants to change the delivery address" in record.issue


def test_a_charge_not_owed_is_a_complaint_even_read_as_a_payment_change() -> None:
    message = "I was charged twice for order #W0000001, I see two payments on my card"
    pending = order(OrderStatus.PENDING)
    outcome = decide_turn(turn(message, Category.CHANGE_PAYMENT, the_order=pending))
    assert isinstance(outcome, Ask) and outcome.ask_for == "preferred_resolution"
    assert reads_as_complaint(Category.CHANGE_PAYMENT, message)
    assert not reads_as_complaint(Category.CHANGE_PAYMENT, "pay it with my other card")


def test_a_request_for_a_refund_is_not_a_question_about_one() -> None:
    message = "Can I get a refund for the shoes? They were damaged"
    outcome = decide_turn(turn(message, Category.RETURN, the_order=DELIVERED))
    assert isinstance(outcome, Propose)


def test_a_rule_reader_the_gate_did_not_clear_reads_nothing() -> None:
    message = "What items are in order #W0000001?"
    cleared = decide_turn(
        turn(message, Category.CHANGE_ITEMS, autonomous=False, the_order=RETURNED)
    )
    assert isinstance(cleared, Answer) and cleared.source is AnswerSource.ORDER_CONTENTS
    # Unmeasured: asked which it is first (`test_an_uncleared_rule_asks_which_it_is`).


@pytest.mark.parametrize(
    ("answer", "offered", "picked"),
    [
        ("the return", ("refund_status", "return"), "return"),
        ("it's about where my refund is", ("refund_status", "return"), "refund_status"),
        ("I want to know what's inside it", ("order_contents", "order_status"), "order_contents"),
        ("where it is, it hasn't arrived", ("order_contents", "order_status"), "order_status"),
        ("the address on my account", ("change_address", "account_address"), "account_address"),
        ("both, a refund and a return", ("refund_status", "return"), None),
        ("not sure", ("refund_status", "return"), None),
        ("the first one", ("refund_status", "return"), "refund_status"),
        ("the latter", ("refund_status", "return"), "return"),
        ("the first", ("refund_status",), None),  # one reading offered: a yes picks it
        # an action not offered, named by its own verb, is picked; anything else is not
        ("cancel it", ("refund_status", "return"), "cancel_order"),
        ("it's about returning something", ("refund_status", "cancel_order"), "return"),
        ("it's about how my order is paid", ("cancel_order", "change_items"), "change_payment"),
        ("the delivery address", ("cancel_order", "return"), "change_address"),
        ("it's about what my order holds", ("return", "change_payment"), "order_contents"),
        ("where is it", ("refund_status", "return"), None),
        ("return or cancel, not sure", ("refund_status", "order_status"), None),
    ],
)
def test_the_reading_a_customer_picks(
    answer: str, offered: tuple[str, ...], picked: str | None
) -> None:
    assert reading_picked(answer, offered) == picked


def test_a_yes_picks_the_one_reading_offered() -> None:
    assert reading_picked("yes", ("refund_status",), affirmed=True) == "refund_status"
    assert reading_picked("no", ("refund_status",), affirmed=False) is None
    assert reading_picked("yes", ("refund_status", "return"), affirmed=True) is None


def test_an_uncleared_rule_still_answers_a_reading_the_gate_cleared() -> None:
    message = "hi where is my refund for the shoes i sent back"
    read_so = decide_turn(
        turn(message, Category.REFUND_STATUS, autonomous=True, the_order=RETURNED,
             trusted_rules=frozenset())
    )  # fmt: skip
    assert isinstance(read_so, Answer) and read_so.source is AnswerSource.REFUND_STATUS
    # Read otherwise: asked which it is first (`test_an_uncleared_rule_asks_which_it_is`).


@pytest.mark.parametrize(
    ("message", "read_as", "autonomous", "offered", "answer", "picked", "source"),
    [
        ("What items are in order #W0000001?", Category.CHANGE_ITEMS, False,
         ("order_contents", "change_items"), "what it holds", Category.ORDER_STATUS,
         AnswerSource.ORDER_CONTENTS),
        ("hi where is my refund for the shoes i sent back", Category.RETURN, True,
         ("refund_status", "return"), "where my refund is", Category.REFUND_STATUS,
         AnswerSource.REFUND_STATUS),
    ],
)  # fmt: skip
def test_an_uncleared_rule_asks_which_it_is(
    message: str,
    read_as: Category,
    autonomous: bool,
    offered: tuple[str, ...],
    answer: str,
    picked: Category,
    source: AnswerSource,
) -> None:
    """A question an uncleared rule read, and the brain read as something else: asked once
    which it is (naming both readings), nothing acted on; still unclear, a person; the
    reading picked (graph.nodes.understand read it as the rule's category), answered from
    the first request's words with the answer."""
    def asked(text: str, category: Category, *, cleared: bool) -> object:
        return decide_turn(
            turn(text, category, autonomous=cleared, the_order=RETURNED,
                 trusted_rules=frozenset(), awaiting="clarify", captured={"issue": message})
        )  # fmt: skip

    first = decide_turn(
        turn(message, read_as, autonomous=autonomous, the_order=RETURNED, trusted_rules=frozenset())
    )
    assert isinstance(first, Ask) and first.ask_for == "clarify"
    assert first.readings == offered
    assert isinstance(asked(message, read_as, cleared=autonomous), Escalate)  # a person answers
    answered = asked(answer, picked, cleared=True)  # the picked category, cleared by the gate
    assert isinstance(answered, Answer) and answered.source is source


def test_a_read_only_question_asks_for_its_order_twice_at_most_then_a_person() -> None:
    message = "where is my refund? it's been ages"
    first = decide_turn(
        turn(message, Category.REFUND_STATUS, trusted_rules=frozenset())
    )  # no order named: asked for, even when a person will answer
    assert isinstance(first, Ask) and first.ask_for == "order_id"
    third = decide_turn(
        turn(message, Category.REFUND_STATUS, captured={"asked": {"order_id": 2}})
    )
    assert isinstance(third, Escalate)


def test_the_clarifying_questions_own_words_pick_their_reading() -> None:
    """Answering with the words the question offered a reading in ("it's about changing an
    item before it ships") picks that reading, beside any other reading offered."""
    for reading, words in READING_WORDS.items():
        for other in READING_WORDS:
            if other == reading:
                continue
            offered = (reading, other)
            assert reading_picked(f"it's about {words}", offered) == reading, (words, other)


@pytest.mark.parametrize(
    ("message", "complaint"),
    [
        ("Before I order: if something turns up broken, how long have I got?", False),
        ("what happens if my parcel is damaged?", False),
        ("my lamp arrived broken", True),
        ("The lamp is broken. If you can, send a new one", True),
        ("it stopped working, would you replace it?", True),
    ],
)
def test_what_would_happen_is_a_question_not_a_complaint(message: str, complaint: bool) -> None:
    assert reads_as_complaint(Category.POLICY_QUESTION, message) is complaint


@pytest.mark.parametrize(
    ("said", "status", "meant"),
    [
        (Category.CHANGE_ITEMS, "delivered", Category.EXCHANGE),
        (Category.EXCHANGE, "pending", Category.CHANGE_ITEMS),
        (Category.EXCHANGE, "delivered", Category.EXCHANGE),
        (Category.CHANGE_ITEMS, "pending (item modified)", Category.CHANGE_ITEMS),
        (Category.RETURN, "pending", Category.RETURN),
    ],
)
def test_a_swap_is_named_by_its_orders_status(
    said: Category, status: str, meant: Category
) -> None:
    assert swap_for_status(said, status) is meant


@pytest.mark.parametrize(
    ("category", "message", "alone"),
    [
        (Category.OTHER, "1 Market Street, Suite 3600, San Francisco, CA 94105", True),
        (Category.POLICY_QUESTION, "please send it here: 12 Elm Street, Boston, MA 02110", True),
        # a story around an address, or an address inside a request read as one: not alone
        (Category.OTHER, "my sister lives at 12 Elm Street, Boston, MA 02110 and she says the "
                         "parcel never came, is that normal for your courier?", False),
        (Category.RETURN, "12 Elm Street, Boston, MA 02110", False),
        (Category.OTHER, "Boston, MA 02110", False),
    ],
)  # fmt: skip
def test_an_address_given_alone_is_where_the_order_should_go(
    category: Category, message: str, alone: bool
) -> None:
    assert address_given_alone(category, message) is alone


def test_someone_without_an_account_asking_about_their_order_asks_a_question() -> None:
    question = "rather than paying for delivery could I just pop in and collect my order myself?"
    assert not is_general_question(question)  # "my order" would be theirs…
    assert asked_without_an_account(question)  # …but they have none yet
    assert not asked_without_an_account("I want to return my order")


@pytest.mark.parametrize(
    ("said", "action"),
    [
        ("from the order with the kettles I want to send back the glass one", Category.RETURN),
        ("could you cancel it", Category.CANCEL_ORDER),
        ("the lamp arrived broken", None),
        ("I want to return the lamp and I'd like to exchange the mug", None),  # two kinds
    ],
)
def test_the_action_a_message_asks_for_in_so_many_words(
    said: str, action: Category | None
) -> None:
    assert action_asked(said) is action


@pytest.mark.parametrize(
    ("category", "said", "email"),
    [
        (Category.ACCOUNT_ADDRESS, "How do I change the email address my account uses?", True),
        (Category.CHANGE_ADDRESS, "can I update my login email?", True),
        (Category.ACCOUNT_ADDRESS, "update my home address and my email: 1 Main St, Boston, "
                                   "MA 02110", False),
        (Category.RETURN, "I got an email saying it was delivered", False),
    ],
)  # fmt: skip
def test_an_email_address_to_change_is_no_postal_address(
    category: Category, said: str, email: bool
) -> None:
    assert email_change_asked(category, said) is email
