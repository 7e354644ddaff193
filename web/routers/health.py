"""Liveness and readiness.

* `/livez` (and `/healthz`, its older name, kept with the same meaning): the process
  serves requests. A failing liveness check means "restart this process".
* `/readyz`: the process can do its work: Temporal answers and the store answers a
  query. 503 with the reasons while either is down, so a load balancer sends no
  customers to a web process that would only fail them; the process itself is fine
  and reconnects on its own.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from sqlalchemy import text

from web.deps import Context, WebContext

router = APIRouter(tags=["health"])

#: Each dependency gets this long to answer before it counts as down.
CHECK_TIMEOUT = 2.0


@router.get("/livez", summary="Liveness: the process serves requests")
async def livez() -> dict[str, bool]:
    return {"ok": True}


@router.get("/healthz", summary="Liveness (the older name of /livez)")
async def healthz() -> dict[str, bool]:
    return {"ok": True}


async def _temporal_down(ctx: WebContext) -> str | None:
    if ctx.gateway is None:
        return "not connected to Temporal yet"
    try:
        healthy = await asyncio.wait_for(
            ctx.gateway.client.service_client.check_health(), CHECK_TIMEOUT
        )
    except TimeoutError:
        return f"Temporal did not answer within {CHECK_TIMEOUT:.0f} s"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", with its reason
        return f"Temporal is unreachable: {type(exc).__name__}: {exc}"
    return None if healthy else "Temporal reports it is not serving"


def _store_down(ctx: WebContext) -> str | None:
    try:
        with ctx.sessions() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", with its reason
        return f"the store is unreachable: {type(exc).__name__}"
    return None


@router.get(
    "/readyz",
    summary="Readiness: Temporal and the store answer",
    responses={503: {"description": "Temporal or the store is down; `reasons` says which"}},
)
async def readyz(ctx: Context) -> Any:
    temporal, store = await asyncio.gather(_temporal_down(ctx), asyncio.to_thread(_store_down, ctx))
    reasons = [r for r in (temporal, store) if r is not None]
    if reasons:
        return JSONResponse(
            {"ready": False, "reasons": reasons, "detail": "; ".join(reasons)},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    return {"ready": True, "reasons": []}
