"""The action's activity words its reply; a brain that fails then cannot undo or repeat it."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import uuid
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from brain.base import Reply, ReplyRequest, TurnContext, Understanding
from brain.errors import BrainRequestRejected
from brain.offline import OfflineBrain
from domain.policy import Policy
from tests.workflows.conftest import CaseHarness, make_deps
from tests.workflows.test_case_workflow import refunds, status_of
from workers.agent import build_worker
from workflows.contracts import PostMessageInput
from workflows.gateway import CaseGateway


class BrainDownAfterTheAction:
    """The offline brain, except that it cannot word the reply to an executed action."""

    name = "down-after-action"

    def __init__(self) -> None:
        self.inner = OfflineBrain()
        self.refused: list[str] = []

    async def understand(self, turn: TurnContext) -> Understanding:
        return await self.inner.understand(turn)

    async def compose(self, request: ReplyRequest) -> Reply:
        if request.step == "executed":
            self.refused.append(request.step)
            raise BrainRequestRejected("the model service refused the request")
        return await self.inner.compose(request)


async def test_the_customer_hears_of_the_action_when_the_brain_fails_after_it(
    temporal_env: WorkflowEnvironment, shop_sessions: sessionmaker[Session], policy: Policy
) -> None:
    brain = BrainDownAfterTheAction()
    deps = dataclasses.replace(make_deps(shop_sessions, policy), brain=brain)
    queue = f"action-reply-{uuid.uuid4().hex[:8]}"
    thread = uuid.uuid4().hex
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        async with build_worker(temporal_env.client, deps, task_queue=queue, executor=executor):
            gw = CaseGateway(temporal_env.client, queue)
            for text in (
                "please cancel order #W0000001, ordered by mistake, email ada@example.com",
                "yes",
            ):
                result = await gw.post_message(
                    PostMessageInput(channel="webchat", thread_id=thread, text=text)
                )
            case_id = f"case-webchat-{thread}"
            history = await gw.handle(case_id).fetch_history()
            case = await gw.get_case(case_id)

    # The template words the outcome from the same facts the brain was given.
    assert brain.refused == ["executed"]
    assert result.replies[-1].text.startswith("Done")
    assert "149.99" in result.replies[-1].text
    # One action, one attempt, one refund: nothing was retried for the brain's sake.
    started = [
        e.activity_task_started_event_attributes.attempt
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
    ]
    assert started and set(started) == {1}
    shop = CaseHarness(temporal_env.client, queue, shop_sessions, deps)
    assert status_of(shop, "#W0000001") == "cancelled"
    assert refunds(shop, "#W0000001") == [Decimal("149.99")]
    assert [a.status for a in case.actions] == ["executed"]
    assert case.status.value == "resolved"
