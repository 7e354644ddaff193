"""The one decision of a turn (domain.turn.decide_turn), one row per outcome it can reach."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal as D
from typing import Any

import pytest

from domain.commands import CancelOrder, ExchangeItems, ReturnItems
from domain.consent import Consent, ConsentRequest
from domain.dialogue import Category
from domain.identity import IdentityLevel
from domain.policy import ActionLimits, ActionType, Policy, Tier
from domain.retail import Order, OrderStatus, Variant
from domain.turn import (
    OUTCOME,
    AnswerSource,
    Captured,
    OutcomeKind,
    TurnFacts,
    TurnRead,
    decide_turn,
)
from tests.unit.test_dialogue_changes import ADA, SHOES, order
from tests.unit.test_matching import shoe

POLICY = Policy(
    actions={
        ActionType.CANCEL_ORDER: ActionLimits(auto_max=D("100"), approver_max=D("1000")),
        ActionType.RETURN_ITEMS: ActionLimits(
            auto_max=D("50"), approver_max=D("60"), four_eyes_above=D("70")
        ),
        ActionType.EXCHANGE_ITEMS: ActionLimits(forbidden=True),
        ActionType.MODIFY_ITEMS: ActionLimits(),
    }
)
CANCEL = CancelOrder(order_id="#W0000001", reason="no longer needed")
RETURN = ReturnItems(
    order_id="#W0000001", item_ids=["s-black-9"], payment_method_id="credit_card_1"
)
EXCHANGE_TO_RED = ExchangeItems(
    order_id="#W0000001",
    item_ids=["s-black-9"],
    new_item_ids=["s-red-9"],
    payment_method_id="credit_card_1",
)
RED_SOLD_OUT = [shoe("s-black-9", "black", "9"), shoe("s-red-9", "red", "9", available=False)]


@dataclass(frozen=True)
class Row:
    """A turn, and what it must come to."""

    name: str
    category: Category
    status: OrderStatus | None = OrderStatus.PENDING
    message: str = ""
    captured: Captured = field(default_factory=lambda: Captured())
    verified: bool = True
    wants_human: bool = False
    affirm: bool | None = None
    proposal: Any = None
    variants: list[Variant] = field(default_factory=lambda: list(SHOES))
    policy: Policy = POLICY
    kind: OutcomeKind = OutcomeKind.ASK
    expect: dict[str, Any] = field(default_factory=dict)
    consent_request: ConsentRequest | None = None
    consent: Consent | None = None


def facts(row: Row) -> TurnFacts:
    the_order: Order | None = order(row.status) if row.status is not None else None
    return TurnFacts(
        read=TurnRead(
            category=row.category,
            confidence=0.9,
            autonomous=True,
            wants_human=row.wants_human,
            affirm=row.affirm,
        ),
        message=row.message,
        captured=row.captured,
        verified=row.verified,
        customer=ADA if row.verified else None,
        order=the_order if row.verified else None,
        policy=row.policy,
        proposal=row.proposal,
        variants={"shoe": row.variants},
        # A verified row's customer typed the one-time code: every kind of request is open.
        identity=IdentityLevel.ONE_TIME_CODE if row.verified else IdentityLevel.NONE,
        consent_request=row.consent_request,
        consent=row.consent if row.verified else None,
    )


NO_MARKETING = ConsentRequest((("marketing", False),))


ROWS = [
    Row("a stranger is asked who they are", Category.ORDER_STATUS, verified=False,
        expect={"ask_for": "identity"}),
    Row("a cancellation needs its reason", Category.CANCEL_ORDER,
        captured={"order_id": "#W0000001"}, expect={"ask_for": "cancel_reason"}),
    Row("a request without an order asks for it", Category.RETURN, status=None,
        expect={"ask_for": "order_id"}),
    Row("an order's status is answered from the store", Category.ORDER_STATUS,
        kind=OutcomeKind.ANSWER, expect={"source": AnswerSource.ORDER_STATUS}),
    Row("a refund's status is answered from the store", Category.REFUND_STATUS,
        kind=OutcomeKind.ANSWER, expect={"source": AnswerSource.REFUND_STATUS}),
    Row("a policy question is answered from the policy", Category.POLICY_QUESTION,
        kind=OutcomeKind.ANSWER, expect={"source": AnswerSource.POLICY}),
    Row("a no to the proposal changes nothing and asks what else", Category.CANCEL_ORDER,
        affirm=False, proposal=CANCEL, expect={"ask_for": "anything_else"}),
    Row("a cancellation is proposed, planned and rated at once", Category.CANCEL_ORDER,
        captured={"cancel_reason": "no longer needed"}, kind=OutcomeKind.PROPOSE,
        expect={"tier": Tier.AUTO, "amount": D("80.00"), "method": "credit_card_1",
                "items": ["s-black-9"]}),
    Row("a confirmed cancellation within the automatic limit runs", Category.CANCEL_ORDER,
        affirm=True, proposal=CANCEL, kind=OutcomeKind.EXECUTE,
        expect={"tier": Tier.AUTO, "amount": D("80.00")}),
    Row("a return above the automatic limit is proposed with its tier", Category.RETURN,
        status=OrderStatus.DELIVERED, kind=OutcomeKind.PROPOSE,
        expect={"tier": Tier.SENIOR_APPROVER, "amount": D("80.00"), "four_eyes": True}),
    Row("a confirmed return above the automatic limit awaits approval", Category.RETURN,
        status=OrderStatus.DELIVERED, affirm=True, proposal=RETURN,
        kind=OutcomeKind.AWAIT_APPROVAL,
        expect={"tier": Tier.SENIOR_APPROVER, "amount": D("80.00"), "four_eyes": True}),
    Row("a return of an undelivered order is refused by the rule", Category.RETURN,
        kind=OutcomeKind.REFUSE, expect={"rule": "only delivered orders can be returned"}),
    Row("an action the policy forbids is refused in its words", Category.EXCHANGE,
        status=OrderStatus.DELIVERED, affirm=True, proposal=EXCHANGE_TO_RED,
        kind=OutcomeKind.REFUSE, expect={"rule": "the shop does not allow an exchange"}),
    Row("a confirmed change to a version sold out since is refused", Category.CHANGE_ITEMS,
        affirm=True, variants=RED_SOLD_OUT,
        proposal=EXCHANGE_TO_RED.model_copy(update={"kind": "modify_items"}),
        kind=OutcomeKind.REFUSE, expect={"rule": "is not available"}),
    Row("a yes to a cancellation of an order gone since is refused", Category.CANCEL_ORDER,
        status=None, affirm=True, proposal=CANCEL, kind=OutcomeKind.REFUSE,
        expect={"rule": "order #W0000001 was not found"}),
    Row("a wish for a person is handed off", Category.RETURN, wants_human=True,
        kind=OutcomeKind.ESCALATE, expect={"handoff_reason": "the customer asked for a person"}),
    Row("a complaint asks what would put it right before a person takes it",
        Category.COMPLAINT, expect={"ask_for": "preferred_resolution"}),
    Row("a complaint without an order asks for it once", Category.COMPLAINT, status=None,
        expect={"ask_for": "order_id"}),
    Row("a complaint with its order and wish goes to a person", Category.COMPLAINT,
        captured={"preferred_resolution": "a new chair"}, kind=OutcomeKind.ESCALATE,
        expect={"handoff_reason": "a complaint deserves a person's attention"}),
    Row("a complaint whose wish was asked once and not given goes to a person",
        Category.COMPLAINT, status=None,
        captured={"asked": {"order_id": 1, "preferred_resolution": 1}},
        kind=OutcomeKind.ESCALATE,
        expect={"handoff_reason": "a complaint deserves a person's attention"}),
    Row("a delivered order the customer says never came is a complaint", Category.ORDER_STATUS,
        status=OrderStatus.DELIVERED, message="it says delivered but its not here",
        expect={"ask_for": "preferred_resolution"}),
    Row("an order not yet delivered that has not come is a status question",
        Category.ORDER_STATUS, status=OrderStatus.PROCESSED,
        message="it hasn't arrived yet, where is it?", kind=OutcomeKind.ANSWER),
    Row("a customer's consent changes as they asked", Category.OTHER,
        consent_request=NO_MARKETING, consent=Consent(marketing=True, past_cases=True),
        kind=OutcomeKind.CHANGE_CONSENT, expect={"changes": {"marketing": False}}),
    Row("a customer is shown what they allowed", Category.OTHER,
        consent_request=ConsentRequest(), kind=OutcomeKind.ANSWER,
        expect={"source": AnswerSource.CONSENT}),
    Row("a stranger asking to change a consent is asked who they are", Category.OTHER,
        verified=False, consent_request=NO_MARKETING, expect={"ask_for": "identity"}),
]  # fmt: skip


def test_every_outcome_kind_has_a_row() -> None:
    assert {row.kind for row in ROWS} == set(OutcomeKind)


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_decide_turn(row: Row) -> None:
    outcome = decide_turn(facts(row))
    assert outcome.kind is row.kind
    assert outcome.reasons and outcome.confidence == 0.9
    expect = row.expect
    if "ask_for" in expect:
        assert outcome.ask_for == expect["ask_for"]  # type: ignore[union-attr]
    if "source" in expect:
        assert outcome.source is expect["source"]  # type: ignore[union-attr]
    if "rule" in expect:
        assert expect["rule"] in outcome.rule  # type: ignore[union-attr]
    if "handoff_reason" in expect:
        assert outcome.handoff_reason == expect["handoff_reason"]  # type: ignore[union-attr]
    if "tier" in expect:
        rating, action = outcome.rating, outcome.action  # type: ignore[union-attr]
        assert rating.tier is expect["tier"]
        assert rating.amount == action.amount == expect["amount"]
        assert rating.four_eyes is expect.get("four_eyes", False)
        # The rating's reasons are the outcome's reasons too: nothing rates it again.
        assert set(rating.reasons) <= set(outcome.reasons)
    if "method" in expect:
        assert outcome.action.payment_method_id == expect["method"]  # type: ignore[union-attr]
    if "items" in expect:
        items = outcome.action.items  # type: ignore[union-attr]
        assert [i.item_id for i in items] == expect["items"]
    if "changes" in expect:
        assert outcome.changes == expect["changes"]  # type: ignore[union-attr]


def test_a_proposed_exchange_names_the_item_and_the_version_picked() -> None:
    row = Row("", Category.EXCHANGE, status=OrderStatus.DELIVERED, message="in red please",
              policy=Policy(actions={ActionType.EXCHANGE_ITEMS: ActionLimits()}))  # fmt: skip
    outcome = decide_turn(facts(row))
    assert outcome.kind is OutcomeKind.PROPOSE
    (item,) = outcome.action.items
    assert (item.item_id, item.new_item_id) == ("s-black-9", "s-red-9")
    assert item.new_options == {"color": "red", "size": "9"}
    assert outcome.action.detail and "red" in outcome.action.detail


WITH_RED_10_SOLD_OUT = [*SHOES, shoe("s-red-10", "red", "10", available=False)]


def test_a_sold_out_version_asked_for_is_named_and_the_answer_to_which_instead_is_read_alone(
) -> None:
    row = Row("", Category.CHANGE_ITEMS, message="red and a size bigger please",
              variants=WITH_RED_10_SOLD_OUT)  # fmt: skip
    outcome = decide_turn(facts(row))
    assert outcome.kind is OutcomeKind.ASK and outcome.ask_for == "new_option"  # type: ignore[union-attr]
    assert outcome.sold_out == "s-red-10"  # type: ignore[union-attr]
    answered = replace(
        row,
        message="ok red in 9 then",
        captured={"issue": row.message, "asked": {"new_option": 1}},
    )
    outcome = decide_turn(facts(answered))
    assert outcome.kind is OutcomeKind.PROPOSE
    assert outcome.action.items[0].new_item_id == "s-red-9"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("status", "category", "kind"),
    [
        (OrderStatus.PENDING, Category.CHANGE_ITEMS, OutcomeKind.PROPOSE),
        (OrderStatus.DELIVERED, Category.EXCHANGE, OutcomeKind.PROPOSE),
        (OrderStatus.DELIVERED, Category.CHANGE_ITEMS, OutcomeKind.ASK),  # the read is wrong
    ],
)
def test_unsure_only_whether_a_swap_is_a_change_or_an_exchange_the_status_says(
    status: OrderStatus, category: Category, kind: OutcomeKind
) -> None:
    row = Row("", category, status=status, message="could they be red instead?",
              captured={"readings": ["change_items", "exchange"]},
              policy=Policy(actions={ActionType.EXCHANGE_ITEMS: ActionLimits(),
                                     ActionType.MODIFY_ITEMS: ActionLimits()}))  # fmt: skip
    unsure = replace(facts(row), read=TurnRead(category=category, confidence=0.4, autonomous=True))
    assert decide_turn(unsure).kind is kind
    # Unsure between a swap and a return: asked which.
    other = {"readings": ["exchange", "return"]}
    assert decide_turn(replace(unsure, captured=other)).kind is OutcomeKind.ASK


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_an_outcome_is_plain_data_and_back(row: Row) -> None:
    """Outcomes cross the activity boundary as JSON and come back equal."""
    outcome = decide_turn(facts(row))
    data = OUTCOME.dump_python(outcome, mode="json")
    assert data["kind"] == row.kind.value
    assert OUTCOME.validate_python(data) == outcome


def test_a_customer_verified_only_for_reading_is_never_rated_to_change() -> None:
    """The backstop under the identity step: reading needs less than acting."""
    row = next(r for r in ROWS if r.name.startswith("a confirmed cancellation within"))
    strict = facts(row)
    assert strict.policy.identity.change is IdentityLevel.ONE_TIME_CODE
    outcome = decide_turn(replace(strict, identity=IdentityLevel.EMAIL_FACTOR))
    assert outcome.kind is OutcomeKind.REFUSE
    assert "identity verified" in outcome.reasons[0]
    assert decide_turn(replace(strict, identity=IdentityLevel.SIGNED_TOKEN)).kind is (
        OutcomeKind.EXECUTE
    )


# --- a person asked for at the start --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "row", "awaiting", "kind"),
    [
        ("nothing said yet: asked once what about",
         Row("", Category.TALK_TO_HUMAN, wants_human=True), None, OutcomeKind.ASK),
        ("before identity too: the brief needs none",
         Row("", Category.TALK_TO_HUMAN, wants_human=True, verified=False), None, OutcomeKind.ASK),
        ("whatever the brief says, a person takes it",
         Row("", Category.RETURN, status=None), "person_brief", OutcomeKind.ESCALATE),
        ("a second wish for a person is not asked again",
         Row("", Category.TALK_TO_HUMAN, wants_human=True), "person_brief", OutcomeKind.ESCALATE),
        ("a request under way goes over at once",
         Row("", Category.TALK_TO_HUMAN, wants_human=True, captured={"asked": {"identity": 1}}),
         "identity", OutcomeKind.ESCALATE),
        ("a topic the message names goes over at once",
         Row("", Category.TALK_TO_HUMAN, wants_human=True, captured={"topic": "return"}),
         None, OutcomeKind.ESCALATE),
        ("a topic the read names goes over at once",
         Row("", Category.RETURN, wants_human=True), None, OutcomeKind.ESCALATE),
    ],
)
def test_a_person_asked_for_at_the_start(
    name: str, row: Row, awaiting: str | None, kind: OutcomeKind
) -> None:
    outcome = decide_turn(replace(facts(row), awaiting=awaiting))
    assert outcome.kind is kind, name
    if kind is OutcomeKind.ASK:
        dumped = OUTCOME.dump_python(outcome, mode="json")
        assert dumped["ask_for"] == "person_brief"
        assert "readings" not in dumped  # an Ask is recorded as it was before they existed
    else:
        assert OUTCOME.dump_python(outcome)["handoff_reason"] == "the customer asked for a person"
