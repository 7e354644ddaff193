"""The graph's state: plain JSON-friendly data, so it crosses activity boundaries intact.

Amounts are strings of `Decimal`s; snapshots of orders and customers are their
pydantic JSON dumps.
"""

from __future__ import annotations

from typing import Any, TypedDict


class CaseState(TypedDict, total=False):
    case_id: str
    channel: str
    turn: int
    approval_sla_minutes: int  # the case's approval SLA, as its timer runs it
    message: str
    identity_claim: dict[str, Any] | None  # a signed identity passed by the channel
    customer_id: str | None
    verified: bool
    identity_failed: bool
    identity_level: str | None  # domain.identity.IdentityLevel reached so far (graph/identity.py)
    identity_ask: str | None  # the next factor the request needs: identity, identity_factor, ...
    code_sent: bool  # a one-time code went to the email on file this turn
    code_limit: bool  # the conversation had all the codes it may ask for
    code_check: str | None  # how the code typed this turn fared (domain.identity.CodeCheck)
    category: str | None
    confidence: float
    autonomous: bool
    shadow: bool  # the category is in shadow mode: the reply is a draft a person sends
    policy_version: str | None  # the policy version this turn decided under (domain.controls)
    wants_human: bool
    affirm: bool | None
    rationale: str
    captured: dict[str, Any]  # order_id, cancel_reason, item_ids, payment_method_id, ...
    facts: dict[str, Any]  # customer, order, proposal, result: what replies may state
    awaiting: str | None  # the field asked for last
    decision: dict[str, Any]  # step, reasons, ask_for, answer, command, detail
    turn_outcome: dict[str, Any] | None  # this turn's domain.turn.Outcome, as plain data
    decided: dict[str, Any] | None  # the decision as the read made it, with its turn
    proposal: dict[str, Any] | None  # an action summarised to the customer, awaiting a yes
    risk: dict[str, Any] | None  # tier, risk, rules, reasons, amount, four_eyes
    reassessed: dict[str, Any] | None  # command, risk, proposal: the action rated while reading
    approval: dict[str, Any] | None  # the human decision the graph resumed with
    action_seq: int
    executed: list[dict[str, Any]]
    outcome: str  # what compose_reply words: ask, answer, confirm, executed, ...
    reply: dict[str, Any]  # text, reason
    replied_turn: int | None  # the turn whose reply `execute_action` already wrote
    grounding_fallback: bool  # the brain's reply stated something the facts do not hold
    usage: dict[str, int]  # tokens the brain spent on this case so far (brain.base.TokenUsage)
