"""Items resolved one by one in the turn's decision (domain.turn.items_of_turn, pick_items):
the lines a return, an exchange or an item change is for, or the question first."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal as D

import pytest

from domain.commands import ReturnItems
from domain.dialogue import Category
from domain.identity import IdentityLevel
from domain.policy import load_policy
from domain.retail import Order, OrderLine, OrderStatus, Transaction, TransactionKind
from domain.turn import (
    Ask,
    Captured,
    Escalate,
    OutcomeKind,
    Propose,
    TurnFacts,
    TurnRead,
    decide_turn,
    pick_items,
)
from tests.unit.test_dialogue_changes import ADA, SHOES, order
from tests.unit.test_turn import POLICY


def speaker(item_id: str, color: str, price: str) -> OrderLine:
    return OrderLine(
        product_id="speaker",
        item_id=item_id,
        name="Bluetooth Speaker",
        price=D(price),
        options={"color": color},
    )


BLUE = speaker("sp-blue", "blue", "20.00")
BLACK = speaker("sp-black", "black", "25.00")
BOTTLE = OrderLine(
    product_id="bottle", item_id="b-1", name="Water Bottle", price=D("9.00"), options={}
)
SPEAKERS = order(OrderStatus.DELIVERED, BLUE, BLACK, BOTTLE)
TWINS = order(OrderStatus.DELIVERED, BLUE, BLUE, BOTTLE)


@dataclass(frozen=True)
class Row:
    name: str
    message: str
    the_order: Order = SPEAKERS
    category: Category = Category.RETURN
    captured: Captured = field(default_factory=lambda: Captured())
    kind: OutcomeKind = OutcomeKind.ASK
    ask_for: str | None = None
    items: tuple[str, ...] = ()  # the item ids a proposal returns, in order
    choices: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    awaiting: str | None = None


def facts(row: Row) -> TurnFacts:
    return TurnFacts(
        read=TurnRead(category=row.category, confidence=0.9, autonomous=True),
        message=row.message,
        captured=row.captured,
        verified=True,
        identity=IdentityLevel.ONE_TIME_CODE,
        customer=ADA,
        order=row.the_order,
        policy=POLICY,
        variants={"shoe": SHOES},
        awaiting=row.awaiting,
    )


ROWS = [
    Row("one named item of several is returned alone", "please return the water bottle",
        kind=OutcomeKind.PROPOSE, items=("b-1",)),
    Row("a line told apart by its option is the one returned", "return the black speaker",
        kind=OutcomeKind.PROPOSE, items=("sp-black",)),
    Row("a name that fits two lines is a question listing both", "return the speaker",
        ask_for="item_choice", choices=("sp-blue", "sp-black")),
    Row("the picked id settles the question", "return the speaker",
        captured={"picked_item_ids": ["sp-blue"]}, kind=OutcomeKind.PROPOSE, items=("sp-blue",)),
    Row("two identical lines: 'both' returns both", "return both speakers", the_order=TWINS,
        kind=OutcomeKind.PROPOSE, items=("sp-blue", "sp-blue")),
    Row("a product the order does not hold is said so, never the whole order",
        "return the laptop", ask_for="item", missing=("laptop",),
        captured={"item_names": ["laptop"]}),
    Row("asked which item, an answer naming one settles what the request mentioned in passing",
        "the steel bottle", awaiting="item", kind=OutcomeKind.PROPOSE, items=("b-1",),
        captured={"issue": "return the flask, it won't fit my bike", "item_names": ["bike"]}),
    Row("nothing named on a multi-line order asks which item", "I want to return my order",
        ask_for="item"),
    Row("the only line of a single-line order may be taken", "I want to return my order",
        the_order=order(OrderStatus.DELIVERED), kind=OutcomeKind.PROPOSE, items=("s-black-9",)),
    Row("the answer to 'which item?' is kept with the request", "the bottle",
        captured={"issue": "I want to return something", "item_request": "the bottle"},
        kind=OutcomeKind.PROPOSE, items=("b-1",)),
    Row("an exchange of one of two lines asks which", "exchange the speaker",
        category=Category.EXCHANGE, ask_for="item_choice", choices=("sp-blue", "sp-black")),
    Row("after asking twice, a person takes over", "return the speaker",
        captured={"item_asks": 2}, kind=OutcomeKind.ESCALATE),
    Row("an undelivered order's return is still refused by the rule", "return the speaker",
        the_order=order(OrderStatus.PENDING, BLUE, BLACK), kind=OutcomeKind.REFUSE),
]  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_items_of_the_turn(row: Row) -> None:
    outcome = decide_turn(facts(row))
    assert outcome.kind is row.kind, outcome
    if isinstance(outcome, Ask):
        assert outcome.ask_for == row.ask_for
        assert outcome.choices == row.choices
        assert outcome.missing == row.missing
    if isinstance(outcome, Propose):
        assert [i.item_id for i in outcome.action.items] == list(row.items)
        if isinstance(outcome.action.command, ReturnItems):
            assert outcome.action.command.item_ids == list(row.items)
            total = sum((i.price for i in outcome.action.items), D("0"))
            assert outcome.action.amount == total
    if isinstance(outcome, Escalate):
        assert "still open" in outcome.handoff_reason


def test_a_proposal_lists_each_item_with_its_options_amount_method_and_total() -> None:
    outcome = decide_turn(facts(Row("", "return the black speaker and the water bottle")))
    assert isinstance(outcome, Propose)
    assert outcome.action.described == (
        "I will return the Bluetooth Speaker (color black) for 25.00 and the Water Bottle for "
        "9.00 from order #W0000001: refund 34.00 to your Visa ending 4242."
    )


@pytest.mark.parametrize(
    ("answer", "picked"),
    [
        ("the black one", ["sp-black"]),
        ("the first one", ["sp-blue"]),
        ("both", ["sp-blue", "sp-black"]),
    ],
)
def test_an_answer_to_which_of_these_is_read_against_the_lines_offered(
    answer: str, picked: list[str]
) -> None:
    asked = Captured(item_candidates=["sp-blue", "sp-black"], item_asks=1)
    captured = pick_items(asked, SPEAKERS, answer)
    assert captured.get("picked_item_ids") == picked
    assert "item_candidates" not in captured
    then = decide_turn(facts(Row("", answer, captured={**captured, "issue": "return the speaker"})))
    assert isinstance(then, Propose)
    assert sorted(i.item_id for i in then.action.items) == sorted(picked)


def test_an_answer_that_picks_nothing_leaves_the_question_open() -> None:
    asked = Captured(item_candidates=["sp-blue", "sp-black"], item_asks=1)
    assert pick_items(asked, SPEAKERS, "hmm not sure") == asked


# --- the dialogue's rules around a proposal -----------------------------------------------

RETURN_BOTTLE = ReturnItems(
    order_id="#W0000001", item_ids=["b-1"], payment_method_id="credit_card_1"
)


def around(
    message: str,
    *,
    affirm: bool | None,
    rejected: tuple[ReturnItems, ...] = (),
    proposal: ReturnItems | None = RETURN_BOTTLE,
    captured: Captured | None = None,
) -> TurnFacts:
    return TurnFacts(
        read=TurnRead(category=Category.RETURN, confidence=0.9, autonomous=True, affirm=affirm),
        message=message,
        captured=Captured(issue="return the water bottle", **(captured or {})),
        verified=True,
        identity=IdentityLevel.ONE_TIME_CODE,
        customer=ADA,
        order=SPEAKERS,
        policy=POLICY,
        proposal=proposal,
        rejected=rejected,
    )


@pytest.mark.parametrize(
    ("name", "turn", "kind", "ask_for"),
    [
        ("a yes to a rejected action is not queued again",
         around("ok yes", affirm=True, rejected=(RETURN_BOTTLE,)), OutcomeKind.REFUSE, None),
        ("a rejected action is not proposed again unchanged",
         around("return the water bottle", affirm=None, proposal=None,
                rejected=(RETURN_BOTTLE.model_copy(update={"refund_limit": D("5")}),)),
         OutcomeKind.REFUSE, None),
        ("another action than the rejected one is still proposed",
         around("return the black speaker", affirm=None, proposal=None,
                rejected=(RETURN_BOTTLE,)), OutcomeKind.PROPOSE, None),
        ("a yes without a rejection runs as usual",
         around("yes", affirm=True), OutcomeKind.EXECUTE, None),
        ("a question about the proposal is answered, not taken as a no",
         around("no wait, will the refund go to my card?", affirm=False),
         OutcomeKind.ANSWER, None),
        ("a question nothing answers repeats the proposal, not a no",
         around("no wait, is that all of it?", affirm=False), OutcomeKind.PROPOSE, None),
        ("declining is not a resolution: the customer is asked what else",
         around("no thanks", affirm=False), OutcomeKind.ASK, "anything_else"),
        ("a no that says the proposal was wrong is asked what should differ",
         around("no, that's not what I asked", affirm=False), OutcomeKind.ASK, "correction"),
        ("wrong again after it was put right once: a plain no",
         around("no, that's still not what I asked", affirm=False,
                captured=Captured(asked={"correction": 1})), OutcomeKind.ASK, "anything_else"),
        ("so is a no naming the wrong item",
         around("no, wrong item, I meant the speaker", affirm=False), OutcomeKind.ASK,
         "correction"),
        ("a no that only changes the customer's mind is not one",
         around("no, I wanted to keep it after all", affirm=False), OutcomeKind.ASK,
         "anything_else"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)  # fmt: skip
def test_rules_around_a_proposal(
    name: str, turn: TurnFacts, kind: OutcomeKind, ask_for: str | None
) -> None:
    outcome = decide_turn(turn)
    assert outcome.kind is kind, outcome
    if ask_for is not None:
        assert isinstance(outcome, Ask) and outcome.ask_for == ask_for
    if isinstance(outcome, Propose):
        assert outcome.action.command.item_ids != RETURN_BOTTLE.item_ids or not turn.rejected


@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.PENDING_ITEM_MODIFIED])
def test_an_address_change_on_an_unshipped_order_is_proposed(status: OrderStatus) -> None:
    outcome = decide_turn(
        TurnFacts(
            read=TurnRead(category=Category.CHANGE_ADDRESS, confidence=0.9, autonomous=True),
            message="ship it to 12 Elm Street, Boston, MA 02110",
            captured=Captured(order_id="#W0000001"),
            verified=True,
        identity=IdentityLevel.ONE_TIME_CODE,
            customer=ADA,
            order=order(status),
            policy=load_policy(),
        )
    )
    assert outcome.kind is OutcomeKind.PROPOSE, outcome


def test_a_refund_goes_to_the_paypal_account_that_paid() -> None:
    """Paid by card, then moved to PayPal (the card refunded): PayPal holds the money."""

    def paid(kind: TransactionKind, method: str) -> Transaction:
        return Transaction(kind=kind, amount=D("9.00"), payment_method_id=method)

    paid_by_paypal = order(OrderStatus.DELIVERED, BOTTLE).model_copy(
        update={
            "transactions": (
                paid(TransactionKind.PAYMENT, "credit_card_1"),
                paid(TransactionKind.PAYMENT, "paypal_1"),
                paid(TransactionKind.REFUND, "credit_card_1"),
            )
        }
    )
    outcome = decide_turn(
        TurnFacts(
            read=TurnRead(category=Category.RETURN, confidence=0.9, autonomous=True),
            message="return the bottle please",
            captured=Captured(),
            verified=True,
        identity=IdentityLevel.ONE_TIME_CODE,
            customer=ADA,
            order=paid_by_paypal,
            policy=POLICY,
        )
    )
    assert isinstance(outcome, Propose), outcome
    assert outcome.action.payment_method_id == "paypal_1"
    assert outcome.action.amount == D("9.00")


@pytest.mark.parametrize(
    ("category", "autonomous", "message"),
    [
        (Category.CHANGE_ADDRESS, True, "please update the address on my account"),
        (Category.ACCOUNT_ADDRESS, False, "please update the address on my account"),
        (Category.ACCOUNT_ADDRESS, True, "change my default address"),
    ],
)
def test_an_account_address_change_is_never_asked_which_order(
    category: Category, autonomous: bool, message: str
) -> None:
    outcome = decide_turn(
        TurnFacts(
            read=TurnRead(category=category, confidence=0.9, autonomous=autonomous),
            message=message,
            captured=Captured(issue=message),
            verified=True,
        identity=IdentityLevel.ONE_TIME_CODE,
            customer=ADA,
            order=None,
            policy=load_policy(),
        )
    )
    assert not (isinstance(outcome, Ask) and outcome.ask_for == "order_id"), outcome
