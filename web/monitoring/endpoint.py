"""`GET /metrics`: the Prometheus scrape endpoint, served only to holders of the metrics token.

Metrics say how busy the shop's support is and where it is stuck, which is nobody's
business outside the operators, so the endpoint is off (404) until
`TRUSTDESK_METRICS_TOKEN` is set, and then wants that token as a bearer token (401
without it). A token rather than an address rule: behind a proxy every request comes
from the proxy's address.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from starlette.concurrency import run_in_threadpool

from web.deps import Context

router = APIRouter(tags=["monitoring"])

_metrics_token = HTTPBearer(
    auto_error=False,
    scheme_name="MetricsToken",
    description="The value of TRUSTDESK_METRICS_TOKEN.",
)
_UNAUTHORISED = {"WWW-Authenticate": 'Bearer realm="metrics"'}


def _authorised(
    ctx: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_metrics_token)],
) -> None:
    expected = ctx.settings.metrics_token
    if expected is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            "metrics are off; set TRUSTDESK_METRICS_TOKEN to serve them",
        )
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "send the metrics token as 'Authorization: Bearer <token>'",
            headers=_UNAUTHORISED,
        )
    if not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "the metrics token is wrong", headers=_UNAUTHORISED
        )


def _registry(request: Request) -> CollectorRegistry:
    found: CollectorRegistry = request.app.state.monitoring.registry
    return found


@router.get(
    "/metrics",
    summary="Prometheus metrics of this web process and of the store",
    dependencies=[Depends(_authorised)],
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "The Prometheus text format."},
        401: {"description": "No metrics token, or the wrong one."},
        404: {"description": "Metrics are off: TRUSTDESK_METRICS_TOKEN is not set."},
    },
)
async def metrics(
    request: Request, registry: Annotated[CollectorRegistry, Depends(_registry)]
) -> Response:
    # OpenMetrics when the scraper asks for it, else the classic text format.
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    # The store is read while encoding: off the event loop.
    body = await run_in_threadpool(encode, registry)
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})
