"""A case counts the tokens its brain's model spent, turn after turn."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import uuid

from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment

from brain.base import Reply, ReplyRequest, TokenUsage, TurnContext, Understanding
from brain.offline import OfflineBrain
from domain.policy import Policy
from tests.workflows.conftest import make_deps
from workers.agent import build_worker
from workflows.contracts import PostMessageInput
from workflows.gateway import CaseGateway


class MeteredBrain:
    """The offline brain, reporting what each call cost as a model-backed brain does."""

    name = "metered"

    def __init__(self) -> None:
        self.inner = OfflineBrain()

    async def understand(self, turn: TurnContext) -> Understanding:
        understood = await self.inner.understand(turn)
        usage = TokenUsage(input_tokens=100, output_tokens=10, cache_read_tokens=80)
        return understood.model_copy(update={"usage": usage})

    async def compose(self, request: ReplyRequest) -> Reply:
        reply = await self.inner.compose(request)
        return reply.model_copy(update={"usage": TokenUsage(input_tokens=50, output_tokens=20)})


async def test_the_case_view_totals_the_tokens_of_every_turn(
    temporal_env: WorkflowEnvironment, shop_sessions: sessionmaker[Session], policy: Policy
) -> None:
    deps = dataclasses.replace(make_deps(shop_sessions, policy), brain=MeteredBrain())
    queue = f"usage-{uuid.uuid4().hex[:8]}"
    thread = uuid.uuid4().hex
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        worker = build_worker(temporal_env.client, deps, task_queue=queue, executor=executor)
        async with worker:
            gw = CaseGateway(temporal_env.client, queue)
            for text in ("hi, my email is ada@example.com", "where is my order #W0000002?"):
                await gw.post_message(
                    PostMessageInput(channel="webchat", thread_id=thread, text=text)
                )
            case = await gw.get_case(f"case-webchat-{thread}")
    # Two turns, each one understanding and one reply.
    assert case.token_usage == {
        "input_tokens": 300,
        "output_tokens": 60,
        "cache_read_tokens": 160,
        "cache_creation_tokens": 0,
    }
