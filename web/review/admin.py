"""`/review/admin/*`: the review-UI users (disable, enable, revoke sign-ins) and the shop's
policy (read only), for admins."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from web.deps import Context
from web.review.access import GRANTS, Permission, PostingReviewer, ReviewerDep, require
from web.review.render import page, see_other
from web.users import list_users, revoke_tokens, set_disabled

router = APIRouter(prefix="/review/admin")

NOTICES = {
    "disabled": "Disabled: the user's tokens and sessions stopped working.",
    "enabled": "Enabled: the user can sign in again.",
    "revoked": "Revoked: the user must sign in again everywhere.",
    "not_yourself": "You cannot disable your own account.",
    "no_such_user": "There is no such user.",
}


@router.get("/users", response_class=HTMLResponse, include_in_schema=False)
async def users(request: Request, reviewer: ReviewerDep, ctx: Context) -> HTMLResponse:
    require(reviewer, Permission.ADMINISTER)
    rows = await run_in_threadpool(list_users, ctx.sessions)
    grants = {role.value: sorted(p.value for p in perms) for role, perms in GRANTS.items()}
    notice = NOTICES.get(request.query_params.get("notice", ""))
    return page(
        request,
        "admin_users.html",
        {"users": rows, "grants": grants, "notice": notice},
        reviewer=reviewer,
    )


@router.post("/users/{username}/{change}", include_in_schema=False)
async def change_user(
    username: str,
    change: Literal["disable", "enable", "revoke"],
    reviewer: PostingReviewer,
    ctx: Context,
) -> Response:
    """Disable or enable a user, or end every token and session they hold, at once."""
    require(reviewer, Permission.ADMINISTER)
    if change == "disable" and username == reviewer.user.username:
        return see_other("/review/admin/users?notice=not_yourself")
    if change == "revoke":
        found = await run_in_threadpool(revoke_tokens, ctx.sessions, username)
    else:
        found = await run_in_threadpool(set_disabled, ctx.sessions, username, change == "disable")
    return see_other(f"/review/admin/users?notice={change + 'd' if found else 'no_such_user'}")


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
