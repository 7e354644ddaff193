"""Prometheus metrics for operators: `GET /metrics` on the web process.

`install(app, context)` gives the app its own registry with

* the store's counts, read per scrape (`collector.StoreCollector`),
* the web process's requests and the customer's wait for a chat reply
  (`requests.RecordRequests`),
* the process's CPU, memory and garbage collector, and the Trustdesk version,

and the endpoint (`endpoint.py`), which only holders of `TRUSTDESK_METRICS_TOKEN` can read.
The review UI's charts (`/review/metrics`) are a separate page for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fastapi import FastAPI
from prometheus_client import (
    CollectorRegistry,
    GCCollector,
    Info,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)

import trustdesk
from web.deps import WebContext
from web.monitoring import endpoint
from web.monitoring.collector import StoreCollector
from web.monitoring.requests import RecordRequests, RequestMetrics


@dataclass(frozen=True)
class Monitoring:
    """What `install` built; kept on `app.state.monitoring`."""

    registry: CollectorRegistry
    requests: RequestMetrics
    store: StoreCollector


def install(app: FastAPI, context: WebContext) -> Monitoring:
    """Count `app`'s requests and serve `GET /metrics`; call after adding other middleware,
    so requests they refuse (a body over the limit) are counted too."""
    # The text format would show each counter's start time as a gauge of its own
    # (`…_created`): a second series per label set that nobody here reads.
    disable_created_metrics()  # type: ignore[no-untyped-call]
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    Info("trustdesk_build", "The Trustdesk version this web process runs.", registry=registry).info(
        {"version": trustdesk.__version__}
    )
    sla = timedelta(minutes=context.settings.policy.approval_sla_minutes)
    store = StoreCollector(
        context.sessions, sla=sla, recontact_days=context.settings.recontact_days
    )
    registry.register(store)
    monitoring = Monitoring(registry=registry, requests=RequestMetrics(registry), store=store)
    app.state.monitoring = monitoring
    app.add_middleware(RecordRequests, metrics=monitoring.requests)
    app.include_router(endpoint.router)
    return monitoring
