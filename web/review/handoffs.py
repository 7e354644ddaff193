"""`/review/handoffs`: escalated cases waiting for a person, each with its handoff record on top,
and the shadow-mode drafts waiting for a person to send them."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from web.deps import Context
from web.review.access import Permission, ReviewerDep, require
from web.review.queries import open_handoffs, waiting_counts, waiting_drafts
from web.review.render import fragment, page
from workflows.contracts import MAX_MESSAGE_CHARS

router = APIRouter(prefix="/review")


@router.get("/handoffs", response_class=HTMLResponse, include_in_schema=False)
async def handoff_inbox(
    request: Request, reviewer: ReviewerDep, ctx: Context, part: str | None = None
) -> HTMLResponse:
    require(reviewer, Permission.VIEW_HANDOFFS)
    items = await run_in_threadpool(open_handoffs, ctx.sessions)
    case_ids = " ".join(item.case_id for item in items)
    context = {
        "items": items,
        "now": datetime.now(UTC),
        "can_handle": reviewer.can(Permission.HANDLE_HANDOFFS),
        "max_chars": MAX_MESSAGE_CHARS,
        "case_ids": case_ids,
    }
    if part == "list":
        response = fragment(request, "_handoff_list.html", context, reviewer=reviewer)
        response.headers["X-Review-Key"] = case_ids
        return response
    counts = await run_in_threadpool(waiting_counts, ctx.sessions)
    drafts = await run_in_threadpool(waiting_drafts, ctx.sessions)
    return page(
        request,
        "handoffs.html",
        {**context, "counts": counts, "drafts": drafts},
        reviewer=reviewer,
    )
