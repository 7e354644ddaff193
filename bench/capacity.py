"""`trustdesk bench capacity`: what a team needs to size a deployment, against the floor.

Every figure sits next to the same figure for the *floor* (`bench.floor`: a bare
workflow running the same activities, which return at once), measured in the same
run, in the same process, on the same dev server; the report gives their ratio.
The stack is `bench.latency`'s (its own dev server, a SQLite store holding the bench
shop, the web app over real HTTP) except that this bench runs the agent worker
itself, so that it can restart it.

1. **Concurrency levels** (`--levels`, default 1, 4, 16, 32). At each level, that
   many conversations run at once, `--rounds` after one another per slot. A
   conversation is a cancel the agent carries out on its own (two turns: the request,
   then "yes"; one refund). A floor conversation is two floor workflows, one per
   turn, each shaped on that turn of the warm-up case (activities before the reply,
   local activities with it, activities after it). For the cases and the floor apart
   the bench reports throughput (conversations/s), turn round trips (p50/p95/p99),
   the first reply's p95, and CPU per conversation: this process's CPU time (user +
   system, every thread, from `/proc/self/stat`) over the phase, until every
   workflow of it has settled, divided by its conversations. The process holds the
   web app and the bench's HTTP client as well as the workers; the floor phase
   drives its workflows through the Temporal client without HTTP.
2. **Parked cases** (`--parked`, default 2,000). The bench parks that many floor
   workflows (one turn, then waiting; at least `FLOOR_SAMPLE`), then that many
   returns waiting for an approver (two turns each), and reads this process's RSS
   growth for each, per *cached* workflow: the worker keeps at most its cache size
   (`max_cached_workflows`) of them in memory. It then stops the agent worker, starts
   a new one (its cache empty: every case comes back from its history), approves a
   sample of the parked returns over HTTP and checks that each sampled case executed
   its action exactly once (one action record, the order's return requested) and that
   no other parked case executed anything.
3. **History events** of a one-refund case (the cancel) against its two floor
   workflows together.
4. **Idle RSS** of each process of `trustdesk up` (`bench.idle_rss`), after the
   stack above has stopped.

Targets: first reply p95 ≤ 1.2× the floor and CPU per conversation ≤ 1.3× the floor
at every level, ≤ 150 KB of worker memory per cached case, ≤ 60 history events for
a one-refund case. Missing one is a result; the bench fails (exit 1) only when it
cannot run, a conversation does not go as scripted, or the exactly-once check fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from temporalio.worker import Worker

from bench.floor import FloorInput, post_floor_message
from bench.idle_rss import ProcessMemory, measure, rss_mb
from bench.latency import (
    CASE_TASK_QUEUE,
    CHANNEL,
    FLOOR_TASK_QUEUE,
    BenchFailed,
    _bench_stack,
    _close_cases,
    _load,
    _poll,
    _say,
    _settle,
    _settled_history,
    _Stack,
    _StoreReader,
    percentile,
)
from bench.shop import BenchCustomer
from trustdesk.temporal_server import DevServerError, TemporalBinaryMissing
from workflows.contracts import PostMessageInput, case_id_for

DEFAULT_LEVELS = (1, 4, 16, 32)
DEFAULT_PARKED = 2000
DEFAULT_ROUNDS = 2
#: Parked cases are opened this many at a time.
PARK_CONCURRENCY = 16
#: At most this many parked returns are approved after the worker restart, and at most
#: a quarter of them: the others must show no action at all.
APPROVAL_SAMPLE = 20
#: At least this many floor workflows are parked, however few cases are: a bare workflow
#: costs about 150 KB, so fewer would drown in the allocator's own noise (a few MB).
FLOOR_SAMPLE = 200

#: The lean-case issue's targets.
FIRST_REPLY_RATIO_P95 = 1.2
CPU_RATIO = 1.3
KB_PER_CACHED_CASE = 150.0
EVENTS_PER_ONE_REFUND_CASE = 60


# --------------------------------------------------------------------------- the figures


@dataclass
class Side:
    """One phase's figures, for the cases or for the floor."""

    conversations: int
    seconds: float
    throughput: float  # conversations per second
    turn_p50: float
    turn_p95: float
    turn_p99: float
    first_reply_p95: float
    cpu_seconds: float
    cpu_per_conversation: float


@dataclass
class Level:
    """One concurrency level: the cases, the floor, and their ratios (case / floor)."""

    concurrency: int
    case: Side
    floor: Side
    ratio: dict[str, float]


@dataclass
class Parked:
    """Parked workflows and what each costs the worker's process."""

    parked: int
    #: Floor workflows parked beside them (at least `FLOOR_SAMPLE`).
    floors: int
    cache_size: int
    cached: int
    case_kb_per_cached: float
    floor_kb_per_cached: float
    ratio: float
    rss_mb: dict[str, float]
    #: After a worker restart: the sampled approvals, each action executed exactly once.
    restarted: bool
    approved: list[str]
    exactly_once: bool
    problems: list[str]


@dataclass
class CapacityReport:
    levels: list[Level]
    parked: Parked
    history_events: dict[str, float]
    idle_rss: list[ProcessMemory]
    #: Why the idle RSS could not be read (`trustdesk up` did not start), if it could not.
    idle_rss_error: str | None
    floor_shapes: list[dict[str, Any]]
    cores: int | None
    machine: str
    load_average: dict[str, float | None]
    seconds: float
    targets: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def render(self) -> str:
        return render(self)


def _side(
    conversations: int, seconds: float, turns: list[float], firsts: list[float], cpu: float
) -> Side:
    return Side(
        conversations=conversations,
        seconds=seconds,
        throughput=conversations / seconds,
        turn_p50=percentile(turns, 50),
        turn_p95=percentile(turns, 95),
        turn_p99=percentile(turns, 99),
        first_reply_p95=percentile(firsts, 95),
        cpu_seconds=cpu,
        cpu_per_conversation=cpu / conversations,
    )


def _ratios(case: Side, floor: Side) -> dict[str, float]:
    keys = ("throughput", "turn_p50", "turn_p95", "turn_p99", "first_reply_p95")
    ratios = {k: getattr(case, k) / getattr(floor, k) for k in keys}
    # A process that used no measurable CPU (clock ticks are 10 ms) has no ratio to give.
    ratios["cpu_per_conversation"] = (
        case.cpu_per_conversation / floor.cpu_per_conversation
        if floor.cpu_per_conversation
        else float("nan")
    )
    return ratios


def _targets(report: CapacityReport) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for level in report.levels:
        c = level.concurrency
        first = level.ratio["first_reply_p95"]
        cpu = level.ratio["cpu_per_conversation"]
        rows.append(
            {
                "figure": f"first reply p95 / floor, {c} at once",
                "value": first,
                "target": f"<= {FIRST_REPLY_RATIO_P95}x",
                "met": first <= FIRST_REPLY_RATIO_P95,
            }
        )
        rows.append(
            {
                "figure": f"CPU per conversation / floor, {c} at once",
                "value": cpu,
                "target": f"<= {CPU_RATIO}x",
                "met": cpu <= CPU_RATIO,
            }
        )
    rows.append(
        {
            "figure": "worker memory per cached case (KB)",
            "value": report.parked.case_kb_per_cached,
            "target": f"<= {KB_PER_CACHED_CASE:.0f} KB",
            "met": report.parked.case_kb_per_cached <= KB_PER_CACHED_CASE,
        }
    )
    events = report.history_events["case"]
    rows.append(
        {
            "figure": "history events, one-refund case",
            "value": events,
            "target": f"<= {EVENTS_PER_ONE_REFUND_CASE}",
            "met": events <= EVENTS_PER_ONE_REFUND_CASE,
        }
    )
    return rows


# --------------------------------------------------------------------------- rendering


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render(report: CapacityReport) -> str:
    load = report.load_average
    lines = [
        f"Trustdesk capacity bench: {report.cores} cores, {report.machine}; load average "
        f"{_fmt_load(load['before'])} before, {_fmt_load(load['after'])} after; "
        f"{report.seconds:.0f} s",
        "",
        "Concurrent conversations (a cancel with one refund, two turns) against the floor "
        "(two bare workflows with the same activities); ratios are case / floor:",
        "",
    ]
    rows = []
    for level in report.levels:
        case, floor, ratio = level.case, level.floor, level.ratio
        rows.append(
            [
                str(level.concurrency),
                str(case.conversations),
                f"{case.throughput:.2f} / {floor.throughput:.2f} ({ratio['throughput']:.2f}x)",
                *(
                    f"{getattr(case, k) * 1000:.0f} / {getattr(floor, k) * 1000:.0f} "
                    f"({ratio[k]:.2f}x)"
                    for k in ("turn_p50", "turn_p95", "turn_p99", "first_reply_p95")
                ),
                f"{case.cpu_per_conversation * 1000:.0f} / "
                f"{floor.cpu_per_conversation * 1000:.0f} "
                f"({ratio['cpu_per_conversation']:.2f}x)",
            ]
        )
    lines += _table(
        [
            "at once",
            "conversations",
            "conversations/s",
            "turn p50 ms",
            "turn p95 ms",
            "turn p99 ms",
            "first reply p95 ms",
            "CPU ms per conversation",
        ],
        rows,
    )
    p = report.parked
    idle = report.idle_rss
    lines += [
        "",
        f"Parked: {p.parked} returns waiting for approval and {p.floors} floor workflows; "
        f"worker cache {p.cache_size}, so {p.cached} of each held in memory. "
        f"RSS per cached workflow: case {p.case_kb_per_cached:.0f} KB, floor "
        f"{p.floor_kb_per_cached:.0f} KB ({p.ratio:.2f}x).",
        f"After a worker restart, {len(p.approved)} parked cases approved: each action "
        f"executed exactly once, none executed for the others: "
        f"{'yes' if p.exactly_once else 'NO (' + '; '.join(p.problems[:5]) + ')'}.",
        f"History events: one-refund case {report.history_events['case']:.0f}, its floor "
        f"{report.history_events['floor']:.0f} ({report.history_events['ratio']:.2f}x).",
        "",
        "Idle RSS of each process of `trustdesk up`:",
        "",
        *(
            _table(["process", "idle RSS (MB)"], [[r.name, f"{r.rss_mb:.1f}"] for r in idle])
            if idle
            else [f"not measured: {report.idle_rss_error}"]
        ),
        "",
        "Targets:",
        "",
    ]
    lines += _table(
        ["figure", "measured", "target", "met"],
        [
            [t["figure"], f"{t['value']:.2f}", t["target"], "yes" if t["met"] else "no"]
            for t in report.targets
        ],
    )
    met = sum(1 for t in report.targets if t["met"])
    lines += ["", f"{met} of {len(report.targets)} targets met."]
    return "\n".join(lines)


def _fmt_load(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.2f}"


# --------------------------------------------------------------------------- measuring


def cpu_seconds() -> float:
    """This process's CPU time so far (user + system, all threads), from /proc."""
    fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of stat(5); after the command name, 12 and 13.
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _settled_rss_mb() -> float:
    """This process's RSS once freed memory has been collected and handed back."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    value = rss_mb(os.getpid())
    if value is None:
        raise BenchFailed("cannot read this process's RSS from /proc")
    return value


async def _in_parallel(
    concurrency: int, items: Sequence[Any], run: Callable[[Any], Awaitable[None]]
) -> None:
    """Run `run(item)` for every item, `concurrency` at a time."""
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)

    async def slot() -> None:
        while not queue.empty():
            await run(queue.get_nowait())

    await asyncio.gather(*(slot() for _ in range(concurrency)))


def _thread(kind: str, customer: BenchCustomer, tag: str = "") -> str:
    return f"capacity-{kind}{tag}-{customer.number:06d}"


@dataclass
class _Phase:
    turns: list[float] = field(default_factory=list)
    firsts: list[float] = field(default_factory=list)
    workflows: list[str] = field(default_factory=list)


async def _cancel(stack: _Stack, phase: _Phase, customer: BenchCustomer) -> None:
    thread = _thread("cancel", customer)
    first = (
        f"I'd like to cancel order {customer.pending_order}, I ordered it by mistake, "
        f"my email is {customer.email}"
    )
    for n, (text, expect) in enumerate([(first, "awaiting_customer"), ("yes", "resolved")]):
        elapsed = await _say(stack, thread, text, expect)
        phase.turns.append(elapsed)
        if n == 0:
            phase.firsts.append(elapsed)
    phase.workflows.append(case_id_for(CHANNEL, thread))


async def _floor(
    stack: _Stack, phase: _Phase, shapes: Sequence[FloorInput], customer: BenchCustomer, tag: str
) -> None:
    for n, shape in enumerate(shapes):
        thread = _thread(f"floor{n}", customer, tag)
        message = PostMessageInput(channel=CHANNEL, thread_id=thread, text=f"turn {n}")
        began = time.perf_counter()
        await post_floor_message(stack.client, message, f"floor-{thread}", FLOOR_TASK_QUEUE, shape)
        elapsed = time.perf_counter() - began
        phase.turns.append(elapsed)
        if n == 0:
            phase.firsts.append(elapsed)
        phase.workflows.append(f"floor-{thread}")


async def _timed_phase(
    stack: _Stack,
    concurrency: int,
    customers: Sequence[BenchCustomer],
    run: Callable[[_Phase, BenchCustomer], Awaitable[None]],
) -> Side:
    phase = _Phase()
    cpu0, began = cpu_seconds(), time.perf_counter()
    await _in_parallel(concurrency, customers, lambda c: run(phase, c))
    seconds = time.perf_counter() - began
    for workflow_id in phase.workflows:
        await _settle(stack.client, workflow_id)
    cpu = cpu_seconds() - cpu0
    return _side(len(customers), seconds, phase.turns, phase.firsts, cpu)


@contextlib.asynccontextmanager
async def _agent_worker(stack: _Stack, cache_size: int) -> AsyncIterator[Worker]:
    from workers.agent import build_worker

    if stack.executor is None:
        raise BenchFailed("the bench stack has no executor for the agent worker")
    worker = build_worker(
        stack.client,
        stack.deps,
        task_queue=CASE_TASK_QUEUE,
        executor=stack.executor,
        max_cached_workflows=cache_size,
        approval_keys=stack.approval_keys,
    )
    async with worker:
        yield worker


async def _park_return(stack: _Stack, customer: BenchCustomer) -> None:
    thread = _thread("return", customer)
    first = f"I'd like to return order {customer.delivered_order}, my email is {customer.email}"
    await _say(stack, thread, first, "awaiting_customer")
    await _say(stack, thread, "yes", "awaiting_approval")


async def _approve(stack: _Stack, store: _StoreReader, customer: BenchCustomer) -> str:
    case_id = case_id_for(CHANNEL, _thread("return", customer))
    response = await stack.http.post(
        f"/api/cases/{case_id}/approval", json={"decision": "approve"}, headers=stack.auth
    )
    if response.status_code != 200 or response.json().get("status") != "approved":
        raise BenchFailed(
            f"{case_id}: the approval answered {response.status_code}: {response.text}"
        )
    await _poll(lambda: store.case_status(case_id) == "resolved", f"{case_id}: resolving")
    await _settle(stack.client, case_id)
    return case_id


def _check_parked(
    store: _StoreReader, parked: Sequence[BenchCustomer], approved: set[str]
) -> list[str]:
    problems: list[str] = []
    for customer in parked:
        case_id = case_id_for(CHANNEL, _thread("return", customer))
        actions = store.actions_of(case_id)
        if case_id in approved:
            if actions != 1:
                problems.append(f"{case_id}: {actions} actions recorded")
            if store.order_status(customer.delivered_order) != "return requested":
                problems.append(f"{customer.delivered_order}: no return requested")
        elif actions:
            problems.append(f"{case_id}: {actions} actions recorded without an approval")
    return problems


async def _measure(
    stack: _Stack,
    customers: Sequence[BenchCustomer],
    levels: Sequence[int],
    rounds: int,
    parked: int,
    cache_size: int,
    say: Callable[[str], None],
) -> tuple[list[Level], Parked, dict[str, float], list[FloorInput]]:
    store = _StoreReader(stack.store_file)
    try:
        async with contextlib.AsyncExitStack() as running:
            await running.enter_async_context(_agent_worker(stack, cache_size))
            say("warm-up")
            warm, rest = customers[0], list(customers[1:])
            warmup = _Phase()
            await _cancel(stack, warmup, warm)
            history = await _settled_history(stack.client, warmup.workflows[0])
            turns = [s for s in history.segments if s.update == "post_message"]
            shapes = [
                FloorInput(
                    activities_before_reply=len(s.activities_before_reply),
                    activities_after_reply=len(s.activities_after_reply),
                    local_activities_with_reply=s.local_activities_with_reply,
                )
                for s in turns
            ]
            await _floor(stack, warmup, shapes, warm, "-warm")
            floor_events = 0
            for workflow_id in warmup.workflows[1:]:
                floor_events += (await _settled_history(stack.client, workflow_id)).events
            events = {
                "case": float(history.events),
                "floor": float(floor_events),
                "ratio": history.events / floor_events,
            }

            results: list[Level] = []
            for c in levels:
                batch, rest = rest[: c * rounds], rest[c * rounds :]
                say(f"{c} at once: {len(batch)} floor conversations, then {len(batch)} cases")
                tag = f"-{c}"

                async def floor_conversation(
                    phase: _Phase, customer: BenchCustomer, tag: str = tag
                ) -> None:
                    await _floor(stack, phase, shapes, customer, tag)

                floor = await _timed_phase(stack, c, batch, floor_conversation)
                case = await _timed_phase(
                    stack, c, batch, lambda phase, customer: _cancel(stack, phase, customer)
                )
                results.append(Level(c, case, floor, _ratios(case, floor)))

            # Parking: floors first, then cases, each read against the RSS just before it.
            to_park = list(customers[1 : parked + 1])
            cached = min(parked, cache_size)
            # Floors need no store rows: any numbers name their threads.
            floors = [BenchCustomer(n) for n in range(1, max(parked, FLOOR_SAMPLE) + 1)]
            rss = {"before_floors": _settled_rss_mb()}
            say(f"parking {len(floors)} floor workflows")
            park_shape = shapes[0].model_copy(update={"park_after_reply": True})
            await _in_parallel(
                PARK_CONCURRENCY,
                floors,
                lambda customer: _floor(stack, _Phase(), [park_shape], customer, "-parked"),
            )
            rss["after_floors"] = rss["before_cases"] = _settled_rss_mb()
            say(f"parking {parked} returns waiting for approval")
            await _in_parallel(
                PARK_CONCURRENCY, to_park, lambda customer: _park_return(stack, customer)
            )
            for customer in to_park:
                await _settle(stack.client, case_id_for(CHANNEL, _thread("return", customer)))
            rss["after_cases"] = _settled_rss_mb()
            floor_kb = (rss["after_floors"] - rss["before_floors"]) * 1024 / len(floors)
            case_kb = (rss["after_cases"] - rss["before_cases"]) * 1024 / cached
            await running.aclose()  # stop the agent worker: its cache goes with it

        say("restarting the agent worker and approving a sample of the parked cases")
        async with _agent_worker(stack, cache_size):
            size = max(1, min(APPROVAL_SAMPLE, len(to_park) // 4))
            sample = to_park[:: max(1, len(to_park) // size)][:size]
            approved = [await _approve(stack, store, customer) for customer in sample]
            problems = _check_parked(store, to_park, set(approved))
            await _close_cases(stack, approved)
        park = Parked(
            parked=parked,
            floors=len(floors),
            cache_size=cache_size,
            cached=cached,
            case_kb_per_cached=case_kb,
            floor_kb_per_cached=floor_kb,
            ratio=case_kb / floor_kb if floor_kb > 0 else float("nan"),
            rss_mb=rss,
            restarted=True,
            approved=approved,
            exactly_once=not problems,
            problems=problems,
        )
    finally:
        store.close()
    return results, park, events, shapes


async def run_capacity_bench(
    levels: Sequence[int] = DEFAULT_LEVELS,
    parked: int = DEFAULT_PARKED,
    *,
    rounds: int = DEFAULT_ROUNDS,
    cache_size: int = 1000,
    work_dir: Path | None = None,
    progress: TextIO | None = None,
) -> CapacityReport:
    """Run every part of the bench; the report."""
    if not levels or min(levels) < 1 or rounds < 1 or parked < 1:
        raise ValueError("levels, rounds and parked cases must all be at least 1")
    began = time.perf_counter()
    load_before = _load()

    def say(text: str) -> None:
        if progress is not None:
            print(f"bench: {text}", file=progress, flush=True)

    customers = 1 + max(sum(levels) * rounds, parked)
    with tempfile.TemporaryDirectory(prefix="trustdesk-capacity-", dir=work_dir) as tmp:
        say(f"starting Temporal, the store ({customers} customers), the floor worker and the web")
        async with _bench_stack(Path(tmp), customers, agent=False) as (stack, shop):
            results, park, events, shapes = await _measure(
                stack, shop, levels, rounds, parked, cache_size, say
            )
        load_after = _load()
    say("idle RSS of each process of `trustdesk up`")
    idle: list[ProcessMemory] = []
    idle_error = None
    try:
        idle = await asyncio.to_thread(measure)
    except RuntimeError as exc:
        idle_error = str(exc)
        say(f"idle RSS not measured: {exc}")
    report = CapacityReport(
        levels=results,
        parked=park,
        history_events=events,
        idle_rss=idle,
        idle_rss_error=idle_error,
        floor_shapes=[s.model_dump() for s in shapes],
        cores=os.cpu_count(),
        machine=f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        load_average={"before": load_before, "after": load_after},
        seconds=time.perf_counter() - began,
    )
    report.targets = _targets(report)
    return report


def parse_levels(text: str) -> list[int]:
    """`1,4,16,32` → [1, 4, 16, 32]."""
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise ValueError(f"--levels takes numbers separated by commas, not {text!r}") from exc
    if not levels or min(levels) < 1:
        raise ValueError(f"--levels takes positive numbers, not {text!r}")
    return levels


def run_capacity_cli(
    levels: str, parked: int, *, rounds: int = DEFAULT_ROUNDS, as_json: bool = False
) -> int:
    """`trustdesk bench capacity`: print the report; 0 when it ran, 1 when it failed."""
    try:
        report = asyncio.run(
            run_capacity_bench(parse_levels(levels), parked, rounds=rounds, progress=sys.stderr)
        )
    except (BenchFailed, DevServerError, TemporalBinaryMissing, ValueError, RuntimeError) as exc:
        print(f"trustdesk bench capacity: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(json.dumps(report.to_json(), indent=2) if as_json else report.render())
    if not report.parked.exactly_once:
        print(
            "trustdesk bench capacity: after the restart, not every approved action ran "
            "exactly once: " + "; ".join(report.parked.problems),
            file=sys.stderr,
        )
        return 1
    return 0
