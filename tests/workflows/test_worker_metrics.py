"""The agent worker's Temporal SDK metrics, served for Prometheus when an address is set."""

from __future__ import annotations

import concurrent.futures
import uuid
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from domain.policy import Policy
from tests.waiting import wait_until
from tests.workflows.conftest import make_deps
from trustdesk.config import Settings
from trustdesk.temporal_server import free_port
from workers.agent import build_worker, temporal_runtime


def test_without_an_address_the_worker_keeps_the_sdk_default(tmp_path: Path) -> None:
    assert temporal_runtime(Settings(data_dir=tmp_path)) is None


async def test_the_worker_reports_its_pollers_at_the_metrics_address(
    temporal_env: WorkflowEnvironment,
    shop_sessions: sessionmaker[Session],
    policy: Policy,
    tmp_path: Path,
) -> None:
    address = f"127.0.0.1:{free_port()}"
    runtime = temporal_runtime(Settings(data_dir=tmp_path, worker_metrics_address=address))
    assert runtime is not None
    client = await Client.connect(
        temporal_env.client.service_client.config.target_host,
        data_converter=pydantic_data_converter,
        runtime=runtime,
    )
    task_queue = f"metrics-{uuid.uuid4().hex[:8]}"
    deps = make_deps(shop_sessions, policy)

    async def pollers() -> float:
        async with httpx.AsyncClient() as http:
            text = (await http.get(f"http://{address}/metrics")).text
        return sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "temporal_num_pollers"
            and sample.labels.get("task_queue") == task_queue
        )

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as executor:
        async with build_worker(client, deps, task_queue=task_queue, executor=executor):
            await wait_until(pollers, what=f"pollers on {task_queue} in the worker's metrics")
