"""One case is one trace: its web requests, its workflow and its activities (brain calls
with GenAI attributes among them) share one trace id, through Temporal's tracing
interceptor on the client and the worker it serves, recorded by the SDK's in-memory exporter."""

from __future__ import annotations

import concurrent.futures
import uuid
from pathlib import Path

import httpx
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.testing import WorkflowEnvironment

from domain.policy import Policy
from tests.tracing import span_recorder
from tests.workflows.conftest import TEST_APPROVAL_KEY, make_deps
from trustdesk.approval_keys import encode_private_key, public_bytes
from trustdesk.config import Settings
from web.app import create_app
from workers.agent import build_worker
from workflows.gateway import CaseGateway, case_trace_id


async def test_one_cases_web_requests_workflow_and_activities_share_one_trace(
    temporal_env: WorkflowEnvironment,
    shop_sessions: sessionmaker[Session],
    policy: Policy,
    tmp_path: Path,
) -> None:
    spans = span_recorder()
    traced = Client(**{**temporal_env.client.config(), "interceptors": [TracingInterceptor()]})
    queue = f"cases-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        data_dir=tmp_path / "web",
        secret_key="tracing-test-" + "t" * 32,
        task_queue=queue,
        approval_signing_key=encode_private_key(TEST_APPROVAL_KEY),
    )
    app = create_app(settings, gateway=CaseGateway(traced, queue), sessions=shop_sessions)
    thread = uuid.uuid4().hex
    case_id = f"case-webchat-{thread}"
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        worker = build_worker(
            traced,  # the worker inherits the client's tracing interceptor
            make_deps(shop_sessions, policy),
            task_queue=queue,
            executor=executor,
            approval_keys=[public_bytes(TEST_APPROVAL_KEY)],
        )
        async with worker, httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://trustdesk.test", timeout=60
        ) as http:
            for text in ("cancel #W0000001 please, ada@example.com, ordered by mistake", "yes"):
                r = await http.post(
                    "/api/messages",
                    json={"channel": "webchat", "thread_id": thread, "text": text},
                )
                assert r.status_code == 200, r.text
            assert r.json()["replies"][-1]["text"].startswith("Done")
    finished = spans.get_finished_spans()
    # FastAPI's own HTTP spans start before the case is known, each in a trace of its own;
    # the case's span in the web process links to its request's.
    http_spans = [s for s in finished if s.name == "POST /api/messages"]
    in_case = [s for s in finished if s.context.trace_id == case_trace_id(case_id)]
    names = {span.name for span in in_case}
    outside = {s.name for s in finished} - names - {s.name for s in http_spans}
    assert not {name for name in outside if not name.startswith("fastapi.")}, outside
    web_spans = [s for s in in_case if s.name == "case.post_message"]
    assert len(web_spans) == 2  # both web requests
    linked = {link.context.trace_id for s in web_spans for link in s.links}
    assert linked == {s.context.trace_id for s in http_spans} and len(linked) == 2
    assert {s.resource.attributes.get("service.name") for s in in_case}  # one provider here
    assert "StartUpdateWithStartWorkflow:SupportCaseWorkflow" in names
    assert "RunWorkflow:SupportCaseWorkflow" in names
    assert any(name.startswith("RunActivity:") for name in names), names
    brain = [s for s in finished if (s.attributes or {}).get("gen_ai.system")]
    assert brain and all(
        (s.attributes or {}).get("gen_ai.request.model") == "offline" for s in brain
    )
    steps = {(s.attributes or {}).get("trustdesk.brain.step") for s in brain}
    assert steps == {"understand", "compose"}
