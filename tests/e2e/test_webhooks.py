"""Signed webhooks end to end: provider → web app → case worker → outbox → provider's URL.

Signatures are computed here independently of `channels/webhooks.py`, and the
provider's side is a real HTTP server on a free port that records what it is sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from temporalio.service import RPCError

from store.models import WebhookDeliveryRow
from store.outbox import list_dead_letters
from tests.e2e.conftest import SECRET, CaseHarness
from tests.waiting import wait_until
from trustdesk.config import Settings, WebhookProvider
from web.app import create_app
from workers.outbox import build_dispatchers
from workflows.gateway import CaseGateway

SMS_SECRET = "sms-shared-secret-0123456789"
PHONE = "+15551234567"


def signed(body: bytes, secret: str = SMS_SECRET, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if at is None else at))
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return {
        "X-Trustdesk-Timestamp": timestamp,
        "X-Trustdesk-Signature": mac.hexdigest(),
        "Content-Type": "application/json",
    }


class Receiver:
    """The provider's endpoint for outbound replies."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/replies"

    def __enter__(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Hooks:
    http: httpx.AsyncClient
    harness: CaseHarness
    gateway: CaseGateway
    receiver: Receiver

    async def deliver(
        self,
        payload: dict[str, Any],
        *,
        provider: str = "sms",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        body = json.dumps(payload).encode()
        return await self.http.post(
            f"/api/channels/webhook/{provider}", content=body, headers=headers or signed(body)
        )

    async def answered(self, thread: str, provider: str = "sms") -> None:
        """Wait for the agent's turn, so no test ends with a turn still running."""

        async def replied() -> bool:
            case = await self.gateway.get_case(f"case-{provider}-{thread}")
            return any(t.role == "agent" for t in case.transcript)

        await wait_until(replied, what=f"the agent's answer in {thread}")

    def accepted(self) -> int:
        with self.harness.sessions() as s:
            return s.scalar(select(func.count()).select_from(WebhookDeliveryRow)) or 0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture
async def hooks(harness: CaseHarness, receiver: Receiver, tmp_path: Path) -> AsyncIterator[Hooks]:
    settings = Settings(
        data_dir=tmp_path / "web",
        secret_key=SECRET,
        task_queue=harness.task_queue,
        webhooks={
            "sms": WebhookProvider(secret=SMS_SECRET, outbound_url=receiver.url),
            "chatapp": WebhookProvider(secret=SMS_SECRET),  # no outbound URL configured
        },
    )
    gateway = CaseGateway(harness.client, harness.task_queue)
    app = create_app(settings, gateway=gateway, sessions=harness.sessions)
    dispatchers = [
        d for d in build_dispatchers(settings, harness.sessions) if d.channel in ("sms", "chatapp")
    ]
    stop = asyncio.Event()
    runs = [asyncio.create_task(d.run(stop, idle=0.05, idle_max=0.2)) for d in dispatchers]
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://trustdesk.test") as http:
            yield Hooks(http, harness, gateway, receiver)
    finally:
        stop.set()
        await asyncio.gather(*runs)


def message(text: str, thread: str | None = None, delivery: str | None = None) -> dict[str, str]:
    return {
        "id": delivery or f"evt_{uuid.uuid4().hex[:12]}",
        "thread_id": thread or uuid.uuid4().hex,
        "from": PHONE,
        "text": text,
    }


async def test_a_signed_message_is_answered_by_a_signed_post(hooks: Hooks) -> None:
    sms = message("Where is my order #W0000002? My email is ada@example.com")
    r = await hooks.deliver(sms)
    assert r.status_code == 200, r.text
    case_id = f"case-sms-{sms['thread_id']}"
    assert r.json() == {"case_id": case_id, "status": "accepted"}

    async def replied() -> bool:
        return bool(hooks.receiver.requests)

    await wait_until(replied, what="the reply POSTed to the provider")
    [(headers, body)] = hooks.receiver.requests
    expected = signed(body, at=int(headers["X-Trustdesk-Timestamp"]))["X-Trustdesk-Signature"]
    assert hmac.compare_digest(headers["X-Trustdesk-Signature"], expected)
    assert abs(time.time() - int(headers["X-Trustdesk-Timestamp"])) < 60
    reply = json.loads(body)
    assert reply["id"] == headers["X-Trustdesk-Delivery"] == f"{case_id}/msg-2"
    assert (reply["thread_id"], reply["to"], reply["role"]) == (sms["thread_id"], PHONE, "agent")
    assert "#W0000002" in reply["text"] and reply["reason"]
    case = await hooks.gateway.get_case(case_id)
    assert [t.text for t in case.transcript][0] == sms["text"]
    assert case.verified


async def test_unsigned_or_badly_signed_deliveries_are_refused(hooks: Hooks) -> None:
    sms = message("cancel order #W0000001")
    body = json.dumps(sms).encode()
    good = signed(body)
    cases = {
        "no headers": {"Content-Type": "application/json"},
        "no timestamp": {k: v for k, v in good.items() if k != "X-Trustdesk-Timestamp"},
        "another key": signed(body, secret="not-the-shared-secret-at-all"),
        "another body": signed(body + b" "),
        "garbage": {**good, "X-Trustdesk-Signature": "zz" * 32},
    }
    for name, headers in cases.items():
        r = await hooks.http.post("/api/channels/webhook/sms", content=body, headers=headers)
        assert r.status_code == 401, name
    assert hooks.accepted() == 0
    with pytest.raises(RPCError):  # nothing reached Temporal
        await hooks.gateway.get_case(f"case-sms-{sms['thread_id']}")


async def test_stale_and_future_timestamps_are_refused(hooks: Hooks) -> None:
    sms = message("cancel order #W0000001")
    body = json.dumps(sms).encode()
    for skew in (-301, 301):
        r = await hooks.deliver(sms, headers=signed(body, at=time.time() + skew))
        assert r.status_code == 401 and "window" in r.json()["detail"]
    r = await hooks.deliver(sms, headers=signed(body, at=time.time() - 290))
    assert r.status_code == 200  # inside the five-minute window
    await hooks.answered(sms["thread_id"])


async def test_a_replayed_delivery_is_refused(hooks: Hooks) -> None:
    sms = message("Where is order #W0000002? ada@example.com")
    assert (await hooks.deliver(sms)).status_code == 200
    replay = await hooks.deliver(sms)  # freshly signed, same delivery id
    assert replay.status_code == 409 and "already" in replay.json()["detail"]
    await hooks.answered(sms["thread_id"])
    case = await hooks.gateway.get_case(f"case-sms-{sms['thread_id']}")
    assert [t.role for t in case.transcript].count("customer") == 1
    assert hooks.accepted() == 1


async def test_unknown_providers_and_malformed_bodies(hooks: Hooks) -> None:
    assert (await hooks.deliver(message("hi"), provider="telegraph")).status_code == 404
    assert (await hooks.deliver(message("hi"), provider="email")).status_code == 404
    missing = await hooks.deliver({"id": "evt_1", "text": "hi"})
    assert missing.status_code == 422 and "thread_id" in missing.json()["detail"]
    body = b"{not json"
    broken = await hooks.http.post("/api/channels/webhook/sms", content=body, headers=signed(body))
    assert broken.status_code == 422


async def test_replies_without_an_outbound_url_become_dead_letters(hooks: Hooks) -> None:
    chat = message("Where is order #W0000002? ada@example.com")
    assert (await hooks.deliver(chat, provider="chatapp")).status_code == 200

    async def dead() -> list[Any]:
        return list_dead_letters(hooks.harness.sessions, channel="chatapp")

    [letter] = await wait_until(dead, what="a dead letter for chatapp")
    assert letter.case_id == f"case-chatapp-{chat['thread_id']}"
    assert "no outbound_url" in (letter.last_error or "")
    assert hooks.receiver.requests == []
