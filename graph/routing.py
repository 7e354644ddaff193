"""Where a turn goes after each node. Conditional edges are async (see the plugin notes)."""

from __future__ import annotations

from langgraph.graph import END

from domain.policy import Tier
from graph.state import CaseState


async def route_after_decide(state: CaseState) -> str:
    step = (state.get("decision") or {}).get("step")
    if step not in ("confirm", "execute"):
        return "compose_reply"
    if state.get("risk") is None:
        return "assess_risk"
    return await route_after_assess(state)  # rated while the message was read


async def route_after_assess(state: CaseState) -> str:
    risk = state.get("risk") or {}
    step = (state.get("decision") or {}).get("step")
    if step == "execute" and not risk.get("refused") and risk.get("tier") == Tier.AUTO:
        return "execute_action"
    return "compose_reply"


async def route_after_compose(state: CaseState) -> str:
    return "await_approval" if state.get("outcome") == "awaiting_approval" else END


async def route_after_execute(state: CaseState) -> str:
    """The action's activity words the reply too; a history from before it did not."""
    return END if state.get("replied_turn") == state.get("turn") else "compose_reply"


async def route_after_approval(state: CaseState) -> str:
    return "execute_action" if state.get("outcome") == "approved" else "compose_reply"
