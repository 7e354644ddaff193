"""`/review/metrics`: how the agent and the people behind it are doing.

The headline is the re-contact-adjusted resolution rate, with deflection beside it;
then the human side (escalations, handoff backlog and waits), approvals against the
SLA, the first substantive response, CSAT, per-category autonomy and calibration.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from trustdesk.config import Settings
from web.deps import Context
from web.review.access import Permission, ReviewerDep, require
from web.review.metrics import Metrics, MetricsInput, compute_metrics, gate_figures
from web.review.queries import metrics_input, waiting_counts
from web.review.render import page

router = APIRouter(prefix="/review")

DAYS = 14


def read_dashboard_input(
    sessions: sessionmaker[Session], data_dir: Path, since: datetime
) -> MetricsInput:
    """The store's facts since `since` and the gate's figures from the data dir."""
    data = metrics_input(sessions, since)
    # The autonomy file's reader lives with the brain's validation, which loads numpy:
    # imported here, so the web process loads it only for the dashboard.
    from brain.validation import autonomy_path, read_autonomy

    gate, source = gate_figures(read_autonomy(autonomy_path(data_dir)))
    return replace(data, gate=gate, gate_source=source)


def _charts(metrics: Metrics) -> dict[str, object]:
    # matplotlib (and numpy) load with the first chart drawn, not with the web process.
    from web.review import charts

    drawn = {
        "cases_per_day": charts.cases_per_day(metrics),
        "outcomes": charts.outcomes(metrics),
        "approvals": charts.approvals(metrics),
        "first_response": charts.first_response(metrics),
        "calibration": charts.calibration(metrics),
        "csat": charts.csat(metrics),
    }
    # The SVG is matplotlib's own output from our numbers and labels, so it is markup.
    return {"metrics": metrics, **{k: Markup(v) if v else None for k, v in drawn.items()}}


def dashboard_metrics(settings: Settings, data: MetricsInput, now: datetime) -> Metrics:
    """The dashboard's numbers under the configured SLA and re-contact window."""
    sla = timedelta(minutes=settings.policy.approval_sla_minutes)
    return compute_metrics(
        data, now=now, sla=sla, days=DAYS, recontact_days=settings.recontact_days
    )


@router.get("/metrics", response_class=HTMLResponse, include_in_schema=False)
async def metrics_page(request: Request, reviewer: ReviewerDep, ctx: Context) -> HTMLResponse:
    require(reviewer, Permission.VIEW_METRICS)
    now = datetime.now(UTC)
    settings = ctx.settings
    since = now - timedelta(days=DAYS)
    data = await run_in_threadpool(read_dashboard_input, ctx.sessions, settings.data_dir, since)
    metrics = dashboard_metrics(settings, data, now)
    drawn = await run_in_threadpool(_charts, metrics)
    counts = await run_in_threadpool(waiting_counts, ctx.sessions)
    return page(
        request, "metrics.html", {**drawn, "days": DAYS, "counts": counts}, reviewer=reviewer
    )
