"""Builds the support graph; every node says where it runs and with which Temporal options."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from langgraph.graph import END, START, StateGraph
from temporalio import activity
from temporalio.common import RetryPolicy

from brain.errors import NON_RETRYABLE_BRAIN_ERRORS
from graph import nodes, routing
from graph.deps import AgentDeps
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
P = ParamSpec("P")
R = TypeVar("R")

# Recovery from a dead worker (docs/benchmarks.md, "Chaos"): the server notices a
# worker that died holding an activity when the activity misses a heartbeat, so work it
# held is retried elsewhere within HEARTBEAT_TIMEOUT plus the retry's first interval,
# instead of waiting out the start-to-close timeout. Short activities that do not
# heartbeat get a start-to-close timeout of a few seconds for the same reason.
HEARTBEAT_TIMEOUT = timedelta(seconds=5)
HEARTBEAT_EVERY = 1.0
SHORT_TIMEOUT = 10.0


def heartbeating(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """``fn`` heartbeating every ``HEARTBEAT_EVERY`` seconds while it runs in an activity."""

    @functools.wraps(fn)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if not activity.in_activity():
            return await fn(*args, **kwargs)

        async def beat() -> None:
            while True:
                activity.heartbeat()
                await asyncio.sleep(HEARTBEAT_EVERY)  # the heartbeat's period, not a wait

        beats = asyncio.create_task(beat())
        try:
            return await fn(*args, **kwargs)
        finally:
            beats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beats

    return run


def _activity(
    summary: str | SummaryFn,
    timeout: float = SHORT_TIMEOUT,
    retry: RetryPolicy = _IO_RETRY,
    *,
    heartbeat: bool = False,
) -> dict[str, Any]:
    """An activity node's metadata: a fixed summary, or one worded from the node's input.

    ``heartbeat`` for nodes wrapped in ``heartbeating``: a dead worker is then noticed
    after ``HEARTBEAT_TIMEOUT`` however long ``timeout`` allows the node to run.
    """
    meta: dict[str, Any] = {
        "execute_in": "activity",
        "start_to_close_timeout": timedelta(seconds=timeout),
        "retry_policy": retry,
        ("summary_fn" if callable(summary) else "summary"): summary,
    }
    if heartbeat:
        meta["heartbeat_timeout"] = HEARTBEAT_TIMEOUT
    return meta


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


def build_support_graph(deps: AgentDeps | None = None) -> StateGraph[CaseState]:
    """understand (the message, who asks, the order, the action's rating) → decide →
    assess risk (when not rated yet) → await approval → execute action (and word the
    reply) → compose reply (every other turn); a change of the customer's consent is
    stored (and worded) by change consent.

    The worker passes its dependencies, which the activity nodes run with; a replayer,
    which runs no activity, passes none. Node and activity names are the same either way.
    """
    activities = nodes.ActivityNodes(deps)
    g = StateGraph(CaseState)
    # One activity reads everything a decision needs: every activity before the reply
    # is a round trip through the Temporal server (docs/benchmarks.md).
    g.add_node(
        "understand",
        heartbeating(activities.read_message),
        metadata=_activity(understand_summary, 60, _BRAIN_RETRY, heartbeat=True),
    )
    g.add_node("decide", nodes.decide_next, metadata=_in_workflow("decide the next step"))
    g.add_node(
        "assess_risk", activities.assess_risk, metadata=_activity("assess risk against policy")
    )
    g.add_node("await_approval", nodes.await_approval, metadata=_in_workflow("await approval"))
    g.add_node(
        "execute_action",
        heartbeating(activities.execute_action),
        metadata=_activity(
            "execute the action (idempotent) and word the reply", 90, _ACTION_RETRY, heartbeat=True
        ),
    )
    g.add_node(
        "change_consent",
        heartbeating(activities.change_consent),
        metadata=_activity(
            "record the customer's consent (idempotent) and word the reply",
            60,
            _IO_RETRY,
            heartbeat=True,
        ),
    )
    g.add_node(
        "compose_reply",
        heartbeating(activities.compose_reply),
        metadata=_activity("compose the reply", 60, _BRAIN_RETRY, heartbeat=True),
    )

    g.add_edge(START, "understand")
    g.add_edge("understand", "decide")
    g.add_conditional_edges("decide", routing.route_after_decide)
    g.add_conditional_edges("assess_risk", routing.route_after_assess)
    g.add_conditional_edges("compose_reply", routing.route_after_compose)
    g.add_conditional_edges("await_approval", routing.route_after_approval)
    g.add_conditional_edges("execute_action", routing.route_after_execute)
    g.add_edge("change_consent", END)
    return g
