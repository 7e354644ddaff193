"""The agent worker's workflow cache is a setting; a case is answered whatever its size."""

from __future__ import annotations

import concurrent.futures
import uuid

import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment

from domain.policy import Policy
from tests.workflows.conftest import make_deps
from trustdesk.config import Settings
from workers.agent import build_worker
from workflows.contracts import CaseStatus, PostMessageInput
from workflows.gateway import CaseGateway


def test_the_cache_size_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTDESK_WORKER_MAX_CACHED_WORKFLOWS", "250")
    assert Settings().worker_max_cached_workflows == 250
    monkeypatch.setenv("TRUSTDESK_WORKER_MAX_CACHED_WORKFLOWS", "-1")
    with pytest.raises(ValueError):
        Settings()


async def test_a_worker_without_a_cache_rebuilds_the_case_on_every_turn(
    temporal_env: WorkflowEnvironment, shop_sessions: sessionmaker[Session], policy: Policy
) -> None:
    """With no cache every message replays the case from its history first: the second
    turn only gets its answer if the first turn replays exactly as it ran."""
    queue = f"nocache-{uuid.uuid4().hex[:8]}"
    thread = uuid.uuid4().hex
    deps = make_deps(shop_sessions, policy)
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        worker = build_worker(
            temporal_env.client, deps, task_queue=queue, executor=executor, max_cached_workflows=0
        )
        async with worker:
            gw = CaseGateway(temporal_env.client, queue)
            first, second = [
                await gw.post_message(PostMessageInput(channel="webchat", thread_id=thread, text=t))
                for t in ("hi, my email is ada@example.com", "where is my order #W0000002?")
            ]
    assert first.status is CaseStatus.AWAITING_CUSTOMER
    assert "#W0000002" in second.replies[0].text
