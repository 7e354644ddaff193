"""A small chaos run: the worker SIGKILLed mid-turn and mid-approval, the server restarted.

Afterwards every case is in a stable state, no action happened twice, no order was
refunded more than was paid, and the audit chain verifies.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.service import RPCError

from store.audit import verify_chain
from store.models import ActionRecordRow, TransactionRow
from tests.pollers import pollers, wait_for_new_poller
from tests.temporal_env import dev_server, encrypting_client
from tests.waiting import wait_until
from tests.workflows.conftest import signed_decision
from tests.workflows.test_durability import (  # noqa: F401  (fixtures)
    APPROVER,
    RETURN_899,
    spawn_worker,
    store_file,
    workers,
)
from workflows.contracts import PostMessageInput
from workflows.gateway import CaseGateway

T = TypeVar("T")
CANCEL = "cancel #W0000001 please, ada@example.com, ordered by mistake"
STABLE = {"resolved", "awaiting_customer", "escalated", "awaiting_approval"}


async def _until_delivered(call: Callable[[], Awaitable[T]], timeout: float = 120) -> T:
    """Repeat ``call`` while the server refuses it for want of a worker (as a client would)."""

    async def attempt() -> T | None:
        try:
            return await call()
        except RPCError:
            return None

    return await wait_until(attempt, timeout=timeout, what="the call went through")  # type: ignore[arg-type]


async def test_cases_survive_worker_kills_and_a_server_restart(
    tmp_path: Path,
    shop_sessions: sessionmaker[Session],
    store_file: str,  # noqa: F811
    workers: list[subprocess.Popen[bytes]],  # noqa: F811
) -> None:
    queue = f"chaos-{uuid.uuid4().hex[:8]}"
    async with dev_server(tmp_path / "temporal") as server:
        client = await encrypting_client(server.address, tmp_path, store_file)
        gw = CaseGateway(client, queue)

        async def replace_worker() -> None:
            known = await pollers(client, queue)
            workers[-1].send_signal(signal.SIGKILL)
            assert workers[-1].wait(10) == -signal.SIGKILL
            workers.append(spawn_worker(server.address, store_file, queue, tmp_path))
            await wait_for_new_poller(client, queue, known)

        def say(thread: str, text: str) -> Callable[[], Awaitable[object]]:
            message = PostMessageInput(channel="webchat", thread_id=thread, text=text)
            return lambda: gw.post_message(message)

        workers.append(spawn_worker(server.address, store_file, queue, tmp_path))
        await wait_for_new_poller(client, queue)
        cancel, twice, ret = (uuid.uuid4().hex for _ in range(3))
        for thread, text in ((cancel, CANCEL), (twice, CANCEL), (ret, RETURN_899)):
            await _until_delivered(say(thread, text))

        # Mid-turn: both cancellations are confirmed at once and the worker dies under them.
        turns = [asyncio.create_task(_until_delivered(say(t, "yes"))) for t in (cancel, twice)]
        await replace_worker()
        await asyncio.gather(*turns)
        await _until_delivered(say(ret, "yes"))
        return_case = f"case-webchat-{ret}"
        pending = await gw.get_pending_approval(return_case)
        assert pending is not None

        # The server restarts on its data file; the worker reconnects on its own.
        await server.restart()
        client = await encrypting_client(server.address, tmp_path, store_file)
        gw = CaseGateway(client, queue)

        # Mid-approval: the approval is sent and the worker dies as it acts on it.
        decision = signed_decision(return_case, pending.approval_id, APPROVER)
        approving = asyncio.create_task(
            _until_delivered(lambda: gw.submit_approval(return_case, decision))
        )
        await replace_worker()
        await approving

        async def resolved() -> bool:
            return (await gw.get_case(return_case)).status.value == "resolved"

        await wait_until(resolved, timeout=60, what="the approved return resolves")

        for thread in (cancel, twice, ret):
            case = await gw.get_case(f"case-webchat-{thread}")
            assert case.status.value in STABLE, (thread, case.status)

    with shop_sessions() as s:
        keys = s.scalars(select(ActionRecordRow.idempotency_key)).all()
        assert len(keys) == len(set(keys))
        targets = s.execute(
            select(ActionRecordRow.action, ActionRecordRow.target_id, func.count())
            .group_by(ActionRecordRow.action, ActionRecordRow.target_id)
        ).all()
        # The second confirmation of the same cancellation did not act again.
        assert all(n == 1 for _, _, n in targets), targets
        assert {target for _, target, _ in targets} == {"#W0000001", "#W0000003"}
        for order_id in ("#W0000001", "#W0000003"):
            where = TransactionRow.order_id == order_id
            rows = s.scalars(select(TransactionRow).where(where)).all()
            paid = sum((r.amount for r in rows if r.kind == "payment"), Decimal(0))
            refunds = [r.amount for r in rows if r.kind == "refund"]
            assert sum(refunds, Decimal(0)) <= paid, (order_id, paid, refunds)
        assert len([1 for r in s.scalars(select(TransactionRow)) if r.kind == "refund"]) <= 2
        check = verify_chain(s)
        assert check.ok, check
