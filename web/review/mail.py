"""`/review/mail`: the local mail sink, for the embedded default (`trustdesk up`).

Without an SMTP relay, the emails Trustdesk sends to an address on file (one-time
codes) are kept in the store instead; support agents and admins read them here, so
the README's demo can be walked on one machine. With a relay configured the page
stays empty: the mail goes out. The sink keeps each email sealed (`store.sealed`); this
page opens them for the signed-in reader only, on each request.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from store.mail_sink import SinkMail, list_mail
from store.sealed import SealError, TextSeal, is_sealed
from trustdesk.encryption import text_seal_for
from web.deps import Context
from web.review.access import Permission, ReviewerDep, require
from web.review.queries import waiting_counts
from web.review.render import page

router = APIRouter(prefix="/review")

#: The page lists at most this many emails, newest first.
MAX_LISTED = 50


UNREADABLE = "(this email cannot be opened: the key it was sealed under is not configured)"


def _opened(mail: SinkMail, seal: TextSeal) -> SinkMail:
    if not is_sealed(mail.body):
        return mail
    try:
        body = seal.open(mail.body, bound_to=mail.message_id)
    except SealError:
        body = UNREADABLE
    return mail.model_copy(update={"body": body})


@router.get("/mail", response_class=HTMLResponse, include_in_schema=False)
async def mail_sink(request: Request, reviewer: ReviewerDep, ctx: Context) -> HTMLResponse:
    require(reviewer, Permission.READ_MAIL_SINK)
    kept = await run_in_threadpool(list_mail, ctx.sessions, limit=MAX_LISTED)
    seal = await run_in_threadpool(text_seal_for, ctx.settings)
    items = [_opened(mail, seal) for mail in kept]
    counts = await run_in_threadpool(waiting_counts, ctx.sessions)
    return page(
        request,
        "mail.html",
        {"items": items, "counts": counts, "max_listed": MAX_LISTED},
        reviewer=reviewer,
    )
