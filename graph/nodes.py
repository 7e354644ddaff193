"""The nodes of one conversation turn.

`read_message` (the node `understand`), `assess_risk`, `execute_action` and
`compose_reply` do I/O and run as Temporal activities, with the worker's dependencies
passed in (`graph.deps.AgentDeps`, bound by `ActivityNodes`); `decide_next` and
`await_approval` are pure and run inside the workflow. Every node returns a
partial state update.

Each activity on the way to a reply costs a round trip through the Temporal
server, so the activities do all the I/O a turn needs in as few of them as it takes:

- `read_message` is the brain's `understand`, then `verify_identity` (the level
  the request needs, `graph/identity.py`) and `gather_context`, then the turn's one decision
  (`domain/turn.py::decide_turn`, pure: the dialogue's rules, and the action they
  lead to planned and rated against the policy in the same call), which
  `decide_next` adopts: being an activity's result, it is in the history, so a later
  change to the rules never changes how a recorded turn replays.
  `assess_risk` remains for turns recorded before the read rated the action.
- `execute_action` runs the action exactly once and words the reply in the same
  activity: a retry repeats the call with the same idempotency key, which
  changes nothing, and a brain that fails once money has moved gives way to the
  offline template rather than leaving the customer without an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any, cast

from langgraph.types import interrupt
from pydantic import TypeAdapter

from brain.base import Brain, Reply, ReplyRequest, TokenUsage, TurnContext, Understanding
from brain.grounding import ground_knowledge_reply, ground_reply
from brain.templates import (
    action_summary,
    compose_from_template,
    knowledge_reply,
    policy_summary,
    refund_note,
    within,
)
from domain.catalog import asks_about_stock_or_price
from domain.commands import ActionCommand, Authorization
from domain.consent import Consent, ConsentRequest, EarlierCase, consent_request_of_turn
from domain.controls import effective_autonomy, held_for_shadow, policy_version
from domain.dialogue import Category, Decision, DialogueInput, Step, decide, swap_for_status
from domain.errors import NotFound, TrustdeskError
from domain.handoff import NOT_A_TOPIC
from domain.identity import IDENTITY_ASKS, IdentityLevel
from domain.items import describe_choices, describe_lines, describe_options, settled_lines
from domain.knowledge import (
    KnowledgeAnswer,
    Passage,
    asks_how_long_and_how_much,
    both_passages,
    duration_and_amount,
    question_parts,
)
from domain.money import format_money
from domain.order_lookup import APPLIES_TO, MAX_LISTED, find_order, pick_listed
from domain.policy import Actor, Tier
from domain.pseudonym import customer_actor, customer_pseudonym
from domain.retail import Customer, Order, PaymentKind, Product, TransactionKind, Variant
from domain.topic_words import topic_in_words
from domain.turn import (
    CLARIFY,
    CONFIDENT,
    CORRECTION,
    OUTCOME,
    PERSON_BRIEF,
    RULE_READERS,
    UNSURE,
    Answer,
    AnswerSource,
    Ask,
    AwaitApproval,
    Captured,
    ChangeConsent,
    Escalate,
    Execute,
    Outcome,
    OutcomeKind,
    Propose,
    Refuse,
    TurnFacts,
    TurnRead,
    action_asked,
    action_read_as_status,
    address_given_alone,
    asked_without_an_account,
    asks_the_shop,
    decide_turn,
    email_change_asked,
    lines_with_ids,
    pick_items,
    read_only_question,
    reading_category,
    reading_picked,
    reads_as_complaint,
    rule_key,
    says_no_account,
    split_requests,
    two_requests,
)
from graph.deps import AgentDeps, Shop
from graph.identity import hide_awaited_code, keep_topic_for_code, may_change
from graph.identity import verify_identity as identity_step
from graph.routing import outcome_kind
from graph.state import (
    ActionStatus,
    ApprovalRequest,
    CapturedState,
    CaseState,
    DecisionRecord,
    EarlierCaseRecord,
    Facts,
    ProposalRecord,
    TurnOutcome,
)

_COMMAND = TypeAdapter(ActionCommand)
log = logging.getLogger(__name__)

# --- activities ---------------------------------------------------------------------


async def read_message(deps: AgentDeps, state: CaseState) -> dict[str, Any]:
    """The `understand` node: read the message, then who is asking and about what.

    The brain reads the message first (`understand`); the store steps then run on a
    thread, as the plugin runs a synchronous node, so the worker's event loop stays free.
    A one-time code typed while one is awaited is read by the identity check alone: the
    brain and every later step see it hidden, and so does the state the turn leaves.
    """
    typed = state.get("message", "")
    kept = hide_awaited_code(state, typed)
    seen = _with(state, {"message": kept})
    update = await understand(deps, seen)
    update |= keep_topic_for_code(state, update)
    code_message = typed if kept != typed else None
    update |= await asyncio.to_thread(_read_store, deps, _with(seen, update), code_message)
    if code_message is not None:
        update.setdefault("message", kept)  # the code goes no further than this turn's check
    return update


def _read_store(
    deps: AgentDeps, state: CaseState, code_message: str | None = None
) -> dict[str, Any]:
    """Identity (as sure as the request needs), context, and the turn's one decision on all
    of it (`domain.turn.decide_turn`: the action it leads to planned and rated in the same call).
    `code_message`: the message as typed, for the code check, when the state's hides a code."""
    checked = state if code_message is None else _with(state, {"message": code_message})
    update: dict[str, Any] = verify_identity(deps, checked)
    update |= gather_context(deps, _with(state, update))
    update |= _item_answers(_with(state, update))
    update |= _rejection_kept(_with(state, update))
    read = _with(state, update)
    passages = search_knowledge(deps, read)
    facts = replace(
        _turn_facts(deps, read),
        knowledge=passages,
        catalog=_catalog(deps, read) if passages is not None else (),
        after_article=_after_article(state),
    )
    outcome = decide_turn(facts)
    if read.get("shadow"):  # a person sends the reply and approves any action
        outcome = held_for_shadow(outcome)
    update |= _item_question(read, outcome)
    update["turn_outcome"] = OUTCOME.dump_python(outcome, mode="json")
    if isinstance(outcome, Ask):  # counted, so no question is asked a third time
        captured = dict(update.get("captured") or read.get("captured") or {})
        asked = dict(captured.get("asked") or {})
        asked[outcome.ask_for] = int(asked.get(outcome.ask_for, 0)) + 1
        update["captured"] = {**captured, "asked": asked}
        if outcome.readings:  # what the clarifying question names
            update["captured"]["readings"] = list(outcome.readings)
    captured_now = dict(update.get("captured") or read.get("captured") or {})
    update["captured"] = _tried(captured_now, read, outcome)
    if isinstance(outcome, Answer):
        update["facts"] = {**update["facts"], **_answer_facts(deps, outcome)}
    if isinstance(outcome, Answer) and outcome.source is AnswerSource.CONSENT:
        request = facts.consent_request
        update["facts"] = {
            **update["facts"],
            "consent_asked": request.as_record() if request is not None else {},
        }
        update["captured"] = {  # answered: not kept for a later turn
            k: v for k, v in update["captured"].items() if k != "consent_request"
        }
    if isinstance(outcome, Answer) and outcome.knowledge is not None:
        update["facts"] = {**update["facts"], "knowledge": _knowledge_facts(outcome)}
    elif isinstance(outcome, Answer) and outcome.catalog is not None:
        found = outcome.catalog.model_dump(mode="json") | {"partial": outcome.partial}
        update["facts"] = {**update["facts"], "catalog": found}
    elif isinstance(outcome, Escalate) and passages == ():
        update["facts"] = {**update["facts"], "knowledge_no_match": True}
        update["captured"] = {
            "preferred_resolution": "an answer to the question",
            **update["captured"],
        }
    decision = _decision_of(outcome)
    update["decided"] = {**decision, "turn": state.get("turn")}
    update["reassessed"] = _rating_of(read, outcome)
    return update


# What the handoff record keeps of what the agent tried: the last few lines.
_TRIED_KEPT = 6


_FROM_ARTICLE = "answered from the help article"


def _tried(captured: dict[str, Any], state: CaseState, outcome: Outcome) -> dict[str, Any]:
    """`captured` with what this turn tried added to its `tried` lines, for the person who
    may take the case over: an answer given, a proposal declined, a refusal, an approver's
    no. Questions are counted in `asked` already."""
    tried = list(captured.get("tried") or [])
    proposal: dict[str, Any] = dict(state.get("proposal") or {})
    line = None
    if state.get("outcome") == "rejected" and proposal.get("summary"):
        line = f"an approver declined: {proposal['summary']}"
    elif isinstance(outcome, Ask) and outcome.ask_for == "anything_else":
        line = f"proposed, and the customer said no: {proposal.get('summary') or 'an action'}"
    elif isinstance(outcome, Ask) and outcome.ask_for == CORRECTION:
        line = f"proposed, and the customer said it was wrong: {proposal.get('summary') or '—'}"
    elif isinstance(outcome, Refuse):
        line = f"refused: {outcome.rule}"
    elif isinstance(outcome, Answer) and outcome.knowledge is not None:
        line = f"{_FROM_ARTICLE} “{outcome.knowledge.citation}”"
    elif isinstance(outcome, Answer) and outcome.catalog is not None:
        line = f"answered from the catalog: the {outcome.catalog.product}"
    elif isinstance(outcome, Answer) and outcome.source is not AnswerSource.ACKNOWLEDGED:
        line = f"answered: {outcome.source.value.replace('_', ' ')}"
    if line and (not tried or tried[-1] != line):
        tried.append(line)
    if tried:
        captured["tried"] = tried[-_TRIED_KEPT:]
    return captured


def _answer_facts(deps: AgentDeps, answer: Answer) -> Facts:
    """What an answer's wording needs besides the order: the shop's refund terms, the
    payment method a question was about, and whether a proposal still waits for its yes."""
    terms = deps.policy.terms
    found: Facts = {
        "refund_terms": {
            "card_days": terms.refund_card_business_days,
            "paypal_days": terms.refund_paypal_business_days,
        }
    }
    if answer.method_kind:
        found["method_kind"] = answer.method_kind
    if answer.proposal_open:
        found["proposal_open"] = True
    return found


def _rejection_kept(state: CaseState) -> dict[str, Any]:
    """The action an approver rejected last turn, kept with the conversation so it is
    never proposed again unchanged (`domain.turn.not_again`)."""
    proposal = state.get("proposal")
    if state.get("outcome") != TurnOutcome.REJECTED or not proposal or not proposal.get("command"):
        return {}
    captured = (state.get("captured") or CapturedState()).copy()
    rejected = list(captured.get("rejected_commands") or [])
    if proposal["command"] not in rejected:
        rejected.append(proposal["command"])
    captured["rejected_commands"] = rejected
    return {"captured": captured}


def _item_answers(state: CaseState) -> dict[str, Any]:
    """An answer to a question about the items kept with the request it belongs to, and
    an answer to "which of these?" read against the lines offered (`pick_items`)."""
    captured = cast(Captured, dict(state.get("captured") or {}))
    message = state.get("message", "")
    category = state.get("category")
    if category in _ITEM_TOPICS and captured.get("item_topic") != category:
        # A new request about items: what was said and picked for another one does not carry.
        captured.pop("picked_item_ids", None)
        captured.pop("item_candidates", None)
        captured.pop("item_asks", None)
        captured["item_topic"] = str(category)
        # The message that made the request; an answer to "is this about a return or …?"
        # only says which request the first message made.
        made = captured.get("issue") if state.get("awaiting") == CLARIFY else None
        captured["item_request"] = str(made or message)[:500]
        return {"captured": captured}
    if state.get("awaiting") not in ("item", "item_choice"):
        return {}
    captured["item_request"] = " ".join(t for t in (captured.get("item_request"), message) if t)[
        -500:
    ]
    snapshot = (state.get("facts") or {}).get("order_snapshot")
    order = Order.model_validate(snapshot) if snapshot else None
    return {"captured": pick_items(captured, order, message)}


# The requests whose items are resolved one by one (`domain.turn.items_of_turn`).
_ITEM_TOPICS = frozenset(
    {Category.RETURN.value, Category.EXCHANGE.value, Category.CHANGE_ITEMS.value}
)


def _item_question(state: CaseState, outcome: Outcome) -> dict[str, Any]:
    """What a question about the items offers, kept for the answer and for its wording:
    the lines told apart ("which of these?"), or the products the order does not hold and
    the lines it does."""
    captured = (state.get("captured") or CapturedState()).copy()
    captured.pop("item_candidates", None)
    facts = (state.get("facts") or Facts()).copy()
    snapshot = facts.get("order_snapshot")
    if not isinstance(outcome, Ask) or snapshot is None:
        return {"captured": captured}
    order = Order.model_validate(snapshot)
    if outcome.ask_for == "item_choice":
        offered = lines_with_ids(order, outcome.choices)
        captured["item_candidates"] = list(outcome.choices)
        captured["item_asks"] = int(captured.get("item_asks") or 0) + 1
        facts["item_question"] = {
            "what": outcome.item,
            "choices": describe_choices(offered),
            "same_item": len(set(outcome.choices)) == 1,
        }
    elif outcome.ask_for == "item":
        facts["order_lines"] = describe_lines(order.lines)
        if outcome.missing:
            facts["items_missing"] = list(outcome.missing)
    elif outcome.ask_for == "new_option" and (outcome.choices or outcome.sold_out):
        known = {
            str(v.get("item_id")): v
            for versions in (facts.get("variants") or {}).values()
            for v in versions
        }
        in_stock = [known[i] for i in outcome.choices if i in known]
        facts["version_question"] = {
            "what": outcome.item,
            "choices": [describe_options(v.get("options") or {}) for v in in_stock],
        }
        if outcome.sold_out in known:
            sold_out = known[outcome.sold_out].get("options") or {}
            facts["version_question"]["sold_out"] = describe_options(sold_out)
    return {"captured": captured, "facts": facts}


# What the agent asks for in the middle of a request: an answer to it is not a question.
_NOT_MID_REQUEST = frozenset(
    {None, "identity", "need", "request", "clarify", "confirmation", PERSON_BRIEF}
)


# The whole message's passages a two-question message's answers must be among.
_WIDER = 6


def search_knowledge(deps: AgentDeps, state: CaseState) -> tuple[Passage, ...] | None:
    """The knowledge base's passages for a question about the shop, best first; None
    when the message is not one (`domain.turn.asks_the_shop`) or there is no knowledge base."""
    knowledge = deps.knowledge
    captured = state.get("captured") or {}
    message = state.get("message", "")
    if knowledge is None or not message.strip() or captured.get("language", "en") != "en":
        return None
    if state.get("proposal") is not None and state.get("affirm") is not None:
        return None
    category = Category(state.get("category") or "other")
    if (
        not state.get("verified")
        and state.get("awaiting") in ("identity", "identity_factor")
        and says_no_account(message)
    ):
        # "I don't have an account, I'm just asking" asks the articles nothing itself; the
        # question they asked first, if it was about the shop and no article answered it
        # yet, is answered now (`domain.turn.no_account_outcome`).
        asked_before = str(captured.get("issue") or "")
        tried = captured.get("tried") or ()
        if not asked_without_an_account(asked_before) or any(
            line.startswith(_FROM_ARTICLE) for line in tried
        ):
            return None
        return tuple(knowledge.search(asked_before, limit=3))
    question = asks_the_shop(
        category,
        message,
        out_of_scope=bool(captured.get("out_of_scope")),
        mid_request=state.get("awaiting") not in _NOT_MID_REQUEST,
    )
    if not question:
        return None
    found = knowledge.search(message, limit=_WIDER)
    parts = question_parts(message)
    if len(parts) == 2 and found:
        # Two questions in one message: each answered from its own best passage, if both
        # are among the whole message's best ("how long does it take" alone is no one's).
        wider = {(p.slug, p.heading) for p in found}
        first, second = (knowledge.search(part, limit=1) for part in parts)
        keys = [(p[0].slug, p[0].heading) for p in (first, second) if p]
        if len(keys) == 2 and keys[0] != keys[1] and set(keys) <= wider:
            return (both_passages(first[0], second[0]), *found[:2])
    if asks_how_long_and_how_much(message):
        # "What is the charge and the usual transit time?": one passage says how long,
        # another how much (ranked again only for such a question: it looks further down).
        both = duration_and_amount(message, found, knowledge.rank(message, limit=_WIDER))
        if both is not None:
            return (both_passages(*both), *found[:2])
    return tuple(found[:3])


def _catalog(deps: AgentDeps, state: CaseState) -> tuple[Product, ...]:
    """The shop's products, for a question about stock, versions or price; else none."""
    if not asks_about_stock_or_price(state.get("message", "")):
        return ()
    return tuple(deps.shop.list_products())


def _after_article(state: CaseState) -> str | None:
    """Whether the last turn answered from a help article or the catalog, fully or as
    partial help."""
    facts: dict[str, Any] = dict(state.get("facts") or {})
    previous = facts.get("knowledge") or facts.get("catalog")
    if not previous or state.get("outcome") != TurnOutcome.ANSWER:
        return None
    return "partial" if previous.get("partial") else "full"


def _knowledge_facts(answer: Answer) -> dict[str, Any]:
    """A knowledge answer as the reply's facts: the passage's words and its citation."""
    found = answer.knowledge
    assert found is not None
    return {
        "text": found.text,
        "citation": found.citation,
        "slug": found.slug,
        "partial": answer.partial,
        "passage": found.passage.text if found.passage else "",
    }


def _turn_facts(deps: AgentDeps, state: CaseState) -> TurnFacts:
    """What the turn decides from: the state's read and snapshots, and, for a yes to the
    proposal on the table, the order and variants that proposal's plan needs."""
    d = _dialogue_input(state)
    proposal = _COMMAND.validate_python(d.proposal["command"]) if d.proposal else None
    order, variants = d.order, d.variants
    if proposal is not None and d.affirm and d.verified:
        order_id = getattr(proposal, "order_id", None)
        shop = deps.shop
        if order_id is not None and (order is None or order.id != order_id):
            try:
                order = shop.get_order(order_id)
            except NotFound:
                order = None  # planning refuses the action: the order is gone
        if order is not None and getattr(proposal, "new_item_ids", None) and not variants:
            variants = {
                product_id: [Variant.model_validate(v) for v in found]
                for product_id, found in _variants_of(shop, order).items()
            }
    return TurnFacts(
        read=TurnRead(
            category=d.category,
            confidence=min(max(float(state.get("confidence") or 0), 0.0), 1.0),
            autonomous=d.autonomous,
            wants_human=d.wants_human,
            affirm=d.affirm,
        ),
        message=d.message,
        captured=cast(Captured, dict(d.captured)),
        verified=d.verified,
        customer=d.customer,
        order=order,
        policy=deps.policy,
        proposal=proposal,
        variants=variants,
        identity=IdentityLevel(state.get("identity_level") or IdentityLevel.NONE),
        identity_ask=state.get("identity_ask"),
        rejected=tuple(
            _COMMAND.validate_python(c) for c in d.captured.get("rejected_commands") or ()
        ),
        awaiting=state.get("awaiting"),
        trusted_rules=_trusted_rules(deps, state),
        consent_request=(
            ConsentRequest.from_record(asked)
            if (asked := d.captured.get("consent_request")) is not None
            else None
        ),
        consent=Consent(**held) if (held := (state.get("facts") or {}).get("consent")) else None,
    )


def _trusted_rules(deps: AgentDeps, state: CaseState) -> frozenset[str]:
    """The rule readers the gate cleared, unless an operator's kill switch stopped the
    category whose questions they read."""
    cleared = frozenset(rule_key(s) for s in RULE_READERS) & deps.autonomous_categories
    if not cleared:
        return cleared
    killed = deps.controls().killed
    return frozenset(
        rule_key(source)
        for source, labels in RULE_READERS.items()
        if rule_key(source) in cleared and not labels & killed
    )


def _decision_of(outcome: Outcome) -> dict[str, Any]:
    """The outcome as the step record the workflow's `decide_next` adopts."""
    record: dict[str, Any] = {
        "reasons": list(outcome.reasons[:1]),
        "ask_for": None,
        "answer": None,
        "command": None,
        "detail": None,
    }
    match outcome:
        case Ask():
            # "anything_else" and "correction" follow a no to the proposal: the workflow
            # drops the proposal.
            declined = "declined" if outcome.ask_for in ("anything_else", CORRECTION) else None
            return record | {
                "step": Step.ASK.value,
                "ask_for": outcome.ask_for,
                "answer": declined,
            }
        case Answer():
            return record | {"step": Step.ANSWER.value, "answer": outcome.source.value}
        case Refuse():
            return record | {"step": Step.REFUSE.value, "reasons": [outcome.rule]}
        case Escalate():
            return record | {"step": Step.ESCALATE.value, "reasons": [outcome.handoff_reason]}
        case ChangeConsent():
            # Worded as an answer about the customer's consent, once the change is stored.
            return record | {"step": Step.ANSWER.value, "answer": AnswerSource.CONSENT.value}
        case Propose() | Execute() | AwaitApproval():
            step = Step.CONFIRM if isinstance(outcome, Propose) else Step.EXECUTE
            return record | {
                "step": step.value,
                "command": outcome.action.command.model_dump(mode="json"),
                "detail": outcome.action.detail,
            }
    raise TypeError(f"unknown outcome {outcome!r}")


def _rating_of(state: CaseState, outcome: Outcome) -> dict[str, Any] | None:
    """The planned action's rating and its proposal, as `decide_next` takes them over."""
    if not isinstance(outcome, Propose | Execute | AwaitApproval):
        return None
    action, rating = outcome.action, outcome.rating
    customer = Customer.model_validate(state["facts"]["customer"])
    methods = customer.methods_by_id()
    method_id = action.payment_method_id
    method = methods[method_id].describe() if method_id in methods else None
    kind = action.command.kind
    if action.described and kind in _LISTS_ITEMS:
        # Every item with its options and amount, the method and the total: the
        # customer's yes, and the approver's decision, are about exactly these.
        summary = action.described.removeprefix("I will ").rstrip(".")
    elif action.order_id is not None and method:
        summary = action_summary(kind, action.order_id, action.amount, method, action.detail)
    elif action.detail:
        summary = action_summary(kind, action.order_id or "", action.amount, "", action.detail)
    else:
        summary = action.summary
    command = action.command.model_dump(mode="json")
    return {
        "command": command,
        "risk": {
            "tier": rating.tier.value,
            "risk": rating.risk.value,
            "rules": list(rating.rules),
            "reasons": list(rating.reasons),
            "four_eyes": rating.four_eyes,
            "amount": str(rating.amount),
        },
        "proposal": {
            "command": command,
            "action": kind,
            "summary": summary,
            "amount": str(action.amount),
            "because": outcome.reasons[0],
            "needs_approval": rating.needs_approval,
            "approval_reason": rating.reasons[0] if rating.reasons else "",
            "tier": rating.tier.value,
            "method": method,
            "note": action.note,
        },
    }


# Actions whose proposal lists the items they touch.
_LISTS_ITEMS = frozenset({"return_items", "exchange_items", "modify_items", "cancel_order"})


def _with(state: CaseState, update: dict[str, Any]) -> CaseState:
    """The state as the next step sees it: a node's partial update applied."""
    return cast(CaseState, {**state, **update})


# What a request says about its items, dropped when the customer corrects a proposal.
_ITEM_FIELDS = ("item_ids", "picked_item_ids", "item_candidates", "item_asks")


async def understand(deps: AgentDeps, state: CaseState) -> dict[str, Any]:
    """Read the customer's message: category, entities, yes/no, wish for a person."""
    previous = state.get("category")
    context = TurnContext(
        text=state.get("message", ""),
        previous_category=Category(previous) if previous else None,
        awaiting=state.get("awaiting"),
        has_proposal=state.get("proposal") is not None,
        order_lines=list(((state.get("facts") or {}).get("order") or {}).get("items") or []),
    )
    from brain.tracing import traced_call  # in the activity only: the sandbox needs no tracer

    result = await traced_call(deps.brain, "understand", deps.brain.understand(context))
    captured = dict(state.get("captured") or {})
    if state.get("awaiting") == CORRECTION:
        # The items the declined proposal named were the wrong ones, or the right ones
        # the wrong way: read afresh from the request and what the customer says now.
        for key in _ITEM_FIELDS:
            captured.pop(key, None)
    message = state.get("message", "")
    split = await _two_requests(deps.brain, state, result, context)
    if split is not None:
        # Two requests in one message: the first now, the second once it is resolved.
        result, message, second, second_category = split
        captured |= {"next_request": second, "next_topic": second_category.value}
    e = result.entities
    if e.order_ids:
        captured["order_id"] = e.order_ids[0]
    if not state.get("verified"):
        # Who the customer is, while it is still being found out; once they are verified,
        # a zip or a name in a later message is an address's or someone else's ("ship it
        # to … Chicago, IL 60611"), never a new claim that would undo the verification.
        if e.emails:
            captured["email"] = e.emails[0].lower()
        if e.first_name and e.last_name:
            captured["first_name"], captured["last_name"] = e.first_name, e.last_name
        if e.zip:
            captured["zip"] = e.zip
    if e.item_ids:
        captured["item_ids"] = e.item_ids
    if e.item_names:  # the products named last, in the customer's words
        captured["item_names"] = e.item_names[:5]
    elif e.order_ids:  # another order: the products named for the last one do not carry
        captured.pop("item_names", None)
    if e.order_ids and e.order_ids[0] != (state.get("captured") or {}).get("order_id"):
        for key in (
            "item_topic", "item_request", "picked_item_ids", "item_candidates", "item_asks"
        ):  # fmt: skip
            captured.pop(key, None)
    if e.payment:
        captured["payment"] = e.payment
    if e.cancel_reason:
        captured["cancel_reason"] = e.cancel_reason
    if e.card_last_four:
        captured["card_last_four"] = e.card_last_four
    captured |= _language_and_scope(result)
    kept = captured.get("consent_request")
    consent_asked = consent_request_of_turn(
        message, kept if isinstance(kept, dict) else None, state.get("awaiting")
    )
    if consent_asked is None:
        captured.pop("consent_request", None)
    else:  # kept while the agent asks who the customer is
        captured["consent_request"] = consent_asked.as_record()
    category = result.category
    if state.get("awaiting") == PERSON_BRIEF and message and not result.wants_human:
        # What it is about, in their words, for the person who takes it over.
        captured["issue"] = message[:500]
        captured["preferred_resolution"] = message[:200]
    if state.get("awaiting") in ("issue", "need") and message and not result.wants_human:
        # What went wrong, asked after a vague complaint; what they need, asked after a
        # vague first message: the request in their words.
        captured["issue"] = message[:500]
    if state.get("awaiting") == "preferred_resolution" and message:
        captured["preferred_resolution"] = message[:200]
        if previous and not result.wants_human:
            category = Category(previous)  # the answer to our question, not a new request
    confidence = result.confidence
    if (
        state.get("awaiting") in IDENTITY_ASKS
        and previous is not None
        and category.value == previous
        and not result.wants_human
    ):
        # Saying who they are adds nothing to the request: it stays as sure as it was read
        # (an unsure one gets its clarifying question once the customer is verified).
        confidence = min(confidence, float(state.get("confidence") or confidence))
    if (action := action_read_as_status(category, message)) is not None:
        # "Return the earbuds and put the refund on my gift card" read as a refund status:
        # unsure, and the clarifying question offers the return too.
        confidence = min(confidence, UNSURE)
        captured["readings"] = [action.value, category.value]
    if state.get("awaiting") == CLARIFY and _same_words(message, captured.get("issue")):
        # Asked what they meant, the customer said the same again: it is no clearer.
        confidence = min(confidence, float(state.get("confidence") or 0.0))
    offered = (state.get("captured") or {}).get("readings") or ()
    if state.get("awaiting") == CLARIFY and offered and not result.wants_human:
        picked = reading_picked(message, [str(r) for r in offered], affirmed=result.affirm)
        if picked is not None:  # the customer chose among the readings we offered
            category, confidence = reading_category(picked), max(confidence, CONFIDENT)
            if picked == captured.get("next_topic") and captured.get("next_request"):
                # The part kept for later was the request, and the part before it its
                # story ("The navy one's zip catches; can I exchange it for …?"): one.
                rest = str(captured.pop("next_request"))
                captured.pop("next_topic", None)
                captured["issue"] = f"{captured.get('issue') or ''} {rest}".strip()[:500]
    answering = state.get("awaiting") not in _NOT_MID_REQUEST and previous is not None
    asked_for = action_asked(message) if state.get("awaiting") in ("issue", "need") else None
    if asked_for is not None and not result.wants_human:
        # Asked what went wrong or what they need, an answer asking for an action in so
        # many words ("I want to send back the small kettle") is that request.
        category, confidence = asked_for, max(confidence, CONFIDENT)
    elif answering and previous is not None and confidence < CONFIDENT and not result.wants_human:
        # An unsure reading of the answer to our own question ("300 Spring Street, …"
        # after "What is the new address?") is that answer: the request stays the same.
        category, confidence = Category(previous), CONFIDENT
    if not answering and email_change_asked(category, message):
        # "How do I change the email address my account uses?": the articles' to answer.
        category = Category.POLICY_QUESTION
    if not answering and address_given_alone(category, message):
        # An address on its own, read as no request: where the order should go.
        category, confidence = Category.CHANGE_ADDRESS, max(confidence, CONFIDENT)
        captured["out_of_scope"] = False  # a request the tools serve after all
        if captured.get("issue"):
            captured["issue"] = f"{captured['issue']} {message}"[:500]
    said = " ".join(t for t in (str(captured.get("issue") or ""), message) if t)
    if reads_as_complaint(category, said):
        # Something went wrong, read as a status or a question: a complaint, for a person.
        category = Category.COMPLAINT
    unread = result.language != "en" and result.wants_human  # handed off for its language
    in_words = topic_in_words(message) if unread else None
    if in_words is not None:
        # The reading is English's; the words of the customer's language name the topic.
        captured["topic"] = in_words.value
    elif category is Category.COMPLAINT:
        captured["topic"] = category.value
    elif category.value not in NOT_A_TOPIC and result.confidence >= 0.5:
        captured["topic"] = category.value  # what the handoff record files it under
    elif result.wants_human and result.alternatives and "topic" not in captured:
        captured["topic"] = result.alternatives[0].value  # "a person about my return"
    if "issue" not in captured and (
        category is not Category.OTHER
        or result.out_of_scope
        or read_only_question(message, category) is not None  # "contents of W…?"
    ):
        captured["issue"] = message[:500]
    controls = deps.controls()
    update: dict[str, Any] = {
        "category": category.value,
        "confidence": confidence,
        "autonomous": category.value
        in effective_autonomy(deps.autonomous_categories, controls, state.get("case_id") or ""),
        # Once in shadow mode, a case stays there: the customer never gets half a conversation.
        "shadow": bool(state.get("shadow")) or controls.in_shadow(category.value),
        "policy_version": policy_version(deps.policy_text, deps.autonomous_categories, controls),
        "wants_human": result.wants_human,
        "affirm": result.affirm,
        "rationale": result.rationale,
        "captured": captured,
    }
    if split is not None:
        update["message"] = message  # this turn decides on the first request alone
    if result.usage is not None:
        update["usage"] = _add_usage(state, result.usage)
    topic_changed = previous is not None and previous != category.value
    moved_on = topic_changed or bool(e.order_ids)
    # A question about the proposal is answered and the proposal stays open.
    moved_on = moved_on and not ("?" in message and not e.order_ids)
    if state.get("proposal") is not None and moved_on and result.affirm is None:
        update["proposal"] = None
    return update


async def _two_requests(
    brain: Brain, state: CaseState, whole: Understanding, context: TurnContext
) -> tuple[Understanding, str, str, Category] | None:
    """A message that makes two requests ("return the lamp and change my address"), read
    part by part: the first part's reading (with who the customer said they are, wherever
    in the message), its text, and the second part's text and request. None for a message
    with one request, an answer in the middle of one, or a request already waiting."""
    captured = state.get("captured") or {}
    if (
        state.get("proposal") is not None
        or state.get("awaiting") not in _NOT_MID_REQUEST
        or captured.get("next_request")
        or whole.language != "en"
        or whole.wants_human
    ):
        return None
    parts = split_requests(context.text)
    if parts is None:
        return None
    first = await brain.understand(context.model_copy(update={"text": parts[0]}))
    second = await brain.understand(context.model_copy(update={"text": parts[1]}))
    if not two_requests(
        first.category, first.confidence, second.category, second.confidence, parts=parts
    ):
        return None
    e = whole.entities
    identity = {"emails": e.emails, "first_name": e.first_name, "last_name": e.last_name}
    first = first.model_copy(
        update={
            "entities": first.entities.model_copy(update={**identity, "zip": e.zip}),
            "usage": _sum_usage(whole.usage, first.usage, second.usage),
        }
    )
    return first, parts[0], parts[1], second.category


def _sum_usage(*usages: TokenUsage | None) -> TokenUsage | None:
    found = [u for u in usages if u is not None]
    if not found:
        return None
    total = found[0]
    for usage in found[1:]:
        total = total + usage
    return total


def _same_words(message: str, earlier: object) -> bool:
    """Whether a message says again, word for word, what the customer said earlier."""
    words = re.findall(r"\w+", message.lower())
    return bool(words) and words == re.findall(r"\w+", str(earlier or "").lower())


def _language_and_scope(result: Understanding) -> dict[str, Any]:
    """What the read says about the message besides its request: its language, whether
    the shop's tools can serve it, and the likeliest readings when it was unsure."""
    found: dict[str, Any] = {"language": result.language, "out_of_scope": result.out_of_scope}
    if result.alternatives:
        found["readings"] = [c.value for c in result.alternatives[:2]]
    return found


def _add_usage(state: CaseState, usage: TokenUsage) -> dict[str, int]:
    """The case's running token total, one more brain call added."""
    return (TokenUsage.model_validate(state.get("usage") or {}) + usage).model_dump()


def verify_identity(deps: AgentDeps, state: CaseState) -> dict[str, Any]:
    """The identity the request needs, reached or asked for (graph/identity.py)."""
    return identity_step(deps, state)


def _order_facts(order: Order, customer: Customer | None) -> dict[str, Any]:
    methods = customer.methods_by_id() if customer else {}
    refunds = [t for t in order.transactions if t.kind is TransactionKind.REFUND]
    first = order.transactions[0].payment_method_id if order.transactions else None
    return {
        "id": order.id,
        "status": order.status,
        "total": format_money(order.total_paid()),
        "items": [
            {
                "item_id": line.item_id,
                "name": line.name,
                "price": format_money(line.price),
                "options": line.options,
            }
            for line in order.lines
        ],
        "tracking": [t for f in order.fulfillments for t in f.tracking_ids],
        "payment": methods[first].describe() if first in methods else None,
        "refunds": ", ".join(format_money(t.amount) for t in refunds) if refunds else None,
        # Each refund with the method it went to, whose kind says how long it takes to show.
        "refund_lines": [
            {
                "amount": format_money(t.amount),
                "method": methods[t.payment_method_id].describe()
                if t.payment_method_id in methods
                else None,
                "kind": methods[t.payment_method_id].kind.value
                if t.payment_method_id in methods
                else None,
            }
            for t in refunds
        ],
    }


def gather_context(deps: AgentDeps, state: CaseState) -> dict[str, Any]:
    """Load the verified customer and the order in question; nothing for strangers."""
    facts: dict[str, Any] = {"policy_text": policy_summary(deps.policy.terms)}
    captured = (state.get("captured") or CapturedState()).copy()
    if not state.get("verified"):
        return {"facts": facts, "captured": captured}
    shop = deps.shop
    customer = shop.get_customer(state["customer_id"] or "")
    facts["customer"] = customer.model_dump(mode="json")  # what the request needs
    consent = deps.consent(customer.id)
    facts["consent"] = consent.as_document()
    # Beyond the request, each with its own consent: the profile shaping the wording, and
    # the earlier cases listed for a person who may take this one over.
    if consent.personalisation:
        facts["customer_name"] = customer.first_name
    if consent.past_cases:
        found = deps.records.earlier_cases(customer.id, exclude=state.get("case_id") or "")
        facts["earlier_cases"] = [_earlier_case(c) for c in found]
    wanted = captured.get("payment")
    if wanted and "payment_method_id" not in captured:
        matching = [m for m in customer.payment_methods if m.kind is PaymentKind(wanted)]
        if len(matching) == 1:
            captured["payment_method_id"] = matching[0].id
        elif not matching:  # asked for a kind they do not have: the question says so
            facts["payment_missing"] = wanted
    facts |= _look_up_order(shop, customer, state, captured)
    order_id = captured.get("order_id")
    if order_id:
        try:
            order = shop.get_order(order_id)
        except NotFound:
            facts["order_missing"] = order_id
            captured.pop("order_id")
        else:
            facts["order"] = _order_facts(order, customer)
            facts["order_snapshot"] = order.model_dump(mode="json")
            if state.get("category") in _CHANGES_ITEMS:
                facts["variants"] = _variants_of(shop, order)
                said = Category(state["category"])  # type: ignore[arg-type]
                meant = swap_for_status(said, order.status)
                if meant is not said and meant.value in effective_autonomy(
                    deps.autonomous_categories, deps.controls(), state.get("case_id") or ""
                ):  # the operator controls are read only when the swap is renamed
                    # "Can I get the 34 inch one instead?" on a delivered order is an
                    # exchange, whichever word the customer or the brain used.
                    captured["topic"] = meant.value
                    return {
                        "facts": facts,
                        "captured": captured,
                        "category": meant.value,
                        "autonomous": True,
                    }
    return {"facts": facts, "captured": captured}


# Requests about one order that the agent finds among the customer's own when no number
# was given (`domain.order_lookup`); a complaint names its order for the person too.
_LOOKS_UP_ORDERS = frozenset(APPLIES_TO) | {Category.COMPLAINT}
# What the agent awaited when a message starts a request of its own (not an answer to a
# question within one, which never moves the request to another order).
_NEW_REQUEST = frozenset({None, "need", "request", "anything_else"})
# The customer's most recent orders the lookup reads: enough for any shop's regulars.
_RECENT_ORDERS = 20


def _look_up_order(
    shop: Shop, customer: Customer, state: CaseState, captured: CapturedState
) -> dict[str, Any]:
    """The order a request without a number is about, from the customer's own (set in
    `captured`), or the ones it may be about, to ask which (as facts); see
    `domain.order_lookup`. An order kept from an earlier request stays, unless this
    message names products none of them on it but on another order of theirs ("return
    the shoes and cancel the coffee maker order": the coffee maker's for the second)."""
    category = Category(state.get("category") or "other")
    message = state.get("message", "")
    kept = str(captured.get("order_id") or "")
    if category not in _LOOKS_UP_ORDERS or not customer.order_ids:
        return {}
    if kept and (kept.lstrip("#") in message or state.get("awaiting") not in _NEW_REQUEST):
        return {}  # this message names it, or answers a question within the request
    orders = []
    for order_id in customer.order_ids[-_RECENT_ORDERS:]:
        with contextlib.suppress(NotFound):
            orders.append(shop.get_order(order_id))
    if kept:
        others = [o for o in orders if o.id != kept]
        on_kept = any(settled_lines(message, o.lines) for o in orders if o.id == kept)
        if on_kept or not any(settled_lines(message, o.lines) for o in others):
            return {}
        captured.pop("order_id", None)
    listed_ids = captured.get("order_choices") or []
    if state.get("awaiting") == "order_id" and listed_ids:
        listed = [o for i in listed_ids for o in orders if o.id == i]
        picked = pick_listed(message, listed)
        if picked is not None:
            captured["order_id"] = picked.id
            captured.pop("order_choices", None)
            return {}
    said = " ".join(t for t in (str(captured.get("issue") or ""), message) if t)
    # An unsure reading picks no order by its status ("return" would pick the delivered
    # one): only the products named do, until the clarifying question settles the request.
    sure = float(state.get("confidence") or 0.0) >= CONFIDENT
    lookup = find_order(category if sure else Category.OTHER, said, orders)
    if lookup.found is not None:
        captured["order_id"] = lookup.found.id
        captured.pop("order_choices", None)
        return {}
    shown = lookup.candidates[:MAX_LISTED]
    if not shown:
        return {}
    captured["order_choices"] = [o.id for o in shown]
    return {
        "order_choices": [
            {
                "id": o.id,
                "status": str(o.status),
                "items": [str(name) for name in dict.fromkeys(line.name for line in o.lines)],
            }
            for o in shown
        ]
    }


def _earlier_case(case: EarlierCase) -> EarlierCaseRecord:
    return {
        "case_id": case.case_id,
        "category": case.category,
        "status": case.status,
        "actions": list(case.actions),
        "opened_at": case.opened_at.isoformat(),
    }


# Requests that swap an item for another version of it need the product's variants.
_CHANGES_ITEMS = frozenset({Category.EXCHANGE.value, Category.CHANGE_ITEMS.value})


def _variants_of(shop: Shop, order: Order) -> dict[str, list[dict[str, Any]]]:
    """The variants of each product on the order, by product id."""
    variants: dict[str, list[dict[str, Any]]] = {}
    for product_id in dict.fromkeys(line.product_id for line in order.lines):
        try:
            product = shop.get_product(product_id)
        except NotFound:
            continue
        variants[product_id] = [v.model_dump(mode="json") for v in product.variants]
    return variants


def _authorization(deps: AgentDeps, state: CaseState, *, confirmed: bool) -> Authorization:
    approval = state.get("approval")
    approved = approval is not None and approval.get("decision") == "approve"
    approved_tier = approval.get("tier") if approval is not None and approved else None
    return Authorization(
        actor=Actor.CUSTOMER,
        customer_id=state.get("customer_id"),
        identity_verified=may_change(state, deps.policy),
        confirmed=confirmed,
        approved_tier=Tier(approved_tier) if approved_tier else None,
        approved_by=tuple(approval.get("approved_by") or ()) if approval is not None else (),
    )


def assess_risk(deps: AgentDeps, state: CaseState) -> dict[str, Any]:
    """Plan the proposed action against the store and let the policy rate it."""
    decision = state["decision"]
    because = decision["reasons"][0] if decision.get("reasons") else None
    return _assess(deps, state, decision.get("command") or {}, because)


def _assess(
    deps: AgentDeps, state: CaseState, raw_command: dict[str, Any], because: str | None
) -> dict[str, Any]:
    shop = deps.shop
    command = _COMMAND.validate_python(raw_command)
    try:
        change, verdict = shop.preview(command, _authorization(deps, state, confirmed=True))
    except TrustdeskError as exc:
        return {"risk": {"refused": str(exc), "code": exc.code}}
    amount = change.amount if change else Decimal("0")
    summary = change.summary if change else command.kind.replace("_", " ")
    customer = Customer.model_validate(state["facts"]["customer"])
    method_id = getattr(command, "payment_method_id", None)
    methods = customer.methods_by_id()
    if method_id is None and change and change.transactions:
        method_id = change.transactions[0].payment_method_id
    method = methods[method_id].describe() if method_id in methods else None
    decision = state.get("decision")
    detail = decision.get("detail") if decision is not None else None
    if change and method:
        summary = action_summary(command.kind, change.order_id, amount, method, detail)
    elif detail:
        summary = action_summary(command.kind, getattr(command, "order_id", ""), amount, "", detail)
    risk = {
        "tier": verdict.tier.value,
        "risk": verdict.risk.value,
        "rules": list(verdict.rules),
        "reasons": list(verdict.reasons),
        "four_eyes": verdict.four_eyes,
        "amount": str(amount),
    }
    proposal = {
        "command": command.model_dump(mode="json"),
        "action": command.kind,
        "summary": summary,
        "amount": str(amount),
        "because": because,
        "needs_approval": verdict.needs_approval,
        "approval_reason": verdict.reasons[0] if verdict.reasons else "",
        "tier": verdict.tier.value,
        "method": method,
    }
    return {"risk": risk, "proposal": proposal}


async def execute_action(deps: AgentDeps, state: CaseState) -> dict[str, Any]:
    """Run the action exactly once, then word the reply to it in the same activity.

    `replied_turn` tells the graph the reply is written (`routing.route_after_execute`).
    """
    update = await asyncio.to_thread(_execute, deps, state)
    update |= await _word_reply(deps, _with(state, update), after_action=True)
    return update | {"replied_turn": state.get("turn")}


def _execute(deps: AgentDeps, state: CaseState) -> dict[str, Any]:
    """The approved or automatic action, exactly once (the key is the case and step)."""
    shop = deps.shop
    seq = int(state.get("action_seq") or 0) + 1
    key = f"{state['case_id']}/action-{seq}"
    proposal = state.get("proposal")
    command = _COMMAND.validate_python(proposal["command"] if proposal is not None else None)
    record: dict[str, Any] = {
        "seq": seq,
        "type": command.kind,
        "arguments": command.model_dump(mode="json"),
        "idempotency_key": key,
    }
    try:
        result = shop.execute(
            command, idempotency_key=key, authorization=_authorization(deps, state, confirmed=True)
        )
    except TrustdeskError as exc:
        record |= {"status": ActionStatus.FAILED.value, "error": str(exc), "code": exc.code}
        facts = (state.get("facts") or Facts()).copy()
        facts["refusal"] = str(exc)
        return {
            "action_seq": seq,
            "executed": [*(state.get("executed") or []), record],
            "outcome": Step.REFUSE.value,
            "facts": facts,
            "proposal": None,
        }
    record |= {
        "status": ActionStatus.EXECUTED.value,
        "amount": str(result.amount),
        "summary": result.summary,
        "order_status": result.status,
        "policy_rules": list(result.policy_rules),
    }
    facts = (state.get("facts") or Facts()).copy()
    facts["result"] = {
        "summary": proposal.get("summary", result.summary) if proposal else result.summary,
        "refund_note": refund_note(command.kind, deps.policy.terms),
    }
    return {
        "action_seq": seq,
        "executed": [*(state.get("executed") or []), record],
        "outcome": TurnOutcome.EXECUTED.value,
        "facts": facts,
        "proposal": None,
    }


async def change_consent(deps: AgentDeps, state: CaseState) -> dict[str, Any]:
    """Store the consent flags the customer changed, exactly once, then word the reply to
    it in the same activity (`replied_turn`, as `execute_action` does)."""
    update = await asyncio.to_thread(_change_consent, deps, state)
    update |= await _word_reply(deps, _with(state, update), after_action=True)
    return update | {"replied_turn": state.get("turn")}


def _change_consent(deps: AgentDeps, state: CaseState) -> dict[str, Any]:
    """The change this turn decided (`domain.turn.ChangeConsent`), under the key
    `<case id>/consent-<turn>`: a retried activity finds it made and changes nothing. The
    audit event names the customer as the actor, by their pseudonym."""
    outcome = OUTCOME.validate_python(state.get("turn_outcome"))
    if not isinstance(outcome, ChangeConsent):
        raise TypeError(f"change_consent runs a consent change, not {outcome.kind}")
    customer_id = state.get("customer_id") or ""
    case_id = state.get("case_id", "")
    facts = (state.get("facts") or Facts()).copy()
    captured = (state.get("captured") or CapturedState()).copy()
    captured.pop("consent_request", None)  # done: not asked again
    facts["consent_asked"] = dict(outcome.changes)
    try:
        change = deps.records.change_consent(
            customer_id,
            outcome.changes,
            actor=customer_actor(customer_id),
            subject=customer_pseudonym(customer_id),
            idempotency_key=f"{case_id}/consent-{state.get('turn')}",
            case_id=case_id,
            channel=state.get("channel"),
        )
    except TrustdeskError as exc:  # the account is gone (erased meanwhile)
        facts["refusal"] = str(exc)
        return {"facts": facts, "captured": captured, "outcome": TurnOutcome.REFUSE.value}
    facts["consent"] = change.after.as_document()
    facts["consent_changed"] = change.changed
    # The earlier cases follow the `past_cases` flag at once, as a handoff would list them.
    if not change.after.past_cases:
        facts.pop("earlier_cases", None)
    elif "earlier_cases" not in facts:
        found = deps.records.earlier_cases(customer_id, exclude=case_id)
        facts["earlier_cases"] = [_earlier_case(c) for c in found]
    return {"facts": facts, "captured": captured, "outcome": TurnOutcome.ANSWER.value}


async def compose_reply(deps: AgentDeps, state: CaseState) -> dict[str, Any]:
    """Word the reply to the customer from the outcome and its facts."""
    return await _word_reply(deps, state, after_action=False)


async def _word_reply(deps: AgentDeps, state: CaseState, *, after_action: bool) -> dict[str, Any]:
    brain = deps.brain
    decision: DecisionRecord | dict[str, Any] = state.get("decision") or {}
    facts = _reply_facts(state.get("facts") or Facts(), decision)
    outcome: str = state.get("outcome") or decision.get("step", TurnOutcome.ASK.value)
    risk = state.get("risk") or {}
    kind = outcome_kind(state)
    if kind is not None and not after_action and outcome not in _SETTLED:
        # This turn's decision says what to word; nothing here changes it.
        outcome = _WORDING_STEP[kind].value
        if kind is OutcomeKind.REFUSE:
            record = state.get("turn_outcome")
            facts["refusal"] = record.get("rule") if record is not None else None
    elif risk.get("refused") and outcome in _ACTS:
        outcome, facts["refusal"] = Step.REFUSE.value, risk["refused"]
    elif risk.get("tier") == Tier.FORBIDDEN and outcome in _ACTS:
        outcome, facts["refusal"] = Step.REFUSE.value, "; ".join(risk.get("reasons") or [])
    elif outcome == TurnOutcome.EXECUTE and risk.get("tier") in (
        Tier.APPROVER,
        Tier.SENIOR_APPROVER,
    ):
        outcome = TurnOutcome.AWAITING_APPROVAL.value
    if state.get("proposal"):
        facts["proposal"] = state["proposal"]
    if state.get("identity_failed"):
        facts["identity_failed"] = True
    if state.get("code_check") in ("wrong", "expired", "exhausted"):
        facts["code_check"] = state["code_check"]
    if state.get("code_sent"):
        facts["code_sent"] = True
    if state.get("code_limit"):
        facts["code_limit"] = True
    facts |= _how_to_word(state)
    captured = dict(state.get("captured") or {})
    announce = bool(captured.get("next_request")) and not captured.get("next_announced")
    if announce and outcome != "escalate":
        # Said once, on the first reply after the message that made both requests.
        facts["two_requests"] = {
            "first": state.get("category"),
            "then": captured.get("next_topic"),
        }
    refused_by_rule = decision.get("answer") in ("cannot_cancel", "cannot_return", "not_your_order")
    if kind is None and refused_by_rule:
        facts["refusal"] = decision["reasons"][0]
    # The case's own approval SLA (the workflow's timer), not a promise of our own.
    sla_minutes = state.get("approval_sla_minutes") or deps.policy.approval_sla_minutes
    facts["sla"] = within(int(sla_minutes))
    request = ReplyRequest(
        step=outcome,
        category=Category(category) if (category := state.get("category")) else None,
        ask_for=decision.get("ask_for"),
        answer=decision.get("answer"),
        reasons=list(decision.get("reasons") or []),
        facts=facts,
        first_turn=int(state.get("turn") or 0) <= 1,
    )
    reply, ungrounded = ground_reply(await _compose(brain, request, after_action), request)
    if request.answer == "knowledge" and outcome == TurnOutcome.ANSWER and facts.get("knowledge"):
        reply, ungrounded = _grounded_in_article(reply, facts["knowledge"], ungrounded)
    if ungrounded:
        log.warning(
            "%s: the %s brain's reply stated %s, not in the facts; sent a safe template instead",
            state.get("case_id"),
            brain.name,
            ", ".join(ungrounded),
        )
    awaiting = (
        decision.get("ask_for")
        if outcome == TurnOutcome.ASK
        else (
            "confirmation" if outcome == TurnOutcome.CONFIRM or facts.get("proposal_open") else None
        )
    )
    update = {
        "reply": reply.model_dump(exclude={"usage"}),
        "outcome": outcome,
        "awaiting": awaiting,
        "grounding_fallback": bool(ungrounded),
    }
    if reply.usage is not None:
        update["usage"] = _add_usage(state, reply.usage)
    if "two_requests" in facts:
        update["captured"] = {**captured, "next_announced": True}
    return update


def _reply_facts(facts: Facts, decision: DecisionRecord | dict[str, Any]) -> dict[str, Any]:
    """The facts a reply may state: the earlier cases are for the person a handoff goes
    to, never for the reply, and the consent flags only for an answer about them."""
    about_consent = decision.get("answer") == AnswerSource.CONSENT
    return {
        k: v
        for k, v in facts.items()
        if k != "earlier_cases" and (about_consent or not k.startswith("consent"))
    }


def _how_to_word(state: CaseState) -> dict[str, Any]:
    """What the wording needs besides the decision: the customer's language (a handoff is
    said in it) and, for a clarifying question, the likeliest readings it names."""
    captured = state.get("captured") or {}
    return {key: captured[key] for key in ("language", "readings") if captured.get(key) is not None}


def _grounded_in_article(
    reply: Reply, found: dict[str, Any], problems: list[str]
) -> tuple[Reply, list[str]]:
    """A knowledge answer that states only what its article's passage holds; else the
    passage's own words with the citation (`brain.grounding.ground_knowledge_reply`)."""
    passage = Passage(
        slug=found.get("slug", ""),
        title=found["citation"],
        heading=found["citation"],
        text=found.get("passage") or found["text"],
        score=1.0,
    )
    answer = KnowledgeAnswer("answer", found["text"], found["citation"], found["slug"], passage)
    text, wrong = ground_knowledge_reply(reply.text, answer)
    if wrong:
        text = knowledge_reply(found)
    return reply.model_copy(update={"text": text}), [*problems, *wrong]


# What the reply to each outcome kind says (brain.base.ReplyRequest.step), and the steps a
# turn reaches after its decision (an approver's answer, the action's result).
_WORDING_STEP: dict[OutcomeKind, TurnOutcome] = {
    OutcomeKind.ASK: TurnOutcome.ASK,
    OutcomeKind.ANSWER: TurnOutcome.ANSWER,
    OutcomeKind.PROPOSE: TurnOutcome.CONFIRM,
    OutcomeKind.EXECUTE: TurnOutcome.EXECUTE,
    OutcomeKind.AWAIT_APPROVAL: TurnOutcome.AWAITING_APPROVAL,
    OutcomeKind.REFUSE: TurnOutcome.REFUSE,
    OutcomeKind.ESCALATE: TurnOutcome.ESCALATE,
}
_SETTLED = frozenset({TurnOutcome.APPROVED, TurnOutcome.REJECTED, TurnOutcome.EXECUTED})
# The outcomes that act on the proposal: a refused or forbidden action is refused instead.
_ACTS = frozenset({TurnOutcome.CONFIRM, TurnOutcome.EXECUTE})


async def _compose(brain: Brain, request: ReplyRequest, after_action: bool) -> Reply:
    """The brain's reply; once an action has run, the offline template if the brain fails.

    Before an action a failing brain fails the activity, and Temporal retries it. After
    one, the customer must hear what happened even if the brain is down: the action
    stands, and the template words it from the same facts.
    """
    from brain.tracing import traced_call  # in the activity only: the sandbox needs no tracer

    if not after_action:
        return await traced_call(brain, "compose", brain.compose(request))
    try:
        return await traced_call(brain, "compose", brain.compose(request))
    except Exception:
        log.exception("the %s brain could not word the reply to an action", brain.name)
        return compose_from_template(request)


class ActivityNodes:
    """The activity nodes, bound to the worker's dependencies (`build_support_graph(deps)`).

    The plugin registers each as the activity `support.<node>`, whatever binds it. A graph
    built without dependencies (a replayer's, which never runs an activity) has nodes
    that refuse to run.
    """

    def __init__(self, deps: AgentDeps | None = None) -> None:
        self._deps = deps

    @property
    def deps(self) -> AgentDeps:
        if self._deps is None:
            raise RuntimeError("this graph was built without dependencies: it runs no activity")
        return self._deps

    async def read_message(self, state: CaseState) -> dict[str, Any]:
        """The `understand` node (`read_message`)."""
        return await read_message(self.deps, state)

    def assess_risk(self, state: CaseState) -> dict[str, Any]:
        """The `assess_risk` node, for turns recorded before the read rated the action."""
        return assess_risk(self.deps, state)

    async def execute_action(self, state: CaseState) -> dict[str, Any]:
        """The `execute_action` node: the action once, and the reply to it."""
        return await execute_action(self.deps, state)

    async def change_consent(self, state: CaseState) -> dict[str, Any]:
        """The `change_consent` node: the customer's consent change once, and the reply."""
        return await change_consent(self.deps, state)

    async def compose_reply(self, state: CaseState) -> dict[str, Any]:
        """The `compose_reply` node."""
        return await compose_reply(self.deps, state)


# --- in the workflow -------------------------------------------------------------------


async def decide_next(state: CaseState) -> dict[str, Any]:
    """The dialogue policy's decision: ask, answer, confirm, execute, refuse or escalate.

    The policy ran while the message was read (`read_message`), so its decision is in
    the workflow's history: a later change to the dialogue rules never changes how a
    recorded turn replays. A turn whose read did not decide (a history recorded before
    it did) runs the policy here; it is pure.
    """
    decided = state.get("decided")
    decision: dict[str, Any]
    if decided and decided.get("turn") == state.get("turn"):
        decision = {k: v for k, v in decided.items() if k != "turn"}
    else:
        decision = _decision_record(decide(_dialogue_input(state)))
    update: dict[str, Any] = {
        "decision": decision,
        "outcome": decision["step"],
        "risk": None,
        "approval": None,
        "reassessed": None,
        **({"proposal": None} if decision["answer"] == "declined" else {}),
    }
    # The action was rated while the message was read (`decide_turn`): when this turn
    # proposes or executes exactly that command, the rating stands and the turn goes on
    # without `assess_risk`.
    reassessed = state.get("reassessed")
    if (
        decision["step"] in (Step.CONFIRM, Step.EXECUTE)
        and reassessed
        and reassessed.get("command") == decision["command"]
    ):
        update["risk"] = reassessed["risk"]
        if reassessed.get("proposal"):
            update["proposal"] = {**reassessed["proposal"], "because": decision["reasons"][0]}
    return update


def _decision_record(decision: Decision) -> dict[str, Any]:
    """A decision as the case state keeps it: plain data."""
    return {
        "step": decision.step.value,
        "reasons": list(decision.reasons),
        "ask_for": decision.ask_for,
        "answer": decision.answer,
        "command": decision.command,
        "detail": decision.extra.get("detail"),
    }


def _dialogue_input(state: CaseState) -> DialogueInput:
    """What the dialogue policy decides from: the same in the activity and the workflow."""
    facts = state.get("facts") or {}
    customer = Customer.model_validate(facts["customer"]) if facts.get("customer") else None
    order = Order.model_validate(facts["order_snapshot"]) if facts.get("order_snapshot") else None
    return DialogueInput(
        category=Category(state.get("category") or "other"),
        wants_human=bool(state.get("wants_human")),
        confident=float(state.get("confidence") or 0) >= 0.5,
        autonomous=bool(state.get("autonomous")),
        verified=bool(state.get("verified")),
        affirm=state.get("affirm"),
        captured=state.get("captured") or {},
        customer=customer,
        order=order,
        proposal=state.get("proposal"),
        identity_ask=state.get("identity_ask"),
        message=state.get("message", ""),
        variants={
            product_id: [Variant.model_validate(v) for v in found]
            for product_id, found in (facts.get("variants") or {}).items()
        },
    )


async def await_approval(state: CaseState) -> dict[str, Any]:
    """Pause the turn until a person decides; resumes with `Command(resume=decision)`."""
    decision = interrupt(_approval_request(state))
    approved = decision.get("decision") == "approve"
    outcome = (TurnOutcome.APPROVED if approved else TurnOutcome.REJECTED).value
    facts: dict[str, Any] = dict(state.get("facts") or {})
    facts["approval"] = {"note": decision.get("note"), "decision": decision.get("decision")}
    update: dict[str, Any] = {"approval": decision, "outcome": outcome, "facts": facts}
    proposal = state.get("proposal")
    if approved and decision.get("amount") and proposal is not None:
        update["proposal"] = _with_approved_amount(proposal, Decimal(decision["amount"]))
        facts["approval"]["amount"] = format_money(Decimal(decision["amount"]))
    return update


def _approval_request(state: CaseState) -> ApprovalRequest:
    """What the approver is asked to decide: the action, its command and summary, its risk."""
    proposal = state.get("proposal")
    return {
        "action": proposal.get("action") if proposal else None,
        "command": proposal.get("command") if proposal else None,
        "summary": proposal.get("summary") if proposal else None,
        "risk": state.get("risk"),
    }


def _with_approved_amount(proposal: ProposalRecord, amount: Decimal) -> ProposalRecord:
    """The proposal as approved for less: a return refunds at most `amount`."""
    command = {**proposal["command"], "refund_limit": str(amount)}
    summary = proposal.get("summary", "")
    if method := proposal.get("method"):
        summary = action_summary(proposal.get("action", ""), command["order_id"], amount, method)
    return {**proposal, "command": command, "amount": str(amount), "summary": summary}
