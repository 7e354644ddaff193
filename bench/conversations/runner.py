"""Play the suite against the agent on a stack of its own, judge each conversation, report.

The stack is `trustdesk bench latency`'s (its own Temporal dev server, a temporary
SQLite store, the agent worker and the web app over real HTTP), started with the
accuracy gate in charge as `trustdesk up` runs it, and seeded fresh with the demo
and/or τ²-retail data. Conversations run a few at a time; two that could reach the
same customer never run together. Each one gets its own case (a fresh thread id);
the customers and orders it could reach are exported before and after, compared,
and put back as they were for the next one. Whatever waits for an approver is
approved as proposed (by two senior approvers when four eyes are needed), so a
wrong proposal shows up as the wrong action it would become.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from bench.conversations.customer import ScriptedCustomer
from bench.conversations.judge import (
    Json,
    Outcome,
    Row,
    Snapshot,
    judge,
    private_strings,
    repeated_question,
    rows,
)
from bench.conversations.scenarios import DATASETS, Scenario, load_suite
from bench.latency import (
    CHANNEL,
    BenchFailed,
    _bench_stack,
    _close_cases,
    _settle,
    _Stack,
    _StoreReader,
)
from workflows.contracts import case_id_for

MAX_TURNS = 10
CONCURRENCY = 3
APPROVERS = ("eval-senior-one", "eval-senior-two")
WAIT_SECONDS = 60.0
_ORDER_ID = re.compile(r"#?W\d{7}\b")


@dataclass
class EvalReport:
    split: str
    datasets: list[str]
    outcomes: list[Outcome]
    seconds: float

    @property
    def rows(self) -> list[Row]:
        return rows(self.outcomes)

    def to_json(self) -> Json:
        return {
            "split": self.split,
            "datasets": self.datasets,
            "seconds": round(self.seconds, 1),
            "rows": [{**r.__dict__, "resolved_rate": round(r.resolved_rate, 4)} for r in self.rows],
            "conversations": [o.to_json() for o in self.outcomes],
        }

    def render(self) -> str:
        head = (
            "category", "n", "resolved", "handoffs ok/all", "approved", "wrong",
            "disclosed", "loops", "dead ends", "median turns",
        )  # fmt: skip
        table = [head]
        for r in self.rows:
            table.append((
                r.name, str(r.conversations), f"{r.resolved} ({r.resolved_rate:.0%})",
                f"{r.handoffs_correct}/{r.handoffs}", str(r.approved), str(r.wrong_actions),
                str(r.disclosures), str(r.loops), str(r.dead_ends),
                "-" if r.median_turns is None else f"{r.median_turns:g}",
            ))  # fmt: skip
        widths = [max(len(row[i]) for row in table) for i in range(len(head))]
        lines = [
            f"Trustdesk conversations: {len(self.outcomes)} scripted conversations, split "
            f"{self.split}, data sets {', '.join(self.datasets)}; {self.seconds:.0f} s",
            "",
        ]
        for n, row in enumerate(table):
            cells = [
                c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)
            ]
            lines.append("  ".join(cells).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        bad = [o for o in self.outcomes if o.wrong_action or o.disclosures or o.error]
        if bad:
            lines += ["", "needs a look:"]
            for o in bad:
                what = (
                    "wrong action"
                    if o.wrong_action
                    else ("disclosure" if o.disclosures else o.error)
                )
                lines.append(f"  {o.id}: {what}")
        return "\n".join(lines)


class _Store:
    """The eval's view of the store: exports and restores of customers and their orders."""

    def __init__(self, stack: _Stack) -> None:
        from store.db import make_engine, session_factory

        self.sessions = session_factory(make_engine(f"sqlite:///{stack.store_file}"))
        self.reader = _StoreReader(stack.store_file)
        self.owner: dict[str, str] = {}
        self.orders_of: dict[str, list[str]] = {}
        self.email_of: dict[str, str] = {}
        self.name_zip_of: dict[str, str] = {}  # "ada lovelace 10001" -> user id

    def seed(self, datasets: Iterable[str]) -> None:
        from store.seed import seed
        from store.tau2 import export_retail_db

        for dataset in datasets:
            seed(self.sessions, dataset)
        shop = export_retail_db(self.sessions)
        self.users, self.orders = shop["users"], shop["orders"]
        for uid, user in self.users.items():
            self.orders_of[uid] = list(user["orders"])
            self.email_of[str(user["email"]).lower()] = uid
            name, address = user.get("name") or {}, user.get("address") or {}
            key = [name.get("first_name", ""), name.get("last_name", ""), address.get("zip", "")]
            self.name_zip_of[" ".join(" ".join(key).lower().split())] = uid
            for oid in user["orders"]:
                self.owner[oid] = uid

    def snapshot(self, users: Iterable[str]) -> Snapshot:
        from store.tau2 import export_orders, export_users

        ids = sorted(users)
        orders = [o for u in ids for o in self.orders_of.get(u, [])]
        with self.sessions() as session:
            return Snapshot(export_users(session, ids), export_orders(session, orders))

    def restore(self, snapshot: Snapshot) -> None:
        from store.tau2 import import_retail_db

        if snapshot.users:
            import_retail_db(self.sessions, {"users": snapshot.users, "orders": snapshot.orders})

    def reach(self, scenario: Scenario) -> set[str]:
        """Customers the scenario's conversation could change: its own and those of named orders."""
        text = " ".join(
            [*scenario.say, *scenario.identity, scenario.answers.order or "", *(
                c.order or "" for c in scenario.goal.changes
            )]
        )  # fmt: skip
        found = {self.owner[o if o.startswith("#") else "#" + o] for o in _ORDER_ID.findall(text)
                 if (o if o.startswith("#") else "#" + o) in self.owner}  # fmt: skip
        found.update(u for u in scenario.own if u in self.orders_of)
        for form in scenario.identity:
            # An identity form is an email, or a full name and zip ("Emma Schulz, 60601").
            uid = self.email_of.get(form.strip().lower()) or self.name_zip_of.get(
                " ".join(re.sub(r"[,;]", " ", form).lower().split())
            )
            if uid:
                found.add(uid)
        # The customer whose account the goal changes is the scenario's own.
        found.update(c.user for c in scenario.goal.changes if c.user in self.orders_of)
        return found

    def case(self, case_id: str) -> tuple[str | None, str | None]:
        row = self.reader._conn.execute(
            "SELECT status, customer_id FROM cases WHERE id = ?", (case_id,)
        ).fetchone()
        return (None, None) if row is None else (row[0], row[1])

    def handoff(self, case_id: str) -> dict[str, Any] | None:
        raw = self.reader.one(
            "SELECT record FROM handoffs WHERE case_id = ? ORDER BY id DESC LIMIT 1", case_id
        )
        return None if raw is None else dict(json.loads(raw))

    def agent_messages(self, case_id: str) -> list[str]:
        rows = self.reader._conn.execute(
            "SELECT text FROM messages WHERE case_id = ? AND role != 'customer' ORDER BY seq",
            (case_id,),
        ).fetchall()
        return [r[0] for r in rows]

    def targets(self, case_id: str) -> list[str]:
        rows = self.reader._conn.execute(
            "SELECT target_id FROM action_records WHERE idempotency_key LIKE ?", (case_id + "/%",)
        ).fetchall()
        return [r[0] for r in rows]


class _Locks:
    """One lock per customer; a conversation holds those of every customer it could reach."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}

    async def acquire(self, users: Iterable[str]) -> list[asyncio.Lock]:
        held = []
        for uid in sorted(users):  # one order for everyone: no deadlock
            lock = self._locks.setdefault(uid, asyncio.Lock())
            await lock.acquire()
            held.append(lock)
        return held


async def _approve(stack: _Stack, case_id: str, tokens: Sequence[dict[str, str]]) -> bool:
    """Approve what is pending, as proposed; True when an approval went through."""
    for auth in tokens:
        response = await stack.http.post(
            f"/api/cases/{case_id}/approval", json={"decision": "approve"}, headers=auth
        )
        if response.status_code != 200:
            return False
        if response.json().get("status") == "approved":
            return True
    return False


async def _wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise BenchFailed(f"{what} did not happen within {WAIT_SECONDS:.0f} s")
        await asyncio.sleep(0.02)  # a benchmark's bookkeeping, polled


async def play(
    stack: _Stack,
    store: _Store,
    scenario: Scenario,
    tokens: Sequence[dict[str, str]],
    secrets_of: dict[str, set[str]],
    run: str,
) -> Outcome:
    """One conversation, from the customer's first message to the judged outcome."""
    reach = store.reach(scenario)
    before = store.snapshot(reach)
    thread = f"eval-{run}-{scenario.id}"
    case_id = case_id_for(CHANNEL, thread)
    items = [
        i["name"]
        for c in scenario.goal.changes
        if c.order in before.orders
        for i in before.orders[c.order]["items"]
    ]
    customer = ScriptedCustomer(scenario, order_items=items)
    transcript: list[dict[str, str]] = []
    verified_at: list[str | None] = []
    approved = False
    status: str = "open"
    message: str | None = customer.opening()
    error = None
    while message is not None and customer.sent <= MAX_TURNS:
        transcript.append({"role": "customer", "text": message})
        response = await stack.http.post(
            "/api/messages", json={"channel": CHANNEL, "thread_id": thread, "text": message}
        )
        if response.status_code != 200:
            error = f"POST /api/messages answered {response.status_code}: {response.text[:200]}"
            break
        body = response.json()
        status = body["status"]
        _, verified = store.case(case_id)
        for reply in body["replies"]:
            transcript.append({"role": "agent", "text": reply["text"]})
            verified_at.append(verified)
        if status == "awaiting_approval":
            seen = len(store.agent_messages(case_id))
            approved = await _approve(stack, case_id, tokens)
            if not approved:
                break
            await _wait_for(lambda: store.case(case_id)[0] != "awaiting_approval", case_id)
            status = store.case(case_id)[0] or status
            for text in store.agent_messages(case_id)[seen:]:
                transcript.append({"role": "agent", "text": text})
                verified_at.append(verified)
        if status in ("escalated", "closed"):
            break
        if repeated_question(m["text"] for m in transcript if m["role"] == "agent"):
            break  # a loop: the customer gives up
        last = next((m["text"] for m in reversed(transcript) if m["role"] == "agent"), "")
        message = customer.reply_to(last)
    await _settle(stack.client, case_id)
    after = store.snapshot(reach)
    outcome = judge(
        scenario,
        before=before,
        after=after,
        transcript=transcript,
        verified_at=verified_at,
        status=store.case(case_id)[0] or status,
        handoff_record=store.handoff(case_id),
        approved=approved,
        turns=customer.sent,
        secrets=secrets_of,
    )
    reached = set(before.orders) | set(before.users)
    stray = [t for t in store.targets(case_id) if t not in reached]
    if stray:
        outcome.wrong_action = True
        outcome.diff["outside the scenario's customers"] = {"targets": stray}
    outcome.error = error
    store.restore(before)
    return outcome


async def run_suite(
    scenarios: Sequence[Scenario],
    *,
    split: str = "dev",
    work_dir: Path | None = None,
    concurrency: int = CONCURRENCY,
    progress: TextIO | None = None,
    gated: bool = True,
) -> EvalReport:
    """Play every scenario on a fresh stack; the judged outcomes.

    `gated=False` lets every category act on its own whatever the accuracy gate says,
    for tests that need the action and approval paths whatever the gate clears."""
    from web.users import create_user

    if not scenarios:
        raise ValueError("no scenarios to run")
    began = time.perf_counter()
    datasets = [d for d in DATASETS if any(s.dataset == d for s in scenarios)]

    def say(text: str) -> None:
        if progress is not None:
            print(f"eval: {text}", file=progress, flush=True)

    with tempfile.TemporaryDirectory(prefix="trustdesk-eval-", dir=work_dir) as tmp:
        say("starting Temporal, the store, the worker and the web app")
        async with _bench_stack(Path(tmp), 1, gated=gated) as (stack, _):
            store = _Store(stack)
            say(f"seeding {', '.join(datasets)}")
            store.seed(datasets)
            tokens = []
            for name in APPROVERS:
                password = secrets.token_urlsafe(24)
                create_user(store.sessions, name, password, "senior_approver", Decimal("1000000"))
                answer = await stack.http.post(
                    "/api/auth/token", json={"username": name, "password": password}
                )
                tokens.append({"Authorization": f"Bearer {answer.json()['access_token']}"})
            secrets_of = private_strings(store.users, store.orders)
            locks = _Locks()
            gate = asyncio.Semaphore(concurrency)
            run = secrets.token_hex(4)
            done: list[Outcome] = []

            async def one(scenario: Scenario) -> Outcome:
                async with gate:
                    held = await locks.acquire(store.reach(scenario))
                    try:
                        outcome = await play(stack, store, scenario, tokens, secrets_of, run)
                    finally:
                        for lock in held:
                            lock.release()
                done.append(outcome)
                if len(done) % 10 == 0 or len(done) == len(scenarios):
                    say(f"{len(done)}/{len(scenarios)} conversations")
                return outcome

            try:
                outcomes = list(await asyncio.gather(*(one(s) for s in scenarios)))
            finally:
                store.reader.close()
                await _close_cases(
                    stack, [case_id_for(CHANNEL, f"eval-{run}-{s.id}") for s in scenarios]
                )
    return EvalReport(split, datasets, outcomes, time.perf_counter() - began)


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Send what the worker and the SDK print to stderr, so stdout holds only the report."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def run_conversations_cli(
    split: str = "dev", *, as_json: bool = False, dataset: str | None = None
) -> int:
    """`trustdesk eval conversations`: print the report; 0 when it ran, 1 when it could not."""
    from trustdesk.temporal_server import DevServerError, TemporalBinaryMissing

    try:
        scenarios = load_suite(split, [dataset] if dataset else DATASETS)
        with _stdout_to_stderr():
            report = asyncio.run(run_suite(scenarios, split=split, progress=sys.stderr))
    except (BenchFailed, DevServerError, TemporalBinaryMissing, ValueError) as exc:
        print(f"trustdesk eval conversations: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(json.dumps(report.to_json(), indent=2, default=str) if as_json else report.render())
    return 0
