"""The web chat's own endpoint: the customer's view of the conversation, and later replies.

The chat page polls `GET /api/chat/{thread_id}/messages?after=N`; this proves what it
returns (only what the customer said and was told) and that a reply decided later by
an approver reaches it through the webchat outbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from store.models import OutboxRow
from tests.e2e.conftest import Web
from tests.waiting import wait_until
from web.auth import sign_customer_identity
from workers.outbox import OutboxDispatcher
from workers.senders import WebchatSender


async def transcript(web: Web, thread: str, after: int = 0) -> dict[str, Any]:
    r = await web.http.get(f"/api/chat/{thread}/messages", params={"after": after})
    assert r.status_code == 200, r.text
    return r.json()


async def test_the_customer_sees_only_the_conversation(web: Web) -> None:
    thread = web.new_thread()
    await web.say(thread, "Hi, I want to cancel order #W0000001")
    await web.say(thread, "my email is ada@example.com, I ordered it by mistake")
    view = await transcript(web, thread)
    assert set(view) == {"status", "last_seq", "messages"}  # no captured fields, risk, actions
    assert view["status"] == "awaiting_customer" and view["last_seq"] == 4
    assert [m["role"] for m in view["messages"]] == ["customer", "agent"] * 2
    assert [m["seq"] for m in view["messages"]] == [1, 2, 3, 4]
    assert "AI assistant" in view["messages"][1]["text"]
    assert all(m["reason"] for m in view["messages"] if m["role"] == "agent")
    assert set(view["messages"][0]) == {"seq", "role", "text", "reason", "at"}

    later = await transcript(web, thread, after=2)
    assert [m["seq"] for m in later["messages"]] == [3, 4]
    assert (await transcript(web, thread, after=4))["messages"] == []

    assert (await web.http.get(f"/api/chat/{web.new_thread()}/messages")).status_code == 404
    assert (await web.http.get("/api/chat/short/messages")).status_code == 404
    assert (await web.http.get(f"/api/chat/{thread}/messages?after=-1")).status_code == 422


async def test_a_signed_identity_skips_verification(web: Web) -> None:
    thread = web.new_thread()
    token = sign_customer_identity("ada_lovelace_1", web.settings.secret(), thread_id=thread)
    r = await web.http.post(
        "/api/messages",
        json={"channel": "webchat", "thread_id": thread, "text": "Where is order #W0000002?",
              "customer": {"token": token}},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    reply = (await transcript(web, thread))["messages"][-1]["text"]
    assert "#W0000002" in reply and "email" not in reply.lower()


@pytest.fixture
async def webchat_outbox(web: Web) -> AsyncIterator[None]:
    dispatcher = OutboxDispatcher(web.harness.sessions, "webchat", WebchatSender())
    stop = asyncio.Event()
    run = asyncio.create_task(dispatcher.run(stop, idle=0.05, idle_max=0.2))
    yield
    stop.set()
    await run


async def test_an_approvers_decision_reaches_the_open_chat(
    web: Web, webchat_outbox: None
) -> None:
    thread = web.new_thread()
    await web.say(thread, "I'd like to return order #W0000003, my email is ada@example.com")
    parked = await web.say(thread, "yes")
    assert parked["status"] == "awaiting_approval"
    seen = (await transcript(web, thread))["last_seq"]

    web.add_user("pat", "approver", "1000")
    r = await web.http.post(
        f"/api/cases/{parked['case_id']}/approval",
        json={"decision": "approve"},
        headers=await web.auth("pat"),
    )
    assert r.status_code == 200, r.text

    async def arrived() -> list[dict[str, Any]]:
        return (await transcript(web, thread, after=seen))["messages"]

    [confirmation] = await wait_until(arrived, what="the approved reply in the chat")
    assert confirmation["role"] == "agent" and "899.00" in confirmation["text"]

    async def delivered() -> bool:
        with web.harness.sessions() as s:
            status = s.scalar(
                select(OutboxRow.status).where(
                    OutboxRow.message_id == f"{parked['case_id']}/msg-{confirmation['seq']}"
                )
            )
        return status == "delivered"

    await wait_until(delivered, what="the webchat outbox row marked delivered")
