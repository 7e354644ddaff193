"""Customer ratings (CSAT) of a resolved case: one click in chat, or a signed email link.

* `POST /api/chat/{thread_id}/rating` with `{"score": 1..5}`: the thread id is the chat's
  capability, as for its transcript.
* `GET /rate/{token}?score=N`: the link in a resolution email. The token is signed with the
  web process's secret and names the case, so the customer rates without signing in; it
  expires after `trustdesk.rating_links.LINK_TTL`.

One rating per case: the same rating again answers 200 and changes nothing; a different
one is refused (409). Each first rating is an audit event (`store.trust.record_rating`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import HTMLResponse
from markupsafe import escape
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from store.trust import RatingRefused, record_rating
from trustdesk.rating_links import BadRatingLink, ExpiredRatingLink, case_of_rating_token
from web.deps import Context
from workflows.contracts import case_id_for

router = APIRouter(tags=["ratings"])

_THREAD_ID = re.compile(r"^[A-Za-z0-9_-]{16,150}$")


class RatingIn(BaseModel):
    score: int = Field(ge=1, le=5, description="1 (very unhappy) to 5 (very happy).")


class RatingOut(BaseModel):
    case_id: str
    score: int
    source: str
    rated_at: datetime
    recorded_now: bool = Field(description="False when this same rating was already recorded.")


async def _record(ctx: Context, case_id: str, score: int, source: str) -> RatingOut:
    try:
        rating = await run_in_threadpool(record_rating, ctx.sessions, case_id, score, source=source)
    except RatingRefused as refused:
        raise HTTPException(refused.status, refused.reason) from refused
    return RatingOut(
        case_id=rating.case_id,
        score=rating.score,
        source=rating.source,
        rated_at=rating.rated_at,
        recorded_now=rating.recorded_now,
    )


@router.post(
    "/api/chat/{thread_id}/rating",
    response_model=RatingOut,
    summary="Rate a resolved web-chat conversation, once",
    responses={
        404: {"description": "No conversation with this thread id."},
        409: {"description": "Not resolved yet, or already rated differently."},
        422: {"description": "The score is not a whole number from 1 to 5."},
    },
)
async def rate_chat(thread_id: str, body: RatingIn, ctx: Context) -> RatingOut:
    if not _THREAD_ID.match(thread_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such conversation")
    return await _record(ctx, case_id_for("webchat", thread_id), body.score, "chat")


def _case_of(secret: str, token: str) -> str:
    try:
        return case_of_rating_token(secret, token)
    except ExpiredRatingLink as exc:
        raise HTTPException(status.HTTP_410_GONE, str(exc)) from exc
    except BadRatingLink as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc


@router.get("/rate/{token}", response_class=HTMLResponse, include_in_schema=False)
async def rate_by_link(
    token: str,
    ctx: Context,
    score: Annotated[int, Query(ge=1, le=5, description="1 to 5.")],
) -> HTMLResponse:
    case_id = _case_of(ctx.settings.secret(), token)
    rating = await _record(ctx, case_id, score, "email")
    return HTMLResponse(
        "<!doctype html><meta charset='utf-8'><title>Thank you</title>"
        f"<p>Thank you: your rating of {escape(str(rating.score))} out of 5 is recorded.</p>"
    )
