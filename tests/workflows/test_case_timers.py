"""A case's timers under time skipping: the idle close, armed once and re-armed only when due."""

from __future__ import annotations

import concurrent.futures
import uuid
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.contrib.pydantic import pydantic_data_converter

from domain.policy import Policy
from store.models import CaseRow
from tests.temporal_env import time_skipping_env
from tests.workflows.conftest import make_deps
from workers.agent import build_worker
from workflows.case import SupportCaseWorkflow
from workflows.contracts import CaseInput, PostMessageInput


async def test_an_idle_case_closes_once_quiet_for_its_idle_period(
    shop_sessions: sessionmaker[Session], policy: Policy
) -> None:
    async with time_skipping_env(data_converter=pydantic_data_converter) as env:
        queue = f"idle-{uuid.uuid4().hex[:8]}"
        thread = uuid.uuid4().hex
        case_id = f"case-webchat-{thread}"
        deps = make_deps(shop_sessions, policy)
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            async with build_worker(env.client, deps, task_queue=queue, executor=pool):
                handle = await env.client.start_workflow(
                    SupportCaseWorkflow.run,
                    CaseInput(
                        case_id=case_id,
                        channel="webchat",
                        thread_id=thread,
                        idle_close_hours=2,
                        publish_search_attributes=False,
                    ),
                    id=case_id,
                    task_queue=queue,
                )

                async def say(text: str) -> None:
                    await handle.execute_update(
                        SupportCaseWorkflow.post_message,
                        PostMessageInput(channel="webchat", thread_id=thread, text=text),
                    )

                await say("Hi, I want to cancel order #W0000001")
                await env.sleep(timedelta(hours=1))
                await say("my email is ada@example.com")
                # The timer armed at the start rings at 2 h; the case was active at 1 h,
                # so it waits until 3 h instead of closing.
                await env.sleep(timedelta(hours=1, minutes=30))
                view = await handle.query(SupportCaseWorkflow.get_case)
                assert view.status.value == "awaiting_customer"

                assert await handle.result() == "closed"

        history = await handle.fetch_history()
        started = [
            e for e in history.events if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED
        ]
        assert len(started) == 2  # armed once, re-armed once; never per wait
        fired_at = [
            e.event_time.ToDatetime()
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_TIMER_FIRED
        ]
        began = history.events[0].event_time.ToDatetime()
        assert [round((t - began) / timedelta(hours=1)) for t in fired_at] == [2, 3]
    with shop_sessions() as s:
        assert s.get(CaseRow, case_id).status == "closed"  # type: ignore[union-attr]
