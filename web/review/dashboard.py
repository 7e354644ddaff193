"""`/review/metrics`: how the agent and the people behind it are doing, in four charts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from web.deps import Context
from web.review.access import Permission, ReviewerDep, require
from web.review.metrics import MetricsInput, compute_metrics
from web.review.queries import metrics_input, waiting_counts
from web.review.render import page

router = APIRouter(prefix="/review")

DAYS = 14


def _charts(now: datetime, sla: timedelta, data: MetricsInput) -> dict[str, object]:
    # matplotlib (and numpy) load with the first chart drawn, not with the web process.
    from web.review import charts

    metrics = compute_metrics(data, now=now, sla=sla, days=DAYS)
    drawn = {
        "cases_per_day": charts.cases_per_day(metrics),
        "outcomes": charts.outcomes(metrics),
        "approvals": charts.approvals(metrics),
        "first_response": charts.first_response(metrics),
    }
    # The SVG is matplotlib's own output from our numbers and labels, so it is markup.
    return {"metrics": metrics, **{k: Markup(v) if v else None for k, v in drawn.items()}}


@router.get("/metrics", response_class=HTMLResponse, include_in_schema=False)
async def metrics_page(request: Request, reviewer: ReviewerDep, ctx: Context) -> HTMLResponse:
    require(reviewer, Permission.VIEW_METRICS)
    now = datetime.now(UTC)
    sla = timedelta(minutes=ctx.settings.policy.approval_sla_minutes)
    data = await run_in_threadpool(metrics_input, ctx.sessions, now - timedelta(days=DAYS))
    drawn = await run_in_threadpool(_charts, now, sla, data)
    counts = await run_in_threadpool(waiting_counts, ctx.sessions)
    return page(
        request, "metrics.html", {**drawn, "days": DAYS, "counts": counts}, reviewer=reviewer
    )
