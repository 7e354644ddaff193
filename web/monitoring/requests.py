"""The web process's own side of `GET /metrics`: its requests, counted as they are answered.

Requests are labelled by route template (`/api/cases/{case_id}`), never by the path a
client sent, and by a known method or `other`, so neither ids nor odd clients can grow
the number of series.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The route label of a request that reached no route: an unknown path (404), or a body
#: refused before routing (over `web.app.MAX_BODY_BYTES`).
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: The route whose latency is the customer's wait for the agent's answer.
REPLY_ROUTE = ("POST", "/api/messages")
#: From a canned answer (tens of milliseconds) to a slow model or a busy worker.
REPLY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)


class RequestMetrics:
    """The request counter and the reply-latency histogram of one web process."""

    def __init__(
        self, registry: CollectorRegistry, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        self.clock = clock  # seconds, for timing requests
        self.requests = Counter(
            "trustdesk_http_requests",
            "HTTP requests this web process answered, by route template (e.g. "
            "/api/cases/{case_id}), method and status class (2xx, 3xx, 4xx, 5xx).",
            ["route", "method", "status"],
            registry=registry,
        )
        self.reply_seconds = Histogram(
            "trustdesk_chat_reply_seconds",
            "How long a web-chat customer waited for the agent's reply to a message "
            "(POST /api/messages), in seconds, by status class.",
            ["status"],
            buckets=REPLY_BUCKETS,
            registry=registry,
        )

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        status_class = f"{status // 100}xx"
        self.requests.labels(route, method, status_class).inc()
        if (method, route) == REPLY_ROUTE:
            self.reply_seconds.labels(status_class).observe(seconds)


def route_template(scope: Scope) -> str:
    """The path template of the route that served the request, e.g. `/api/cases/{case_id}`.

    The router leaves the route in the scope. Trustdesk's routers carry their own prefix and
    are included without another, so the route's path is the whole template.
    """
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


class RecordRequests:
    """ASGI middleware that reports every HTTP request to `RequestMetrics` once answered."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.metrics.clock()
        status: int | None = None

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        except Exception:
            status = status or 500  # what the server answers when the app fails first
            raise
        finally:
            # No status: the client left before an answer, which is no request answered.
            if status is not None:
                self.metrics.observe(
                    route_template(scope), scope["method"], status, self.metrics.clock() - started
                )
