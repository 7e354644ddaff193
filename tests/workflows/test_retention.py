"""Retention: closed cases past the period lose their conversation and history keys."""

from __future__ import annotations

import concurrent.futures
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.retention import (
    PurgeClosedCasesInput,
    PurgeClosedCasesResult,
    RetentionActivities,
)
from store.models import CaseKeyRow, CaseRow, MessageRow
from tests.temporal_env import time_skipping_env
from trustdesk.encryption import CaseKeys, MasterKeys
from workers.retention import ensure_retention_schedule
from workflows.retention import SCHEDULE_ID, RetentionInput, RetentionWorkflow

MASTER = MasterKeys("k1", {"k1": b"r" * 32})


def add_case(sessions: sessionmaker[Session], keys: CaseKeys, case_id: str, status: str) -> None:
    with sessions() as session:
        session.add(
            CaseRow(
                id=case_id,
                channel="webchat",
                thread_id=case_id,
                customer_id="ada_lovelace_1",
                status=status,
                captured={"email": "ada@example.com"},
            )
        )
        session.add(MessageRow(case_id=case_id, seq=1, role="customer", text="ada@example.com"))
        session.commit()
    keys.current(case_id)


def messages_of(sessions: sessionmaker[Session], case_id: str) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(MessageRow.text).where(MessageRow.case_id == case_id)))


async def test_the_retention_workflow_purges_closed_cases_once_the_period_has_passed(
    shop_sessions: sessionmaker[Session],
) -> None:
    keys = CaseKeys(shop_sessions, MASTER)
    closed, still_open = "case-webchat-old", "case-webchat-open"
    add_case(shop_sessions, keys, closed, "resolved")
    add_case(shop_sessions, keys, still_open, "awaiting_customer")
    async with time_skipping_env(data_converter=pydantic_data_converter) as env:
        queue = f"retention-{uuid.uuid4().hex[:8]}"
        activities = RetentionActivities(shop_sessions, keys)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            async with Worker(
                env.client,
                task_queue=queue,
                workflows=[RetentionWorkflow],
                activities=[activities.purge_closed_cases],
                activity_executor=pool,
            ):

                async def run_retention() -> PurgeClosedCasesResult:
                    return await env.client.execute_workflow(
                        RetentionWorkflow.run,
                        RetentionInput(retention_days=30),
                        id=f"retention-{uuid.uuid4().hex[:8]}",
                        task_queue=queue,
                    )

                early = await run_retention()
                assert (early.cases, early.keys_shredded) == (0, 0)
                assert messages_of(shop_sessions, closed) == ["ada@example.com"]

                await env.sleep(timedelta(days=31))
                later = await run_retention()
                assert (later.cases, later.keys_shredded) == (1, 1)
                again = await run_retention()
                assert again.cases == 0

    assert messages_of(shop_sessions, closed) == []
    assert messages_of(shop_sessions, still_open) == ["ada@example.com"]
    with shop_sessions() as session:
        row = session.get(CaseRow, closed)
        assert row is not None and row.captured == {} and row.customer_id is None
        assert row.status == "resolved"  # kept for the numbers
        wrapped = {k.workflow_id: k.wrapped for k in session.scalars(select(CaseKeyRow)).all()}
        assert wrapped[closed] is None and wrapped[still_open] is not None


async def test_the_worker_keeps_one_daily_retention_schedule(
    temporal_env: WorkflowEnvironment,
) -> None:
    client: Client = temporal_env.client
    await ensure_retention_schedule(client, 90, "cases-retention")
    await ensure_retention_schedule(client, 30, "cases-retention")  # the period changed
    described = await client.get_schedule_handle(SCHEDULE_ID).describe()
    assert described.schedule.spec.intervals[0].every == timedelta(days=1)
    action = described.schedule.action
    args = await client.data_converter.decode(action.args)  # type: ignore[attr-defined]
    assert args[0]["retention_days"] == 30
    await client.get_schedule_handle(SCHEDULE_ID).delete()


async def test_retention_deletes_the_purged_cases_executions_and_only_theirs(
    temporal_env: WorkflowEnvironment, shop_sessions: sessionmaker[Session]
) -> None:
    client: Client = temporal_env.client
    keys = CaseKeys(shop_sessions, MASTER)
    suffix = uuid.uuid4().hex[:8]
    closed, gone, still_open = (f"case-webchat-{n}-{suffix}" for n in ("closed", "gone", "open"))
    add_case(shop_sessions, keys, closed, "resolved")
    add_case(shop_sessions, keys, gone, "closed")  # its execution is already gone
    add_case(shop_sessions, keys, still_open, "escalated")
    # Executions nobody works on: one for the closed case, one for the open one.
    queue = f"nobody-{suffix}"
    for case_id in (closed, still_open):
        await client.start_workflow("SupportCaseWorkflow", id=case_id, task_queue=queue)
    activities = RetentionActivities(shop_sessions, keys, client)

    result = await activities.purge_closed_cases(
        PurgeClosedCasesInput(cutoff=datetime.now(UTC) + timedelta(days=1))
    )

    assert (result.cases, result.keys_shredded, result.executions_deleted) == (2, 2, 1)

    # The server accepted the deletion (counted above) and deletes in the background, which
    # the erasure test waits out; here it is enough that the closed case no longer runs.
    try:
        gone_or_ended = (await client.get_workflow_handle(closed).describe()).status
    except RPCError as exc:
        assert exc.status == RPCStatusCode.NOT_FOUND
    else:
        assert gone_or_ended == WorkflowExecutionStatus.TERMINATED
    described = await client.get_workflow_handle(still_open).describe()
    assert described.status == WorkflowExecutionStatus.RUNNING
    assert messages_of(shop_sessions, closed) == []
    await client.get_workflow_handle(still_open).terminate(reason="test over")
