"""Where a turn is decided: what the turn knows (`TurnFacts`) → what happens next (`Outcome`).

`decide_turn` is the one decision of a customer turn. It applies the dialogue's rules
(`domain.dialogue`: verify first, one question at a time, an explicit yes before any
write) and, when they lead to an action, plans that action with the shop's retail
rules (`domain.retail`'s `plan_*`, the same plan the store executes) and rates it
against the policy (`domain.policy.evaluate_policy`) in the same call. Its answer is one
of a closed set of typed outcomes; routing reads the kind, wording only words it.

Pure: no I/O, no clock. The caller loads the customer, the order and the variants.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, TypedDict, cast

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from domain.catalog import CatalogAnswer, catalog_answer
from domain.commands import (
    ActionCommand,
    CancelOrder,
    ExchangeItems,
    ModifyItems,
    ModifyOrderAddress,
    ModifyOrderPayment,
    ModifyUserAddress,
    ReceiveReturn,
    ReturnItems,
    action_type,
)
from domain.consent import Consent, ConsentRequest, read_consent_request
from domain.dialogue import (
    Category,
    Decision,
    DialogueInput,
    Step,
    decide,
    swap_for_status,
    vague_opening,
)
from domain.errors import NotFound, TrustdeskError
from domain.identity import IDENTITY_ASKS, IdentityLevel
from domain.items import (
    Ambiguous,
    Missing,
    NothingNamed,
    Resolved,
    choose_among,
    describe_proposal,
    proposal_of,
    resolve_items,
)
from domain.knowledge import ANSWERS_CLEARED, KnowledgeAnswer, Passage, answer_from_passages
from domain.matching import parse_address
from domain.money import ZERO
from domain.policy import ActionRequest, ActionType, Actor, Policy, RiskLevel, Tier, evaluate_policy
from domain.retail import (
    Customer,
    Order,
    OrderChange,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    Product,
    ReturnWindow,
    Variant,
    plan_cancel,
    plan_exchange,
    plan_modify_items,
    plan_modify_order_address,
    plan_modify_order_payment,
    plan_receive_return,
    plan_return,
)

# The read's confidence from which the agent acts on what it understood.
CONFIDENT = 0.5
# The confidence a reading the turn's own rules doubt is lowered to: just below acting.
UNSURE = 0.49


class Captured(TypedDict, total=False):
    """What the conversation has told the agent so far, field by field (plain data)."""

    order_id: str
    # The customer's orders the agent listed when it asked which one, in the order shown
    # (`domain.order_lookup`), so "the first one" or "the one with the lamp" picks one.
    order_choices: list[str]
    email: str
    first_name: str
    last_name: str
    zip: str
    item_ids: list[str]
    item_names: list[str]
    payment: str  # "credit_card" | "paypal" | "gift_card"
    payment_method_id: str
    card_last_four: str
    cancel_reason: str
    issue: str  # the customer's first request, in their words
    preferred_resolution: str
    # Items, one by one (`domain.items`): what the customer said about them after the
    # first request, the ids they picked in answer to "which of these?", the lines that
    # question offered, and how many times it was asked.
    item_topic: str  # the request about items the fields below belong to
    item_request: str
    picked_item_ids: list[str]
    item_candidates: list[str]
    item_asks: int
    rejected_commands: list[dict[str, object]]  # actions an approver rejected, as JSON
    language: str  # the customer's language (ISO 639-1), as the brain read it
    out_of_scope: bool  # the brain read a request the shop's tools cannot serve
    readings: list[str]  # the likeliest readings of an unsure read (`Category` values)
    asked: dict[str, int]  # how often the agent asked for each field
    # A second request made in the same message, taken up once the first is resolved
    # (`next_request`), and its topic; `next_announced` once the customer was told so.
    next_request: str
    next_topic: str
    next_announced: bool
    topic: str  # what the handoff record files the case under
    tried: list[str]  # what the agent tried, for the person who may take over
    # The customer's request about their consent (`domain.consent.ConsentRequest`, as
    # flag → value asked for; empty to be shown them), kept while identity is asked for.
    consent_request: dict[str, bool]


class TurnRead(BaseModel):
    """What the brain read in this turn's message."""

    model_config = ConfigDict(frozen=True)

    category: Category
    confidence: float = Field(ge=0.0, le=1.0)
    autonomous: bool  # the accuracy gate cleared the category for the agent to finish alone
    wants_human: bool = False
    affirm: bool | None = None  # a yes or no to the proposal on the table


@dataclass(frozen=True)
class TurnFacts:
    """Everything one turn knows when it decides."""

    read: TurnRead
    message: str
    captured: Captured
    verified: bool
    customer: Customer | None
    order: Order | None
    policy: Policy
    # The action summarised to the customer last turn, awaiting their yes.
    proposal: ActionCommand | None = None
    # The variants of the order's products, by product id.
    variants: Mapping[str, Sequence[Variant]] = field(default_factory=dict)
    # The identity the conversation has reached (none / email / email+factor / code /
    # signed token) and, when `verified` is false, the next factor the request needs
    # (domain/identity.py::next_factor: identity, identity_factor, one_time_code).
    identity: IdentityLevel = IdentityLevel.NONE
    identity_ask: str | None = None

    @property
    def may_change(self) -> bool:
        """Whether the identity reached lets this customer change anything or move money."""
        return self.verified and self.identity.satisfies(self.policy.identity.change)

    # Actions an approver rejected in this conversation: never proposed again unchanged.
    rejected: tuple[ActionCommand, ...] = ()
    # The knowledge base's passages for this message, best first, when it was searched
    # (`asks_the_shop`); an empty tuple then means no article matched.
    knowledge: tuple[Passage, ...] | None = None
    # The shop's products, when the knowledge base was searched for this message and it
    # names one of them: a stock, version or price question is answered from the catalog.
    catalog: tuple[Product, ...] = ()
    # The field the agent asked for last turn ("identity", "clarify", ...).
    awaiting: str | None = None
    # Last turn answered from a help article: "full", or "partial" (a person was offered).
    after_article: str | None = None
    # The rule readers (`read_only_question`) whose answers the accuracy gate measured
    # precise enough, as `rule_key`s; an unmeasured rule reads nothing.
    trusted_rules: frozenset[str] = frozenset()
    # What the customer asked about their consent this turn (`domain.consent`), and the
    # flags the store holds for them (loaded once they are verified).
    consent_request: ConsentRequest | None = None
    consent: Consent | None = None


class OutcomeKind(StrEnum):
    ASK = "ask"  # one question
    ANSWER = "answer"  # from the store or the knowledge base; nothing changes
    PROPOSE = "propose"  # an action, summarised, awaiting the customer's yes
    EXECUTE = "execute"  # the confirmed action, within the automatic tier
    AWAIT_APPROVAL = "await_approval"  # the confirmed action, above the automatic tier
    REFUSE = "refuse"  # against a rule, said in plain words
    ESCALATE = "escalate"  # a person takes over
    CHANGE_CONSENT = "change_consent"  # the customer's consent flags, changed as they asked


class AnswerSource(StrEnum):
    ORDER_STATUS = "order_status"
    REFUND_STATUS = "refund_status"
    ORDER_CONTENTS = "order_contents"
    # Questions about the proposal on the table, which stays open: when a refund arrives,
    # and where the money goes or comes from.
    REFUND_TIMING = "refund_timing"
    PROPOSAL_METHOD = "proposal_method"
    POLICY = "policy"  # the shop's return and refund policy
    KNOWLEDGE = "knowledge"  # passages of the shop's knowledge base
    CATALOG = "catalog"  # the versions of a product the shop sells, their prices and stock
    DECLINED = "declined"  # the customer said no to the proposal: nothing is done
    ACKNOWLEDGED = "acknowledged"  # a yes, no or thanks to an answer: nothing to do
    CONSENT = "consent"  # what the customer allowed the agent beyond their requests
    # Asked who they are, the customer said they have no account: questions about the
    # shop need none, and nothing about an order is disclosed or changed without one.
    NO_ACCOUNT = "no_account"


class Rating(BaseModel):
    """The policy's verdict on an action of `amount`."""

    model_config = ConfigDict(frozen=True)

    tier: Tier
    risk: RiskLevel
    rules: tuple[str, ...]
    reasons: tuple[str, ...]
    four_eyes: bool = False
    amount: Decimal

    @property
    def needs_approval(self) -> bool:
        return self.tier in (Tier.APPROVER, Tier.SENIOR_APPROVER)


class PlannedItem(BaseModel):
    """One order line the action touches, and what it becomes."""

    model_config = ConfigDict(frozen=True)

    item_id: str
    name: str
    options: dict[str, str]
    price: Decimal
    new_item_id: str | None = None
    new_options: dict[str, str] | None = None


class PlannedAction(BaseModel):
    """An action as planned on today's order: what it does, to what, for how much."""

    model_config = ConfigDict(frozen=True)

    command: ActionCommand
    action: ActionType
    order_id: str | None
    items: tuple[PlannedItem, ...] = ()
    amount: Decimal  # the money it moves (refund, or price difference)
    payment_method_id: str | None  # where a refund goes or a difference is paid from
    summary: str  # the retail rules' own account of the change
    detail: str | None = None  # what the customer picked: "the chair (red) for the blue one"
    # A rule the request ran into that the proposal must say (`domain.dialogue.REFUND_ELSEWHERE`).
    note: str | None = None
    # Every item with its options and amount, the method and the total, in one sentence
    # (`domain.items.describe_proposal`): what the customer's yes confirms.
    described: str | None = None


class _Outcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    reasons: tuple[str, ...]
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)


class Ask(_Outcome):
    kind: Literal[OutcomeKind.ASK] = OutcomeKind.ASK
    ask_for: str  # identity, order_id, cancel_reason, item, item_choice, new_option, ...
    item: str | None = None  # the item a question is about, when it is about one
    # item_choice: the item ids of the lines offered; new_option: of the versions available
    choices: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # item: the products named that the order does not hold
    # clarify: the readings the question names, when the turn knows them better than the
    # brain's runners-up (a rule's reading against the brain's). Left out when none.
    readings: tuple[str, ...] = Field(default=(), exclude_if=lambda value: not value)
    # new_option: the item id of the version asked for, when it is sold out. Left out when none.
    sold_out: str | None = Field(default=None, exclude_if=lambda value: value is None)


class Answer(_Outcome):
    kind: Literal[OutcomeKind.ANSWER] = OutcomeKind.ANSWER
    source: AnswerSource
    # A knowledge answer: the passage's words, its citation, and whether the category's
    # answers are cleared by the gate (else it is partial help, and a person is offered).
    knowledge: KnowledgeAnswer | None = None
    # A catalog answer: the versions of the product asked about, their prices and stock.
    catalog: CatalogAnswer | None = None
    partial: bool = False
    # The proposal on the table still waits for its yes or no after this answer.
    proposal_open: bool = False
    # The payment method a question about the proposal is about: its kind
    # (credit_card, paypal, gift_card), which says how long a refund to it takes.
    method_kind: str | None = None


class Propose(_Outcome):
    kind: Literal[OutcomeKind.PROPOSE] = OutcomeKind.PROPOSE
    action: PlannedAction
    rating: Rating


class Execute(_Outcome):
    kind: Literal[OutcomeKind.EXECUTE] = OutcomeKind.EXECUTE
    action: PlannedAction
    rating: Rating


class AwaitApproval(_Outcome):
    kind: Literal[OutcomeKind.AWAIT_APPROVAL] = OutcomeKind.AWAIT_APPROVAL
    action: PlannedAction
    rating: Rating


class Refuse(_Outcome):
    kind: Literal[OutcomeKind.REFUSE] = OutcomeKind.REFUSE
    rule: str  # the rule, in plain words


class Escalate(_Outcome):
    kind: Literal[OutcomeKind.ESCALATE] = OutcomeKind.ESCALATE
    handoff_reason: str


class ChangeConsent(_Outcome):
    """The customer's own consent flags to change: each flag with its new value (only
    flags whose value changes). Written by the `change_consent` activity, once per turn."""

    kind: Literal[OutcomeKind.CHANGE_CONSENT] = OutcomeKind.CHANGE_CONSENT
    changes: dict[str, bool]


Outcome = Annotated[
    Ask | Answer | Propose | Execute | AwaitApproval | Refuse | Escalate | ChangeConsent,
    Field(discriminator="kind"),
]
OUTCOME: TypeAdapter[Outcome] = TypeAdapter(Outcome)
_COMMAND: TypeAdapter[ActionCommand] = TypeAdapter(ActionCommand)


# --- the decision ---------------------------------------------------------------------


def decide_turn(facts: TurnFacts) -> Outcome:
    """The next step of the conversation, with any action it leads to planned and rated."""
    facts = complaint_meant(facts)
    first = (
        language_outcome(facts)
        or person_outcome(facts)
        or consent_outcome(facts)
        or no_account_outcome(facts)
        or vague_outcome(facts)
        or proposal_question_outcome(facts)
        or follow_up_outcome(facts)
        or own_items_outcome(facts)
        or catalog_outcome(facts)
        or knowledge_outcome(facts)
        or read_only_outcome(facts)
        or clarify_outcome(facts)
    )
    if first is not None:
        return first
    return not_again(facts, not_a_third_time(facts, _decide(facts)))


def _decide(facts: TurnFacts) -> Outcome:
    if (repeated := proposal_questioned(facts)) is not None:
        return repeated
    facts = account_address_meant(facts)
    settled = items_of_turn(facts)
    if not isinstance(settled, tuple):
        return settled  # a question about the items, or a handoff
    if settled:
        facts = replace(facts, captured={**facts.captured, "item_ids": list(settled)})
    decision = decide(_dialogue_input(facts))
    confidence = facts.read.confidence
    reasons = decision.reasons
    match decision.step:
        case Step.ASK:
            item = decision.extra.get("item")
            return Ask(
                reasons=reasons,
                confidence=confidence,
                ask_for=decision.ask_for or "request",
                item=str(item) if item else None,
                choices=tuple(str(c) for c in decision.extra.get("choices") or ()),
                sold_out=decision.extra.get("sold_out"),
            )
        case Step.ANSWER if decision.answer == "declined":
            # Declining is not a resolution: nothing is done, and the case stays open. A
            # no that says the proposal got the request wrong is asked what should differ.
            # Asked once: a second such no is a plain no (what else, a person if they ask).
            wrong = says_proposal_wrong(facts.message) and not (
                (facts.captured.get("asked") or {}).get(CORRECTION)
            )
            return Ask(
                reasons=("the proposal was not what the customer asked for",) if wrong else reasons,
                confidence=confidence,
                ask_for=CORRECTION if wrong else "anything_else",
            )
        case Step.ANSWER:
            return Answer(reasons=reasons, confidence=confidence, source=_source(facts, decision))
        case Step.REFUSE:
            return Refuse(reasons=reasons, confidence=confidence, rule=reasons[0])
        case Step.ESCALATE:
            return Escalate(reasons=reasons, confidence=confidence, handoff_reason=reasons[0])
    return _act(facts, decision, settled)


# --- dialogue rules around a proposal ------------------------------------------------------


def proposal_questioned(facts: TurnFacts) -> Outcome | None:
    """A question asked while a proposal waits for its yes is not a no: the proposal is
    repeated, as planned on today's order, so the customer can answer it knowing more."""
    read, proposal = facts.read, facts.proposal
    if proposal is None or read.affirm is True or "?" not in facts.message:
        return None
    if read.wants_human or not facts.verified:
        return None
    decision = Decision(
        Step.CONFIRM,
        ("the customer asked about the proposal; it stands until they say yes or no",),
        command=proposal.model_dump(mode="json"),
    )
    return _act(facts, decision)


# --- what a request is, whatever the brain's reading of it ----------------------------------

# Words of a customer reporting that something went wrong ("the bottle was missing",
# "there's a problem with my order"): a complaint, for a person.
_COMPLAINT_WORDS = re.compile(
    r"\b(?:problem|something(?:'s| is)? wrong|wrong with|went wrong|missing|broken|damaged|"
    r"defective|faulty|not working|(?:doesn't|does not|don't|won't|didn't) work|"
    r"stopped working|cracked|complain\w*)\b",
    re.IGNORECASE,
)
# Readings a complaint's words overrule: questions and unknowns, never a request to act
# ("exchange the broken lamp" stays an exchange).
_COMPLAINT_OVERRULES = frozenset(
    {
        Category.ORDER_STATUS,
        Category.POLICY_QUESTION,
        Category.PRODUCT_QUESTION,
        Category.OTHER,
        Category.COMPLAINT,
    }
)


# A charge the customer did not owe is a complaint whatever it reads as: never a change of
# how the order is paid ("I was charged twice").
_WRONG_CHARGE = re.compile(
    r"\b(?:charged (?:me )?(?:twice|two times|double)|double[- ]charged|"
    r"charged more than once|two (?:charges|payments) (?:for|on)|duplicate (?:charge|payment))",
    re.IGNORECASE,
)


# The words a request to act is made with, by its category.
_ACTION_WORDS: Mapping[Category, re.Pattern[str]] = {
    Category.CANCEL_ORDER: re.compile(r"\bcanc\w*|\bcall (?:it )?off\b|\bstop\b", re.I),
    Category.RETURN: re.compile(r"\bret(?:u)?rn\w*|\bsend\b|\brefund\w*|\bmoney back\b", re.I),
    Category.EXCHANGE: re.compile(r"\bexchang\w*|\bswap\w*|\breplac\w*|\bswitch\w*", re.I),
    Category.CHANGE_ITEMS: re.compile(
        r"\bchang\w*|\bswap\w*|\binstead\b|\bswitch\w*|\bmodif\w*", re.I
    ),
}


# "If something turns up broken, …", "what happens if it's damaged": a question about what
# would happen, not a report that it did.
_IF = re.compile(
    r"\b(?:if|in case|what happens|suppose|supposing|should|would|before i (?:order|buy))\b",
    re.IGNORECASE,
)


def _hypothetical(said: str, at: int) -> bool:
    """Whether the words at `at` are in a sentence's conditional, before they happened."""
    sentence = re.split(r"[.?!]\s", said[:at])[-1]
    return _IF.search(sentence) is not None


# A message that opens by telling the shop to act ("Return the earbuds …", "please cancel
# W…"): whatever else it says about a refund, it asks for an action, not for a status.
_OPENS_WITH_AN_ACTION = re.compile(
    r"^\W*(?:(?:hi|hello|hey)\b[\s,!.]*)?(?:please\s+|pls\s+|can you\s+|could you\s+)?"
    r"(return|cancel|exchange|swap|replace|change)\b",
    re.IGNORECASE,
)
_OPENING_ACTIONS = {
    "return": Category.RETURN,
    "cancel": Category.CANCEL_ORDER,
    "exchange": Category.EXCHANGE,
    "swap": Category.EXCHANGE,
    "replace": Category.EXCHANGE,
    "change": Category.CHANGE_ITEMS,
}
_STATUS_READINGS = frozenset({Category.ORDER_STATUS, Category.REFUND_STATUS})


def action_read_as_status(category: Category, said: str) -> Category | None:
    """The action a message opens by asking for, when it was read as a status question:
    the reading is then unsure, and the clarifying question names both. None otherwise."""
    opening = _OPENS_WITH_AN_ACTION.match(said)
    if category not in _STATUS_READINGS or opening is None:
        return None
    return _OPENING_ACTIONS[opening.group(1).lower()]


# Words a message giving an address alone may hold besides it ("please send it here:").
_BESIDE_AN_ADDRESS = 6
_NOT_AN_ACTION = frozenset(
    {Category.OTHER, Category.POLICY_QUESTION, Category.PRODUCT_QUESTION, Category.TALK_TO_HUMAN}
)


def address_given_alone(category: Category, message: str) -> bool:
    """Whether a message read as no action is a full street address and little else
    ("1 Market Street, Suite 3600, San Francisco, CA 94105" after the article on changing
    where an order goes): where the customer wants their order sent."""
    if category not in _NOT_AN_ACTION:
        return False
    address = parse_address(message)
    if address is None:
        return False
    given = len(address.one_line().split()) - 1  # the country is not written
    return len(message.split()) - given <= _BESIDE_AN_ADDRESS


# "I want to send back the small kettle", "could you cancel it": an action asked for in
# so many words.
_ASKS_FOR_AN_ACTION = re.compile(
    r"\b(?:i(?:\s+(?:want|need|would like|wanna)|['’]d like) to|please|pls|can i|could i|can you|"
    r"could you)\s+(?:\w+\s+){0,2}?"
    r"(return|send (?:[\w'-]+ ){0,8}?back|cancel|exchange|swap|replace)\b",
    re.IGNORECASE,
)


def action_asked(said: str) -> Category | None:
    """The action a message asks for in so many words ("I want to send back …"), when it
    asks for one kind only; None otherwise."""
    kinds = {
        _OPENING_ACTIONS.get(m.group(1).lower(), Category.RETURN)
        for m in _ASKS_FOR_AN_ACTION.finditer(said)
    }
    return kinds.pop() if len(kinds) == 1 else None


# An email address to change is no postal address: "how do I change the email address my
# account uses?" is account help the articles give, not a change the tools make.
_EMAIL_CHANGE = re.compile(
    r"\b(?:change|changing|update|updating|switch|replace|new)\b[^.?!@]{0,40}"
    r"\b(?:e-?mail|login|username)\b",
    re.IGNORECASE,
)
_ADDRESS_CHANGES = frozenset({Category.CHANGE_ADDRESS, Category.ACCOUNT_ADDRESS})


def email_change_asked(category: Category, said: str) -> bool:
    """Whether a message read as an address change is about the account's email address,
    with no street address in it."""
    return (
        category in _ADDRESS_CHANGES
        and "@" not in said  # an email given, to say who they are or where to write
        and _EMAIL_CHANGE.search(said) is not None
        and re.search(r"\b(?:postal|street|home|delivery|shipping|mailing) address\b", said, re.I)
        is None
        and parse_address(said) is None
    )


def reads_as_complaint(category: Category, said: str) -> bool:
    """Whether a request read as `category` is a complaint: the customer reports that
    something went wrong, and the reading is a question or unknown, not an action; or
    reports a charge they did not owe, or says only that something is wrong with a
    purchase, whatever the reading."""
    if _WRONG_CHARGE.search(said) or vague_opening(said) == "problem":
        return True  # a charge not owed; "there's an issue with something I bought"
    if not any(not _hypothetical(said, m.start()) for m in _COMPLAINT_WORDS.finditer(said)):
        return False
    if category in _COMPLAINT_OVERRULES:
        return True
    # An action no word of the message asks for ("something is wrong with my last order"
    # read as a cancellation) is a complaint too.
    asked = _ACTION_WORDS.get(category)
    return asked is not None and not asked.search(said)


# "It says delivered but it's not here": about an order the store shows delivered, a
# parcel that did not reach the customer.
_NOT_RECEIVED = re.compile(
    r"\b(?:not (?:here|arrived|received|delivered)|never (?:arrived|came|got|received|showed)|"
    r"nothing (?:here|arrived|came|was there|at my door)|no (?:parcel|package|sign of it)\b|"
    r"(?:didn't|did not|haven't|have not|hasn't|has not|havent|hasnt|didnt) "
    r"(?:arrive|arrived|get|got|receive|received|come|turn(?:ed)? up|show(?:n|ed)? up)|"
    r"(?:lost|stolen) (?:parcel|package|order|delivery)|"
    r"(?:parcel|package|order|delivery) (?:was |got |is )?(?:lost|stolen))",
    re.IGNORECASE,
)


def not_received(facts: TurnFacts, said: str) -> bool:
    """Whether the customer says an order the store shows delivered never reached them."""
    order = facts.order
    return (
        order is not None
        and order.status == OrderStatus.DELIVERED
        and facts.read.category in _COMPLAINT_OVERRULES
        and _NOT_RECEIVED.search(said) is not None
    )


def vague_outcome(facts: TurnFacts) -> Outcome | None:
    """A first message naming only a purchase ("something came up with a purchase") is
    asked, once, what the customer needs: there is nothing yet to search the articles
    for, to verify anyone for, or to hand over."""
    if facts.awaiting not in (None, "need", "anything_else") or facts.proposal is not None:
        return None
    if facts.read.wants_human or (facts.captured.get("asked") or {}).get("need"):
        return None
    if vague_opening(facts.message) != "need":
        return None
    return Ask(
        reasons=("the customer named a purchase, but not what they need",),
        confidence=facts.read.confidence,
        ask_for="need",
    )


def complaint_meant(facts: TurnFacts) -> TurnFacts:
    """A complaint read as a status or a question ("my order arrived but the bottle was
    missing", "it says delivered but it's not here") is one: a person takes it, once the
    order and the customer's wish are known. The gate cleared the reading it was given,
    not this one."""
    read = facts.read
    said = " ".join(str(t) for t in (facts.captured.get("issue"), facts.message) if t)
    if read.category is Category.COMPLAINT or not (
        reads_as_complaint(read.category, said) or not_received(facts, said)
    ):
        return facts
    complaint = read.model_copy(update={"category": Category.COMPLAINT, "autonomous": False})
    return replace(facts, read=complaint)


_ACCOUNT_WORDS = re.compile(
    r"\b(account|profile|default|on file|saved|billing address|home address|my details)\b", re.I
)


def account_address_meant(facts: TurnFacts) -> TurnFacts:
    """An address change about the account, not an order ("update the address on my
    account"), is read as one: it is never asked "which order?". The gate cleared the
    reading it was given, not this one, so a person finishes it (after the details)."""
    read, captured = facts.read, facts.captured
    if read.category is not Category.CHANGE_ADDRESS or captured.get("order_id"):
        return facts
    said = " ".join(str(t) for t in (captured.get("issue"), facts.message) if t)
    if not _ACCOUNT_WORDS.search(said):
        return facts
    account = read.model_copy(update={"category": Category.ACCOUNT_ADDRESS, "autonomous": False})
    return replace(facts, read=account)


def _same_action(a: ActionCommand, b: ActionCommand) -> bool:
    """The same action, whatever refund limit an approver may have set on one of them."""
    return a.model_dump(mode="json", exclude={"refund_limit"}) == b.model_dump(
        mode="json", exclude={"refund_limit"}
    )


def not_again(facts: TurnFacts, outcome: Outcome) -> Outcome:
    """An action an approver rejected is never proposed or queued again unchanged: the
    customer's "ok yes" after a rejection is told so, and offered a person."""
    if not isinstance(outcome, Propose | Execute | AwaitApproval):
        return outcome
    if not any(_same_action(outcome.action.command, r) for r in facts.rejected):
        return outcome
    rule = (
        "an approver has already declined exactly this request, so I can't submit it again "
        "as it is; a colleague can look at it with you if you ask for a person"
    )
    return Refuse(reasons=(rule,), confidence=outcome.confidence, rule=rule)


# --- items, one by one (domain.items) ---------------------------------------------------

# The requests about items, the command each prepares and the status its order must have.
_ITEM_REQUESTS: dict[Category, tuple[str, OrderStatus]] = {
    Category.RETURN: ("return_items", OrderStatus.DELIVERED),
    Category.EXCHANGE: ("exchange_items", OrderStatus.DELIVERED),
    Category.CHANGE_ITEMS: ("modify_items", OrderStatus.PENDING),
}
# "Which of these?" asked this many times without an answer that picks: a person takes over.
MAX_ITEM_ASKS = 2


def items_of_turn(facts: TurnFacts) -> tuple[str, ...] | Outcome:
    """The order lines a request about items is for, resolved one by one against the
    order (`domain.items.resolve_items`), or the question that must come first.

    An empty tuple when the turn is not (yet) about items: the dialogue decides as
    usual (identity, order number, a refusal by the order's status). Never the whole
    order: a line enters only because the customer named it, picked it, or is the only
    line of the order.
    """
    order, read = facts.order, facts.read
    request = _ITEM_REQUESTS.get(read.category)
    if (
        request is None
        or order is None
        or read.wants_human
        or not (facts.verified and read.autonomous and read.confidence >= CONFIDENT)
        or (facts.proposal is not None and read.affirm is not None)
        or (facts.customer is not None and order.customer_id != facts.customer.id)
        or order.status != request[1]
    ):
        return ()
    captured, confidence = facts.captured, read.confidence
    if facts.awaiting == "item":
        # Asked which item, the answer that names the order's own lines is the one: a
        # product the request mentioned in passing ("the cage on my bike") asks no more.
        answered = resolve_items(order, facts.message, [], [], action=request[0])
        if isinstance(answered, Resolved):
            return tuple(line.item_id for line in answered.lines)
    found = resolve_items(
        order,
        item_text(captured, facts.message),
        [str(n) for n in captured.get("item_names") or ()],
        list(captured.get("picked_item_ids") or ()),
        action=request[0],
    )
    match found:
        case Resolved(lines=lines):
            return tuple(line.item_id for line in lines)
        case Ambiguous(candidates=candidates, what=what):
            if int(captured.get("item_asks") or 0) >= MAX_ITEM_ASKS:
                return Escalate(
                    reasons=(f"which {what} the customer means is still open after asking",),
                    confidence=confidence,
                    handoff_reason=f"which {what} the customer means is still open after asking",
                )
            return Ask(
                reasons=(f"{what} fits several items of order {order.id}; one must be picked",),
                confidence=confidence,
                ask_for="item_choice",
                item=what,
                choices=tuple(line.item_id for line in candidates),
            )
        case Missing(names=names):
            return Ask(
                reasons=(f"order {order.id} holds no {' or '.join(names)}",),
                confidence=confidence,
                ask_for="item",
                missing=tuple(names),
            )
        case NothingNamed():
            if len(order.lines) == 1:
                return (order.lines[0].item_id,)
    return Ask(
        reasons=("the order has several items; the customer must name which",),
        confidence=confidence,
        ask_for="item",
    )


def item_text(captured: Mapping[str, object], message: str) -> str:
    """What the customer said about the items: the message that made the request about
    them (else the first request), the answers to the item questions since, and this
    turn's message (not the identity answers)."""
    request = str(captured.get("item_request") or "")
    latest = "" if request.endswith(message) else message  # already kept with the request
    # The request about items, from the message that made it; else the first request.
    first = None if request else captured.get("issue")
    return " ".join(str(p) for p in (first, request, latest) if p)


def pick_items(captured: Captured, order: Order | None, message: str) -> Captured:
    """The customer's answer to "which of these?" read against the lines offered
    (`domain.items.choose_among`): the ids picked are kept and the question closed; an
    answer that picks none leaves it open, to be asked once more."""
    offered = list(captured.get("item_candidates") or ())
    if not offered or order is None:
        return captured
    chosen = choose_among(lines_with_ids(order, offered), message)
    if not isinstance(chosen, Resolved):
        return captured
    picked = [*(captured.get("picked_item_ids") or ()), *(ln.item_id for ln in chosen.lines)]
    out = cast(Captured, {k: v for k, v in captured.items() if k != "item_candidates"})
    out["picked_item_ids"] = picked
    out["item_asks"] = 0
    return out


def lines_with_ids(order: Order, item_ids: Sequence[str]) -> list[OrderLine]:
    """The order's lines for `item_ids`, one line per id, in the order's own order."""
    taken: list[int] = []
    for item_id in item_ids:
        free = [
            i for i, line in enumerate(order.lines) if line.item_id == item_id and i not in taken
        ]
        if free:
            taken.append(free[0])
    return [order.lines[i] for i in sorted(taken)]


# "no, that's not what I asked", "wrong item", "I meant the red one": the proposal read
# the request wrong, as against a plain no ("no, I've changed my mind").
_NOT_WHAT_I_ASKED = re.compile(
    r"\b(?:not what i (?:asked|wanted|meant|said)|(?:that'?s|that is|it'?s) (?:wrong|not right|"
    r"incorrect|not it)|wrong (?:item|one|product|size|colou?r|version|order|address|card)|"
    r"i (?:meant|said|asked for)\b|i wanted (?:both|all|the|them)\b|not (?:that|the) one|"
    r"you (?:got it wrong|misunderstood|misread)|misunderstood)",
    re.IGNORECASE,
)
#: Asked after such a no: what should be different.
CORRECTION = "correction"


def says_proposal_wrong(message: str) -> bool:
    """Whether a no to a proposal says it got the request wrong."""
    return bool(_NOT_WHAT_I_ASKED.search(message.replace("’", "'")))


def _source(facts: TurnFacts, decision: Decision) -> AnswerSource:
    if decision.answer == "declined":
        return AnswerSource.DECLINED
    if decision.answer == "policy":
        return AnswerSource.POLICY
    if facts.read.category is Category.REFUND_STATUS:
        return AnswerSource.REFUND_STATUS
    return AnswerSource.ORDER_STATUS


def _act(facts: TurnFacts, decision: Decision, settled: tuple[str, ...] = ()) -> Outcome:
    """A proposed or confirmed action, planned on today's order and rated by the policy."""
    confidence = facts.read.confidence
    command = _COMMAND.validate_python(decision.command)
    if settled and isinstance(command, ReturnItems) and decision.step is Step.CONFIRM:
        # Exactly the lines resolved, a second identical line included when asked for.
        command = command.model_copy(update={"item_ids": list(settled)})
    detail = decision.extra.get("detail")
    try:
        action = plan_action(command, facts.order, facts.customer, facts.variants)
    except TrustdeskError as refused:
        return Refuse(reasons=(str(refused),), confidence=confidence, rule=str(refused))
    if detail:
        action = action.model_copy(update={"detail": str(detail)})
    if note := decision.extra.get("note"):
        action = action.model_copy(update={"note": str(note)})
    rating = rate_action(facts.policy, action, verified=facts.may_change)
    if rating.tier is Tier.FORBIDDEN:
        return Refuse(reasons=rating.reasons, confidence=confidence, rule="; ".join(rating.reasons))
    reasons = (*decision.reasons, *rating.reasons)
    if decision.step is Step.CONFIRM:
        return Propose(reasons=reasons, confidence=confidence, action=action, rating=rating)
    if rating.tier is Tier.AUTO:
        return Execute(reasons=reasons, confidence=confidence, action=action, rating=rating)
    return AwaitApproval(reasons=reasons, confidence=confidence, action=action, rating=rating)


def _dialogue_input(facts: TurnFacts) -> DialogueInput:
    read = facts.read
    return DialogueInput(
        category=read.category,
        wants_human=read.wants_human,
        confident=read.confidence >= CONFIDENT or _status_settles_the_swap(facts),
        autonomous=read.autonomous,
        verified=facts.verified,
        affirm=read.affirm,
        captured=facts.captured,
        customer=facts.customer,
        order=facts.order,
        proposal=(
            {"command": facts.proposal.model_dump(mode="json")}
            if facts.proposal is not None
            else None
        ),
        message=facts.message,
        variants=facts.variants,
        identity_ask=facts.identity_ask,
    )


# --- planning and rating (shared with the store) -----------------------------------------


def plan_change(
    command: ActionCommand,
    order: Order,
    methods: Mapping[str, PaymentMethod],
    catalogue: Mapping[str, Variant],
    window: ReturnWindow | None = None,
) -> OrderChange:
    """The change `command` makes to `order`, by the retail rules; raises when it cannot.

    `window` is the shop's return window as of today; None when the caller has no clock
    (the store, which writes, always passes it)."""
    match command:
        case CancelOrder():
            return plan_cancel(order, command.reason, methods)
        case ModifyItems():
            return plan_modify_items(
                order, command.item_ids, command.new_item_ids, command.payment_method_id,
                methods, catalogue,
            )  # fmt: skip
        case ModifyOrderAddress():
            return plan_modify_order_address(order, command.address)
        case ModifyOrderPayment():
            return plan_modify_order_payment(order, command.payment_method_id, methods)
        case ReturnItems():
            return plan_return(
                order, command.item_ids, command.payment_method_id, methods,
                command.refund_limit, window,
            )  # fmt: skip
        case ExchangeItems():
            return plan_exchange(
                order, command.item_ids, command.new_item_ids, command.payment_method_id,
                methods, catalogue, window,
            )  # fmt: skip
        case ReceiveReturn():
            return plan_receive_return(order, methods, catalogue)
    raise TypeError(f"{command.kind} does not change an order")


def plan_action(
    command: ActionCommand,
    order: Order | None,
    customer: Customer | None,
    variants: Mapping[str, Sequence[Variant]],
) -> PlannedAction:
    """`command` planned on today's order, as the store would plan it before writing."""
    if isinstance(command, ModifyUserAddress):
        return PlannedAction(
            command=command,
            action=action_type(command),
            order_id=None,
            amount=ZERO,
            payment_method_id=None,
            summary=f"set the account address to {command.address.one_line()}",
        )
    if order is None or order.id != command.order_id:
        raise NotFound(f"order {command.order_id} was not found")
    methods = customer.methods_by_id() if customer is not None else {}
    catalogue = {v.item_id: v for found in variants.values() for v in found}
    change = plan_change(command, order, methods, catalogue)
    described = describe_proposal(proposal_of(order, change, methods, catalogue))
    method_id = getattr(command, "payment_method_id", None)
    if method_id is None and change.transactions:
        method_id = change.transactions[0].payment_method_id
    return PlannedAction(
        command=command,
        action=action_type(command),
        order_id=order.id,
        items=_items(command, order, catalogue),
        amount=change.amount,
        payment_method_id=method_id,
        summary=change.summary,
        described=described,
    )


def _items(
    command: ActionCommand, order: Order, catalogue: Mapping[str, Variant]
) -> tuple[PlannedItem, ...]:
    wanted = list(getattr(command, "item_ids", None) or [line.item_id for line in order.lines])
    new_ids = list(getattr(command, "new_item_ids", None) or [])
    items: list[PlannedItem] = []
    for n, item_id in enumerate(wanted):
        line = next((ln for ln in order.lines if ln.item_id == item_id), None)
        if line is None:
            continue
        new_id = new_ids[n] if n < len(new_ids) else None
        new = catalogue.get(new_id) if new_id else None
        items.append(
            PlannedItem(
                item_id=line.item_id,
                name=line.name,
                options=dict(line.options),
                price=line.price,
                new_item_id=new_id,
                new_options=dict(new.options) if new else None,
            )
        )
    return tuple(items)


def rate_action(policy: Policy, action: PlannedAction, *, verified: bool) -> Rating:
    """The policy's tier for `action` once the customer has confirmed it."""
    verdict = evaluate_policy(
        policy,
        ActionRequest(
            action=action.action,
            amount=action.amount,
            identity_verified=verified,
            confirmed=True,
            actor=Actor.CUSTOMER,
        ),
    )
    return Rating(
        tier=verdict.tier,
        risk=verdict.risk,
        rules=verdict.rules,
        reasons=verdict.reasons,
        four_eyes=verdict.four_eyes,
        amount=action.amount,
    )


# --- read-only answers: what an order holds, where its refund is -------------------------

# "What's in my order?", "what did I buy", "what items are in order #W…".
_CONTENTS_QUESTION = re.compile(
    r"\bwhat(?:['’]s| is| are| was| were)? (?:items |products |things )?(?:is |are |was |were )?"
    r"in (?:my |the |this |that )?order\b|\bwhat did i (?:ord(?:e)?r|buy|get|purchase)\b|"
    r"\bwhat i (?:ordered|bought|purchased)\b|"
    r"\bwhat (?:items|products) (?:are|were|did|does)\b|"
    r"\b(?:contents|items) of (?:my |the |this |that )?(?:order\b|#?w\d)|"
    r"\blist (?:all |everything |every item |the items |what )[^.?!]{0,40}\border\b|"
    r"\bwhat (?:i|we) (?:picked|chose|got)\b|"
    r"\bwhat(?:['’]s| is| was)(?: actually)? in (?:it|there|the (?:box|parcel|package))\b|"
    r"\bwhat (?:does|did) (?:my |the |this |that )?order (?:hold|contain|include)|"
    r"\b(?:everything|what(?:['’]s| is)) on (?:my |the |this |that )?order\b",
    re.IGNORECASE,
)
# "Where is my refund", "was the difference refunded?", "refund … done yet?".
_REFUND_WORDS = re.compile(
    r"\b(?:ref(?:u)?nd\w*|money back|price difference|difference back|(?:that|the) money)\b",
    re.IGNORECASE,
)
_STATUS_CUES = re.compile(
    r"\b(?:where|whre|yet|(?<!i'm )(?<!im )(?<!i am )done|status|when|arrived?|received|"
    r"come through|gone through|"
    r"land(?:ed)?|anywhere)\b|"
    r"\b(?:was|were|has|have|did|is)\b[^.?!]{0,40}\bref(?:u)?nd",  # "was … refunded?"
    re.IGNORECASE,
)
# Wording of a request to change something: a question about it is not read-only.
_CHANGE_WORDS = re.compile(
    r"\b(?:change|swap|replace|cancel|exchange|instead|add|remove|return (?:the|it|my|them)|"
    r"send (?:it|them|the \w+) back|i want (?:a|to|it|them|my)|i'd like (?:a|to|my))\b",
    re.IGNORECASE,
)
# Readings a refund-status question overrules: the actions it is mistaken for, and
# unsure status readings. Nothing of these can run on an order whose money came back.
_REFUND_OVERRULES = frozenset(
    {
        Category.RETURN,
        Category.EXCHANGE,
        Category.CANCEL_ORDER,
        Category.CHANGE_ITEMS,
        Category.ORDER_STATUS,
        Category.REFUND_STATUS,
        Category.OTHER,
    }
)
# What the agent asks before the request itself: the request is the one said before.
_BEFORE_THE_REQUEST = IDENTITY_ASKS | {"order_id"}


def read_only_asked(facts: TurnFacts) -> AnswerSource | None:
    """The read-only question a message asks, whatever the brain read it as: what an
    order holds, or where its refund is; None for anything else.

    The question is this message's, or the first request's while the agent was asking who
    the customer is or which order it is about."""
    said = facts.message
    if facts.awaiting in (*_BEFORE_THE_REQUEST, CLARIFY) and facts.captured.get("issue"):
        said = f"{facts.captured.get('issue')} {said}"
    return read_only_question(said, facts.read.category)


#: The read-only questions a rule reads (`read_only_question`), and the labels of the
#: labelled split an answer to each is right for: the gate measures them like a category.
RULE_READERS: Mapping[AnswerSource, frozenset[str]] = {
    AnswerSource.ORDER_CONTENTS: frozenset({Category.ORDER_STATUS.value}),
    AnswerSource.REFUND_STATUS: frozenset({Category.REFUND_STATUS.value}),
}


def reading_category(reading: str) -> Category:
    """The category a reading a clarifying question offered is answered as: a rule
    reader's labels for its question ("order_contents" is an order-status question),
    else the reading itself."""
    for source, labels in RULE_READERS.items():
        if source.value == reading:
            return Category(next(iter(labels)))
    return Category(reading)


def rule_key(source: AnswerSource) -> str:
    """The rule reader's name where the gate's result lists it (`autonomy.json`)."""
    return f"rule:{source.value}"


def read_only_question(said: str, reading: Category | None) -> AnswerSource | None:
    """The read-only question in `said`, with the brain's reading of it: what an order holds,
    or where its refund is; None for anything else. Measured like the brain's readings, on
    the same labelled split (`brain.validation.rule_scores`)."""
    if _CHANGE_WORDS.search(said):
        return None
    if _CONTENTS_QUESTION.search(said):
        return AnswerSource.ORDER_CONTENTS
    if reading in _REFUND_OVERRULES and _REFUND_WORDS.search(said) and _STATUS_CUES.search(said):
        return AnswerSource.REFUND_STATUS
    return None


def read_only_outcome(facts: TurnFacts) -> Outcome | None:
    """The answer to a read-only question about the customer's own order, from the store.

    Asked only once the customer is verified (before, `decide` asks who they are) and
    about an order of theirs. Nothing changes and the facts are their own, so the answer
    does not wait on the classifier's reading of the message: a rule read it, and the
    accuracy gate measured that rule's answers like a category's (`trusted_rules`). A rule
    the gate did not clear still answers where the brain read the question as the category
    the answer is right for (a refund status, an order's status) and the gate cleared that."""
    read = facts.read
    if read.wants_human or not facts.verified or facts.proposal is not None:
        return None
    source = read_only_asked(facts)
    if source is None:
        return None
    confidence = read.confidence
    if facts.order is None:  # asked for first: the person taking it over needs it too
        ask = Ask(
            reasons=("the answer is about one order, so it needs its number",),
            confidence=confidence,
            ask_for="order_id",
        )
        return not_a_third_time(facts, ask)
    if facts.customer is not None and facts.order.customer_id != facts.customer.id:
        reason = "the order belongs to another customer"
        return Refuse(reasons=(reason,), confidence=confidence, rule=reason)
    cleared_reading = (
        read.category.value in RULE_READERS[source]
        and read.autonomous
        and read.confidence >= CONFIDENT
    )
    if rule_key(source) not in facts.trusted_rules and not cleared_reading:
        # The rule's answers were not measured precise enough to give alone, nor was the
        # brain's reading of the question one the gate cleared; the question
        # is still a question, so no reading of it as an action is acted on either.
        # Asked once which of the two it is; the reading the customer picks
        # (`reading_picked`) is then answered where the gate cleared it.
        asked = facts.captured.get("asked") or {}
        if facts.awaiting != CLARIFY and not asked.get(CLARIFY):
            return Ask(
                reasons=("I want to be sure what you need before I look it up",),
                confidence=confidence,
                ask_for=CLARIFY,
                readings=tuple(dict.fromkeys((source.value, read.category.value))),
            )
        reason = (
            "a colleague looks up what an order holds"
            if source is AnswerSource.ORDER_CONTENTS
            else "a colleague checks where a refund is"
        )
        return Escalate(reasons=(reason,), confidence=confidence, handoff_reason=reason)
    why = (
        "what an order holds is answered from the store"
        if source is AnswerSource.ORDER_CONTENTS
        else "a refund's status is answered from the store"
    )
    return Answer(reasons=(why,), confidence=confidence, source=source)


# --- the customer's consent ----------------------------------------------------------------


def consent_outcome(facts: TurnFacts) -> Outcome | None:
    """What the customer allowed beyond their requests (`domain.consent`), shown or
    changed as they asked; None when the turn asks neither, or asks for a person.

    The flags are the customer's own: they are shown once the customer is verified, and
    changed only at the identity a change needs (`TurnFacts.may_change`: the identity step
    asks for that level when the request changes a flag). A request that changes nothing
    (the flag is already so) is answered with the flags as they are."""
    request, read = facts.consent_request, facts.read
    if request is None or read.wants_human:
        return None
    confidence = read.confidence
    if not facts.verified or facts.customer is None:
        ask = Ask(
            reasons=("what a customer allowed is shown or changed only once we know it is them",),
            confidence=confidence,
            ask_for=facts.identity_ask or "identity",
        )
        return not_a_third_time(facts, ask)
    current = facts.consent or Consent()
    if request.shows_only:
        return Answer(
            reasons=("what the customer allowed is read from the store",),
            confidence=confidence,
            source=AnswerSource.CONSENT,
        )
    if not facts.may_change:  # the identity step asks for the change level: never here
        reason = "a colleague records this change once they have confirmed who you are"
        return Escalate(reasons=(reason,), confidence=confidence, handoff_reason=reason)
    changes = current.differences(current.with_changes(request.as_record()))
    if not changes:
        return Answer(
            reasons=("the customer's consent is already as they asked",),
            confidence=confidence,
            source=AnswerSource.CONSENT,
        )
    return ChangeConsent(
        reasons=("a customer may change what they allowed at any time",),
        confidence=confidence,
        changes=changes,
    )


# --- questions about the proposal on the table ---------------------------------------------

_QUESTION = re.compile(
    r"\?|^\s*(?:how|when|which|what|where|who|will|would|can|could|do|does|is|are)\b",
    re.IGNORECASE,
)
_TIMING = re.compile(
    r"\b(?:how long|how many (?:business )?days|how soon|how quickly|when (?:will|do|does|would|"
    r"can|is)|how fast)\b",
    re.IGNORECASE,
)
_METHOD = re.compile(
    r"\b(?:which|what|whose) (?:card|account|payment|method)|"
    r"\bwhere (?:will|does|would|is) (?:the |my )?(?:money|refund)|\bwhich one\b|"
    r"\bto (?:my|which) (?:card|account)\b|\bwhat (?:will|would) (?:you |it )?(?:charge|refund)",
    re.IGNORECASE,
)


def proposal_question_outcome(facts: TurnFacts) -> Outcome | None:
    """A question asked while a proposal waits for its yes, answered; the proposal stays
    open (`Answer.proposal_open`), neither repeated nor taken as a no.

    When a refund arrives and where the money goes are answered from the proposal's own
    plan (its payment method) and the shop's terms; anything else from the shop's
    articles when one answers it. None when the message is not a question, or none of
    these answers it (`proposal_questioned` then repeats the proposal as planned)."""
    read, proposal = facts.read, facts.proposal
    if proposal is None or read.wants_human or not facts.verified or read.affirm is True:
        return None
    if not _QUESTION.search(facts.message):
        return None
    confidence = read.confidence
    method_id = getattr(proposal, "payment_method_id", None)
    if method_id is None and facts.order is not None:
        method_id = next((t.payment_method_id for t in facts.order.transactions), None)
    methods = facts.customer.methods_by_id() if facts.customer is not None else {}
    method = methods.get(method_id or "")
    kind = method.kind.value if method is not None else None
    if _TIMING.search(facts.message):
        return Answer(
            reasons=("how long a refund takes is set by the shop's terms",),
            confidence=confidence,
            source=AnswerSource.REFUND_TIMING,
            proposal_open=True,
            method_kind=kind,
        )
    if _METHOD.search(facts.message) and method is not None:
        return Answer(
            reasons=("the proposal names the payment method it uses",),
            confidence=confidence,
            source=AnswerSource.PROPOSAL_METHOD,
            proposal_open=True,
            method_kind=kind,
        )
    if facts.knowledge:
        answer = answer_from_passages(facts.message, facts.knowledge)
        if answer.kind != "no_match":
            because = f"this is what our help article “{answer.citation}” says"
            return Answer(
                reasons=(because,),
                confidence=confidence,
                source=AnswerSource.KNOWLEDGE,
                knowledge=answer,
                partial=not knowledge_cleared(read),
                proposal_open=True,
            )
    return None


# --- questions about the shop, other languages, unsure readings ------------------------

# Categories whose messages are questions about the shop, answered from its articles.
KNOWLEDGE_CATEGORIES = frozenset({Category.POLICY_QUESTION, Category.PRODUCT_QUESTION})
# A general question ("how many days do I have to return shoes?", "do you ship to
# Canada?"): one of the message's sentences opens with a question word, perhaps after a
# greeting or "could you tell me" ("Good evening. I live in Manchester. Could you tell me
# how long delivery to the United Kingdom takes?"), and no order of the customer's is named.
_GENERAL_QUESTION = re.compile(
    r"(?:^|[.!?]\s+|\n)\s*(?:(?:hi|hello|hey|good (?:morning|afternoon|evening))[,!.\s]*)?"
    r"(?:(?:could|can) you (?:please )?(?:tell me|let me know)|i(?:'d| would) like to know|"
    r"i was wondering|quick question[:,]?)?\s*"
    r"(?:how (?:many|long|much|soon|fast|quick(?:ly)?|do|does|can)|"
    r"what(?:'s| is| are| does| do| happens| kind| if| hours)|when (?:do|does|will|can|are|is)|"
    r"where do|which|do you|does (?:the|your|it)|"
    r"is (?:there|it possible|shipping|delivery|express|standard)|"
    r"are (?:there|your)|can (?:i|you) (?:pay|ship|get|use)|is your|are returns|whether)\b",
    re.IGNORECASE,
)
# "my", except of the people and places a parcel goes to ("to my nan by Friday").
_ABOUT_OWN_ORDER = re.compile(
    r"\b(?:my|mine|our)\b(?!\s+(?:nan|nana|gran|granny|grandma|grandmother|grandad|grandpa|"
    r"mum|mom|mother|dad|father|parents|sister|brother|son|daughter|kids?|children|wife|"
    r"husband|partner|friend|friends|aunt|uncle|cousin|niece|nephew|family|boss|colleague|"
    r"girlfriend|boyfriend|country|city|town|area|region)\b)|#?W\d{5,}",
    re.IGNORECASE,
)


def is_general_question(message: str) -> bool:
    """Whether the message asks about the shop in general, not about one of the customer's
    own orders (see `_GENERAL_QUESTION`)."""
    return bool(_GENERAL_QUESTION.search(message)) and not _ABOUT_OWN_ORDER.search(message)


def asked_without_an_account(message: str) -> bool:
    """Whether the message, from someone who says they have no account, asks a question:
    "my order" in it is one they would place ("could I collect my order myself?")."""
    return "?" in message or bool(_GENERAL_QUESTION.search(message))


# Readings an unsure turn names in its clarifying question, and the question asked once.
CLARIFY = "clarify"
_ACTIONS_AND_STATUS = frozenset(
    {
        Category.CANCEL_ORDER,
        Category.RETURN,
        Category.EXCHANGE,
        Category.CHANGE_ITEMS,
        Category.CHANGE_ADDRESS,
        Category.CHANGE_PAYMENT,
        Category.ACCOUNT_ADDRESS,
        Category.ORDER_STATUS,
        Category.REFUND_STATUS,
    }
)


def asks_the_shop(
    category: Category, message: str, *, out_of_scope: bool = False, mid_request: bool = False
) -> bool:
    """Whether a message is a question for the shop's articles rather than a request.

    Questions about policy or products are, and so are requests the shop's tools cannot
    serve. A message read as an action or a status is one when it is worded as a general
    question and names none of the customer's own orders; in the middle of a request
    (an answer to the agent's question) it is not.
    """
    if category in (Category.TALK_TO_HUMAN, Category.COMPLAINT):
        return False
    if category in KNOWLEDGE_CATEGORIES or out_of_scope:
        return True
    if mid_request:
        return False
    return is_general_question(message)


def catalog_outcome(facts: TurnFacts) -> Outcome | None:
    """A stock, version or price question about one of the shop's products, answered from
    the catalog; None when the message asks nothing the catalog answers. Like an article,
    it is partial help (a person offered) until the gate clears product questions."""
    read = facts.read
    if facts.knowledge is None or not facts.catalog or read.wants_human:
        return None
    found = catalog_answer(facts.message, facts.catalog)
    if found is None:
        return None
    return Answer(
        reasons=(f"this is what our catalog says about the {found.product}",),
        confidence=read.confidence,
        source=AnswerSource.CATALOG,
        catalog=found,
        partial=not (read.category is Category.PRODUCT_QUESTION and read.autonomous),
    )


def knowledge_cleared(read: TurnRead) -> bool:
    """Whether an answer from a help article may be given as definitive: the question's
    category is cleared by the gate, and so are the passages the search answers with
    (`domain.knowledge.ANSWERS_CLEARED`). Otherwise it is partial help, a person offered."""
    return ANSWERS_CLEARED and read.category in KNOWLEDGE_CATEGORIES and read.autonomous


def knowledge_outcome(facts: TurnFacts) -> Outcome | None:
    """The answer to a question about the shop from its articles, or None when the
    knowledge base was not searched this turn (not a question, or a yes/no to a proposal).

    Asked without identity: the articles are public. The best passage is answered with
    its title cited; where the gate has not cleared the category's answers, it is shared
    as partial help with a person offered. No passage above the threshold: the agent says
    so and hands the question to a person rather than guessing.
    """
    read = facts.read
    if facts.knowledge is None or read.wants_human:
        return None
    if facts.proposal is not None and read.affirm is not None:
        return None
    answer = answer_from_passages(facts.message, facts.knowledge)
    if answer.kind == "no_match" and _a_request_after_all(facts):
        return None

    if answer.kind == "no_match":
        return Escalate(
            reasons=("our help articles do not answer this question",),
            confidence=read.confidence,
            handoff_reason="our help articles do not answer this question",
        )
    return _article_answer(answer, read)


def _a_request_after_all(facts: TurnFacts) -> bool:
    """Whether a question no article answers was read, sure enough, as a request the
    shop's tools serve ("can I get the same helmet in a medium?"): it is taken up as that
    request, not handed to a person as a question."""
    read = facts.read
    return (
        read.category in _ACTIONS_AND_STATUS
        and read.confidence >= CONFIDENT
        and not facts.captured.get("out_of_scope")
    )


# An action asked of items the customer has, in a question: "would you trade them for…",
# "can I send these back", "could you swap it".
_OWN_ITEMS_ACTION = re.compile(
    r"\b(?:(trade|swap|exchange|switch)|(return|refund)|(cancel))\s+(?:them|it|these|those)\b|"
    r"\b(send) (?:them|it|these|those) back\b",
    re.IGNORECASE,
)


def own_items_outcome(facts: TurnFacts) -> Outcome | None:
    """"Would you trade them for the over-ear version?": a question no article answers,
    asking for an action on what the customer has, is asked once whether it is that
    action, before the catalog or a person answers it as a question."""
    action = _action_on_own_items(facts)
    if action is None:
        return None
    return Ask(
        reasons=("I want to be sure what you need before I do anything",),
        confidence=facts.read.confidence,
        ask_for=CLARIFY,
        readings=(action.value,),
    )


def _action_on_own_items(facts: TurnFacts) -> Category | None:
    """The action a question no article answers asks of the customer's own items, when it
    was read as a question and a clarifying question was not asked yet; else None."""
    read = facts.read
    if read.category not in (Category.PRODUCT_QUESTION, Category.POLICY_QUESTION):
        return None
    if facts.knowledge is None or read.wants_human:
        return None
    if answer_from_passages(facts.message, facts.knowledge).kind != "no_match":
        return None
    if (facts.captured.get("asked") or {}).get(CLARIFY):
        return None
    found = _OWN_ITEMS_ACTION.search(facts.message)
    if found is None:
        return None
    swap, money_back, cancel, send = found.groups()
    if swap:
        return Category.EXCHANGE
    if cancel:
        return Category.CANCEL_ORDER
    return Category.RETURN if money_back or send else None


def _article_answer(answer: KnowledgeAnswer, read: TurnRead) -> Answer:
    """An answer from a help article, cited, and partial help where the gate has not
    cleared the question's answers (`knowledge_cleared`)."""
    return Answer(
        reasons=(f"this is what our help article “{answer.citation}” says",),
        confidence=read.confidence,
        source=AnswerSource.KNOWLEDGE,
        knowledge=answer,
        partial=not knowledge_cleared(read),
    )


# "I don't have an account", "not a customer yet", "I'm just asking", "I checked out as a guest".
_NO_ACCOUNT = re.compile(
    r"\b(?:(?:do\s*n[o']?t|dont|do not|don’t|never)\s+(?:have|had|made|created|opened)\s+"
    r"(?:an?\s+|any\s+)?(?:account|profile)|no\s+account|not\s+(?:a|your)\s+customer|"
    r"(?:just|only)\s+(?:asking|wondering|curious|a question|browsing|looking)|"
    r"(?:as\s+a\s+)?guest\b|haven'?t\s+(?:ordered|bought|registered|signed up))",
    re.IGNORECASE,
)


def says_no_account(message: str) -> bool:
    """Whether the customer says they have no account with the shop (or only asks)."""
    return bool(_NO_ACCOUNT.search(message))


def no_account_outcome(facts: TurnFacts) -> Outcome | None:
    """Asked who they are, a customer without an account is told what needs none (questions
    about the shop) and what needs the order's email, instead of the same question again."""
    if facts.verified or facts.awaiting not in ("identity", "identity_factor"):
        return None
    if facts.read.wants_human or not says_no_account(facts.message):
        return None
    if "@" in facts.message or re.search(r"\d{5}", facts.message):
        return None  # a guest who gives the order's email or zip is answering the question
    asked = facts.captured.get("issue")
    if asked and facts.knowledge:
        # Their first message asked about the shop: its answer, from the articles.
        answer = answer_from_passages(asked, facts.knowledge)
        if answer.kind == "answer":
            return _article_answer(answer, facts.read)
    return Answer(
        reasons=("questions about the shop need no account; an order's details need its email",),
        confidence=facts.read.confidence,
        source=AnswerSource.NO_ACCOUNT,
    )


# Asked once of a customer who wants a person before saying what about: the answer goes
# into the handoff record as the issue and the resolution they would like.
PERSON_BRIEF = "person_brief"
_NO_TOPIC = frozenset({Category.TALK_TO_HUMAN, Category.OTHER})


def person_outcome(facts: TurnFacts) -> Outcome | None:
    """The brief a customer who asked for a person at the start gives, handed over; or
    the one question for it, when nothing they said names a topic yet.

    None when the customer did not ask for a person, or when the request in hand
    already tells the person what it is about (then the dialogue hands over at once)."""
    read = facts.read
    reason = "the customer asked for a person"
    if facts.awaiting == PERSON_BRIEF:  # whatever they answered, a person takes it now
        return Escalate(reasons=(reason,), confidence=read.confidence, handoff_reason=reason)
    if not (read.wants_human or read.category is Category.TALK_TO_HUMAN):
        return None
    captured = facts.captured
    under_way = (
        captured.get("topic")
        or captured.get("preferred_resolution")
        or captured.get("asked")
        or captured.get("tried")
        or facts.proposal is not None
        or facts.consent_request is not None  # "… stop the newsletters, get me a person"
    )
    if under_way or read.category not in _NO_TOPIC:
        return None
    return Ask(
        reasons=("a colleague will take over; a word on what it is about lets them start at once",),
        confidence=read.confidence,
        ask_for=PERSON_BRIEF,
    )


def language_outcome(facts: TurnFacts) -> Outcome | None:
    """A handoff for a message the brain could not read in its language.

    The brain hands off (`wants_human`) what it reads in a language other than English;
    the reason says so, rather than that the customer asked for a person."""
    language = facts.captured.get("language") or "en"
    if language == "en" or not facts.read.wants_human:
        return None
    reason = "you wrote in a language I can't answer in yet, so a colleague who can will reply"
    return Escalate(reasons=(reason,), confidence=facts.read.confidence, handoff_reason=reason)


# The words a customer picks each reading a clarifying question offers with.
_PICKED_BY: Mapping[str, re.Pattern[str]] = {
    reading: re.compile(words, re.IGNORECASE)
    for reading, words in {
        "order_status": r"\bwhere\b|(?<!before it )\bship|\btrack|\bdeliver(?!y address)|"
        r"\barriv|\bstatus\b",
        "order_contents": r"\bhold|\bcontain|\bin it\b|\binside\b|\bwhat (?:i|did i) "
        r"(?:order|buy|bought|get|got)|\bitems?\b",
        "refund_status": r"\brefund|\bmoney\b",
        "return": r"\breturn|\bsend (?:it |them )?back\b",
        "exchange": r"\bexchang|\bswap",
        "cancel_order": r"\bcancel",
        "change_address": r"\baddress\b",
        "account_address": r"\baccount\b",
        "change_items": r"\bchang\w* (?:an |the |my )?items?\b|\bsize\b|\bcolou?r\b",
        "change_payment": r"\bpay|\bpaid\b|\bcard\b|\bpaypal\b",
    }.items()
}


_ORDINAL = re.compile(r"\b(?:(first|former)|(second|latter|last))\b", re.IGNORECASE)
# Readings whose own words name them beyond doubt, offered or not: their verb, or the
# clarifying questions' own wording ("it's about how my order is paid").
_NAMED_BY_VERB: Mapping[str, re.Pattern[str]] = {
    "return": _PICKED_BY["return"],
    "exchange": _PICKED_BY["exchange"],
    "cancel_order": _PICKED_BY["cancel_order"],
    "change_payment": re.compile(
        r"\bhow (?:my|the|an|this|that|it) (?:order )?(?:is|was|gets|got) paid\b|"
        r"\bpayment method\b|\b(?:which|what) card\b",
        re.IGNORECASE,
    ),
    "change_address": re.compile(
        r"\b(?:delivery|shipping) address\b|\bwhere (?:my|the|an|this|it) (?:order )?"
        r"(?:is|gets) (?:delivered|sent|shipped) to\b",
        re.IGNORECASE,
    ),
    "order_contents": re.compile(
        r"\bwhat (?:my|the|this|that) order (?:holds|contains|has)\b|"
        r"\bwhat(?:['’]s| is) (?:in|on) (?:my|the|this|that) order\b",
        re.IGNORECASE,
    ),
    "order_status": re.compile(
        r"\bwhere (?:my|the|this|that) (?:order|parcel|package) is\b", re.IGNORECASE
    ),
}
_CHANGING = re.compile(r"\bchang", re.IGNORECASE)


def reading_picked(
    answer: str, offered: Sequence[str], *, affirmed: bool | None = None
) -> str | None:
    """The one reading of those a clarifying question offered that the customer's answer
    names ("the return" to "is this about a refund or a return?", or "the second one"),
    or the one offered when they said yes to it; None when it names none of them, or
    more than one. A reading for an account's address wins over the order's, and one for
    changing an item over what the order holds, whose words they share."""
    named = [r for r in offered if r in _PICKED_BY and _PICKED_BY[r].search(answer)]
    if "account_address" in named and "change_address" in named:
        named.remove("change_address")
    if "change_items" in named and "order_contents" in named and _CHANGING.search(answer):
        named.remove("order_contents")  # "changing an item", not what the order holds
    if not named and len(offered) == 1 and affirmed:  # "is this about a refund?" "yes"
        named = [offered[0]]
    if not named and len(offered) == 2:  # "the first one", "the latter"
        ordinal = _ORDINAL.search(answer)
        if ordinal is not None:
            named = [offered[0] if ordinal.group(1) else offered[1]]
    if not named:
        # "It's about returning something" to "a refund or a cancellation?": an action the
        # question did not offer, named by its own verb, is the request.
        named = [
            r for r, words in _NAMED_BY_VERB.items() if r not in offered and words.search(answer)
        ]
    return named[0] if len(named) == 1 else None


_SWAPS = frozenset({Category.CHANGE_ITEMS, Category.EXCHANGE})


def _status_settles_the_swap(facts: TurnFacts) -> bool:
    """Whether the read is unsure only if a swap is a change before the order ships or an
    exchange after it arrived, and the order's status says which: no question for the
    customer to answer ("could the T-shirt in #W… be red?" on a pending order)."""
    read, order = facts.read, facts.order
    readings = set(facts.captured.get("readings") or ())
    return (
        order is not None
        and read.category in _SWAPS
        and order.status in (OrderStatus.PENDING, OrderStatus.DELIVERED)
        and swap_for_status(read.category, order.status) is read.category
        and readings <= {c.value for c in _SWAPS}
    )


def clarify_outcome(facts: TurnFacts) -> Outcome | None:
    """One clarifying question when the read is below its acting threshold; a handoff
    when the answer to it is still unclear. None when the read is sure enough."""
    read = facts.read
    if read.confidence >= CONFIDENT or read.wants_human or not facts.verified:
        return None
    if facts.proposal is not None and read.affirm is not None:
        return None
    if read.category not in _ACTIONS_AND_STATUS and read.category is not Category.OTHER:
        return None
    if _status_settles_the_swap(facts):
        return None
    if facts.awaiting in (CLARIFY, "request"):
        reason = "I still couldn't tell what you need, so a colleague will take it from here"
        return Escalate(reasons=(reason,), confidence=read.confidence, handoff_reason=reason)
    if read.category is Category.OTHER and not facts.captured.get("issue"):
        return None  # nothing said yet: "How can I help?"
    return Ask(
        reasons=("I want to be sure what you need before I do anything",),
        confidence=read.confidence,
        ask_for=CLARIFY,
    )


_DECLINES_TO_ACT = re.compile(
    r"\b(?:do ?n[o'’]?t|dont|do not) (?:want|need) (?:you |anyone |anybody )?to\b|"
    r"\bno need to\b|\bnothing (?:needs|to) (?:change|be changed|be done|do)\b",
    re.IGNORECASE,
)


def follow_up_outcome(facts: TurnFacts) -> Outcome | None:
    """A bare yes or no after an answer from a help article: a yes to the person offered
    with partial help hands off; anything else ("no, I only asked", "I don't want to change
    anything") changes nothing."""
    read = facts.read
    if facts.after_article is None or facts.proposal is not None or read.wants_human:
        return None
    # "I don't want to change any address": after an answer, a wish to have nothing done.
    declines = _DECLINES_TO_ACT.search(facts.message) is not None
    if read.affirm is None and not (declines and action_asked(facts.message) is None):
        return None
    if read.affirm and facts.after_article == "partial":
        reason = "you said yes to a colleague's help with your question"
        return Escalate(reasons=(reason,), confidence=read.confidence, handoff_reason=reason)
    return Answer(
        reasons=("nothing needs doing",),
        confidence=read.confidence,
        source=AnswerSource.ACKNOWLEDGED,
    )


# The same question is asked at most this often; then a person takes over.
MAX_SAME_QUESTION = 2


def not_a_third_time(facts: TurnFacts, outcome: Outcome) -> Outcome:
    """`outcome`, unless it asks for a field already asked for twice: then a person."""
    if not isinstance(outcome, Ask):
        return outcome
    asked = (facts.captured.get("asked") or {}).get(outcome.ask_for, 0)
    if asked < MAX_SAME_QUESTION:
        return outcome
    reason = "I've asked for this twice without getting it right, so a colleague will take over"
    return Escalate(reasons=(reason,), confidence=outcome.confidence, handoff_reason=reason)


# --- two requests in one message -------------------------------------------------------------

# Where one request ends and another begins: "… and change …", "…. Also, …", ", and also …",
# "; …". A bare "and" joins items of one request ("the bookshelf and the pet bed"), so an
# "and" splits only before a verb or a question.
_NEXT_REQUEST = re.compile(
    r"(?:[.!?;]\s+|,\s*)(?:and\s+)?(?:also|separately|secondly|second(?:ly)? thing|"
    r"second(?=[,:])|one more thing|another thing)\b[,:]?\s*|;\s+|"
    r",?\s+and\s+(?:also\s+)?(?=(?:please\s+)?(?:change|cancel|return|exchange|update|swap|"
    r"send|pay|modify|tell me|show me|let me know|check|track|look up|find out|give me|"
    r"what(?:'s| is)?|where|when|how|do you|does|did|has|is|are|can you|"
    r"could you|i (?:also )?(?:want|need|would like|'d like))\b)",
    re.IGNORECASE,
)
# What belongs to one request and is reset before the next is taken up.
_REQUEST_FIELDS = (
    "item_ids", "item_names", "picked_item_ids", "item_candidates", "item_asks", "item_topic",
    "item_request", "cancel_reason", "payment", "payment_method_id", "card_last_four",
    "order_choices",
    "preferred_resolution", "topic", "out_of_scope", "asked", "consent_request",
)  # fmt: skip


def split_requests(message: str) -> tuple[str, str] | None:
    """The two requests of a message that makes two ("return the lamp and change my
    address"), first and second; None for one request. Only the first split counts."""
    found = _NEXT_REQUEST.search(message)
    if found is None:
        return None
    first, second = message[: found.start()].strip(" ,."), message[found.end() :].strip()
    if len(first) < 8 or len(second) < 8:
        return None
    if len(second.split()) < 3 and not re.search(r"\d{5}", second):
        return None  # "…, and where to?": more of the same question, not a request
    return first, second


def two_requests(
    first: Category,
    first_sure: float,
    second: Category,
    second_sure: float,
    *,
    parts: tuple[str, str] | None = None,
) -> bool:
    """Whether two parts of a message read as two different requests, one of them at least
    sure enough to act on and neither vague: the first is handled now and the second kept
    for after it.

    A part that asks about the customer's consent (`domain.consent.read_consent_request`,
    on the `parts`' text) is a request of its own whatever the brain read it as ("update
    my saved address. Also I'd like to stop the marketing emails"), beside one other
    request read sure enough."""
    if parts is not None and _where_the_refund_goes(first, second, parts):
        return False
    if parts is not None and all(is_general_question(part) for part in parts):
        return False  # two questions for the articles, answered together
    if parts is not None:
        # A part that reports a charge not owed or something gone wrong, read as nothing
        # the shop's tools serve, is a complaint of its own beside the other request
        # ("cancel my tee order. ALSO my bank shows 2 charges for it").
        first, second = (
            Category.COMPLAINT if reads_as_complaint(category, part) else category
            for category, part in ((first, parts[0]), (second, parts[1]))
        )
    if {first, second} & _REASONED and Category.COMPLAINT in (first, second):
        return False  # what went wrong is why the item goes back: one request
    if parts is not None:
        about_consent = [read_consent_request(p) is not None for p in parts]
        if any(about_consent) and not all(about_consent):
            category, sure = (second, second_sure) if about_consent[0] else (first, first_sure)
            return sure >= CONFIDENT and category not in (Category.OTHER, Category.TALK_TO_HUMAN)
    # One part read unsure is still a request of its own: taken up in its turn, it gets its
    # clarifying question then ("where is W…? Also, how much is express shipping?").
    unsure = max(first_sure, second_sure) < CONFIDENT
    vague = {first, second} & {Category.OTHER, Category.TALK_TO_HUMAN}
    return first is not second and not unsure and not vague


# Requests whose reason is often told as a complaint in the same message ("I'm really
# disappointed, the headphones pinch … I'm sending the whole lot back").
_REASONED = frozenset({Category.RETURN, Category.EXCHANGE})
# Requests that move money back to the customer, and a part saying where it should go:
# "Rather than PayPal, could the refund go onto my gift card?".
_REFUNDING = frozenset({Category.RETURN, Category.CANCEL_ORDER, Category.EXCHANGE})
_REFUND_DESTINATION = re.compile(
    r"\b(?:refund\w*|money|difference)\b[^.?!]*?\b(?:to|onto|into|on|in|as|via)\b[^.?!]*?"
    r"\b(?:card|paypal|gift|visa|mastercard|amex|account|method)|"
    r"\b(?:card|paypal|gift card|visa|mastercard|amex)\b[^.?!]*?\brefund",
    re.IGNORECASE,
)


def _where_the_refund_goes(first: Category, second: Category, parts: tuple[str, str]) -> bool:
    """Whether one part is a refund-moving request and the other, read as a payment change,
    only says where that refund should go: one request, whose refund goes there."""
    for request, payment, text in ((first, second, parts[1]), (second, first, parts[0])):
        if request in _REFUNDING and payment is Category.CHANGE_PAYMENT:
            return _REFUND_DESTINATION.search(text) is not None
    return False


def next_request(captured: Captured) -> tuple[Captured, str] | None:
    """The request kept for after the first one, and what the conversation keeps when it is
    taken up: who the customer is and their language, not the first request's items, reason
    or wish. None when no request waits."""
    text = str(captured.get("next_request") or "").strip()
    if not text:
        return None
    kept = {
        k: v
        for k, v in captured.items()
        if k not in _REQUEST_FIELDS and k not in ("next_request", "next_topic", "issue")
    }
    return cast(Captured, kept), text
