"""Tracing is off by default, on with an OTLP endpoint; brain calls carry GenAI attributes."""

from __future__ import annotations

import pytest
from opentelemetry import trace

from brain.base import Reply, TokenUsage
from brain.tracing import traced_call
from tests.tracing import span_recorder
from trustdesk.config import Settings
from trustdesk.tracing import tracing_enabled
from workflows.case_trace import case_span_context, case_trace_context, case_trace_id, in_case_span


@pytest.fixture(autouse=True)
def no_otel_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_SDK_DISABLED",
        "TRUSTDESK_OTLP_ENDPOINT",
    ):
        monkeypatch.delenv(name, raising=False)


def test_tracing_is_off_unless_an_endpoint_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not tracing_enabled(Settings())
    assert tracing_enabled(Settings(otlp_endpoint="http://collector:4318/v1/traces"))
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    assert tracing_enabled(Settings())
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert not tracing_enabled(Settings(otlp_endpoint="http://collector:4318/v1/traces"))


def test_every_call_about_a_case_lands_in_the_cases_trace() -> None:
    one = case_trace_context("case-webchat-a")
    again = case_trace_context("case-webchat-a")
    other = case_trace_context("case-webchat-b")
    ids = [trace.get_current_span(c).get_span_context().trace_id for c in (one, again, other)]
    assert ids[0] == ids[1] == case_trace_id("case-webchat-a") != ids[2]


def test_a_call_with_a_caller_is_its_child_and_links_to_the_case() -> None:
    spans = span_recorder()
    tracer = trace.get_tracer("test")
    with (
        tracer.start_as_current_span("POST /api/messages") as request,
        in_case_span("case-webchat-a", "post_message"),
    ):
        pass
    with in_case_span("case-webchat-a", "post_message"):  # the email listener: no caller
        pass
    [called, request_span, alone] = spans.get_finished_spans()
    assert called.name == alone.name == "case.post_message"
    assert called.parent is not None and called.parent.span_id == request.get_span_context().span_id
    assert (
        called.context.trace_id == request_span.context.trace_id != case_trace_id("case-webchat-a")
    )
    assert [link.context for link in called.links] == [case_span_context("case-webchat-a")]
    assert alone.context.trace_id == case_trace_id("case-webchat-a")
    assert alone.parent == case_span_context("case-webchat-a")


class FakeClaude:
    name = "claude"
    model = "claude-sonnet-4-6"

    async def compose(self) -> Reply:
        return Reply(
            text="Done.",
            usage=TokenUsage(
                input_tokens=812, output_tokens=64, cache_read_tokens=700, cache_creation_tokens=0
            ),
        )


async def test_a_brain_call_is_a_genai_span_with_its_token_usage() -> None:
    spans = span_recorder()
    brain = FakeClaude()
    reply = await traced_call(brain, "compose", brain.compose())  # type: ignore[arg-type]
    assert reply.text == "Done."
    [span] = spans.get_finished_spans()
    assert span.name == "chat claude-sonnet-4-6"
    assert dict(span.attributes or {}) == {
        "gen_ai.system": "anthropic",
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "claude-sonnet-4-6",
        "trustdesk.brain.step": "compose",
        "gen_ai.usage.input_tokens": 812,
        "gen_ai.usage.output_tokens": 64,
        "gen_ai.usage.cache_read.input_tokens": 700,
        "gen_ai.usage.cache_creation.input_tokens": 0,
    }
