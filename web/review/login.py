"""Signing in and out of the review UI."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from web.auth import MAX_PASSWORD_CHARS, verify_password
from web.deps import Context
from web.review.access import HOME, PostingReviewer, State, signed_in
from web.review.render import page, secure, see_other
from web.review.session import (
    LOGIN_COOKIE,
    LOGIN_NONCE_TTL,
    SESSION_COOKIE,
    SESSION_TTL,
    csrf_matches,
    csrf_token,
    issue_session,
    new_login_nonce,
)
from web.review.throttle import request_address
from web.users import load_user, revoke_session

router = APIRouter(prefix="/review")


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path inside the review UI (never another site); else None."""
    if not target or not target.startswith("/review") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 0x20 for c in target):
        return None
    return target


def _set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int, path: str = "/review"
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def _login_page(
    request: Request,
    ctx: Context,
    *,
    next_path: str | None,
    error: str | None = None,
    status_code: int = 200,
    username: str = "",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    nonce = new_login_nonce()
    response = page(
        request,
        "login.html",
        {
            "login_csrf": csrf_token(ctx.secret, "login:" + nonce),
            "next_path": next_path or "",
            "error": error,
            "username": username,
        },
        reviewer=None,
        status_code=status_code,
        headers=headers,
    )
    _set_cookie(request, response, LOGIN_COOKIE, nonce, int(LOGIN_NONCE_TTL.total_seconds()))
    return response


@router.get("", include_in_schema=False)
def review_home(request: Request, ctx: Context) -> RedirectResponse:
    """`/review`: the signed-in user's own queue, or the sign-in page."""
    reviewer = signed_in(request, ctx)
    return see_other(reviewer.home if reviewer else "/review/login")


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, ctx: Context, next: str | None = None) -> Response:
    reviewer = signed_in(request, ctx)
    if reviewer is not None:
        return see_other(safe_next(next) or reviewer.home)
    return _login_page(request, ctx, next_path=safe_next(next))


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
async def login(
    request: Request,
    ctx: Context,
    state: State,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token_: Annotated[str, Form(alias="csrf_token")] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    next_path = safe_next(next)
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not nonce or not csrf_matches(ctx.secret, "login:" + nonce, csrf_token_):
        return _login_page(
            request,
            ctx,
            next_path=next_path,
            error="The sign-in form expired. Please sign in again.",
            status_code=403,
            username=username,
        )
    address = request_address(request, ctx)
    wait = await run_in_threadpool(state.throttle.retry_after, username, address)
    if wait is not None:
        minutes = max(1, round(wait / 60))
        return page(
            request,
            "too_many_attempts.html",
            {"minutes": minutes, "username": username},
            reviewer=None,
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    too_long = len(username) > 80 or len(password) > MAX_PASSWORD_CHARS
    found = None if too_long else await run_in_threadpool(load_user, ctx.sessions, username)
    ok = not too_long and await run_in_threadpool(
        verify_password, password, found[1] if found else None
    )
    if not ok or found is None:
        await run_in_threadpool(state.throttle.failed, username, address)
        return _login_page(
            request,
            ctx,
            next_path=next_path,
            error="Wrong username or password.",
            status_code=401,
            username=username,
        )
    await run_in_threadpool(state.throttle.succeeded, username, address)
    user = found[0]
    _, cookie = issue_session(user.username, ctx.secret, generation=user.generation)
    response = see_other(next_path or HOME[user.acting_role])
    _set_cookie(request, response, SESSION_COOKIE, cookie, int(SESSION_TTL.total_seconds()))
    response.delete_cookie(LOGIN_COOKIE, path="/review")
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, reviewer: PostingReviewer, ctx: Context) -> Response:
    session = reviewer.session
    revoke_session(ctx.sessions, session.sid, session.username, session.expires_at)
    response = see_other("/review/login?notice=signed_out")
    response.delete_cookie(
        SESSION_COOKIE,
        path="/review",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return secure(response)


def login_url(next_path: str) -> str:
    return "/review/login?next=" + quote(next_path, safe="/")
