"""How an outbox message reaches its channel: one sender per channel.

A sender returns when the channel has the message and raises `DeliveryFailed`
otherwise; `permanent=True` means trying again cannot help (no address, a
provider refusing the request), so the message goes straight to the dead letters.
Senders do not retry on their own: the dispatcher does (`workers/outbox.py`).
"""

from __future__ import annotations

import asyncio
import json
from typing import Protocol

import httpx
from sqlalchemy.orm import Session, sessionmaker

from channels.webhooks import DELIVERY_HEADER, sign
from domain.errors import TrustdeskError
from store.channels import webhook_recipient
from store.outbox import OutboxMessage

WEBHOOK_TIMEOUT_SECONDS = 10.0
_RETRYABLE_STATUS = {408, 425, 429}


class DeliveryFailed(TrustdeskError):
    code = "delivery_failed"

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sender(Protocol):
    async def send(self, message: OutboxMessage) -> None: ...


class WebchatSender:
    """The chat page reads the case's transcript itself; delivering is recording that it may."""

    async def send(self, message: OutboxMessage) -> None:
        return None


def webhook_payload(message: OutboxMessage, to: str | None) -> bytes:
    """The JSON body of an outgoing webhook delivery (its `id` is the delivery id)."""
    return json.dumps(
        {
            "id": message.message_id,
            "thread_id": message.thread_id,
            "to": to,
            "text": message.text,
            "reason": message.reason,
            "role": message.role,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


class WebhookSender:
    """POSTs replies to a provider's configured URL, signed like its inbound deliveries."""

    def __init__(
        self,
        provider: str,
        url: str | None,
        secret: str,
        sessions: sessionmaker[Session],
        *,
        timeout: float = WEBHOOK_TIMEOUT_SECONDS,
    ) -> None:
        self.provider = provider
        self.url = url
        self.secret = secret
        self.sessions = sessions
        self.timeout = timeout

    async def send(self, message: OutboxMessage) -> None:
        if not self.url:
            raise DeliveryFailed(
                f"no outbound_url is configured for webhook provider {self.provider!r}",
                permanent=True,
            )
        to = await asyncio.to_thread(
            webhook_recipient, self.sessions, self.provider, message.thread_id
        )
        body = webhook_payload(message, to)
        headers = {
            "Content-Type": "application/json",
            DELIVERY_HEADER: message.message_id,
            **sign(self.secret, body),
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                response = await http.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"POST {self.url} failed: {exc!r}") from exc
        if response.is_success:
            return
        detail = f"POST {self.url} answered {response.status_code}: {response.text[:300]}"
        retryable = response.status_code >= 500 or response.status_code in _RETRYABLE_STATUS
        raise DeliveryFailed(detail, permanent=not retryable)
