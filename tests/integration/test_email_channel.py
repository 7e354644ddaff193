"""The email channel over real SMTP: smtplib → the listener → a case → the outbox → a local sink.

Runs the real case worker on the Temporal dev server (the workflow tests' `harness`),
the email listener on a free port, and the outbox dispatcher relaying replies to a
local aiosmtpd sink this test reads. Decisions shown here:

* An email that answers a Message-ID Trustdesk does not know starts a new case
  (it is a customer writing, perhaps replying to mail from before Trustdesk).
* A bounce or auto-reply is never answered; a bounce of one of Trustdesk's replies
  puts that reply among the dead letters; a bounce naming nothing known is dropped.
"""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope
from sqlalchemy import select

from store.channels import email_attachments
from store.models import EmailMessageRow, OutboxRow, TransactionRow
from store.outbox import list_dead_letters
from tests.waiting import wait_until
from tests.workflows.conftest import (  # noqa: F401  (fixtures used here)
    CaseHarness,
    harness,
    shop_sessions,
    temporal_env,
)
from workers.email import EmailSender, SupportMailHandler, start_listener
from workers.outbox import OutboxDispatcher
from workflows.contracts import case_id_for
from workflows.gateway import CaseGateway

SUPPORT = "support@shop.test"
ADA = "ada@example.com"
MAX_BYTES = 64 * 1024


@dataclass
class Sink:
    """The "relay": an SMTP server that keeps what it is given."""

    received: list[tuple[Envelope, EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Envelope) -> str:  # noqa: N802
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or b"")
        self.received.append((envelope, message))  # type: ignore[arg-type]
        return "250 OK"


@dataclass
class Mailroom:
    harness: CaseHarness
    gateway: CaseGateway
    port: int
    sink: Sink

    def _send(self, mail: EmailMessage, sender: str, to: str) -> Any:
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as smtp:
            return smtp.send_message(mail, from_addr=sender, to_addrs=[to])

    async def send(self, mail: EmailMessage, sender: str = ADA, to: str = SUPPORT) -> Any:
        return await asyncio.to_thread(self._send, mail, sender, to)

    async def reply(self, number: int) -> EmailMessage:
        """The `number`-th email the sink received (1-based), once it has arrived."""

        async def arrived() -> bool:
            return len(self.sink.received) >= number

        await wait_until(arrived, timeout=30, what=f"reply {number} at the sink")
        return self.sink.received[number - 1][1]

    def thread_of(self, message_id: str) -> str:
        with self.harness.sessions() as s:
            return s.scalars(
                select(EmailMessageRow.thread_id).where(EmailMessageRow.message_id == message_id)
            ).one()

    async def case(self, message_id: str) -> Any:
        return await self.gateway.get_case(case_id_for("email", self.thread_of(message_id)))


def email(
    text: str, message_id: str, subject: str = "Cancel my order", **headers: str
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"Ada Lovelace <{ADA}>"
    mail["To"] = f"Shop support <{SUPPORT}>"
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(text)
    return mail


@pytest.fixture
async def mailroom(harness: CaseHarness) -> AsyncIterator[Mailroom]:  # noqa: F811
    loop = asyncio.get_running_loop()
    sink = Sink()
    relay = await loop.create_server(
        lambda: SMTP(sink, hostname="relay.test", loop=loop), "127.0.0.1", 0
    )
    relay_port = relay.sockets[0].getsockname()[1]
    gateway = CaseGateway(harness.client, harness.task_queue)
    handler = SupportMailHandler(gateway, harness.sessions, support_address=SUPPORT)
    listener = await start_listener(handler, "127.0.0.1", 0, max_bytes=MAX_BYTES)
    sender = EmailSender(
        harness.sessions, support_address=SUPPORT, relay_host="127.0.0.1", relay_port=relay_port
    )
    dispatcher = OutboxDispatcher(harness.sessions, "email", sender, send_timeout=20)
    stop = asyncio.Event()
    delivering = asyncio.create_task(dispatcher.run(stop, idle=0.05, idle_max=0.2))
    try:
        yield Mailroom(harness, gateway, listener.sockets[0].getsockname()[1], sink)
    finally:
        stop.set()
        await delivering
        listener.close()
        relay.close()
        await listener.wait_closed()
        await relay.wait_closed()


async def test_a_three_email_conversation_is_one_case(mailroom: Mailroom) -> None:
    await mailroom.send(
        email("Hi, please cancel order #W0000001.\n\n-- \nAda\nSent with care", "<c1@example.com>")
    )
    first = await mailroom.reply(1)
    envelope = mailroom.sink.received[0][0]
    assert envelope.mail_from == SUPPORT and envelope.rcpt_tos == [ADA]
    assert first["To"] == ADA and first["Subject"] == "Re: Cancel my order"
    assert first["In-Reply-To"] == "<c1@example.com>"
    assert first["References"] == "<c1@example.com>"
    assert first["Auto-Submitted"] == "auto-replied"
    assert first["Message-ID"].endswith("@shop.test>")
    case = await mailroom.case("<c1@example.com>")
    assert case.verified, "the sender's address is used like an email the customer typed"
    assert case.transcript[0].text == "Hi, please cancel order #W0000001."  # no signature

    # The second email quotes the first reply (with another order number in it) and
    # carries an attachment; only the new text reaches the case.
    second = email(
        "I ordered it by mistake.\n\nOn Mon, 1 Jun 2026 at 10:00, Shop support <support@shop.test>"
        " wrote:\n> Which order? Maybe #W0000004?\n",
        "<c2@example.com>",
        subject="Re: Cancel my order",
        In_Reply_To=first["Message-ID"],
        References=f"<c1@example.com> {first['Message-ID']}",
    )
    second.add_attachment(
        b"%PDF-1.7 receipt", maintype="application", subtype="pdf", filename="receipt.pdf"
    )
    await mailroom.send(second)
    confirm = await mailroom.reply(2)
    assert "149.99" in confirm.get_content()
    assert confirm["In-Reply-To"] == "<c2@example.com>"

    # The third answers only the latest reply, without References.
    await mailroom.send(email("Yes please", "<c3@example.com>", In_Reply_To=confirm["Message-ID"]))
    done = await mailroom.reply(3)
    assert done.get_content().startswith("Done")
    assert done["References"].split() == [
        "<c1@example.com>", first["Message-ID"], "<c2@example.com>", confirm["Message-ID"],
        "<c3@example.com>",
    ]  # fmt: skip

    thread = mailroom.thread_of("<c1@example.com>")
    assert {mailroom.thread_of(f"<c{n}@example.com>") for n in (2, 3)} == {thread}
    case = await mailroom.case("<c3@example.com>")
    assert case.case_id == f"case-email-{thread}"
    assert [t.role for t in case.transcript] == ["customer", "agent"] * 3
    assert case.transcript[2].text == "I ordered it by mistake."
    assert case.captured["order_id"] == "#W0000001"  # the quoted #W0000004 was not read
    with mailroom.harness.sessions() as s:
        refunds = list(
            s.scalars(select(TransactionRow.amount).where(TransactionRow.kind == "refund"))
        )
        outbox = list(s.scalars(select(OutboxRow.status).where(OutboxRow.channel == "email")))
    assert refunds == [Decimal("149.99")]
    assert outbox == ["delivered"] * 3
    assert email_attachments(mailroom.harness.sessions, thread) == [
        {"name": "receipt.pdf", "type": "application/pdf", "size": 16,
         "message_id": "<c2@example.com>"}
    ]  # fmt: skip
    assert len(mailroom.sink.received) == 3


async def test_a_repeated_delivery_is_one_turn(mailroom: Mailroom) -> None:
    mail = email("Where is my order #W0000002?", "<again@example.com>", subject="Status")
    await mailroom.send(mail)
    await mailroom.send(mail)  # the sending server retries after a lost "250"
    await mailroom.reply(1)
    await mailroom.send(
        email("Thanks", "<after@example.com>", subject="Re: Status",
              In_Reply_To=mailroom.sink.received[0][1]["Message-ID"])
    )  # fmt: skip
    await mailroom.reply(2)
    case = await mailroom.case("<again@example.com>")
    assert [t.role for t in case.transcript] == ["customer", "agent"] * 2
    assert len(mailroom.sink.received) == 2


async def test_a_reply_to_an_unknown_message_starts_a_new_case(mailroom: Mailroom) -> None:
    await mailroom.send(email("Hello again, cancel #W0000001 please", "<old-1@example.com>"))
    await mailroom.reply(1)
    stray = email(
        "Following up on my old ticket about order #W0000002",
        "<stray@example.com>",
        subject="Re: Ticket 4711",
        In_Reply_To="<ticket-4711@old-helpdesk.example>",
        References="<ticket-4711@old-helpdesk.example>",
    )
    await mailroom.send(stray)
    answer = await mailroom.reply(2)
    assert answer["In-Reply-To"] == "<stray@example.com>"
    assert answer["Subject"] == "Re: Ticket 4711"
    assert mailroom.thread_of("<stray@example.com>") != mailroom.thread_of("<old-1@example.com>")
    case = await mailroom.case("<stray@example.com>")
    assert case.transcript[0].text.startswith("Following up")


async def test_bounces_are_never_answered(mailroom: Mailroom) -> None:
    await mailroom.send(email("Cancel #W0000001 please", "<b1@example.com>"))
    reply = await mailroom.reply(1)

    # A bounce naming a message Trustdesk never sent: accepted and dropped.
    stray = bounce("<not-ours@shop.test>")
    assert await mailroom.send(stray, sender="<>") == {}
    with mailroom.harness.sessions() as s:
        assert s.get(EmailMessageRow, "<bounce-not-ours@shop.test>") is None

    # A bounce of Trustdesk's reply: the reply is listed with the dead letters.
    assert await mailroom.send(bounce(reply["Message-ID"]), sender="<>") == {}
    [dead] = list_dead_letters(mailroom.harness.sessions)
    assert dead.case_id == f"case-email-{mailroom.thread_of('<b1@example.com>')}"
    assert dead.last_error is not None and "bounced" in dead.last_error
    assert "user unknown" in dead.last_error

    # A later customer email still gets its answer, and nothing went to the mailer daemon.
    await mailroom.send(email("Actually, where is #W0000002?", "<b2@example.com>",
                              In_Reply_To=reply["Message-ID"]))  # fmt: skip
    await mailroom.reply(2)
    assert [env.rcpt_tos for env, _ in mailroom.sink.received] == [[ADA], [ADA]]


def bounce(original_id: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.com>"
    mail["To"] = SUPPORT
    mail["Subject"] = "Undelivered Mail Returned to Sender"
    mail["Message-ID"] = f"<bounce-{original_id.strip('<>')}>"
    mail["Auto-Submitted"] = "auto-replied"
    mail.set_content(
        f"Your message {original_id} could not be delivered: 550 5.1.1 user unknown"
    )
    mail.add_attachment(
        f"Message-ID: {original_id}\nSubject: Re: Cancel my order\n".encode(),
        maintype="text",
        subtype="rfc822-headers",
        disposition="inline",
    )
    return mail


async def test_oversized_mail_is_refused_with_a_clear_error(mailroom: Mailroom) -> None:
    big = email("Please see the attached photos.", "<big@example.com>")
    big.add_attachment(b"\0" * (MAX_BYTES * 2), maintype="image", subtype="png", filename="a.png")

    # A client that declares the size is refused at MAIL FROM ...
    with pytest.raises(smtplib.SMTPSenderRefused) as declared:
        await mailroom.send(big)
    assert declared.value.smtp_code == 552
    assert b"accepts mail up to 64 KB" in declared.value.smtp_error

    # ... and one that does not, at the end of DATA.
    def send_undeclared() -> tuple[int, bytes]:
        with smtplib.SMTP("127.0.0.1", mailroom.port, timeout=30) as smtp:
            smtp.ehlo()
            smtp.mail(ADA)
            smtp.rcpt(SUPPORT)
            return smtp.data(big.as_bytes(policy=policy.SMTP))

    code, text = await asyncio.to_thread(send_undeclared)
    assert code == 552 and b"Message too big" in text
    with mailroom.harness.sessions() as s:
        assert s.get(EmailMessageRow, "<big@example.com>") is None


async def test_mail_for_anyone_else_is_refused(mailroom: Mailroom) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        await mailroom.send(email("hi", "<x@example.com>"), to="ceo@shop.test")
    code, text = refused.value.recipients["ceo@shop.test"]
    assert code == 550 and SUPPORT.encode() in text
