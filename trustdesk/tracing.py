"""OpenTelemetry tracing for every process that talks to Temporal; off unless configured.

Tracing is on when `TRUSTDESK_OTLP_ENDPOINT` is set (an OTLP/HTTP traces URL such as
`http://collector:4318/v1/traces`) or when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` /
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` variables are (the exporter then reads them and the
other `OTEL_EXPORTER_OTLP_*` settings itself); `OTEL_SDK_DISABLED=true` turns it off
whatever else is set. Each process names itself `trustdesk-<process>` unless
`OTEL_SERVICE_NAME` says otherwise.

When on, every Temporal client gets Temporal's `TracingInterceptor` (workers inherit it from
their client) followed by `workflows.case_trace.CaseTraceInterceptor`, which starts each case's
workflow in the case's own trace (its id derived from the case id): the workflow, its update
handlers and its activities, and the outbox's deliveries of its replies (`workers/outbox.py`),
are one trace per case. A web request's span is the parent of the calls it makes about a case
(`workflows.case_trace.in_case_span`) and of Temporal's client spans for them; the case's
trace links to them. Each brain call is a GenAI span (`brain/tracing.py`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from temporalio.client import Interceptor

if TYPE_CHECKING:
    from trustdesk.config import Settings

_STANDARD_ENDPOINTS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
_configured: TracerProvider | None = None


class TracingUnavailableError(RuntimeError):
    """Tracing is configured but the OTLP exporter is not installed."""


def tracing_enabled(settings: Settings) -> bool:
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return bool(settings.otlp_endpoint) or any(os.environ.get(v) for v in _STANDARD_ENDPOINTS)


def otlp_exporter(settings: Settings) -> SpanExporter:
    """The OTLP/HTTP span exporter (the optional `otlp` extra)."""
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as exc:  # pragma: no cover - depends on what is installed
        raise TracingUnavailableError(
            "tracing is configured but its exporter is not installed: "
            "pip install 'trustdesk[otlp]' (opentelemetry-exporter-otlp-proto-http)"
        ) from exc
    exporter: SpanExporter = OTLPSpanExporter(endpoint=settings.otlp_endpoint or None)
    return exporter


def configure_tracing(
    settings: Settings, process: str, exporter: SpanExporter | None = None
) -> TracerProvider | None:
    """Install this process's tracer provider, once; None while tracing is off."""
    global _configured
    if _configured is not None:
        return _configured
    if exporter is None and not tracing_enabled(settings):
        return None
    resource = Resource.create(
        {"service.name": os.environ.get("OTEL_SERVICE_NAME") or f"trustdesk-{process}"}
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(exporter or otlp_exporter(settings)))
    trace.set_tracer_provider(provider)
    _configured = provider
    return provider


def tracing_interceptors(settings: Settings, process: str) -> list[Interceptor]:
    """Temporal's tracing interceptor, then the one that starts cases in their own trace,
    when tracing is on (configuring it first); else none."""
    if configure_tracing(settings, process) is None:
        return []
    from workflows.case_trace import case_tracing_interceptors

    return case_tracing_interceptors()
