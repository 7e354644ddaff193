"""Everything that crosses the boundary of a case workflow: names, inputs and results.

Clients (web, channel workers, tests) and the worker share these types; they are
plain pydantic models, sent with Temporal's pydantic data converter.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator, with_config
from typing_extensions import TypedDict

from domain.approvals import PendingFacts

if TYPE_CHECKING:
    from graph.state import CapturedState, CaseState
    from graph.state import IdentityClaim as IdentityClaim  # channels build it
else:
    # Records of the graph's state (`graph.state`) are typed for the code that reads them,
    # and checked and sent as the plain JSON objects they are: pydantic must not turn their
    # enum-typed fields into members (the graph keeps plain strings), and processes that
    # only talk to cases (web, channel workers) do not load the graph.
    CaseState = CapturedState = IdentityClaim = dict[str, Any]

TASK_QUEUE = "trustdesk-cases"
WORKFLOW_TYPE = "SupportCaseWorkflow"
MAX_MESSAGE_CHARS = 8000

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")

#: Channels whose customer waits on the line for the answer; on every other channel all
#: replies are delivered through the outbox.
LIVE_CHANNELS = frozenset({"webchat"})
#: What a channel may pass in `PostMessageInput.captured`.
CHANNEL_HINTS = frozenset({"email"})


def _id_part(text: str, limit: int) -> str:
    """`text` itself when it is short, plain ASCII and holds no `__`; otherwise a readable
    prefix, `__` and a hash of the whole. Only the second form holds `__`, so two names
    never share a case (`user:محمد` and `user:李雷` differ), and plain ids stay as they were."""
    if len(text) <= limit and not _SAFE.search(text) and "__" not in text:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    return f"{_SAFE.sub('_', text)[: limit - 34]}__{digest}"


def case_id_for(channel: str, thread_id: str) -> str:
    """The readable, idempotent workflow id of a conversation: `case-<channel>-<thread>`,
    one-to-one (`user:محمد` and `user:李雷` are different cases)."""
    return f"case-{_id_part(channel, 30)}-{_id_part(thread_id, 150)}"


class CaseStatus(StrEnum):
    OPEN = "open"
    AWAITING_CUSTOMER = "awaiting_customer"
    AWAITING_APPROVAL = "awaiting_approval"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Role(StrEnum):
    AGENT = "agent"
    APPROVER = "approver"
    SENIOR_APPROVER = "senior_approver"
    ADMIN = "admin"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


#: A JSON object: an `ActionCommand` in JSON mode, or an audit event's payload.
JsonObject = dict[str, JsonValue]


class PostMessageInput(_Model):
    channel: str = Field(min_length=1, max_length=30)
    thread_id: str = Field(min_length=1, max_length=150)
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    message_id: str | None = Field(default=None, max_length=200)
    # What the channel vouched for (a signed customer id, or a proven sender's mailbox).
    identity: IdentityClaim | None = None
    # Fields the channel itself knows, such as an email's sender address: hints the agent
    # uses like something the customer typed, never a verified identity.
    captured: dict[str, str] | None = None

    @field_validator("captured")
    @classmethod
    def _known_hints(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value and not set(value) <= CHANNEL_HINTS:
            raise ValueError(f"a channel may only pass {sorted(CHANNEL_HINTS)}")
        return value

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the message is empty")
        return value


class AgentReply(_Model):
    text: str
    reason: str | None = None
    role: Literal["agent", "human", "system"] = "agent"


class PostMessageResult(_Model):
    case_id: str
    status: CaseStatus
    replies: list[AgentReply]


class Approver(_Model):
    """A reviewer as authenticated by the web layer."""

    username: str
    role: Role
    approval_limit: Decimal | None = None


class SubmitApprovalInput(_Model):
    approval_id: str
    decision: Literal["approve", "reject"]
    approver: Approver
    amount: Decimal | None = None
    note: str | None = Field(default=None, max_length=2000)
    # The web process's signature over this decision (domain.approvals.read_approval_proof);
    # the workflow refuses a decision without a valid one.
    proof: str | None = Field(default=None, max_length=4000)


class SubmitApprovalResult(_Model):
    approval_id: str
    status: Literal["approved", "rejected", "needs_second_approval"]
    # What became of the approved action, when the caller waited to see it (the web API
    # does): "executed", "failed", "escalated"; None while it is still running.
    action: str | None = None
    detail: str | None = None


class PendingApproval(_Model):
    approval_id: str
    action: str
    command: JsonObject  # a `domain.commands.ActionCommand`, JSON mode
    summary: str
    amount: Decimal
    tier: str
    risk: str
    rules: list[str]
    reasons: list[str]
    four_eyes: bool = False
    approvals: list[str] = Field(default_factory=list)
    # The lowest amount approved so far, when an approver allowed less than requested.
    approved_amount: Decimal | None = None
    requested_at: datetime
    due_at: datetime

    def facts(self) -> PendingFacts:
        return PendingFacts(
            approval_id=self.approval_id,
            action=self.action,
            amount=self.amount,
            tier=self.tier,
            approvals=tuple(self.approvals),
        )


class HumanReplyInput(_Model):
    username: str
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class HandoffActionInput(_Model):
    username: str
    note: str | None = None


class ShadowDraft(_Model):
    """A reply the agent drafted in shadow mode: nobody but staff sees it until a person
    sends it, as drafted or edited (`send_draft`)."""

    draft_id: str
    turn: int
    category: str | None
    text: str
    reason: str | None = None
    policy_version: str | None = None
    drafted_at: datetime


class SendDraftInput(_Model):
    """A person sends the shadow draft `draft_id` with `text`: unchanged, or edited."""

    username: str
    draft_id: str
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class TranscriptEntry(_Model):
    seq: int
    role: Literal["customer", "agent", "human", "system"]
    text: str
    at: datetime
    reason: str | None = None


class ActionView(_Model):
    seq: int
    type: str
    arguments: JsonObject  # the `domain.commands.ActionCommand` it ran, JSON mode
    status: str
    amount: Decimal | None = None
    idempotency_key: str
    summary: str | None = None
    error: str | None = None


class EarlierCase(_Model):
    """One of the customer's earlier cases, as a handoff record lists it: its id, topic
    and how it ended (its status and the actions that ran in it)."""

    case_id: str
    category: str | None
    status: str
    actions: list[str] = Field(default_factory=list)
    opened_at: datetime


class Handoff(_Model):
    """What a person sees first when they pick up an escalated case."""

    reason: str
    category: str | None
    customer_id: str | None
    order_id: str | None
    issue: str | None
    preferred_resolution: str | None
    actions_taken: list[str]
    created_at: datetime
    # The customer's language (ISO 639-1), and what they wrote after the handoff.
    language: str | None = None
    added: list[str] = Field(default_factory=list)
    # What the agent tried before handing over: answers given, proposals declined, refusals.
    tried: list[str] = Field(default_factory=list)
    # The policy version the decision to hand off was taken under (domain.controls).
    policy_version: str | None = None
    # The customer's earlier cases, newest first: listed only when the customer allowed
    # their past cases to be used (`past_cases` consent); None when not (or when the
    # customer was not verified), an empty list when they have none. Left out of the
    # payload when None, so a handoff without them is sent as it was before.
    earlier_cases: list[EarlierCase] | None = Field(
        default=None, exclude_if=lambda value: value is None
    )


@with_config(ConfigDict(extra="forbid"))
class DecidedApproval(TypedDict, total=False):
    """An approval once decided: the request (`PendingApproval`, JSON mode) and its end.
    Kept as the JSON it was recorded as: `decided_at` is the workflow clock's `isoformat()`."""

    approval_id: str
    action: str
    command: JsonObject
    summary: str
    amount: str  # a Decimal
    tier: str
    risk: str
    rules: list[str]
    reasons: list[str]
    four_eyes: bool
    approvals: list[str]
    approved_amount: str | None
    requested_at: str  # ISO 8601
    due_at: str
    status: Literal["approved", "rejected"]
    decided_by: list[str]
    note: str | None
    decided_at: str


@with_config(ConfigDict(extra="forbid"))
class CaseEvent(TypedDict):
    """One audit event of a step, written by `record_case` under its id."""

    event_id: str
    kind: str  # case.escalated, approval.requested, action.executed, ...
    actor: str
    payload: JsonObject


@with_config(ConfigDict(extra="forbid"))
class CarriedCase(TypedDict, total=False):
    """What a case carries over a continue-as-new (`CaseInput.carried`); a case continued
    before `draft` existed carries none."""

    state: CaseState
    status: CaseStatus
    transcript: list[TranscriptEntry]
    handoff: Handoff | None
    decided: list[DecidedApproval]
    approval_count: int
    event_seq: int
    draft: ShadowDraft | None  # the shadow-mode draft awaiting a person


class CaseInput(_Model):
    case_id: str
    channel: str
    thread_id: str
    approval_sla_minutes: int = 240
    idle_close_hours: int = 24 * 7
    # Off only on servers without Trustdesk's search attributes (the time-skipping test server).
    publish_search_attributes: bool = True
    # On for channels without a live connection (email, webhooks): every reply then goes
    # out through the outbox, not only the ones that come later.
    deliver_replies: bool = False
    carried: CarriedCase | None = None  # the case so far, after a continue-as-new


class CaseView(_Model):
    case_id: str
    channel: str
    thread_id: str
    status: CaseStatus
    category: str | None
    confidence: float | None
    customer_id: str | None
    verified: bool
    # What the conversation captured, without the customer's identifying fields.
    captured: CapturedState
    pending_approval: PendingApproval | None
    decided_approvals: list[DecidedApproval]
    actions: list[ActionView]
    transcript: list[TranscriptEntry]
    handoff: Handoff | None
    last_reasons: list[str]
    # Tokens the brain's model spent on this case (empty with the offline brain).
    token_usage: dict[str, int] = Field(default_factory=dict)
    # The reply drafted in shadow mode, awaiting a person; the last turn's policy version.
    shadow_draft: ShadowDraft | None = None
    policy_version: str | None = None


class DeliverMessageInput(_Model):
    case_id: str
    channel: str
    thread_id: str
    message_id: str
    text: str
    reason: str | None = None
    role: Literal["agent", "human", "system"] = "agent"


class RecordCaseInput(_Model):
    """A snapshot of the case for the store's projection, plus audit events to append and
    messages to queue in the channel's outbox, all in one transaction."""

    view: CaseView
    events: list[CaseEvent] = Field(default_factory=list)
    outbox: list[DeliverMessageInput] = Field(default_factory=list)
