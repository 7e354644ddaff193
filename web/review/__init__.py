"""The review UI: server-rendered pages where approvers and support agents work cases.

`install(app)` adds its routes under `/review`, its state (the login throttle, whose
counts live in the store) and the handlers that turn its errors into pages.
Everything works without JavaScript; `static/review.js` only refreshes lists and
the case view in place and marks forms as busy while they submit.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from web.review import (
    admin,
    approvals,
    cases,
    controls,
    dashboard,
    handoffs,
    knowledge,
    login,
    mail,
    outbox,
    privacy,
)
from web.review.access import LoginRequired, ReviewError, ReviewState, signed_in
from web.review.render import page, see_other
from web.review.throttle import LoginThrottle

STATIC_DIR = Path(__file__).with_name("static")
_STATIC = {"review.js": "text/javascript", "review.css": "text/css"}

static_router = APIRouter(prefix="/review/static")


@static_router.get("/{name}", include_in_schema=False)
def static_file(name: str) -> FileResponse:
    if name not in _STATIC:
        raise HTTPException(404, "not found")
    return FileResponse(
        STATIC_DIR / name, media_type=_STATIC[name], headers={"Cache-Control": "no-cache"}
    )


def install(app: FastAPI, state: ReviewState | None = None) -> None:
    """Serve the review UI from `app`."""
    app.state.review = state or ReviewState(throttle=LoginThrottle(app.state.web.sessions))

    async def _refused(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, ReviewError):  # pragma: no cover - registered for it alone
            raise exc
        try:  # the navigation, when the person is signed in
            reviewer = await run_in_threadpool(signed_in, request, request.app.state.web)
        except Exception:  # noqa: BLE001 - the error page must render whatever else failed
            reviewer = None
        return page(
            request,
            "error.html",
            {"title": exc.title, "message": exc.message, "status": exc.status},
            reviewer=reviewer,
            status_code=exc.status,
        )

    async def _sign_in_first(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, LoginRequired):  # pragma: no cover - registered for it alone
            raise exc
        return see_other(login.login_url(exc.next_path))

    app.add_exception_handler(ReviewError, _refused)
    app.add_exception_handler(LoginRequired, _sign_in_first)
    for module in (
        login,
        approvals,
        cases,
        handoffs,
        outbox,
        mail,
        dashboard,
        admin,
        knowledge,
        controls,
        privacy,
    ):
        app.include_router(module.router)
    app.include_router(static_router)
