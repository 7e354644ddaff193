"""Rendering review pages: the Jinja templates, their filters and the headers every page gets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from domain.money import format_money
from web.review.access import Permission, Reviewer

R = TypeVar("R", bound=Response)

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"

#: No inline scripts; styles inline only for matplotlib's SVG charts.
REVIEW_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)

#: What a redirect's `?notice=` may say; nothing from the query string is echoed.
NOTICES = {
    "approved": "Approved. The agent is completing the action and will tell the customer.",
    "rejected": "Rejected. The agent will tell the customer, with your reason.",
    "needs_second_approval": (
        "Your approval is recorded. A second, different approver must approve before "
        "anything happens."
    ),
    "replied": "Your reply is on its way to the customer.",
    "draft_sent": "The draft is on its way to the customer.",
    "handed_back": "Handed back to the AI agent; it answers the customer's next message.",
    "closed": "The case is closed.",
    "requeued": (
        "Queued for delivery again with a fresh set of attempts. If it fails again, it "
        "comes back to this list with the new error."
    ),
    "signed_out": "You are signed out.",
    "article_saved": "Saved and indexed: the agent answers from the new text from now on.",
    "article_deleted": "The article is deleted; the agent no longer answers from it.",
}


def format_age(delta: timedelta) -> str:
    """`timedelta(minutes=75)` → `"1 h 15 min"`: short, for tables."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} d {hours % 24} h"


def _money(value: Decimal | str | None) -> str:
    if value is None or value == "":
        return "—"
    return format_money(Decimal(str(value)))


def _when(value: datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _words(value: str | None) -> str:
    return "—" if not value else str(value).replace("_", " ")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.filters.update(
    money=_money, when=_when, words=_words, percent=_percent, age=format_age
)
templates.env.globals["P"] = Permission


def page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    reviewer: Reviewer | None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A review page (`web/templates/review/<template>`) with the review UI's headers."""
    notice = NOTICES.get(request.query_params.get("notice", ""))
    response = templates.TemplateResponse(
        request,
        f"review/{template}",
        {
            "reviewer": reviewer,
            "csrf": reviewer.csrf if reviewer else None,
            "notice": notice,
            "refresh_ms": request.app.state.review.refresh_ms,
            **context,
        },
        status_code=status_code,
    )
    return secure(response, headers)


def secure(response: R, headers: dict[str, str] | None = None) -> R:
    response.headers["Content-Security-Policy"] = REVIEW_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def fragment(
    request: Request, template: str, context: dict[str, Any], *, reviewer: Reviewer
) -> HTMLResponse:
    """A part of a page, for the browser's in-place refresh (marked so the script knows it)."""
    return page(request, template, context, reviewer=reviewer, headers={"X-Review-Fragment": "1"})


def see_other(url: str) -> RedirectResponse:
    """Post/redirect/get: answer a form with a 303 to the page that shows the result."""
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})
