"""Where a turn goes after each node. Conditional edges are async (see the plugin notes).

A turn read by today's `understand` carries its typed outcome (`turn_outcome`,
`domain.turn.Outcome`) and is routed on its kind alone. Turns recorded before the read
decided that way carry none and are routed as they were then (`_legacy_*`), so their
histories replay unchanged.
"""

from __future__ import annotations

from langgraph.graph import END

from domain.dialogue import Step
from domain.policy import Tier
from domain.turn import OutcomeKind
from graph.state import CaseState, RiskRecord, TurnOutcome

COMPOSE_REPLY = "compose_reply"
EXECUTE_ACTION = "execute_action"
AWAIT_APPROVAL = "await_approval"
CHANGE_CONSENT = "change_consent"

# After the decision: an approval is asked for once the customer has been told so.
NEXT_AFTER_DECIDE: dict[OutcomeKind, str] = {
    OutcomeKind.ASK: COMPOSE_REPLY,
    OutcomeKind.ANSWER: COMPOSE_REPLY,
    OutcomeKind.PROPOSE: COMPOSE_REPLY,
    OutcomeKind.REFUSE: COMPOSE_REPLY,
    OutcomeKind.ESCALATE: COMPOSE_REPLY,
    OutcomeKind.AWAIT_APPROVAL: COMPOSE_REPLY,
    OutcomeKind.EXECUTE: EXECUTE_ACTION,
    OutcomeKind.CHANGE_CONSENT: CHANGE_CONSENT,
}


def outcome_kind(state: CaseState) -> OutcomeKind | None:
    """This turn's outcome kind; None for a turn whose read left no typed outcome."""
    record, decided = state.get("turn_outcome"), state.get("decided")
    if not record or not decided or decided.get("turn") != state.get("turn"):
        return None
    return OutcomeKind(record["kind"])


async def route_after_decide(state: CaseState) -> str:
    kind = outcome_kind(state)
    if kind is None:
        return await _legacy_after_decide(state)
    return NEXT_AFTER_DECIDE[kind]


async def route_after_assess(state: CaseState) -> str:
    """Only turns recorded before the read rated the action reach `assess_risk`."""
    risk = state.get("risk") or RiskRecord()
    if _step(state) == Step.EXECUTE and not risk.get("refused") and risk.get("tier") == Tier.AUTO:
        return EXECUTE_ACTION
    return COMPOSE_REPLY


async def route_after_compose(state: CaseState) -> str:
    kind = outcome_kind(state)
    if kind is None:
        awaiting = state.get("outcome") == TurnOutcome.AWAITING_APPROVAL
        return AWAIT_APPROVAL if awaiting else END
    waiting = kind is OutcomeKind.AWAIT_APPROVAL and state.get("approval") is None
    return AWAIT_APPROVAL if waiting else END


async def route_after_execute(state: CaseState) -> str:
    """The action's activity words the reply too; a history from before it did not."""
    return END if state.get("replied_turn") == state.get("turn") else COMPOSE_REPLY


async def route_after_approval(state: CaseState) -> str:
    return EXECUTE_ACTION if state.get("outcome") == TurnOutcome.APPROVED else COMPOSE_REPLY


async def _legacy_after_decide(state: CaseState) -> str:
    if _step(state) not in (Step.CONFIRM, Step.EXECUTE):
        return COMPOSE_REPLY
    if state.get("risk") is None:
        return "assess_risk"
    return await route_after_assess(state)  # rated while the message was read


def _step(state: CaseState) -> Step | None:
    """The step `decide_next` adopted this turn, if any."""
    decision = state.get("decision")
    return decision["step"] if decision is not None else None
