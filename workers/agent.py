"""The agent worker: runs case workflows, the graph's activity nodes and side activities."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.langgraph import LangGraphPlugin
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.case import CaseActivities
from activities.retention import RetentionActivities
from brain.embedding import shared_embedder
from brain.gate_subjects import claude_fingerprint, recorded_autonomy
from brain.offline import OfflineBrain
from brain.select import select_brain
from brain.validation import ensure_autonomy
from domain.dialogue import HANDLED
from domain.identity import derive_code_key
from domain.policy import DEFAULT_POLICY_PATH, policy_placeholders
from domain.turn import RULE_READERS, rule_key
from graph.builder import GRAPH_NAME, build_support_graph
from graph.deps import AgentDeps
from store.actions import RetailActions
from store.audit import anchor_for, configure_anchor
from store.consent import StoredCustomerRecords, read_consent
from store.db import make_engine, migrate, session_factory
from store.knowledge import KnowledgeBase, knowledge_dir
from store.one_time_codes import StoredCodes
from trustdesk.approval_keys import verify_keys
from trustdesk.config import Settings
from trustdesk.controls import load_operator_controls
from trustdesk.encryption import case_keys_for, text_seal_for
from trustdesk.temporal_client import connect
from workers.retention import ensure_retention_schedule
from workflows.approval_trust import trust as trust_approval_keys
from workflows.case import SupportCaseWorkflow
from workflows.retention import RetentionWorkflow

#: How long a case's next workflow task waits for the worker that ran its last one before
#: any worker may take it: a killed worker holds its cases no longer than this (the SDK's
#: default is 10 s). A live worker picks sticky tasks up in milliseconds.
STICKY_TIMEOUT = timedelta(seconds=2)
#: A worker asked to stop lets activities in flight finish for this long.
GRACEFUL_SHUTDOWN = timedelta(seconds=5)
#: The sandbox imports a workflow's module afresh for every workflow it runs, so that
#: module-level state cannot leak from one run into another. `workflows/case.py` holds
#: none (constants only), and a fresh import of it cost every cached case about 100 KB
#: (its code objects, the class and its handler definitions) and every new case about
#: 20 ms of CPU; it is passed through like the modules it imports (domain/, graph/),
#: whose code already runs in the workflow. Replaying its histories (tests/replay) checks
#: its determinism, with this sandbox and with the default one.
CASE_SANDBOX = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("workflows.case")
)


@dataclass(frozen=True, kw_only=True)
class WorkerDeps(AgentDeps):
    """The graph's dependencies, and the session factory the worker's own activities
    (`record_case`, retention) write the store through."""

    sessions: sessionmaker[Session]


def build_deps(settings: Settings, *, autonomous: Iterable[str] | None = None) -> WorkerDeps:
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
        handled = {c.value for c in HANDLED} | {rule_key(s) for s in RULE_READERS}
        autonomous = (key for key in cleared if key in handled)
    return WorkerDeps(
        sessions=sessions,
        shop=RetailActions(sessions, settings.policy),
        codes=StoredCodes(
            sessions, key=derive_code_key(settings.secret()), seal=text_seal_for(settings)
        ),
        brain=brain,
        policy=settings.policy,
        autonomous_categories=frozenset(autonomous),
        knowledge=KnowledgeBase(
            sessions,
            policy_placeholders(settings.policy),
            knowledge_dir(settings.data_dir),
            embed=shared_embedder().embed,
        ),
        controls=lambda: load_operator_controls(settings, sessions),
        policy_text=(settings.policy_file or DEFAULT_POLICY_PATH).read_bytes(),
        consent=lambda customer_id: read_consent(sessions, customer_id),
        records=StoredCustomerRecords(sessions),
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


def build_worker(
    client: Client,
    deps: WorkerDeps,
    *,
    task_queue: str,
    executor: concurrent.futures.Executor,
    extra_activities: Sequence[Callable[..., Any]] = (),
    max_cached_workflows: int = 1000,
    approval_keys: Iterable[bytes] = (),
) -> Worker:
    """A worker for case workflows; the LangGraph plugin adds the graph's node activities.

    `max_cached_workflows` bounds the cases held in memory between turns
    (`TRUSTDESK_WORKER_MAX_CACHED_WORKFLOWS`). Its case workflows accept approvals signed by
    one of `approval_keys` (Ed25519 public)."""
    trust_approval_keys(approval_keys)
    case_activities = CaseActivities(deps.sessions)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[SupportCaseWorkflow, RetentionWorkflow],
        workflow_runner=CASE_SANDBOX,
        activities=[case_activities.record_case, *extra_activities],
        activity_executor=executor,
        max_cached_workflows=max_cached_workflows,
        sticky_queue_schedule_to_start_timeout=STICKY_TIMEOUT,
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
        plugins=[LangGraphPlugin(graphs={GRAPH_NAME: build_support_graph(deps)})],
    )


async def main(settings: Settings) -> None:
    migrate(settings.store_url)
    configure_anchor(anchor_for(settings.secret(), settings.audit_checkpoints))
    runtime = temporal_runtime(settings)
    if runtime is not None:
        Runtime.set_default(runtime)  # before the first client, which reports through it
    client = await connect(settings, "worker")
    deps = build_deps(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as executor:
        retention = RetentionActivities(deps.sessions, case_keys_for(settings), client)
        worker = build_worker(
            client,
            deps,
            task_queue=settings.task_queue,
            executor=executor,
            max_cached_workflows=settings.worker_max_cached_workflows,
            approval_keys=verify_keys(settings),
            extra_activities=[retention.purge_closed_cases],
        )
        if settings.retention_days is not None:
            await ensure_retention_schedule(client, settings.retention_days, settings.task_queue)
        # What the worker holds from here on (modules, the brain's tables, the graph)
        # lives as long as it does: left out of full garbage-collection passes, which
        # otherwise walk it while a workflow task must answer within two seconds.
        gc.freeze()
        run = asyncio.create_task(worker.run())
        print(f"worker polling {settings.task_queue!r} on {settings.temporal_address}", flush=True)
        await stop.wait()
        await worker.shutdown()
        await run


def _drop_plugin_shutdown_noise(unraisable: Any) -> None:
    """A worker that stops with cases still cached drops their coroutines, and the LangGraph
    plugin's interceptor then reports that it is outside a workflow loop: noise, not a case
    failure (pyproject's test filter names the same). Everything else is printed as usual."""
    if type(unraisable.exc_value).__name__ == "_NotInWorkflowEventLoopError":
        return
    sys.__unraisablehook__(unraisable)


def run_worker(settings: Settings) -> int:
    """`trustdesk worker`: 0 once stopped by a signal; 1, with one line, if Temporal is unreachable
    (a supervisor such as `trustdesk up` or compose then starts it again)."""
    sys.unraisablehook = _drop_plugin_shutdown_noise
    try:
        asyncio.run(main(settings))
    except RuntimeError as exc:  # the SDK reports a failed connection as RuntimeError
        if "connect" not in str(exc).lower():
            raise
        print(f"worker: Temporal at {settings.temporal_address} is unreachable: {exc}", flush=True)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    run_worker(Settings())
