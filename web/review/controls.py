"""`/review/admin/controls`: per-category kill switch, canary share and shadow mode, for admins.

Each change is stored with who made it and when, and appended to the audit chain
(`store.trust.set_control`). The page shows the policy version the agent's decisions
record: it changes with the policy file, the gate's autonomy list and these controls.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.dialogue import HANDLED
from store.trust import control_settings, set_control
from trustdesk.controls import current_policy_version, gated_categories, load_operator_controls
from web.deps import Context
from web.review.access import Permission, PostingReviewer, ReviewerDep, ReviewError, require
from web.review.render import page, see_other

router = APIRouter(prefix="/review/admin/controls")

CATEGORIES = sorted(c.value for c in HANDLED)


def _page_context(ctx: Context) -> dict[str, object]:
    settings = ctx.settings
    controls = load_operator_controls(settings, ctx.sessions)
    gated = gated_categories(settings)
    return {
        "rows": control_settings(
            ctx.sessions,
            CATEGORIES,
            configured_killed=frozenset(settings.killed_categories),
            configured_canary=settings.canary_shares,
            configured_shadow=frozenset(settings.shadow_categories),
        ),
        "gated": gated,
        "version": current_policy_version(settings, controls, gated),
    }


@router.get("", response_class=HTMLResponse, include_in_schema=False)
async def controls_page(request: Request, reviewer: ReviewerDep, ctx: Context) -> HTMLResponse:
    require(reviewer, Permission.ADMINISTER)
    context = await run_in_threadpool(_page_context, ctx)
    notice = request.query_params.get("saved")
    return page(
        request,
        "admin_controls.html",
        {**context, "saved": notice if notice in CATEGORIES else None},
        reviewer=reviewer,
    )


def parse_canary(text: str) -> Decimal | None:
    """A canary share typed as a percentage ("10", "12.5"); blank for none."""
    text = text.strip().removesuffix("%").strip()
    if not text:
        return None
    try:
        percent = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"{text[:20]!r} is not a percentage") from exc
    if not percent.is_finite() or not Decimal(0) <= percent <= Decimal(100):
        raise ValueError("a canary share is a percentage from 0 to 100")
    share = percent / Decimal(100)
    if share != share.quantize(Decimal("0.0001")):
        raise ValueError("a canary share has at most two decimals")
    return share


@router.post("/{category}", include_in_schema=False)
async def change_control(
    category: str,
    reviewer: PostingReviewer,
    ctx: Context,
    killed: Annotated[str, Form()] = "",
    canary: Annotated[str, Form()] = "",
    shadow: Annotated[str, Form()] = "",
) -> Response:
    require(reviewer, Permission.ADMINISTER)
    if category not in CATEGORIES:
        raise ReviewError(404, "No such category", f"There is no category {category[:40]!r}.")
    try:
        share = parse_canary(canary)
    except ValueError as exc:
        raise ReviewError(422, "Not a canary share", str(exc)) from exc
    await run_in_threadpool(
        lambda: set_control(
            ctx.sessions,
            category,
            killed=bool(killed),
            canary=share,
            shadow=bool(shadow),
            actor=reviewer.username,
        )
    )
    return see_other(f"/review/admin/controls?saved={category}")
