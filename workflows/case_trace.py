"""Where the spans of a case go when tracing is on (trustdesk/tracing.py).

Each case has a trace of its own, whose id is derived from the case id
(`case_trace_id`), so anything that knows the case can add to it without asking anyone:

- the workflow: `CaseTraceInterceptor` starts every case's workflow in that trace, so
  its run, its update handlers and every activity it schedules (Temporal's tracing
  interceptor parents them all to the start's context) land there, whoever started it;
- each delivery of a reply (`workers/outbox.py`);
- calls about the case from a process with no span of its own (the email listener, the
  CLI): `in_case_span` roots them there.

A call made while a span is current (FastAPI's span of a web request) stays in that
span's trace instead: `in_case_span` makes the request the parent of the call's span,
and with it of Temporal's client span (`StartUpdateWithStartWorkflow:…`,
`StartWorkflowUpdate:…`), and links the call to the case's trace. On the worker,
Temporal's interceptor gives an update handler's span (`HandleUpdate:…`) the workflow's
context as parent and only links it to the caller's span: one span has one parent, and
the workflow's is its start. So a request's trace shows the request and its call into
Temporal; the case's trace shows what the case did, each handler linked to the request
that asked for it.

All of it is the OpenTelemetry API's no-ops while tracing is off.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from temporalio.api.common.v1 import Payload
from temporalio.client import (
    Interceptor,
    OutboundInterceptor,
    StartWorkflowInput,
    StartWorkflowUpdateWithStartInput,
    WorkflowHandle,
    WorkflowUpdateHandle,
)

from workflows.contracts import WORKFLOW_TYPE

if TYPE_CHECKING:
    from temporalio.contrib.opentelemetry import TracingInterceptor


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x00".join(parts).encode()).digest()


def case_trace_id(case_id: str) -> int:
    """The trace id of every span about `case_id` (128 bits of a hash of it, never zero)."""
    return int.from_bytes(_digest(case_id)[:16], "big") or 1


def case_span_context(case_id: str) -> trace.SpanContext:
    """The case's root: a remote span that is never recorded, the same in every process;
    what the case's own spans hang from and what a request's call links to."""
    return trace.SpanContext(
        trace_id=case_trace_id(case_id),
        span_id=int.from_bytes(_digest("span", case_id)[:8], "big") or 1,
        is_remote=True,
        trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
    )


def case_trace_context(
    case_id: str, context: otel_context.Context | None = None
) -> otel_context.Context:
    """`context` (by default an empty one; its baggage is kept) with the case's root as the
    current span: spans started in it join the case's trace."""
    return trace.set_span_in_context(trace.NonRecordingSpan(case_span_context(case_id)), context)


@contextmanager
def in_case_span(case_id: str, operation: str) -> Iterator[None]:
    """A span `case.<operation>` for a call about the case: a child of the caller's span
    when there is one (a web request), linked to the case's trace; else in the case's trace."""
    tracer = trace.get_tracer("trustdesk.gateway")
    if trace.get_current_span().get_span_context().is_valid:
        with tracer.start_as_current_span(
            f"case.{operation}", links=[trace.Link(case_span_context(case_id))]
        ):
            yield
    else:
        with tracer.start_as_current_span(f"case.{operation}", context=case_trace_context(case_id)):
            yield


class CaseTraceInterceptor(Interceptor):
    """Starts every case's workflow in the case's own trace.

    It goes after Temporal's `TracingInterceptor` in a client's interceptors (`tracing`, the
    same instance): that one has put its client span's context in the start's headers; this
    one puts the case's root there instead, in the header and format `tracing` reads, unless
    the call was made in the case's trace already. The update sent with the start keeps the
    caller's context, so the workflow's span for it links back to the call.
    """

    def __init__(self, tracing: TracingInterceptor) -> None:
        self.tracing = tracing

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _StartInCaseTrace(next, self.tracing)


class _StartInCaseTrace(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, tracing: TracingInterceptor) -> None:
        super().__init__(next)
        self._tracing = tracing

    async def start_workflow(self, input: StartWorkflowInput) -> WorkflowHandle[Any, Any]:
        if input.workflow == WORKFLOW_TYPE:
            input.headers = self._in_case_trace(input.id, input.headers)
        return await super().start_workflow(input)

    async def start_update_with_start_workflow(
        self, input: StartWorkflowUpdateWithStartInput
    ) -> WorkflowUpdateHandle[Any]:
        start = input.start_workflow_input
        if start.workflow == WORKFLOW_TYPE:
            start.headers = self._in_case_trace(start.id, start.headers)
        return await super().start_update_with_start_workflow(input)

    def _in_case_trace(self, case_id: str, headers: Mapping[str, Payload]) -> Mapping[str, Payload]:
        tracing = self._tracing
        sent = headers.get(tracing.header_key)
        if sent is None:  # nothing traced this call
            return headers
        carrier: dict[str, Any] = tracing.payload_converter.from_payloads([sent])[0] or {}
        caller = tracing.text_map_propagator.extract(carrier)
        if trace.get_current_span(caller).get_span_context().trace_id == case_trace_id(case_id):
            return headers
        in_case: dict[str, Any] = {}
        tracing.text_map_propagator.inject(in_case, context=case_trace_context(case_id, caller))
        [payload] = tracing.payload_converter.to_payloads([in_case])
        return {**headers, tracing.header_key: payload}


def case_tracing_interceptors() -> list[Interceptor]:
    """Temporal's tracing interceptor and, after it, `CaseTraceInterceptor`: what a client
    of cases needs when tracing is on (a worker inherits the first from its client)."""
    from temporalio.contrib.opentelemetry import TracingInterceptor

    tracing = TracingInterceptor()
    return [tracing, CaseTraceInterceptor(tracing)]
