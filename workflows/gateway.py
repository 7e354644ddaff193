"""The client side of case workflows, shared by the web process, channel workers and tests.

It names the workflow, its updates and its queries rather than importing
`workflows/case.py`, so a process that only talks to cases (web, email) loads
neither the graph nor LangGraph. `tests/unit/test_gateway_names.py` holds the names
against `SupportCaseWorkflow`.

Every call that changes a case runs in a span `case.<update>` (`workflows/case_trace.py`):
a child of the caller's span when there is one (a web request), else in the case's own
trace, where the case's workflow and activities are. With tracing off these spans are the
OpenTelemetry API's no-ops.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from temporalio.client import (
    Client,
    Interceptor,
    WithStartWorkflowOperation,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateStage,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.service import TLSConfig

from workflows.case_trace import in_case_span
from workflows.contracts import (
    LIVE_CHANNELS,
    CaseInput,
    CaseView,
    HandoffActionInput,
    HumanReplyInput,
    PendingApproval,
    PostMessageInput,
    PostMessageResult,
    SendDraftInput,
    SubmitApprovalInput,
    SubmitApprovalResult,
    case_id_for,
)

#: `SupportCaseWorkflow`'s type name, and its updates and queries by name.
WORKFLOW = "SupportCaseWorkflow"
POST_MESSAGE = "post_message"
SUBMIT_APPROVAL = "submit_approval"
POST_HUMAN_REPLY = "post_human_reply"
HAND_BACK = "hand_back"
CLOSE_CASE = "close_case"
SEND_DRAFT = "send_draft"
GET_CASE = "get_case"
GET_PENDING_APPROVAL = "get_pending_approval"


async def connect(
    address: str,
    namespace: str = "default",
    *,
    tls: TLSConfig | bool = False,
    api_key: str | None = None,
    data_converter: DataConverter = pydantic_data_converter,
    interceptors: Sequence[Interceptor] = (),
) -> Client:
    """A Temporal client with the pydantic data converter every client of cases needs
    (`trustdesk.temporal_client.connect` passes the deployment's TLS and API key, and the
    same converter with payload encryption)."""
    return await Client.connect(
        address,
        namespace=namespace,
        data_converter=data_converter,
        tls=tls,
        api_key=api_key,
        interceptors=interceptors,
    )


class CaseGateway:
    """Start, message, query and decide cases; one instance per process."""

    def __init__(self, client: Client, task_queue: str, approval_sla_minutes: int = 240) -> None:
        self.client = client
        self.task_queue = task_queue
        self.approval_sla_minutes = approval_sla_minutes

    def handle(self, case_id: str) -> WorkflowHandle[Any, str]:
        return self.client.get_workflow_handle(case_id, result_type=str)

    def _start(self, message: PostMessageInput) -> WithStartWorkflowOperation[Any, Any]:
        case_id = case_id_for(message.channel, message.thread_id)
        return WithStartWorkflowOperation(
            WORKFLOW,
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
            result_type=str,
        )

    async def post_message(self, message: PostMessageInput) -> PostMessageResult:
        """Deliver a customer message to its case, starting the case if it is new.

        A message with a `message_id` is sent as the update of that id, so a channel
        that hands the same message over twice (an MTA retrying, a provider
        redelivering) gets the first answer back instead of a second turn.
        """
        with in_case_span(case_id_for(message.channel, message.thread_id), POST_MESSAGE):
            result: PostMessageResult = await self.client.execute_update_with_start_workflow(
                POST_MESSAGE,
                message,
                start_workflow_operation=self._start(message),
                id=message.message_id,
                result_type=PostMessageResult,
            )
        return result

    async def accept_message(self, message: PostMessageInput) -> str:
        """Hand a message to its case and return the case id once the case has accepted it.

        For channels whose replies go out through the outbox (email, webhooks): the
        message is durable in the case's history when this returns, and the agent's
        turn runs on without the caller waiting for it.
        """
        case_id = case_id_for(message.channel, message.thread_id)
        with in_case_span(case_id, POST_MESSAGE):
            await self.client.start_update_with_start_workflow(
                POST_MESSAGE,
                message,
                start_workflow_operation=self._start(message),
                wait_for_stage=WorkflowUpdateStage.ACCEPTED,
                id=message.message_id,
                result_type=PostMessageResult,
            )
        return case_id

    async def get_case(self, case_id: str) -> CaseView:
        view: CaseView = await self.handle(case_id).query(GET_CASE, result_type=CaseView)
        return view

    async def get_pending_approval(self, case_id: str) -> PendingApproval | None:
        pending: PendingApproval | None = await self.handle(case_id).query(
            GET_PENDING_APPROVAL, result_type=PendingApproval | None  # type: ignore[arg-type]
        )
        return pending

    async def submit_approval(
        self, case_id: str, decision: SubmitApprovalInput
    ) -> SubmitApprovalResult:
        with in_case_span(case_id, SUBMIT_APPROVAL):
            result: SubmitApprovalResult = await self.handle(case_id).execute_update(
                SUBMIT_APPROVAL, decision, result_type=SubmitApprovalResult
            )
        return result

    async def post_human_reply(self, case_id: str, reply: HumanReplyInput) -> str:
        with in_case_span(case_id, POST_HUMAN_REPLY):
            said = await self.handle(case_id).execute_update(
                POST_HUMAN_REPLY, reply, result_type=str
            )
        return str(said)

    async def hand_back(self, case_id: str, inp: HandoffActionInput) -> str:
        with in_case_span(case_id, HAND_BACK):
            said = await self.handle(case_id).execute_update(HAND_BACK, inp, result_type=str)
        return str(said)

    async def close_case(self, case_id: str, inp: HandoffActionInput) -> str:
        with in_case_span(case_id, CLOSE_CASE):
            said = await self.handle(case_id).execute_update(CLOSE_CASE, inp, result_type=str)
        return str(said)

    async def send_draft(self, case_id: str, inp: SendDraftInput) -> str:
        """Send a shadow-mode draft to the customer, as drafted or edited."""
        with in_case_span(case_id, SEND_DRAFT):
            said = await self.handle(case_id).execute_update(SEND_DRAFT, inp, result_type=str)
        return str(said)


def refusal_type(err: WorkflowUpdateFailedError) -> str | None:
    """The `ApplicationError.type` a validator refused an update with."""
    cause = err.cause
    return getattr(cause, "type", None)
