"""The latency floor: a bare workflow shaped like a case's first turn, doing nothing else.

`LatencyFloorWorkflow` answers one `post_message` update, sent with the same
update-with-start call the web process uses for a case. It runs as many activities
before the reply, local activities in the workflow task that sends it, and
activities after it, as the product's first turn does, one after the other; the
activities return at once. What remains of the round trip is what
Temporal itself costs for that shape of turn (start, update, activity and workflow
task round trips, on the same server and in the same process), the floor under
which no amount of work on the agent's hot path can bring the first reply.

`bench.latency` counts the activities from a real case's history, starts
a floor worker next to the agent worker and compares the two.
"""

from __future__ import annotations

import concurrent.futures
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field
from temporalio import activity, workflow
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import RetryPolicy, WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import AgentReply, CaseStatus, PostMessageInput, PostMessageResult

FLOOR_WORKFLOW_TYPE = "LatencyFloorWorkflow"
_STEP_OPTIONS = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(initial_interval=timedelta(milliseconds=200)),
}


class FloorInput(BaseModel):
    """How many activities the turn runs before its reply, with it (local), and after it."""

    model_config = ConfigDict(extra="forbid")

    activities_before_reply: int = Field(ge=0, le=100)
    activities_after_reply: int = Field(ge=0, le=100)
    local_activities_with_reply: int = Field(default=0, ge=0, le=100)


@activity.defn(name="floor_do_nothing")
async def do_nothing(step: int) -> int:
    """Return at once: the floor measures the orchestration, not the work."""
    return step


@workflow.defn(name=FLOOR_WORKFLOW_TYPE)
class LatencyFloorWorkflow:
    @workflow.init
    def __init__(self, inp: FloorInput) -> None:
        self._inbox: list[PostMessageInput] = []
        self._reply: PostMessageResult | None = None

    @workflow.run
    async def run(self, inp: FloorInput) -> int:
        await workflow.wait_condition(lambda: bool(self._inbox))
        message = self._inbox.pop(0)
        step = 0
        for _ in range(inp.activities_before_reply):
            step = await workflow.execute_activity(do_nothing, step + 1, **_STEP_OPTIONS)  # type: ignore[call-overload]
        self._reply = PostMessageResult(
            case_id=workflow.info().workflow_id,
            status=CaseStatus.AWAITING_CUSTOMER,
            replies=[AgentReply(text=f"floor reply to {len(message.text)} characters")],
        )
        # Scheduled in the activation that completes the update: the reply leaves with the
        # workflow task, once these are done, as a case's reply leaves with `record_case`.
        for _ in range(inp.local_activities_with_reply):
            step = await workflow.execute_local_activity(do_nothing, step + 1, **_STEP_OPTIONS)  # type: ignore[call-overload]
        for _ in range(inp.activities_after_reply):
            step = await workflow.execute_activity(do_nothing, step + 1, **_STEP_OPTIONS)  # type: ignore[call-overload]
        await workflow.wait_condition(workflow.all_handlers_finished)
        return step

    @workflow.update
    async def post_message(self, message: PostMessageInput) -> PostMessageResult:
        self._inbox.append(message)
        await workflow.wait_condition(lambda: self._reply is not None)
        if self._reply is None:  # cannot happen after the condition; narrows the type
            raise ApplicationError("the floor turn ended without a reply", non_retryable=True)
        return self._reply


def build_floor_worker(
    client: Client, *, task_queue: str, executor: concurrent.futures.Executor
) -> Worker:
    """A worker for the floor workflow and its do-nothing activity."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[LatencyFloorWorkflow],
        activities=[do_nothing],
        activity_executor=executor,
    )


async def post_floor_message(
    client: Client, message: PostMessageInput, workflow_id: str, task_queue: str, shape: FloorInput
) -> PostMessageResult:
    """The floor's first turn, sent exactly as `CaseGateway.post_message` sends a case's."""
    start = WithStartWorkflowOperation(
        LatencyFloorWorkflow.run,
        shape,
        id=workflow_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    return await client.execute_update_with_start_workflow(
        LatencyFloorWorkflow.post_message, message, start_workflow_operation=start
    )
