"""`POST /api/messages`: a customer's chat message in, the agent's replies out.

The message goes to its case workflow with update-with-start: the first message
of a thread starts the case, later ones continue it, and the agent's answer comes
back in the same call.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from temporalio.client import WorkflowUpdateFailedError

from web.auth import verify_customer_identity
from web.deps import Context, Gateway
from workflows.contracts import PostMessageInput, PostMessageResult
from workflows.gateway import refusal_type

router = APIRouter(prefix="/api", tags=["messages"])

_THREAD_ID = re.compile(r"^[A-Za-z0-9_-]{16,150}$")
_KEEP_CONTROLS = frozenset("\t\n\r")


class CustomerIn(BaseModel):
    """Who the customer is, as vouched for by a trusted channel.

    Only `token` is read: a signed identity made with
    `web.auth.sign_customer_identity`. Anything else here is ignored, and so is a
    token that does not verify; the agent then asks the customer to identify
    themselves.
    """

    model_config = ConfigDict(extra="ignore")

    token: str | None = Field(default=None, max_length=4096)


class MessageIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "channel": "webchat",
                    "thread_id": "3f0c2a9e8b5d4c7a9e1f2b3c4d5e6f70",
                    "text": "Hi, I'd like to cancel order #W0000001",
                }
            ]
        },
    )

    channel: Literal["webchat"] = Field(description="Only the web chat posts here.")
    thread_id: str = Field(
        description="The conversation's id, chosen at random by the client (16-150 of "
        "A-Z a-z 0-9 _ -). Whoever knows it can read the conversation: keep it secret."
    )
    text: str = Field(min_length=1, description="The customer's message.")
    customer: CustomerIn | None = None

    @field_validator("thread_id")
    @classmethod
    def _thread_id(cls, value: str) -> str:
        if not _THREAD_ID.match(value):
            raise ValueError("thread_id must be 16-150 letters, digits, '_' or '-'")
        return value


def clean_text(text: str) -> str:
    """The text without control characters (bar tab and newlines) or lone surrogates.

    Such characters carry no meaning in a chat message and some stores and
    serialisers reject them; dropping them here keeps a hostile message from
    wedging the case downstream.
    """
    return "".join(
        ch
        for ch in text
        if ch in _KEEP_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs")
    )


def validation_reason(errors: Sequence[Mapping[str, Any]]) -> str:
    """One plain sentence for a 422: the first thing wrong with the request, and where."""
    if not errors:
        return "the request is malformed"
    first = errors[0]
    if first["type"] == "json_invalid":
        return "the request body is not valid JSON"
    where = ".".join(str(p) for p in first["loc"] if p != "body")
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


@router.post(
    "/messages",
    response_model=PostMessageResult,
    summary="Send a customer message and get the agent's replies",
    responses={
        409: {"description": "The conversation is closed."},
        413: {"description": "The message or the request body is too large."},
        422: {"description": "Malformed input; `reason` says what is wrong."},
    },
)
async def post_message(
    body: Annotated[MessageIn, Body()], ctx: Context, gateway: Gateway
) -> PostMessageResult:
    limit = ctx.max_message_chars
    if len(body.text) > limit:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"the message is longer than {limit} characters; please shorten it",
        )
    text = clean_text(body.text)
    if not text.strip():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the message is empty")
    identity = None
    if body.customer is not None and body.customer.token:
        verified = verify_customer_identity(
            body.customer.token, ctx.secret, thread_id=body.thread_id
        )
        identity = verified.as_claim() if verified else None
    message = PostMessageInput(
        channel=body.channel, thread_id=body.thread_id, text=text, identity=identity
    )
    try:
        return await gateway.post_message(message)
    except WorkflowUpdateFailedError as err:
        if refusal_type(err) == "CaseClosed":
            raise HTTPException(status.HTTP_409_CONFLICT, "this conversation is closed") from err
        raise HTTPException(
            status.HTTP_500_INTERNAL_SERVER_ERROR, "the message could not be processed"
        ) from err
