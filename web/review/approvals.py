"""`/review/approvals`: the queue of approvals waiting for a decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from domain.policy import ActionType, RiskLevel
from web.deps import Context
from web.review.access import Permission, ReviewerDep, require
from web.review.queries import pending_approvals, waiting_counts
from web.review.render import fragment, page

router = APIRouter(prefix="/review")

ACTIONS = [a.value for a in ActionType]
RISKS = [r.value for r in RiskLevel]


@router.get("/approvals", response_class=HTMLResponse, include_in_schema=False)
async def approvals_queue(
    request: Request,
    reviewer: ReviewerDep,
    ctx: Context,
    action: str | None = None,
    risk: str | None = None,
    sort: str = "newest",
    part: str | None = None,
) -> HTMLResponse:
    require(reviewer, Permission.VIEW_APPROVALS)
    # Unknown filter values are ignored rather than refused: the form only offers known ones.
    filters = {
        "action": action if action in ACTIONS else None,
        "risk": risk if risk in RISKS else None,
        "sort": "oldest" if sort == "oldest" else "newest",
    }
    sla = timedelta(minutes=ctx.settings.policy.approval_sla_minutes)
    items = await run_in_threadpool(
        pending_approvals,
        ctx.sessions,
        sla=sla,
        action=filters["action"],
        risk=filters["risk"],
        sort=filters["sort"],  # type: ignore[arg-type]
    )
    context = {
        "items": items,
        "filters": filters,
        "filtered": bool(filters["action"] or filters["risk"]),
        "now": datetime.now(UTC),
        "sla_minutes": ctx.settings.policy.approval_sla_minutes,
        "actions": ACTIONS,
        "risks": RISKS,
        "query": request.url.query,
        "refresh_url": "/review/approvals?"
        + urlencode({**{k: v for k, v in filters.items() if v}, "part": "rows"}),
    }
    if part == "rows":
        return fragment(request, "_approval_rows.html", context, reviewer=reviewer)
    counts = await run_in_threadpool(waiting_counts, ctx.sessions)
    return page(request, "approvals.html", {**context, "counts": counts}, reviewer=reviewer)
