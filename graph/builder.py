"""Builds the support graph; every node says where it runs and with which Temporal options."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from langgraph.graph import START, StateGraph
from temporalio.common import RetryPolicy

from graph import nodes, routing
from graph.state import CaseState

GRAPH_NAME = "support"

_IO_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=10),
    maximum_attempts=5,
)
# The action is idempotent by key, so it may be retried for as long as it takes.
_ACTION_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=0,
)


def _activity(summary: str, timeout: float = 30, retry: RetryPolicy = _IO_RETRY) -> dict[str, Any]:
    return {
        "execute_in": "activity",
        "start_to_close_timeout": timedelta(seconds=timeout),
        "retry_policy": retry,
        "summary": summary,
    }


def _in_workflow(summary: str) -> dict[str, Any]:
    return {"execute_in": "workflow", "summary": summary}


def build_support_graph() -> StateGraph:
    """understand → verify identity → gather context → decide → assess risk →
    await approval → execute action → compose reply."""
    g = StateGraph(CaseState)
    g.add_node("understand", nodes.understand, metadata=_activity("understand the message", 60))
    g.add_node("verify_identity", nodes.verify_identity, metadata=_activity("verify identity"))
    g.add_node("gather_context", nodes.gather_context, metadata=_activity("gather context"))
    g.add_node("decide", nodes.decide_next, metadata=_in_workflow("decide the next step"))
    g.add_node("assess_risk", nodes.assess_risk, metadata=_activity("assess risk against policy"))
    g.add_node("await_approval", nodes.await_approval, metadata=_in_workflow("await approval"))
    g.add_node(
        "execute_action",
        nodes.execute_action,
        metadata=_activity("execute the action (idempotent)", 30, _ACTION_RETRY),
    )
    g.add_node("compose_reply", nodes.compose_reply, metadata=_activity("compose the reply", 60))

    g.add_edge(START, "understand")
    g.add_conditional_edges("understand", routing.route_after_understand)
    g.add_edge("verify_identity", "gather_context")
    g.add_edge("gather_context", "decide")
    g.add_conditional_edges("decide", routing.route_after_decide)
    g.add_conditional_edges("assess_risk", routing.route_after_assess)
    g.add_conditional_edges("compose_reply", routing.route_after_compose)
    g.add_conditional_edges("await_approval", routing.route_after_approval)
    g.add_edge("execute_action", "compose_reply")
    return g
