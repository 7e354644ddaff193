"""Tracing through Temporal's interceptor, recorded by the SDK's in-memory exporter: a web
request's span is the parent of its call about the case and of Temporal's client span for
it; the case's workflow, update handlers and activities (brain calls with GenAI attributes
among them) are one trace of their own, derived from the case id, each handler linked to
the request's call."""

from __future__ import annotations

import concurrent.futures
import uuid
from pathlib import Path

import httpx
from opentelemetry.sdk.trace import ReadableSpan
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from domain.policy import Policy
from tests.tracing import span_recorder
from tests.workflows.conftest import TEST_APPROVAL_KEY, make_deps
from trustdesk.approval_keys import encode_private_key, public_bytes
from trustdesk.config import Settings
from web.app import create_app
from workers.agent import build_worker
from workflows.case_trace import case_span_context, case_trace_id, case_tracing_interceptors
from workflows.gateway import CaseGateway


async def test_requests_parent_their_calls_and_the_case_is_one_trace_linked_to_them(
    temporal_env: WorkflowEnvironment,
    shop_sessions: sessionmaker[Session],
    policy: Policy,
    tmp_path: Path,
) -> None:
    spans = span_recorder()
    traced = Client(**{**temporal_env.client.config(), "interceptors": case_tracing_interceptors()})
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
    by_id = {s.context.span_id: s for s in finished}

    def parent_of(span: ReadableSpan) -> ReadableSpan | None:
        return by_id.get(span.parent.span_id) if span.parent else None

    def request_of(span: ReadableSpan) -> ReadableSpan | None:
        """The HTTP request span above `span` (FastAPI puts its endpoint's span between)."""
        above = parent_of(span)
        while above is not None and above.name != "POST /api/messages":
            above = parent_of(above)
        return above

    # Each web request: request → case.post_message → Temporal's client span, one trace.
    requests = [s for s in finished if s.name == "POST /api/messages"]
    calls = [s for s in finished if s.name == "case.post_message"]
    starts = [s for s in finished if s.name == "StartUpdateWithStartWorkflow:SupportCaseWorkflow"]
    assert len(requests) == len(calls) == len(starts) == 2
    assert sorted(id(request_of(c)) for c in calls) == sorted(id(r) for r in requests)
    assert sorted(id(parent_of(s)) for s in starts) == sorted(id(c) for c in calls)
    assert len({r.context.trace_id for r in requests}) == 2
    case_trace = case_trace_id(case_id)
    assert case_trace not in {s.context.trace_id for s in [*requests, *calls, *starts]}
    for call in calls:  # and it links to the case's trace
        assert [link.context for link in call.links] == [case_span_context(case_id)]

    # The case: its workflow, both update handlers and the activities, in its own trace.
    in_case = [s for s in finished if s.context.trace_id == case_trace]
    names = [s.name for s in in_case]
    [run] = [s for s in in_case if s.name == "RunWorkflow:SupportCaseWorkflow"]
    assert run.parent == case_span_context(case_id)
    assert any(name.startswith("RunActivity:support.understand") for name in names), names
    handled = [s for s in in_case if s.name == "HandleUpdate:post_message"]
    assert len(handled) == 2
    # each handler links to the call that sent its message (a span has one parent: the
    # workflow's; the interceptor links the update's caller)
    linked = {link.context.span_id for s in handled for link in s.links}
    assert linked == {s.context.span_id for s in starts}
    # Nothing else: every span is the case's or one of the two requests'.
    traces = {case_trace} | {r.context.trace_id for r in requests}
    assert {s.context.trace_id for s in finished} == traces

    brain = [s for s in finished if (s.attributes or {}).get("gen_ai.system")]
    assert brain and all(s.context.trace_id == case_trace for s in brain)
    assert all((s.attributes or {}).get("gen_ai.request.model") == "offline" for s in brain)
    steps = {(s.attributes or {}).get("trustdesk.brain.step") for s in brain}
    assert steps == {"understand", "compose"}
