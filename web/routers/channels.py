"""`POST /api/channels/webhook/{provider}`: messages from SMS / WhatsApp-style providers.

Each provider is configured with a shared secret (`TRUSTDESK_WEBHOOKS`). A
delivery is accepted only when `X-Trustdesk-Signature` is the hex HMAC-SHA256 of
`<X-Trustdesk-Timestamp>.<raw body>` under that secret (`channels/webhooks.py`),
the timestamp is within the replay window, and its `id` was not accepted before.
The message goes to the case `case-<provider>-<thread_id>`; the agent's replies
are POSTed to the provider's `outbound_url` by the outbox, signed the same way.
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from temporalio.client import WorkflowUpdateFailedError

from channels.webhooks import BadSignature, verify
from store.channels import record_webhook_delivery, webhook_delivery_seen
from web.deps import Context, Gateway, Sessions
from web.routers.messages import clean_text, validation_reason
from workflows.contracts import PostMessageInput
from workflows.gateway import refusal_type

router = APIRouter(prefix="/api/channels", tags=["channels"])

_PROVIDER = re.compile(r"^[a-z0-9_-]{1,30}$")
_BUILT_IN = frozenset({"webchat", "email"})


class WebhookMessageIn(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {"id": "evt_01", "thread_id": "15551234567", "from": "+15551234567",
                 "text": "Where is my order #W0000002?"}
            ]
        },
    )  # fmt: skip

    id: str = Field(min_length=1, max_length=150, description="The provider's delivery id.")
    thread_id: str = Field(min_length=1, max_length=150, description="The conversation's id.")
    sender: str = Field(alias="from", min_length=1, max_length=200, description="Who wrote.")
    text: str = Field(min_length=1)


class WebhookAccepted(BaseModel):
    case_id: str
    status: Literal["accepted"] = "accepted"


@router.post(
    "/webhook/{provider}",
    response_model=WebhookAccepted,
    summary="Receive a customer message from a messaging provider (HMAC-signed)",
    responses={
        401: {"description": "Missing or bad signature, or a timestamp outside the window."},
        404: {"description": "No such provider is configured."},
        409: {"description": "This delivery id was already accepted, or the case is closed."},
        413: {"description": "The message is too large."},
        422: {"description": "The body is not a message."},
        503: {"description": "The case service is unavailable; deliver again later."},
    },
)
async def receive_webhook(
    provider: str,
    request: Request,
    ctx: Context,
    gateway: Gateway,
    sessions: Sessions,
    signature: Annotated[str | None, Header(alias="X-Trustdesk-Signature")] = None,
    timestamp: Annotated[str | None, Header(alias="X-Trustdesk-Timestamp")] = None,
) -> WebhookAccepted:
    config = ctx.settings.webhooks.get(provider)
    if config is None or provider in _BUILT_IN or not _PROVIDER.match(provider):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such webhook provider")
    body = await request.body()
    try:
        verify(
            config.secret, body, timestamp, signature,
            window_seconds=ctx.settings.webhook_window_seconds,
        )  # fmt: skip
    except BadSignature as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc)) from None
    try:
        message = WebhookMessageIn.model_validate_json(body)
    except ValidationError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, validation_reason(exc.errors())
        ) from None
    if await asyncio.to_thread(webhook_delivery_seen, sessions, provider, message.id):
        raise HTTPException(status.HTTP_409_CONFLICT, "this delivery was already received")
    if len(message.text) > ctx.max_message_chars:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"the message is longer than {ctx.max_message_chars} characters",
        )
    text = clean_text(message.text)
    if not text.strip():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the message is empty")
    post = PostMessageInput(
        channel=provider,
        thread_id=message.thread_id,
        text=text,
        message_id=f"{provider}:{message.id}",  # the update id: a concurrent copy is one turn
    )
    try:
        case_id = await gateway.accept_message(post)
    except WorkflowUpdateFailedError as err:
        if refusal_type(err) == "CaseClosed":
            raise HTTPException(status.HTTP_409_CONFLICT, "this conversation is closed") from err
        raise HTTPException(
            status.HTTP_500_INTERNAL_SERVER_ERROR, "the message could not be processed"
        ) from err
    # Recorded once the case has the message, so a delivery that failed above can be retried.
    if not await asyncio.to_thread(
        record_webhook_delivery, sessions, provider, message.id, message.thread_id, message.sender
    ):
        raise HTTPException(status.HTTP_409_CONFLICT, "this delivery was already received")
    return WebhookAccepted(case_id=case_id)
