"""`/review/outbox`: replies Trustdesk gave up delivering (dead letters), and retrying them.

A reply goes dead after its channel refused it for good (a webhook provider's 4xx,
an email that bounced) or after the last allowed attempt. Once someone has fixed
the cause (a provider URL, a relay, an address), "Retry" gives the message a fresh
set of attempts; the outbox dispatcher of its channel picks it up again. Each retry
is written to the case's audit trail with who asked for it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from store.outbox import list_dead_letters, requeue_dead_letter
from web.deps import Context, WebContext
from web.review.access import Permission, PostingReviewer, Reviewer, ReviewerDep, require
from web.review.queries import waiting_counts
from web.review.render import fragment, page, see_other

router = APIRouter(prefix="/review")

#: The page lists at most this many dead letters, newest first.
MAX_LISTED = 100
#: Outbox message ids are `<case id>/msg-<seq>`; the column holds 250 characters.
MAX_MESSAGE_ID_CHARS = 250


async def _context(ctx: WebContext, reviewer: Reviewer) -> dict[str, Any]:
    items = await run_in_threadpool(list_dead_letters, ctx.sessions, limit=MAX_LISTED)
    return {
        "items": items,
        "now": datetime.now(UTC),
        "can_retry": reviewer.can(Permission.RETRY_DELIVERY),
        "max_listed": MAX_LISTED,
    }


async def _outbox_page(
    request: Request,
    ctx: WebContext,
    reviewer: Reviewer,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = await _context(ctx, reviewer)
    counts = await run_in_threadpool(waiting_counts, ctx.sessions)
    return page(
        request,
        "outbox.html",
        {**context, "counts": counts, "error": error},
        reviewer=reviewer,
        status_code=status_code,
    )


@router.get("/outbox", response_class=HTMLResponse, include_in_schema=False)
async def dead_letters(
    request: Request, reviewer: ReviewerDep, ctx: Context, part: str | None = None
) -> HTMLResponse:
    require(reviewer, Permission.VIEW_DEAD_LETTERS)
    if part == "list":
        context = await _context(ctx, reviewer)
        return fragment(request, "_dead_letters.html", context, reviewer=reviewer)
    return await _outbox_page(request, ctx, reviewer)


@router.post("/outbox/retry", include_in_schema=False)
async def retry_delivery(
    request: Request,
    reviewer: PostingReviewer,
    ctx: Context,
    message_id: Annotated[str, Form()] = "",
) -> Response:
    require(reviewer, Permission.RETRY_DELIVERY)
    if not message_id or len(message_id) > MAX_MESSAGE_ID_CHARS:
        return await _outbox_page(
            request, ctx, reviewer, status_code=422, error="Choose a message to retry."
        )
    requeued = await run_in_threadpool(
        requeue_dead_letter, ctx.sessions, message_id, actor=reviewer.username
    )
    if not requeued:
        # Someone else retried it first, or the id never named a dead letter.
        return await _outbox_page(
            request,
            ctx,
            reviewer,
            status_code=409,
            error=(
                "Not retried: that message is not among the undelivered replies any more "
                "(someone may have retried it already)."
            ),
        )
    return see_other("/review/outbox?notice=requeued")
