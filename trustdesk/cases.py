"""The client side of case workflows, shared by the web process, channel workers and tests."""

from __future__ import annotations

from typing import Any

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateStage,
)
from temporalio.common import WorkflowIDConflictPolicy

from workflows.case import SupportCaseWorkflow
from workflows.contracts import (
    LIVE_CHANNELS,
    CaseInput,
    CaseView,
    HandoffActionInput,
    HumanReplyInput,
    PendingApproval,
    PostMessageInput,
    PostMessageResult,
    SubmitApprovalInput,
    SubmitApprovalResult,
    case_id_for,
)


class CaseGateway:
    """Start, message, query and decide cases; one instance per process."""

    def __init__(self, client: Client, task_queue: str, approval_sla_minutes: int = 240) -> None:
        self.client = client
        self.task_queue = task_queue
        self.approval_sla_minutes = approval_sla_minutes

    def handle(self, case_id: str) -> WorkflowHandle[SupportCaseWorkflow, str]:
        return self.client.get_workflow_handle_for(SupportCaseWorkflow.run, case_id)

    def _start(self, message: PostMessageInput) -> WithStartWorkflowOperation[Any, Any]:
        case_id = case_id_for(message.channel, message.thread_id)
        return WithStartWorkflowOperation(
            SupportCaseWorkflow.run,
            CaseInput(
                case_id=case_id,
                channel=message.channel,
                thread_id=message.thread_id,
                approval_sla_minutes=self.approval_sla_minutes,
                deliver_replies=message.channel not in LIVE_CHANNELS,
            ),
            id=case_id,
            task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )

    async def post_message(self, message: PostMessageInput) -> PostMessageResult:
        """Deliver a customer message to its case, starting the case if it is new.

        A message with a `message_id` is sent as the update of that id, so a channel
        that hands the same message over twice (an MTA retrying, a provider
        redelivering) gets the first answer back instead of a second turn.
        """
        return await self.client.execute_update_with_start_workflow(
            SupportCaseWorkflow.post_message,
            message,
            start_workflow_operation=self._start(message),
            id=message.message_id,
        )

    async def accept_message(self, message: PostMessageInput) -> str:
        """Hand a message to its case and return the case id once the case has accepted it.

        For channels whose replies go out through the outbox (email, webhooks): the
        message is durable in the case's history when this returns, and the agent's
        turn runs on without the caller waiting for it.
        """
        await self.client.start_update_with_start_workflow(
            SupportCaseWorkflow.post_message,
            message,
            start_workflow_operation=self._start(message),
            wait_for_stage=WorkflowUpdateStage.ACCEPTED,
            id=message.message_id,
        )
        return case_id_for(message.channel, message.thread_id)

    async def get_case(self, case_id: str) -> CaseView:
        return await self.handle(case_id).query(SupportCaseWorkflow.get_case)

    async def get_pending_approval(self, case_id: str) -> PendingApproval | None:
        return await self.handle(case_id).query(SupportCaseWorkflow.get_pending_approval)

    async def submit_approval(self, case_id: str, decision: SubmitApprovalInput) -> SubmitApprovalResult:
        return await self.handle(case_id).execute_update(SupportCaseWorkflow.submit_approval, decision)

    async def post_human_reply(self, case_id: str, reply: HumanReplyInput) -> str:
        return await self.handle(case_id).execute_update(SupportCaseWorkflow.post_human_reply, reply)

    async def hand_back(self, case_id: str, inp: HandoffActionInput) -> str:
        return await self.handle(case_id).execute_update(SupportCaseWorkflow.hand_back, inp)

    async def close_case(self, case_id: str, inp: HandoffActionInput) -> str:
        return await self.handle(case_id).execute_update(SupportCaseWorkflow.close_case, inp)


def refusal_type(err: WorkflowUpdateFailedError) -> str | None:
    """The `ApplicationError.type` a validator refused an update with."""
    cause = err.cause
    return getattr(cause, "type", None)
