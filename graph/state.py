"""The graph's state: typed records of plain JSON-friendly parts, so it crosses activity
boundaries, history and continue-as-new intact.

Amounts are strings of `Decimal`s; snapshots of orders and customers are their pydantic
JSON dumps (`model_dump(mode="json")`), as is the turn's `domain.turn.Outcome`.

Fields typed as a `StrEnum` (`TurnOutcome`, `Category`, `Step`, ...) hold the member's
*value*, a plain `str` equal to the member: nodes write `X.value`, and everything read
back from a history is a plain string anyway. Compare with members (`==`, `in`), and
convert with `X(value)` when the member itself is needed; never call `.value` on a
field. (LangGraph's checkpointer would store a member as its class, not its string.)

Every record is `total=False` where older histories may lack a key; the keys and their
JSON are those recorded histories hold (`tests/replay`), so changing a name here is a
change of the history format.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Required, TypedDict

from domain.dialogue import Category, Step
from domain.identity import CodeCheck, IdentityLevel
from domain.policy import RiskLevel, Tier
from domain.turn import Captured, OutcomeKind


class TurnOutcome(StrEnum):
    """Where a turn stands once a node has run: what `compose_reply` words, and what the
    workflow reads the case's status from (`workflows.case._STATUS_OF_OUTCOME`)."""

    ASK = "ask"
    ANSWER = "answer"
    CONFIRM = "confirm"  # a proposal awaits the customer's yes
    EXECUTE = "execute"  # the confirmed action, before it runs
    REFUSE = "refuse"
    ESCALATE = "escalate"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"  # an approver said yes; the action runs next
    REJECTED = "rejected"
    EXECUTED = "executed"


class ActionStatus(StrEnum):
    """How an action the agent ran ended (`ActionRecord.status`)."""

    EXECUTED = "executed"
    FAILED = "failed"


class CapturedState(Captured, total=False):
    """What the conversation told the agent (`domain.turn.Captured`) and what the read
    keeps alongside it for the handoff and the wording."""

    topic: str  # the category a handoff is filed under (a `Category` value)


class IdentityClaim(TypedDict, total=False):
    """What the channel vouched for: a signed customer id, or a mailbox the receiving
    server proved (`workflows.contracts.PostMessageInput.identity`)."""

    customer_id: str
    signed: bool  # the customer id came with the shop's signed token (`web.auth`)
    thread_id: str  # the conversation that token was bound to
    mailbox: str


class DecisionRecord(TypedDict, total=False):
    """The step this turn takes, as `decide_next` adopted it."""

    step: Required[Step]
    reasons: Required[list[str]]
    ask_for: str | None
    answer: str | None  # an `AnswerSource` value, or declined/acknowledged/cannot_*
    command: dict[str, Any] | None  # a `domain.commands.ActionCommand`, JSON mode
    detail: str | None


class DecidedRecord(DecisionRecord, total=False):
    """The decision as the read made it, with the turn it belongs to."""

    turn: int | None


class OutcomeRecord(TypedDict, total=False):
    """This turn's `domain.turn.Outcome`, dumped in JSON mode (`OUTCOME.dump_python`).
    Only the keys of its kind are present; `OUTCOME.validate_python` reads it back."""

    kind: Required[OutcomeKind]
    reasons: Required[list[str]]
    confidence: float
    ask_for: str  # ask
    item: str | None
    choices: list[str]
    missing: list[str]
    source: str  # answer: a `domain.turn.AnswerSource` value
    knowledge: dict[str, Any] | None
    partial: bool
    action: dict[str, Any]  # propose, execute, await_approval: a `PlannedAction`
    rating: dict[str, Any]  # and its `Rating`
    rule: str  # refuse
    handoff_reason: str  # escalate
    changes: dict[str, bool]  # change_consent: each consent flag with its new value


class RiskRecord(TypedDict, total=False):
    """The policy's rating of the action; or, when planning refused it, why."""

    tier: Tier
    risk: RiskLevel
    rules: list[str]
    reasons: list[str]
    four_eyes: bool
    amount: str  # a Decimal
    refused: str  # planning refused the action: the rule, in plain words
    code: str  # and its `TrustdeskError.code`


class ProposalRecord(TypedDict, total=False):
    """An action summarised to the customer (and, above the automatic tier, an approver)."""

    command: Required[dict[str, Any]]  # a `domain.commands.ActionCommand`, JSON mode
    action: str  # the command's kind (`domain.policy.ActionType` value)
    summary: str
    amount: str  # a Decimal
    because: str | None
    needs_approval: bool
    approval_reason: str
    tier: Tier
    method: str | None  # the payment method, described
    note: str | None  # a rule the request ran into, said with it (`PlannedAction.note`)


class Reassessed(TypedDict):
    """The action the read planned and rated, for `decide_next` to take over."""

    command: dict[str, Any]
    risk: RiskRecord
    proposal: ProposalRecord


class ApprovalRequest(TypedDict):
    """What `await_approval` interrupts with: the action an approver is asked to decide,
    its command and summary, and its rating (`workflows.case` opens the approval)."""

    action: str | None  # the command's kind (`domain.policy.ActionType` value)
    command: dict[str, Any] | None  # a `domain.commands.ActionCommand`, JSON mode
    summary: str | None
    risk: RiskRecord | None


class ApprovalDecision(TypedDict, total=False):
    """The human decision the graph resumed with (`Command(resume=...)`)."""

    decision: Required[str]  # "approve" | "reject"
    note: str | None
    approved_by: list[str]
    tier: str  # approve: the `Tier` value the approvers covered
    amount: str | None  # approve: a lower amount approved, as a Decimal string


class ActionRecord(TypedDict, total=False):
    """One action the agent ran, exactly once by its idempotency key."""

    seq: Required[int]
    type: Required[str]  # the command's kind
    arguments: Required[dict[str, Any]]
    idempotency_key: Required[str]
    status: Required[ActionStatus]
    amount: str  # executed: a Decimal
    summary: str
    order_status: str
    policy_rules: list[str]
    error: str  # failed: why, and its `TrustdeskError.code`
    code: str


class ReplyRecord(TypedDict, total=False):
    """The reply this turn sends (`brain.base.Reply` without its usage)."""

    text: Required[str]
    reason: str | None


class RefundTerms(TypedDict):
    """How many business days a refund takes to show, by payment method (the policy's terms)."""

    card_days: int
    paypal_days: int


class EarlierCaseRecord(TypedDict):
    """One of the customer's earlier cases (`store.earlier_cases.EarlierCase`), for the
    handoff record: read only with the customer's `past_cases` consent."""

    case_id: str
    category: str | None
    status: str
    actions: list[str]
    opened_at: str  # ISO 8601


class Facts(TypedDict, total=False):
    """What replies may state, and what the turn read from the store to decide."""

    policy_text: str
    customer: dict[str, Any]  # a `domain.retail.Customer`, JSON mode
    customer_name: str
    order: dict[str, Any]  # the order as replies state it (`graph.nodes._order_facts`)
    order_snapshot: dict[str, Any]  # a `domain.retail.Order`, JSON mode
    order_missing: str
    order_lines: str  # the order's lines, described
    items_missing: list[str]
    item_question: dict[str, Any]
    version_question: dict[str, Any]  # which version instead: the item and those in stock
    variants: dict[str, list[dict[str, Any]]]  # `domain.retail.Variant`s by product id
    knowledge: dict[str, Any]  # the help article a reply answers from
    knowledge_no_match: bool
    refund_terms: RefundTerms  # an answer: the shop's refund terms
    method_kind: str  # an answer about a payment method: its kind (`PaymentKind` value)
    proposal_open: bool  # an answer while a proposal still waits for the customer's yes
    proposal: ProposalRecord
    refusal: str
    result: dict[str, Any]  # the action's summary and refund note
    approval: dict[str, Any]  # the approver's note, decision and amount
    identity_failed: bool
    code_check: CodeCheck
    code_sent: bool
    code_limit: bool
    sla: str
    language: str
    readings: list[str]
    # The customer's consent flags (`domain.consent.Consent`, as a document), what they
    # asked to change this turn, and what changed.
    consent: dict[str, bool]
    consent_asked: dict[str, bool]
    consent_changed: dict[str, bool]
    # Their earlier cases, newest first, only with their `past_cases` consent; for the
    # person a handoff goes to, never for the reply.
    earlier_cases: list[EarlierCaseRecord]


class CaseState(TypedDict, total=False):
    case_id: str
    channel: str
    turn: int
    approval_sla_minutes: int  # the case's approval SLA, as its timer runs it
    message: str
    identity_claim: IdentityClaim | None  # a signed identity passed by the channel
    customer_id: str | None
    verified: bool
    identity_failed: bool
    identity_level: IdentityLevel | None  # the level reached so far (graph/identity.py)
    identity_ask: str | None  # the next factor the request needs: identity, identity_factor, ...
    code_sent: bool  # a one-time code went to the email on file this turn
    code_limit: bool  # the conversation had all the codes it may ask for
    code_check: CodeCheck | None  # how the code typed this turn fared
    category: Category | None
    confidence: float
    autonomous: bool
    shadow: bool  # the category is in shadow mode: the reply is a draft a person sends
    policy_version: str | None  # the policy version this turn decided under (domain.controls)
    wants_human: bool
    affirm: bool | None
    rationale: str
    captured: CapturedState
    facts: Facts
    awaiting: str | None  # the field asked for last
    decision: DecisionRecord
    turn_outcome: OutcomeRecord | None
    decided: DecidedRecord | None
    proposal: ProposalRecord | None
    risk: RiskRecord | None
    reassessed: Reassessed | None
    approval: ApprovalDecision | None
    action_seq: int
    executed: list[ActionRecord]
    outcome: TurnOutcome
    reply: ReplyRecord
    replied_turn: int | None  # the turn whose reply `execute_action` already wrote
    grounding_fallback: bool  # the brain's reply stated something the facts do not hold
    usage: dict[str, int]  # tokens the brain spent on this case so far (brain.base.TokenUsage)
