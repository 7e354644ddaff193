"""`/review/admin/*`: the review-UI users and the shop's policy, for admins (read only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from web.deps import Context
from web.review.access import GRANTS, Permission, ReviewerDep, require
from web.review.render import page
from web.users import list_users

router = APIRouter(prefix="/review/admin")


@router.get("/users", response_class=HTMLResponse, include_in_schema=False)
async def users(request: Request, reviewer: ReviewerDep, ctx: Context) -> HTMLResponse:
    require(reviewer, Permission.ADMINISTER)
    rows = await run_in_threadpool(list_users, ctx.sessions)
    grants = {role.value: sorted(p.value for p in perms) for role, perms in GRANTS.items()}
    return page(request, "admin_users.html", {"users": rows, "grants": grants}, reviewer=reviewer)


@router.get("/policy", response_class=HTMLResponse, include_in_schema=False)
async def policy(request: Request, reviewer: ReviewerDep, ctx: Context) -> HTMLResponse:
    require(reviewer, Permission.ADMINISTER)
    settings = ctx.settings
    return page(
        request,
        "admin_policy.html",
        {
            "policy": settings.policy,
            "policy_file": str(settings.policy_file) if settings.policy_file else None,
        },
        reviewer=reviewer,
    )
