"""Email-channel senders are checked, over real SMTP, under the shipped (strict) policy.

A From address alone can ask, never act: a change still waits for the one-time code
sent to the address on file. A sender that the trusted receiving server proved (its
`Authentication-Results` shows DKIM pass for the From domain) is that mailbox's owner.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from email.message import EmailMessage

import pytest
from aiosmtpd.smtp import SMTP

from domain.identity import IdentityLevel
from domain.policy import Policy, load_policy
from tests.integration.test_email_channel import ADA, SUPPORT, Mailroom, Sink, email
from tests.waiting import wait_until
from tests.workflows.conftest import (  # noqa: F401  (fixtures used here)
    TEST_MAIL_SEAL,
    CaseHarness,
    harness,
    shop_sessions,
    temporal_env,
)
from workers.email import DirectMailSender, EmailSender, SupportMailHandler, start_listener
from workers.outbox import OutboxDispatcher
from workflows.gateway import CaseGateway

TRUSTED = "mx.shop.test"


@pytest.fixture(scope="session")
def policy() -> Policy:
    shipped = load_policy()
    assert shipped.identity.change is IdentityLevel.ONE_TIME_CODE
    return shipped


@pytest.fixture
async def mailroom(harness: CaseHarness) -> AsyncIterator[Mailroom]:  # noqa: F811
    loop = asyncio.get_running_loop()
    sink = Sink()
    relay = await loop.create_server(lambda: SMTP(sink, loop=loop), "127.0.0.1", 0)
    relay_port = relay.sockets[0].getsockname()[1]
    gateway = CaseGateway(harness.client, harness.task_queue)
    handler = SupportMailHandler(
        gateway, harness.sessions, support_address=SUPPORT, trusted_authserv_ids=[TRUSTED]
    )
    listener = await start_listener(handler, "127.0.0.1", 0, max_bytes=64 * 1024)
    sender = EmailSender(
        harness.sessions, support_address=SUPPORT, relay_host="127.0.0.1", relay_port=relay_port
    )
    dispatchers = [
        OutboxDispatcher(harness.sessions, "email", sender, send_timeout=20),
        OutboxDispatcher(
            harness.sessions,
            "mail",
            DirectMailSender(sender, TEST_MAIL_SEAL),
            send_timeout=20,
        ),
    ]
    stop = asyncio.Event()
    running = [asyncio.create_task(d.run(stop, idle=0.05, idle_max=0.2)) for d in dispatchers]
    try:
        yield Mailroom(harness, gateway, listener.sockets[0].getsockname()[1], sink)
    finally:
        stop.set()
        await asyncio.gather(*running)
        listener.close()
        relay.close()
        await listener.wait_closed()
        await relay.wait_closed()


async def received(room: Mailroom, count: int) -> list[EmailMessage]:
    async def arrived() -> bool:
        return len(room.sink.received) >= count

    await wait_until(arrived, timeout=30, what=f"{count} emails at the relay")
    return [mail for _, mail in room.sink.received]


def order_status(room: Mailroom, order_id: str) -> str:
    return str(room.harness.deps.shop.get_order(order_id).status)


async def test_a_from_header_alone_can_ask_but_not_act(mailroom: Mailroom) -> None:
    forged = email(
        "Please cancel order #W0000001, I ordered it by mistake.",
        "<forged-1@example.com>",
        # written by the sender itself, not by the trusted receiving server
        Authentication_Results="attacker.test; dkim=pass header.d=example.com",
    )
    await mailroom.send(forged)
    mails = await received(mailroom, 2)
    by_subject = {str(m["Subject"]): m for m in mails}
    reply = by_subject["Re: Cancel my order"]
    assert "a six-digit code is on its way" in reply.get_content()
    code_mail = by_subject["Your Trustdesk verification code"]
    assert code_mail["To"] == ADA  # the address on file
    await mailroom.send(
        email("Yes please", "<forged-2@example.com>", In_Reply_To=reply["Message-ID"])
    )
    await received(mailroom, 3)
    assert order_status(mailroom, "#W0000001") == "pending"


async def test_a_sender_the_trusted_server_proved_may_act(mailroom: Mailroom) -> None:
    proven = email(
        "Please cancel order #W0000001, I ordered it by mistake.",
        "<proven-1@example.com>",
        Authentication_Results=f"{TRUSTED}; dkim=pass header.d=example.com; spf=pass "
        "smtp.mailfrom=ada@example.com",
    )
    await mailroom.send(proven)
    [confirm] = await received(mailroom, 1)
    assert "149.99" in confirm.get_content()
    await mailroom.send(
        email(
            "Yes please",
            "<proven-2@example.com>",
            In_Reply_To=confirm["Message-ID"],
            Authentication_Results=f"{TRUSTED}; dkim=pass header.d=example.com",
        )
    )
    done = (await received(mailroom, 2))[1]
    assert done.get_content().startswith("Done")
    assert order_status(mailroom, "#W0000001") == "cancelled"
