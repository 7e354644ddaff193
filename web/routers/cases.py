"""Reading cases: one case live from its workflow, lists from the store's projection."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel
from sqlalchemy import select

from store.models import CaseRow
from web.deps import CurrentUser, Gateway, Sessions
from workflows.contracts import CaseStatus, CaseView

router = APIRouter(prefix="/api/cases", tags=["cases"])

_CASE_ID = re.compile(r"^case-[A-Za-z0-9._-]{1,190}$")


def check_case_id(case_id: str) -> str:
    """404 for anything that is not a case id, before Temporal is asked about it."""
    if not _CASE_ID.match(case_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such case")
    return case_id


class CaseSummary(BaseModel):
    case_id: str
    channel: str
    thread_id: str
    status: str
    category: str | None
    customer_id: str | None
    risk: str | None
    amount: Decimal | None
    created_at: datetime
    updated_at: datetime


@router.get(
    "/{case_id}",
    response_model=CaseView,
    summary="One case, live, for staff: status, captured fields, pending approval, actions, "
    "transcript",
    responses={
        401: {"description": "No or invalid bearer token."},
        404: {"description": "No such case."},
    },
)
async def get_case(case_id: str, user: CurrentUser, gateway: Gateway) -> CaseView:
    """Reviewer notes, risk and the decision trace are for staff; customers read their own
    conversation through `GET /api/chat/{thread_id}/messages`."""
    # Unknown workflow ids raise RPCError NOT_FOUND, answered 404 by the app's handler.
    return await gateway.get_case(check_case_id(case_id))


@router.get(
    "",
    response_model=list[CaseSummary],
    summary="Cases, newest first (staff only)",
    responses={401: {"description": "No or invalid bearer token."}},
)
def list_cases(
    user: CurrentUser,
    sessions: Sessions,
    only: Annotated[
        CaseStatus | None, Query(alias="status", description="Only cases in this status.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[CaseSummary]:
    query = select(CaseRow).order_by(CaseRow.created_at.desc(), CaseRow.id.desc()).limit(limit)
    if only is not None:
        query = query.where(CaseRow.status == only.value)
    with sessions() as session:
        return [
            CaseSummary(
                case_id=row.id,
                channel=row.channel,
                thread_id=row.thread_id,
                status=row.status,
                category=row.category,
                customer_id=row.customer_id,
                risk=row.risk,
                amount=row.amount,
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
            for row in session.scalars(query)
        ]
