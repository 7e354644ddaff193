"""`/review/admin/customers`: an admin exports or erases what is stored about a customer, and
reads or changes the customer's consent flags (`domain.consent`; each change audited)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from domain.consent import CONSENT_FLAGS, Consent
from domain.pseudonym import customer_pseudonym
from store.consent import consent_record, set_consent
from store.models import CustomerRow
from trustdesk.customer_cli import render_export_page
from trustdesk.encryption import CaseKeys, MasterKeys
from trustdesk.privacy import CustomerNotFoundError, erase_customer, export_customer
from web.deps import Context
from web.review.access import Permission, PostingReviewer, ReviewerDep, ReviewError, require
from web.review.render import page, secure, see_other

router = APIRouter(prefix="/review/admin/customers")

Email = Annotated[str, Form(min_length=3, max_length=254)]


def _customer_id(ctx: Context, email: str) -> str:
    with ctx.sessions() as session:
        row = session.scalars(
            select(CustomerRow.id).where(CustomerRow.email == email.strip().lower())
        ).first()
    if row is None:
        raise ReviewError(404, "No such customer", f"There is no customer with email {email!r}.")
    return row


@router.get("", response_class=HTMLResponse, include_in_schema=False)
async def customers(
    request: Request,
    reviewer: ReviewerDep,
    ctx: Context,
    email: Annotated[str | None, Query(max_length=254)] = None,
) -> HTMLResponse:
    require(reviewer, Permission.ADMINISTER)
    context: dict[str, object] = {"flags": CONSENT_FLAGS}
    if email:
        customer_id = await run_in_threadpool(_customer_id, ctx, email)
        record = await run_in_threadpool(consent_record, ctx.sessions, customer_id)
        context |= {"email": email.strip().lower(), "consent": record}
    return page(request, "admin_customers.html", context, reviewer=reviewer)


@router.post("/consent", include_in_schema=False)
async def change_consent(
    reviewer: PostingReviewer,
    ctx: Context,
    email: Email,
    personalisation: Annotated[str, Form()] = "",
    marketing: Annotated[str, Form()] = "",
    past_cases: Annotated[str, Form()] = "",
) -> Response:
    """Record the customer's consent as they asked for it; audited with who and when."""
    require(reviewer, Permission.ADMINISTER)
    customer_id = await run_in_threadpool(_customer_id, ctx, email)
    consent = Consent(
        personalisation=bool(personalisation),
        marketing=bool(marketing),
        past_cases=bool(past_cases),
    )
    await run_in_threadpool(
        lambda: set_consent(
            ctx.sessions,
            customer_id,
            consent,
            actor=f"review:{reviewer.username}",
            subject=customer_pseudonym(customer_id),
        )
    )
    return see_other(f"/review/admin/customers?email={quote(email.strip().lower())}")


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
