"""The graph's activity nodes run with the dependencies the worker built the graph with."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio import activity
from temporalio.langgraph import LangGraphPlugin

from brain.base import Reply, ReplyRequest, TurnContext, Understanding
from domain.dialogue import Category
from graph.builder import GRAPH_NAME, build_support_graph
from graph.deps import AgentDeps
from trustdesk.config import Settings

STATE: dict[str, Any] = {
    "case_id": "case-webchat-deps",
    "turn": 2,
    "category": "cancel_order",
    "decision": {"step": "ask", "reasons": ["needs a reason"], "ask_for": "cancel_reason"},
    "outcome": "ask",
    "facts": {},
}


class SayingBrain:
    """A brain that words every reply with one fixed sentence."""

    def __init__(self, name: str, text: str) -> None:
        self.name, self.text = name, text

    async def understand(self, turn: TurnContext) -> Understanding:
        return Understanding(category=Category.OTHER, confidence=1.0)

    async def compose(self, request: ReplyRequest) -> Reply:
        return Reply(text=self.text)


def deps_with(brain: SayingBrain) -> AgentDeps:
    return AgentDeps(
        codes=None,  # type: ignore[arg-type]  # wording needs only the brain and policy
        shop=None,  # type: ignore[arg-type]
        brain=brain,
        policy=Settings().policy,
        autonomous_categories=frozenset(),
    )


async def compose(graph: Any) -> dict[str, Any]:
    node = graph.nodes["compose_reply"].runnable
    result: dict[str, Any] = await node.afunc(STATE)
    return result


async def test_two_graphs_in_one_process_each_use_their_own_brain() -> None:
    first = build_support_graph(deps_with(SayingBrain("first", "Why are you cancelling?")))
    second = build_support_graph(deps_with(SayingBrain("second", "May I ask the reason?")))

    assert (await compose(first))["reply"]["text"] == "Why are you cancelling?"
    assert (await compose(second))["reply"]["text"] == "May I ask the reason?"


async def test_a_graph_built_without_dependencies_runs_no_activity() -> None:
    with pytest.raises(RuntimeError, match="without dependencies"):
        await compose(build_support_graph())


def test_activity_names_are_those_recorded_histories_hold() -> None:
    """Replay matches activities by name: binding the nodes must not rename them."""
    plugin = LangGraphPlugin(graphs={GRAPH_NAME: build_support_graph()})
    names = set()
    for fn in plugin.activities:
        definition = activity._Definition.from_callable(fn)
        assert definition is not None
        names.add(definition.name)
    assert names == {
        "support.understand",
        "support.assess_risk",
        "support.execute_action",
        "support.change_consent",
        "support.compose_reply",
    }
