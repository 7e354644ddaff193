"""Waiting until a worker polls a task queue (a restarted worker needs a moment)."""

from __future__ import annotations

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from tests.waiting import wait_until


async def pollers(client: Client, task_queue: str) -> set[str]:
    """Identities of the workers that polled ``task_queue`` for workflow tasks lately."""
    answer = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return {p.identity for p in answer.pollers}


async def wait_for_new_poller(
    client: Client,
    task_queue: str,
    known: frozenset[str] | set[str] = frozenset(),
    timeout: float = 120,
) -> set[str]:
    """Wait until a worker other than ``known`` polls ``task_queue``; every poller then."""

    async def fresh() -> set[str]:
        seen = await pollers(client, task_queue)
        return seen if seen - set(known) else set()

    return await wait_until(fresh, timeout=timeout, what=f"a new worker polls {task_queue}")
