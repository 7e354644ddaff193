"""Recorded case histories must replay cleanly through today's workflow code.

`v1_*` histories were recorded before the read rated the action and the action
worded its reply (fewer activities per turn); `v2_*` before the read decided once with
`domain.turn.decide_turn` and routing read the typed outcome; `v3_*` before a typed
one-time code was hidden from the transcript and from the turn's later steps. A case in
flight across any of these upgrades must go on under the new worker, so they replay too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.langgraph import LangGraphPlugin
from temporalio.worker import Replayer, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

import graph.nodes
from domain.dialogue import Decision, Step
from graph.builder import GRAPH_NAME, build_support_graph
from tests.replay.recording import HISTORIES
from workers.agent import CASE_SANDBOX
from workflows.case import SupportCaseWorkflow

FILES = sorted(HISTORIES.glob("*.json"))
#: The default sandbox imports the workflow's module afresh for the run; the worker's
#: passes it through (workers/agent.py::CASE_SANDBOX). Histories replay under both.
RUNNERS = {"sandbox": SandboxedWorkflowRunner(), "worker": CASE_SANDBOX}


def test_histories_are_recorded() -> None:
    names = {f.stem for f in FILES}
    assert {"cancel_within_limits", "return_with_approval"} <= names
    assert {"v1_cancel_within_limits", "v1_return_with_approval"} <= names
    assert {"v2_cancel_within_limits", "v2_return_with_approval"} <= names
    assert {"one_time_code", "v3_one_time_code"} <= names


@pytest.mark.parametrize("runner", list(RUNNERS.values()), ids=list(RUNNERS))
@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
async def test_history_replays(path: Path, runner: WorkflowRunner) -> None:
    replayer = Replayer(
        workflows=[SupportCaseWorkflow],
        plugins=[LangGraphPlugin(graphs={GRAPH_NAME: build_support_graph()})],
        data_converter=pydantic_data_converter,
        workflow_runner=runner,
    )
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


async def test_recorded_turns_replay_whatever_the_dialogue_rules_say_today(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The dialogue policy decides while the message is read, so its decision is in the
    history: rules changed after a turn was recorded do not change how it replays. Before
    that (`v1_*`), the workflow decided itself, and changed rules broke the replay."""

    def changed_rules(_: object) -> Decision:
        return Decision(Step.ESCALATE, ("rules written after the case was recorded",))

    monkeypatch.setattr(graph.nodes, "decide", changed_rules)
    replayer = Replayer(
        workflows=[SupportCaseWorkflow],
        plugins=[LangGraphPlugin(graphs={GRAPH_NAME: build_support_graph()})],
        data_converter=pydantic_data_converter,
    )

    async def replay(name: str) -> BaseException | None:
        path = HISTORIES / f"{name}.json"
        history = WorkflowHistory.from_json(name, path.read_text())
        return (
            await replayer.replay_workflow(history, raise_on_replay_failure=False)
        ).replay_failure

    assert await replay("return_with_approval") is None
    assert await replay("cancel_within_limits") is None
    assert await replay("v2_return_with_approval") is None
    assert await replay("v1_cancel_within_limits") is not None
