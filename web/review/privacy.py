"""`/review/admin/customers`: an admin exports or erases what is stored about a customer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from trustdesk.customer_cli import render_export_page
from trustdesk.encryption import CaseKeys, MasterKeys
from trustdesk.privacy import CustomerNotFoundError, erase_customer, export_customer
from web.deps import Context
from web.review.access import Permission, PostingReviewer, ReviewerDep, ReviewError, require
from web.review.render import page, secure

router = APIRouter(prefix="/review/admin/customers")

Email = Annotated[str, Form(min_length=3, max_length=254)]


@router.get("", response_class=HTMLResponse, include_in_schema=False)
async def customers(request: Request, reviewer: ReviewerDep) -> HTMLResponse:
    require(reviewer, Permission.ADMINISTER)
    return page(request, "admin_customers.html", {}, reviewer=reviewer)


@router.get("/export", response_class=HTMLResponse, include_in_schema=False)
async def export(
    reviewer: ReviewerDep,
    ctx: Context,
    email: Annotated[str, Query(min_length=3, max_length=254)],
) -> HTMLResponse:
    require(reviewer, Permission.ADMINISTER)
    try:
        data = await run_in_threadpool(
            export_customer, ctx.sessions, email, actor=f"review:{reviewer.username}"
        )
    except CustomerNotFoundError as exc:
        raise ReviewError(404, "No such customer", str(exc)) from None
    return secure(HTMLResponse(render_export_page(data)))


@router.post("/erase", response_class=HTMLResponse, include_in_schema=False)
async def erase(
    request: Request,
    reviewer: PostingReviewer,
    ctx: Context,
    email: Email,
    confirm: Annotated[str, Form()] = "",
) -> HTMLResponse:
    require(reviewer, Permission.ADMINISTER)
    if confirm.strip().lower() != email.strip().lower():
        raise ReviewError(
            400, "Not erased", "Type the customer's email again to confirm: erasure is final."
        )
    active, masters = ctx.settings.master_keys()
    keys = CaseKeys(ctx.sessions, MasterKeys(active, masters))
    client = ctx.gateway.client if ctx.gateway is not None else None
    try:
        report = await erase_customer(
            ctx.sessions, keys, client, email, actor=f"review:{reviewer.username}"
        )
    except CustomerNotFoundError as exc:
        raise ReviewError(404, "No such customer", str(exc)) from None
    return page(request, "admin_customers.html", {"report": report}, reviewer=reviewer)
