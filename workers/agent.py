"""The agent worker: runs case workflows, the graph's activity nodes and side activities."""

from __future__ import annotations

import asyncio
import concurrent.futures
import signal
from collections.abc import Iterable, Sequence

from temporalio.client import Client
from temporalio.langgraph import LangGraphPlugin
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker

from activities.case import CaseActivities
from activities.deps import AgentDeps, install
from activities.retention import RetentionActivities
from brain.gate_subjects import claude_fingerprint, recorded_autonomy
from brain.offline import OfflineBrain
from brain.select import select_brain
from brain.validation import ensure_autonomy
from domain.dialogue import HANDLED
from graph.builder import GRAPH_NAME, build_support_graph
from store.actions import RetailActions
from store.db import make_engine, migrate, session_factory
from trustdesk.config import Settings
from trustdesk.encryption import case_keys_for, encrypted_converter
from workers.retention import ensure_retention_schedule
from workflows.case import SupportCaseWorkflow
from workflows.retention import RetentionWorkflow


def build_deps(settings: Settings, *, autonomous: Iterable[str] | None = None) -> AgentDeps:
    """The store, the brain (Claude when an API key is set, else the offline brain with its
    model cached in the data dir) and the categories the agent may finish on its own: those
    of `HANDLED` the accuracy gate clears for that brain, read from `<data dir>/autonomy.json`
    (for the offline brain, measured on the shipped held-out split when missing).
    `autonomous` overrides the gate, for tests and benchmarks that need a fixed set."""
    sessions = session_factory(make_engine(settings.store_url))
    # The offline model is trained (or read from its cache) only when it is the brain.
    brain = select_brain(settings, lambda: OfflineBrain.load(settings.data_dir))
    if autonomous is None:
        if isinstance(brain, OfflineBrain):
            cleared = ensure_autonomy(settings.data_dir, brain.classifier, say=_say)
        else:
            fingerprint = claude_fingerprint(settings.anthropic_model)
            cleared = recorded_autonomy(settings.data_dir, fingerprint, say=_say)
        autonomous = (c.value for c in HANDLED if c.value in cleared)
    return AgentDeps(
        sessions=sessions,
        shop=RetailActions(sessions, settings.policy),
        brain=brain,
        policy=settings.policy,
        autonomous_categories=frozenset(autonomous),
    )


def _say(line: str) -> None:
    print(line, flush=True)


def temporal_runtime(settings: Settings) -> Runtime | None:
    """A Temporal runtime serving the SDK's client and worker metrics (task latencies,
    pollers, slots) for Prometheus at `http://<worker_metrics_address>/metrics`; None, the
    SDK's default runtime, when the address is unset."""
    if settings.worker_metrics_address is None:
        return None
    prometheus = PrometheusConfig(bind_address=settings.worker_metrics_address)
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))


async def connect(settings: Settings) -> Client:
    """A client whose payloads are encrypted per case (trustdesk/encryption.py)."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=encrypted_converter(case_keys_for(settings)),
    )


def build_worker(
    client: Client,
    deps: AgentDeps,
    *,
    task_queue: str,
    executor: concurrent.futures.Executor,
    extra_activities: Sequence[object] = (),
) -> Worker:
    """A worker for case workflows; the LangGraph plugin adds the graph's node activities."""
    install(deps)
    case_activities = CaseActivities(deps.sessions)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[SupportCaseWorkflow, RetentionWorkflow],
        activities=[case_activities.record_case, *extra_activities],
        activity_executor=executor,
        plugins=[LangGraphPlugin(graphs={GRAPH_NAME: build_support_graph()})],
    )


async def main(settings: Settings) -> None:
    migrate(settings.store_url)
    runtime = temporal_runtime(settings)
    if runtime is not None:
        Runtime.set_default(runtime)  # before the first client, which reports through it
    client = await connect(settings)
    deps = build_deps(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as executor:
        retention = RetentionActivities(deps.sessions, case_keys_for(settings))
        worker = build_worker(
            client,
            deps,
            task_queue=settings.task_queue,
            executor=executor,
            extra_activities=[retention.purge_closed_cases],
        )
        if settings.retention_days is not None:
            await ensure_retention_schedule(client, settings.retention_days, settings.task_queue)
        run = asyncio.create_task(worker.run())
        print(f"worker polling {settings.task_queue!r} on {settings.temporal_address}", flush=True)
        await stop.wait()
        await worker.shutdown()
        await run


def run_worker(settings: Settings) -> int:
    asyncio.run(main(settings))
    return 0


if __name__ == "__main__":
    run_worker(Settings())
