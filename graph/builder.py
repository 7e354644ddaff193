"""Builds the support graph; every node says where it runs and with which Temporal options."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from langgraph.graph import START, StateGraph
from temporalio.common import RetryPolicy

from brain.errors import NON_RETRYABLE_BRAIN_ERRORS
from graph import nodes, routing
from graph.state import CaseState

GRAPH_NAME = "support"

_IO_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=10),
    maximum_attempts=5,
)
# The brain's model calls: rate limits and overloads ease within seconds; a request the
# service refused (bad key, bad request) fails at once. The SDK itself never retries.
_BRAIN_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=5,
    non_retryable_error_types=list(NON_RETRYABLE_BRAIN_ERRORS),
)
# The action is idempotent by key, so it may be retried for as long as it takes.
_ACTION_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=0,
)


SummaryFn = Callable[[tuple[Any, ...], dict[str, Any]], str]


def _activity(
    summary: str | SummaryFn, timeout: float = 30, retry: RetryPolicy = _IO_RETRY
) -> dict[str, Any]:
    """An activity node's metadata: a fixed summary, or one worded from the node's input."""
    return {
        "execute_in": "activity",
        "start_to_close_timeout": timedelta(seconds=timeout),
        "retry_policy": retry,
        ("summary_fn" if callable(summary) else "summary"): summary,
    }


def _in_workflow(summary: str) -> dict[str, Any]:
    return {"execute_in": "workflow", "summary": summary}


def understand_summary(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """What the `understand` activity does for this message, as the Temporal UI shows it."""
    state = args[0] if args and isinstance(args[0], dict) else {}
    steps = ["read it"]
    if not state.get("verified"):
        steps.append("verify identity")
    steps.append("gather context")
    steps.append("decide; rate the action it leads to, if any")
    return f"understand message {state.get('turn', '?')}: " + "; ".join(steps)


def build_support_graph() -> StateGraph:
    """understand (the message, who asks, the order, the action's rating) → decide →
    assess risk (when not rated yet) → await approval → execute action (and word the
    reply) → compose reply (every other turn)."""
    g = StateGraph(CaseState)
    # One activity reads everything a decision needs: every activity before the reply
    # is a round trip through the Temporal server (docs/benchmarks.md).
    g.add_node(
        "understand",
        nodes.read_message,
        metadata=_activity(understand_summary, 60, _BRAIN_RETRY),
    )
    g.add_node("decide", nodes.decide_next, metadata=_in_workflow("decide the next step"))
    g.add_node("assess_risk", nodes.assess_risk, metadata=_activity("assess risk against policy"))
    g.add_node("await_approval", nodes.await_approval, metadata=_in_workflow("await approval"))
    g.add_node(
        "execute_action",
        nodes.execute_action,
        metadata=_activity("execute the action (idempotent) and word the reply", 90, _ACTION_RETRY),
    )
    g.add_node(
        "compose_reply",
        nodes.compose_reply,
        metadata=_activity("compose the reply", 60, _BRAIN_RETRY),
    )

    g.add_edge(START, "understand")
    g.add_edge("understand", "decide")
    g.add_conditional_edges("decide", routing.route_after_decide)
    g.add_conditional_edges("assess_risk", routing.route_after_assess)
    g.add_conditional_edges("compose_reply", routing.route_after_compose)
    g.add_conditional_edges("await_approval", routing.route_after_approval)
    g.add_conditional_edges("execute_action", routing.route_after_execute)
    return g
