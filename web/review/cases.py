"""`/review/cases/{case_id}`: one case with everything a person needs, and the forms that act on it.

The case itself is read live from its workflow (`CaseGateway.get_case`); the
shop's facts and the audit trail come from the store. Decisions go through the
API route's own checks (`web.routers.approvals.decide`), then the workflow's
validator; replies, hand-backs and closes are the workflow's updates.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from domain.approvals import REDUCIBLE_ACTIONS, ApprovalRefused, Decider, check_decision
from domain.errors import InvalidMoney
from domain.money import to_money
from web.deps import Context, WebContext
from web.review.access import (
    Permission,
    PostingReviewer,
    Reviewer,
    ReviewerDep,
    ReviewError,
    require,
)
from web.review.queries import audit_trail, customer_facts, order_facts
from web.review.render import fragment, page, see_other
from web.routers.approvals import ApprovalDecision
from web.routers.approvals import decide as decide_approval
from web.routers.cases import check_case_id
from web.routers.messages import clean_text
from workflows.contracts import (
    MAX_MESSAGE_CHARS,
    CaseStatus,
    CaseView,
    HandoffActionInput,
    HumanReplyInput,
    PendingApproval,
    SendDraftInput,
)
from workflows.gateway import CaseGateway, refusal_type

router = APIRouter(prefix="/review")

CAPTURED_LABELS = {
    "order_id": "Order number",
    "issue": "Issue",
    "preferred_resolution": "Preferred resolution",
    "cancel_reason": "Reason given",
    "item_ids": "Items",
    "payment": "Payment method mentioned",
}
MAX_NOTE_CHARS = 2000
AUDIT_SUMMARY_KEYS = (
    "approval_id",
    "note",
    "reason",
    "text",
    "type",
    "status",
    "amount",
    "summary",
)


def gateway_of(ctx: WebContext) -> CaseGateway:
    if ctx.gateway is None:
        raise ReviewError(
            503,
            "Not connected yet",
            "The web process is still connecting to Temporal. Try again shortly.",
        )
    return ctx.gateway


def _case_id(case_id: str) -> str:
    try:
        return check_case_id(case_id)
    except HTTPException:
        raise ReviewError(404, "No such case", "There is no case with that id.") from None


def unavailable(exc: RPCError) -> ReviewError:
    if exc.status == RPCStatusCode.NOT_FOUND:
        return ReviewError(404, "No such case", "There is no case with that id.")
    return ReviewError(
        503,
        "Case service unavailable",
        "Temporal did not answer, so the case cannot be shown or changed right now. "
        "Nothing was lost; try again in a moment.",
    )


async def load_case(ctx: WebContext, case_id: str) -> CaseView:
    case_id = _case_id(case_id)
    try:
        return await gateway_of(ctx).get_case(case_id)
    except RPCError as exc:
        raise unavailable(exc) from exc


@dataclass(frozen=True)
class ApprovalPanel:
    """The pending approval, and what this reviewer may do about it (and why not)."""

    pending: PendingApproval
    may_decide: bool
    #: Why this reviewer may take no decision at all (tier, already approved), if so.
    blocked: str | None
    #: Why this reviewer may not approve the full amount (their limit), if so.
    approve_blocked: str | None
    #: Whether a smaller amount may be approved for this action.
    reducible: bool

    @property
    def approvals_needed(self) -> int:
        return 2 if self.pending.four_eyes else 1


def _refusal(pending: PendingApproval, reviewer: Reviewer, decision: str) -> str | None:
    user = reviewer.user
    try:
        check_decision(
            pending.facts(),
            Decider(user.username, user.acting_role.value, user.approval_limit),
            decision,
        )
    except ApprovalRefused as refused:
        return str(refused)[:1].upper() + str(refused)[1:] + "."
    return None


def approval_panel(reviewer: Reviewer, pending: PendingApproval | None) -> ApprovalPanel | None:
    """Says up front what `domain.approvals.check_decision` would refuse this reviewer."""
    if pending is None:
        return None
    if not reviewer.can(Permission.DECIDE_APPROVALS):
        return ApprovalPanel(pending, False, None, None, False)
    blocked = _refusal(pending, reviewer, "reject")
    return ApprovalPanel(
        pending,
        may_decide=True,
        blocked=blocked,
        approve_blocked=blocked or _refusal(pending, reviewer, "approve"),
        reducible=pending.action in REDUCIBLE_ACTIONS,
    )


def live_key(view: CaseView) -> str:
    """Changes whenever the page's forms would: status, pending approval, approvals so far."""
    pending = view.pending_approval
    return "|".join(
        [
            view.status.value,
            pending.approval_id if pending else "",
            ",".join(pending.approvals) if pending else "",
            str(len(view.decided_approvals)),
        ]
    )


def audit_summary(payload: dict[str, Any]) -> str:
    parts = []
    for key in AUDIT_SUMMARY_KEYS:
        value = payload.get(key)
        if value not in (None, "", [], {}):
            parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts)[:300]


def temporal_link(ctx: WebContext, case_id: str) -> str:
    settings = ctx.settings
    return (
        f"{settings.temporal_ui_url}/namespaces/{quote(settings.temporal_namespace, safe='')}"
        f"/workflows/{quote(case_id, safe='')}"
    )


async def render_case(
    request: Request,
    ctx: WebContext,
    reviewer: Reviewer,
    case_id: str,
    *,
    error: str | None = None,
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    require(reviewer, Permission.VIEW_CASES)
    view = await load_case(ctx, case_id)
    order_id = view.captured.get("order_id") or (view.handoff.order_id if view.handoff else None)
    customer = await run_in_threadpool(customer_facts, ctx.sessions, view.customer_id)
    order = await run_in_threadpool(order_facts, ctx.sessions, order_id)
    audit = await run_in_threadpool(audit_trail, ctx.sessions, view.case_id)
    captured = [
        (CAPTURED_LABELS.get(key, key.replace("_", " ").capitalize()), value)
        for key, value in view.captured.items()
        if value not in (None, "", [], {})
    ]
    context = {
        "view": view,
        "case_id": view.case_id,
        "captured": captured,
        "customer": customer,
        "order": order,
        "audit": [(entry, audit_summary(entry.payload)) for entry in audit],
        "panel": approval_panel(reviewer, view.pending_approval),
        "can_handle": reviewer.can(Permission.HANDLE_HANDOFFS),
        "escalated": view.status is CaseStatus.ESCALATED,
        "closed": view.status is CaseStatus.CLOSED,
        "temporal_url": temporal_link(ctx, view.case_id),
        "live_key": live_key(view),
        "error": error,
        "form": form or {},
        "max_chars": MAX_MESSAGE_CHARS,
    }
    return page(request, "case.html", context, reviewer=reviewer, status_code=status_code)


@router.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
async def case_page(
    request: Request, case_id: str, reviewer: ReviewerDep, ctx: Context, part: str | None = None
) -> HTMLResponse:
    if part == "live":
        require(reviewer, Permission.VIEW_CASES)
        view = await load_case(ctx, case_id)
        response = fragment(
            request,
            "_case_live.html",
            {"view": view, "live_key": live_key(view)},
            reviewer=reviewer,
        )
        response.headers["X-Review-Key"] = live_key(view)
        return response
    return await render_case(request, ctx, reviewer, case_id)


# --- approvals ------------------------------------------------------------------------------


@router.post("/cases/{case_id}/decision", include_in_schema=False)
async def decide_case(
    request: Request,
    case_id: str,
    reviewer: PostingReviewer,
    ctx: Context,
    decision: Annotated[str, Form()] = "",
    approval_id: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    require(reviewer, Permission.DECIDE_APPROVALS)
    gateway = gateway_of(ctx)
    form = {"decision": decision, "amount": amount, "note": note}

    async def refuse(status_code: int, message: str) -> HTMLResponse:
        return await render_case(
            request, ctx, reviewer, case_id, error=message, status_code=status_code, form=form
        )

    text = clean_text(note).strip() or None
    if decision not in ("approve", "reject"):
        return await refuse(422, "Choose approve or reject.")
    if decision == "reject" and not text:
        return await refuse(422, "Write the reason for rejecting: the customer will read it.")
    chosen: Decimal | None = None
    if decision == "approve" and amount.strip():
        try:
            chosen = to_money(amount.strip().replace(",", ""))
        except InvalidMoney:
            return await refuse(422, f"{amount!r} is not an amount.")
    try:
        body = ApprovalDecision(
            decision=decision,  # type: ignore[arg-type]
            amount=chosen,
            note=text,
            approval_id=approval_id or None,
        )
    except ValidationError as exc:
        return await refuse(422, str(exc.errors()[0].get("msg", "the decision is malformed")))
    try:
        result = await decide_approval(_case_id(case_id), body, reviewer.user, gateway, ctx)
    except HTTPException as exc:
        return await refuse(exc.status_code, f"Not done: {exc.detail}.")
    except RPCError as exc:
        raise unavailable(exc) from exc
    return see_other(f"/review/cases/{quote(case_id)}?notice={result.status}")


# --- handoffs ---------------------------------------------------------------------------------


def _back_to(case_id: str, next_page: str, notice: str) -> Response:
    if next_page == "inbox":
        return see_other(f"/review/handoffs?notice={notice}")
    return see_other(f"/review/cases/{quote(case_id)}?notice={notice}")


async def _human_update(
    request: Request,
    ctx: WebContext,
    reviewer: Reviewer,
    case_id: str,
    kind: str,
    text: str,
    form: dict[str, str],
) -> HTMLResponse | None:
    """Send a person's reply, hand-back or close to the case; an error page if refused."""
    require(reviewer, Permission.HANDLE_HANDOFFS)
    if kind != "reply" and len(text) > MAX_NOTE_CHARS:
        return await render_case(
            request,
            ctx,
            reviewer,
            case_id,
            status_code=422,
            form=form,
            error=f"Keep the note to {MAX_NOTE_CHARS} characters.",
        )
    gateway = gateway_of(ctx)
    case_id = _case_id(case_id)
    try:
        if kind == "reply":
            await gateway.post_human_reply(
                case_id, HumanReplyInput(username=reviewer.username, text=text)
            )
        else:
            act = gateway.hand_back if kind == "hand_back" else gateway.close_case
            await act(case_id, HandoffActionInput(username=reviewer.username, note=text or None))
    except WorkflowUpdateFailedError as err:
        message = getattr(err.cause, "message", None) or "the case refused this"
        status_code = 409 if refusal_type(err) in ("CaseClosed", "NotEscalated") else 500
        return await render_case(
            request,
            ctx,
            reviewer,
            case_id,
            error=f"Not done: {message}.",
            status_code=status_code,
            form=form,
        )
    except RPCError as exc:
        raise unavailable(exc) from exc
    return None


async def _unfit_reply(
    request: Request,
    ctx: WebContext,
    reviewer: Reviewer,
    case_id: str,
    cleaned: str,
    form: dict[str, str],
) -> Response | None:
    """The case page again with a 422 when a person's text to the customer is empty or too
    long (`form` keeps what they wrote); None when it may be sent."""
    if cleaned and len(cleaned) <= MAX_MESSAGE_CHARS:
        return None
    return await render_case(
        request,
        ctx,
        reviewer,
        case_id,
        status_code=422,
        form=form,
        error=f"Write a reply of 1 to {MAX_MESSAGE_CHARS} characters.",
    )


@router.post("/cases/{case_id}/reply", include_in_schema=False)
async def reply_to_customer(
    request: Request,
    case_id: str,
    reviewer: PostingReviewer,
    ctx: Context,
    text: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "case",
) -> Response:
    require(reviewer, Permission.HANDLE_HANDOFFS)
    cleaned = clean_text(text).strip()
    if unfit := await _unfit_reply(request, ctx, reviewer, case_id, cleaned, {"reply": text}):
        return unfit
    refused = await _human_update(
        request, ctx, reviewer, case_id, "reply", cleaned, {"reply": text}
    )
    return refused or _back_to(case_id, next, "replied")


@router.post("/cases/{case_id}/draft", include_in_schema=False)
async def send_draft(
    request: Request,
    case_id: str,
    reviewer: PostingReviewer,
    ctx: Context,
    draft_id: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    """Send the agent's shadow-mode draft to the customer: as drafted, or as edited here."""
    require(reviewer, Permission.HANDLE_HANDOFFS)
    cleaned = clean_text(text).strip()
    if unfit := await _unfit_reply(request, ctx, reviewer, case_id, cleaned, {"draft": text}):
        return unfit
    case_id = _case_id(case_id)
    inp = SendDraftInput(username=reviewer.username, draft_id=draft_id, text=cleaned)
    try:
        await gateway_of(ctx).send_draft(case_id, inp)
    except WorkflowUpdateFailedError as err:
        message = getattr(err.cause, "message", None) or "the case refused this"
        status_code = 409 if refusal_type(err) in ("CaseClosed", "StaleDraft") else 500
        return await render_case(
            request, ctx, reviewer, case_id, error=f"Not sent: {message}.", status_code=status_code
        )
    except RPCError as exc:
        raise unavailable(exc) from exc
    return _back_to(case_id, "case", "draft_sent")


def _handoff_action(kind: str, notice: str) -> Callable[..., Awaitable[Response]]:
    """The POST handler of a handoff action that takes an optional note: hand back, close."""

    async def act(
        request: Request,
        case_id: str,
        reviewer: PostingReviewer,
        ctx: Context,
        note: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "case",
    ) -> Response:
        text = clean_text(note).strip()
        refused = await _human_update(request, ctx, reviewer, case_id, kind, text, {})
        return refused or _back_to(case_id, next, notice)

    act.__name__ = kind
    return act


hand_back = router.post("/cases/{case_id}/hand-back", include_in_schema=False)(
    _handoff_action("hand_back", "handed_back")
)
close_case = router.post("/cases/{case_id}/close", include_in_schema=False)(
    _handoff_action("close", "closed")
)
