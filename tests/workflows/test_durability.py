"""Cases survive crashes: a killed worker, a restarted server, an activity that fails late."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from brain.training import install
from brain.validation import pin_autonomy
from domain.dialogue import HANDLED
from domain.policy import Policy
from store.actions import RetailActions
from store.models import ActionRecordRow, OrderRow, TransactionRow
from tests.pollers import pollers, wait_for_new_poller
from tests.temporal_env import dev_server, encrypting_client, time_skipping_env
from tests.waiting import wait_until
from tests.workflows.conftest import TEST_APPROVAL_KEY, make_deps, signed_decision
from trustdesk.approval_keys import encode_public_key, public_bytes
from workers.agent import build_worker
from workflows.case import SupportCaseWorkflow
from workflows.contracts import (
    Approver,
    CaseInput,
    PostMessageInput,
    Role,
)
from workflows.gateway import CaseGateway

TRUSTED = [public_bytes(TEST_APPROVAL_KEY)]
APPROVER = Approver(username="pat", role=Role.APPROVER, approval_limit=Decimal("1000"))
RETURN_899 = "I'd like to return order #W0000003, my email is ada@example.com"


def count(sessions: sessionmaker[Session], model: type, *where: object) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def order_status(sessions: sessionmaker[Session], order_id: str) -> str:
    with sessions() as s:
        return s.get(OrderRow, order_id).status  # type: ignore[union-attr]


async def park_for_approval(gw: CaseGateway, thread: str) -> str:
    await gw.post_message(PostMessageInput(channel="webchat", thread_id=thread, text=RETURN_899))
    result = await gw.post_message(
        PostMessageInput(channel="webchat", thread_id=thread, text="yes")
    )
    assert result.status.value == "awaiting_approval"
    return f"case-webchat-{thread}"


async def approve_and_wait(gw: CaseGateway, case_id: str, timeout: float = 20) -> None:
    pending = await gw.get_pending_approval(case_id)
    assert pending is not None
    await gw.submit_approval(
        case_id,
        signed_decision(case_id, pending.approval_id, APPROVER),
    )

    async def resolved() -> bool:
        return (await gw.get_case(case_id)).status.value == "resolved"

    await wait_until(resolved, timeout=timeout, what="the approved case resolves")


@pytest.fixture
def store_file(tmp_path: Path, shop_sessions: sessionmaker[Session]) -> str:
    return f"sqlite:///{tmp_path / 'shop.db'}"


def spawn_worker(
    address: str, store_url: str, task_queue: str, data_dir: Path
) -> subprocess.Popen[bytes]:
    # These tests are about durability, not the accuracy gate: every handled category acts.
    install(data_dir)
    pin_autonomy(data_dir, (c.value for c in HANDLED))
    env = {
        **os.environ,
        "TRUSTDESK_TASK_QUEUE": task_queue,
        "TRUSTDESK_DATABASE_URL": store_url,
        "TRUSTDESK_TEMPORAL_ADDRESS": address,
        "TRUSTDESK_DATA_DIR": str(data_dir),
        # The τ²-like test shop keeps τ²'s identity rule (an email suffices), as the suite does.
        "TRUSTDESK_DATASET": "tau2-retail",
        # The worker trusts the tests' approval key, as a deployed one trusts the web's.
        "TRUSTDESK_APPROVAL_VERIFY_KEYS": json.dumps([encode_public_key(TEST_APPROVAL_KEY)]),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "trustdesk.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(data_dir / f"worker-{uuid.uuid4().hex[:6]}.log", "wb"),
    )


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait(10)


async def test_worker_killed_while_waiting_for_approval(
    temporal_env: WorkflowEnvironment,
    shop_sessions: sessionmaker[Session],
    store_file: str,
    tmp_path: Path,
    workers: list[subprocess.Popen[bytes]],
) -> None:
    address = temporal_env.client.service_client.config.target_host
    queue = f"crash-{uuid.uuid4().hex[:8]}"
    # The spawned worker seals each case's payloads; this client reads them the same way.
    client = await encrypting_client(address, tmp_path, store_file)
    gw = CaseGateway(client, queue)
    workers.append(spawn_worker(address, store_file, queue, tmp_path))
    case_id = await park_for_approval(gw, uuid.uuid4().hex)
    before = await gw.get_case(case_id)
    killed = await pollers(temporal_env.client, queue)

    workers[0].send_signal(signal.SIGKILL)
    assert workers[0].wait(10) == -signal.SIGKILL
    workers.append(spawn_worker(address, store_file, queue, tmp_path))
    # With no worker polling, the server refuses updates ("no poller seen"), as it should.
    await wait_for_new_poller(temporal_env.client, queue, killed)

    # The killed worker's sticky queue times out (2 s) and the new worker takes over.
    await approve_and_wait(gw, case_id, timeout=30)
    after = await gw.get_case(case_id)
    assert order_status(shop_sessions, "#W0000003") == "return requested"
    assert count(shop_sessions, ActionRecordRow) == 1
    assert [a.status for a in after.actions] == ["executed"]
    assert after.captured == before.captured and after.captured["order_id"] == "#W0000003"
    assert after.transcript[: len(before.transcript)] == before.transcript
    assert after.decided_approvals[0]["reasons"] == before.pending_approval.reasons  # type: ignore[union-attr]


async def test_dev_server_restarted_on_its_data_file(
    tmp_path: Path, shop_sessions: sessionmaker[Session], policy: Policy
) -> None:
    queue = f"restart-{uuid.uuid4().hex[:8]}"
    async with dev_server(tmp_path / "temporal") as server:
        client = await Client.connect(server.address, data_converter=pydantic_data_converter)
        gw = CaseGateway(client, queue)
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            async with build_worker(
                client,
                make_deps(shop_sessions, policy),
                task_queue=queue,
                executor=pool,
                approval_keys=TRUSTED,
            ):
                case_id = await park_for_approval(gw, uuid.uuid4().hex)
        await server.restart()
        client = await Client.connect(server.address, data_converter=pydantic_data_converter)
        gw = CaseGateway(client, queue)
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            async with build_worker(
                client,
                make_deps(shop_sessions, policy),
                task_queue=queue,
                executor=pool,
                approval_keys=TRUSTED,
            ):
                await approve_and_wait(gw, case_id)
    assert order_status(shop_sessions, "#W0000003") == "return requested"
    assert count(shop_sessions, ActionRecordRow) == 1


class FailsAfterCommit(RetailActions):
    """Commits the action, then loses the answer once: the retry must not act again."""

    failures = 0

    def execute(self, command, *, idempotency_key, authorization):  # type: ignore[no-untyped-def]
        result = super().execute(
            command, idempotency_key=idempotency_key, authorization=authorization
        )
        if FailsAfterCommit.failures == 0:
            FailsAfterCommit.failures += 1
            raise ConnectionError("connection lost after the commit")
        return result


async def test_activity_failing_after_its_side_effect_does_not_double_the_refund(
    temporal_env: WorkflowEnvironment, shop_sessions: sessionmaker[Session], policy: Policy
) -> None:
    queue = f"flaky-{uuid.uuid4().hex[:8]}"
    deps = make_deps(shop_sessions, policy)
    deps = type(deps)(**{**deps.__dict__, "shop": FailsAfterCommit(shop_sessions, policy)})
    gw = CaseGateway(temporal_env.client, queue)
    thread = uuid.uuid4().hex
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        async with build_worker(
            temporal_env.client, deps, task_queue=queue, executor=pool, approval_keys=TRUSTED
        ):
            for text in ("cancel #W0000001 please, ada@example.com, ordered by mistake", "yes"):
                result = await gw.post_message(
                    PostMessageInput(channel="webchat", thread_id=thread, text=text)
                )
    assert FailsAfterCommit.failures == 1
    assert result.replies[-1].text.startswith("Done")
    refunds = count(
        shop_sessions,
        TransactionRow,
        TransactionRow.order_id == "#W0000001",
        TransactionRow.kind == "refund",
    )
    assert refunds == 1
    assert order_status(shop_sessions, "#W0000001") == "cancelled"


async def test_approval_sla_expiry_escalates_and_tells_the_customer(
    shop_sessions: sessionmaker[Session], policy: Policy
) -> None:
    async with time_skipping_env(data_converter=pydantic_data_converter) as env:
        queue = f"sla-{uuid.uuid4().hex[:8]}"
        thread = uuid.uuid4().hex
        case_id = f"case-webchat-{thread}"
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            async with build_worker(
                env.client,
                make_deps(shop_sessions, policy),
                task_queue=queue,
                executor=pool,
                approval_keys=TRUSTED,
            ):
                handle = await env.client.start_workflow(
                    SupportCaseWorkflow.run,
                    CaseInput(
                        case_id=case_id,
                        channel="webchat",
                        thread_id=thread,
                        approval_sla_minutes=240,
                        publish_search_attributes=False,
                    ),
                    id=case_id,
                    task_queue=queue,
                )
                for text in (RETURN_899, "yes"):
                    await handle.execute_update(
                        SupportCaseWorkflow.post_message,
                        PostMessageInput(channel="webchat", thread_id=thread, text=text),
                    )
                assert (
                    await handle.query(SupportCaseWorkflow.get_case)
                ).status.value == "awaiting_approval"
                await env.sleep(timedelta(hours=4, minutes=1))

                async def escalated() -> bool:
                    return (
                        await handle.query(SupportCaseWorkflow.get_case)
                    ).status.value == "escalated"

                await wait_until(escalated, what="SLA escalation")
                view = await handle.query(SupportCaseWorkflow.get_case)
                assert view.handoff is not None and "SLA" in view.handoff.reason
                assert "taking longer than usual" in view.transcript[-1].text
                assert view.pending_approval is not None  # an approver can still decide
                assert order_status(shop_sessions, "#W0000003") == "delivered"
