"""`GET /api/chat/{thread_id}/messages`: the customer's own view of a web-chat conversation.

What the chat page polls for replies that come later (an approver's decision, a
colleague's answer). It returns only what the customer was told or said, and the
case status, never the staff view (captured fields, risk, actions, approvals).
The thread id is the capability: it is random, chosen by the customer's browser
and known only to it (and to the shop that embedded the chat, if it chose it).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from web.deps import Gateway
from workflows.contracts import CaseStatus, case_id_for

router = APIRouter(prefix="/api/chat", tags=["chat"])

_THREAD_ID = re.compile(r"^[A-Za-z0-9_-]{16,150}$")


class ChatEntry(BaseModel):
    seq: int
    role: str
    text: str
    reason: str | None
    at: datetime


class ChatTranscript(BaseModel):
    status: CaseStatus
    last_seq: int
    messages: list[ChatEntry]


@router.get(
    "/{thread_id}/messages",
    response_model=ChatTranscript,
    summary="The customer-visible transcript of a web-chat conversation, after `after`",
    responses={404: {"description": "No conversation with this thread id (yet)."}},
)
async def chat_messages(
    thread_id: str,
    gateway: Gateway,
    after: Annotated[int, Query(ge=0, description="Only entries with a larger seq.")] = 0,
) -> ChatTranscript:
    if not _THREAD_ID.match(thread_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such conversation")
    # An unknown case raises RPCError NOT_FOUND, which the app answers with 404.
    view = await gateway.get_case(case_id_for("webchat", thread_id))
    return ChatTranscript(
        status=view.status,
        last_seq=view.transcript[-1].seq if view.transcript else 0,
        messages=[
            ChatEntry(seq=e.seq, role=e.role, text=e.text, reason=e.reason, at=e.at)
            for e in view.transcript
            if e.seq > after
        ],
    )
