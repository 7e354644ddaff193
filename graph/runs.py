"""What a case's turns run on: the support graph compiled once per worker.

A cached case used to compile the graph for itself (every node, channel and edge,
about a hundred kilobytes). The compiled graph holds no case's data: it is built once
for the graph the worker registered and shared by every case, each of which lends the
run its own checkpointer through the run's config. This changes neither what a turn
does nor the commands it issues, only what the worker holds in memory.
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


def run_config(thread_id: str, checkpointer: InMemorySaver) -> RunnableConfig:
    """The config a case runs the shared graph with: its thread, and its own checkpointer
    (lent to the run as a parent graph lends its own to a subgraph)."""
    return {"configurable": {"thread_id": thread_id, CONFIG_KEY_CHECKPOINTER: checkpointer}}
