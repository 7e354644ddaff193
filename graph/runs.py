"""What a case's turns run on: the support graph compiled once per worker, and a
checkpointer per case that holds only what a turn waiting for an approver needs.

A cached case used to compile the graph for itself (every node, channel and edge,
about a hundred kilobytes) and to keep every checkpoint of a turn that interrupted
for an approval. The compiled graph holds no case's data: it is built once for the
graph the worker registered and shared by every case, each of which lends the run its
own checkpointer through the run's config. Neither changes what a turn does or the
commands it issues; both are only what the worker holds in memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.constants import CONFIG_KEY_CHECKPOINTER
from langgraph.graph import StateGraph
from langgraph.graph.state import CompiledStateGraph

from graph.state import CaseState

#: Compiled graphs by the graph they were compiled from. A worker registers one graph; a
#: test process builds one per worker or replayer, so the oldest are let go past a few.
_COMPILED: OrderedDict[StateGraph[CaseState], CompiledStateGraph[Any, Any, Any, Any]] = (
    OrderedDict()
)
_KEEP = 8
_LOCK = threading.Lock()


def compiled(graph: StateGraph[CaseState]) -> CompiledStateGraph[Any, Any, Any, Any]:
    """`graph` compiled without a checkpointer, once for every case that runs it.

    A compiled graph is read, never changed, by the runs that use it, so cases whose
    workflow tasks run on different threads share it safely; a run's checkpointer
    comes with its config (`run_config`)."""
    with _LOCK:
        app = _COMPILED.get(graph)
        if app is None:
            app = graph.compile()
            _COMPILED[graph] = app
            while len(_COMPILED) > _KEEP:
                _COMPILED.popitem(last=False)
        else:
            _COMPILED.move_to_end(graph)
        return app


#: LangGraph's key for a run's durability mode (the `durability` argument of `invoke`).
CONFIG_KEY_DURABILITY = "__pregel_durability"


def run_config(thread_id: str, checkpointer: InMemorySaver) -> RunnableConfig:
    """The config a case runs the shared graph with: its thread, and its own checkpointer
    (lent to the run as a parent graph lends its own to a subgraph).

    The run saves a checkpoint when it exits (`durability="exit"`), not after every
    step: a turn never resumes from the middle, because the workflow's history, not the
    checkpointer, is what survives a worker. A turn that interrupts for an approval
    saves the checkpoint it resumes from and the writes pending on it, as before; a
    turn no longer serializes every channel it changed at each of its five or so steps."""
    return {
        "configurable": {
            "thread_id": thread_id,
            CONFIG_KEY_CHECKPOINTER: checkpointer,
            CONFIG_KEY_DURABILITY: "exit",
        }
    }


def keep_latest_checkpoint(checkpointer: InMemorySaver, config: RunnableConfig) -> None:
    """Drop every checkpoint of the config's thread but the latest, and the writes and
    channel values only those held.

    A turn that interrupted for an approval resumes from its latest checkpoint and the
    writes pending on it (the interrupt among them); the earlier ones, one per step of
    the turn, are never read again but would stay in the cached case until the
    approver answers. The latest is put back as it was: same id, values, versions and
    metadata, and its pending writes task by task, in their order."""
    latest = checkpointer.get_tuple(config)
    if latest is None or latest.parent_config is None:
        return  # nothing older to drop
    configurable = latest.config["configurable"]
    thread_id = configurable["thread_id"]
    checkpoint_ns = configurable.get("checkpoint_ns", "")
    checkpointer.delete_thread(thread_id)
    saved = checkpointer.put(
        {"configurable": {"thread_id": thread_id, "checkpoint_ns": checkpoint_ns}},
        latest.checkpoint,
        latest.metadata,
        latest.checkpoint["channel_versions"],
    )
    by_task: dict[str, list[tuple[str, Any]]] = {}
    for task_id, channel, value in latest.pending_writes or ():
        by_task.setdefault(task_id, []).append((channel, value))
    for task_id, writes in by_task.items():
        checkpointer.put_writes(saved, writes, task_id)
