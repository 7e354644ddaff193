"""HTML pages: the customer chat and the index. The review UI lives in `web/review`."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from web.deps import Context

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")

_PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)


@router.get("/chat", response_class=HTMLResponse)
async def chat(request: Request, ctx: Context) -> HTMLResponse:
    response = templates.TemplateResponse(
        request, "chat.html", {"max_chars": ctx.max_message_chars}
    )
    # The chat is embeddable as a widget, but only by the shop's own origins.
    embedders = " ".join(o for o in ctx.settings.chat_frame_ancestors if _ORIGIN.match(o))
    response.headers["Content-Security-Policy"] = _PAGE_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors " + (embedders or "'none'")
    )
    return response


_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")


@router.get("/")
async def index() -> HTMLResponse:
    return HTMLResponse(
        '<!doctype html><meta charset="utf-8"><title>Trustdesk</title>'
        '<p>Trustdesk: <a href="/chat">chat</a> · <a href="/review">review</a> · '
        '<a href="/docs">API docs</a></p>'
    )
