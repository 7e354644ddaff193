"""The graph a case runs: compiled once and shared, each case with its own checkpointer."""

from __future__ import annotations

from typing import Any, TypedDict

from langgraph._internal import _constants as langgraph_constants
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

from graph.runs import CONFIG_KEY_DURABILITY, compiled, keep_latest_checkpoint, run_config


class _Turn(TypedDict, total=False):
    asked: str
    steps: list[str]
    decision: str
    done: str


def _read(state: _Turn) -> dict[str, Any]:
    return {"steps": [*state.get("steps", []), "read"]}


def _rate(state: _Turn) -> dict[str, Any]:
    return {"steps": [*state.get("steps", []), "rate"]}


def _approve(state: _Turn) -> dict[str, Any]:
    decision = interrupt({"asked": state.get("asked")})
    return {"decision": decision, "steps": [*state.get("steps", []), "approve"]}


def _act(state: _Turn) -> dict[str, Any]:
    return {"done": f"{state.get('asked')} {state.get('decision')}"}


def _graph() -> StateGraph[_Turn]:
    g = StateGraph(_Turn)
    for name, node in (("read", _read), ("rate", _rate), ("approve", _approve), ("act", _act)):
        g.add_node(name, node)
    g.add_edge(START, "read")
    g.add_edge("read", "rate")
    g.add_edge("rate", "approve")
    g.add_edge("approve", "act")
    g.add_edge("act", END)
    return g


def test_a_graph_is_compiled_once_and_shared() -> None:
    graph, other = _graph(), _graph()
    assert compiled(graph) is compiled(graph)
    assert compiled(other) is not compiled(graph)
    assert compiled(graph).checkpointer is None  # each run lends its own


async def test_cases_sharing_the_compiled_graph_keep_their_own_checkpoints() -> None:
    app = compiled(_graph())
    first, second = InMemorySaver(), InMemorySaver()
    one, two = run_config("case-1", first), run_config("case-2", second)
    paused_one = await app.ainvoke({"asked": "refund"}, one)
    paused_two = await app.ainvoke({"asked": "return"}, two)
    assert paused_one["__interrupt__"][0].value == {"asked": "refund"}
    assert paused_two["__interrupt__"][0].value == {"asked": "return"}
    assert set(first.storage) == {"case-1"} and set(second.storage) == {"case-2"}
    done_two = await app.ainvoke(Command(resume="approved"), two)
    done_one = await app.ainvoke(Command(resume="rejected"), one)
    assert done_one["done"] == "refund rejected"
    assert done_two["done"] == "return approved"


async def test_a_turn_waiting_for_an_approver_keeps_only_the_checkpoint_it_resumes_from() -> None:
    app = compiled(_graph())
    pruned, whole = InMemorySaver(), InMemorySaver()
    config, untouched = run_config("case-1", pruned), run_config("case-1", whole)
    # A checkpoint after every step, as runs made them before they saved only at exit.
    await app.ainvoke({"asked": "refund"}, config, durability="async")
    await app.ainvoke({"asked": "refund"}, untouched, durability="async")
    assert len(pruned.storage["case-1"][""]) > 1
    latest = pruned.get_tuple(config)

    keep_latest_checkpoint(pruned, config)

    kept = pruned.get_tuple(config)
    assert latest is not None and kept is not None
    assert list(pruned.storage["case-1"][""]) == [latest.checkpoint["id"]]
    assert kept.checkpoint == latest.checkpoint
    assert kept.pending_writes == latest.pending_writes
    assert kept.metadata == latest.metadata
    assert len(pruned.blobs) < len(whole.blobs)
    # It resumes as the untouched thread does, and a second pruning changes nothing.
    keep_latest_checkpoint(pruned, config)
    assert await app.ainvoke(Command(resume="approved"), config) == await app.ainvoke(
        Command(resume="approved"), untouched
    )


async def test_a_turn_saves_one_checkpoint_at_exit_and_resumes_as_if_saved_at_each_step() -> None:
    app = compiled(_graph())
    at_exit, every_step = InMemorySaver(), InMemorySaver()
    config, stepwise = run_config("case-1", at_exit), run_config("case-1", every_step)
    assert config["configurable"][CONFIG_KEY_DURABILITY] == "exit"
    assert CONFIG_KEY_DURABILITY == langgraph_constants.CONFIG_KEY_DURABILITY
    paused = await app.ainvoke({"asked": "refund"}, config)
    paused_stepwise = await app.ainvoke({"asked": "refund"}, stepwise, durability="async")
    # The same state and interrupt (whose id names the run's own checkpoint).
    assert [i.value for i in paused.pop("__interrupt__")] == [
        i.value for i in paused_stepwise.pop("__interrupt__")
    ]
    assert paused == paused_stepwise
    assert len(at_exit.storage["case-1"][""]) == 1
    assert len(every_step.storage["case-1"][""]) > 1
    saved, saved_stepwise = at_exit.get_tuple(config), every_step.get_tuple(stepwise)
    assert saved is not None and saved_stepwise is not None
    assert saved.checkpoint["channel_values"] == saved_stepwise.checkpoint["channel_values"]
    assert [c for _, c, _ in saved.pending_writes or ()] == ["__interrupt__"]
    assert [c for _, c, _ in saved_stepwise.pending_writes or ()] == ["__interrupt__"]
    assert await app.ainvoke(Command(resume="approved"), config) == await app.ainvoke(
        Command(resume="approved"), stepwise
    )


def test_a_thread_without_checkpoints_is_left_alone() -> None:
    saver = InMemorySaver()
    config = run_config("case-1", saver)
    keep_latest_checkpoint(saver, config)
    assert saver.get_tuple(config) is None
    assert not saver.blobs and not saver.writes
