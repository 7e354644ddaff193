"""HTML pages: the customer chat, and a placeholder where the review UI will be."""

from __future__ import annotations

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
    response.headers["Content-Security-Policy"] = _PAGE_POLICY
    return response


_REVIEW_PLACEHOLDER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trustdesk review</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
code{background:#f3f3f3;padding:0 .2em}</style></head>
<body>
<h1>Review</h1>
<p><strong>The review UI is not built yet.</strong> This page is a placeholder.</p>
<p>Until it is, approvers can work through the HTTP API, documented at
<a href="/docs">/docs</a>:</p>
<ol>
<li>Sign in with <code>POST /api/auth/token</code> (users are added with
<code>trustdesk users add</code>).</li>
<li>List cases waiting for a decision with
<code>GET /api/cases?status=awaiting_approval</code>.</li>
<li>Read one with <code>GET /api/cases/{case_id}</code>, and decide it with
<code>POST /api/cases/{case_id}/approval</code>.</li>
</ol>
</body></html>
"""


@router.get("/review", response_class=HTMLResponse)
async def review() -> HTMLResponse:
    return HTMLResponse(_REVIEW_PLACEHOLDER, headers={"Content-Security-Policy": _PAGE_POLICY})


@router.get("/")
async def index() -> HTMLResponse:
    return HTMLResponse(
        '<!doctype html><meta charset="utf-8"><title>Trustdesk</title>'
        '<p>Trustdesk: <a href="/chat">chat</a> · <a href="/review">review</a> · '
        '<a href="/docs">API docs</a></p>'
    )
